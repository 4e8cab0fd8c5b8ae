"""`python -m vetq draws verify FILE` re-runs a published draw from its file, with no database.

Exit status 0: match; 1: no match (including a file that is not a draw file); 2: the file
cannot be read. `-` reads the file from standard input.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from vetq.reviews.draw import DocumentError, load_document, verify


class Command(BaseCommand):
    help = "Draw tools. `draws verify FILE` re-runs a published draw and says match or no match."
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("verify", help="re-run a published draw file (- reads standard input)")
        check.add_argument("file")

    def handle(self, *args, action: str, file: str, **options):
        if file == "-":
            data = sys.stdin.buffer.read()
        else:
            try:
                data = Path(file).read_bytes()
            except OSError as exc:
                raise CommandError(_("Cannot read %(file)s: %(error)s") % {
                    "file": file, "error": exc.strerror or exc}, returncode=2) from exc
        try:
            result = verify(load_document(data))
            lines = result.lines
        except DocumentError as exc:
            result, lines = None, [_("This is not a draw file: %(error)s.") % {"error": exc}]
        for line in lines:
            self.stdout.write(line)
        if result is not None and result.match:
            self.stdout.write(_("match"))
            return
        self.stdout.write(_("no match"))
        sys.exit(1)
