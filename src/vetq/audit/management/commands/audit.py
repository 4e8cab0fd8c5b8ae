from django.core.management.base import BaseCommand, CommandError

from vetq.audit.services import audit_verify


class Command(BaseCommand):
    help = "Audit log tools. `audit verify` checks the hash chain and names the first broken link."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="recompute the hash chain")

    def handle(self, *args, action: str, **options):
        report = audit_verify()
        if report.ok:
            self.stdout.write(f"audit chain intact: {report.checked} entries checked")
            return
        where = f"entry #{report.broken_at}" if report.broken_at is not None else "chain head"
        raise CommandError(
            f"audit chain broken at {where}: {report.reason} "
            f"({report.checked} entries before it are intact)"
        )
