from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from vetq.accounts.models import ApiToken, User
from vetq.accounts.services import token_create


class Command(BaseCommand):
    help = "API tokens: `token create USERNAME NAME` prints a new key once; `token revoke PREFIX`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("username")
        create.add_argument("name")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("prefix")

    def handle(self, *args, action: str, **options):
        if action == "create":
            user = User.objects.filter(username=options["username"], is_active=True).first()
            if user is None:
                raise CommandError(f"no active user {options['username']!r}")
            try:
                token, key = token_create(user=user, name=options["name"])
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
            self.stdout.write(key)
            self.stderr.write(f"token {token} for {user.username}: keep the key, it is not stored")
        else:
            updated = ApiToken.objects.filter(
                prefix=options["prefix"], revoked_at__isnull=True
            ).update(revoked_at=timezone.now())
            if not updated:
                raise CommandError(f"no active token with prefix {options['prefix']!r}")
            self.stdout.write(f"revoked {updated} token(s)")
