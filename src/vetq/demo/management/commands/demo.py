import os

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from vetq.demo.accounts import accounts_table
from vetq.demo.build import DemoRefused, demo_build, policy_names
from vetq.demo.plan import demo_plan


class Command(BaseCommand):
    help = (
        "Fill an empty database with fictional demo data: schools, majors, enterprises, "
        "experts, one account per role, the 2016–2019 calls closed with their applications, "
        "grants and review rounds, 2019's last applications under review and in publicity, "
        "and the 2020 call open. Refuses a database that holds institutions or users unless "
        "VETQ_DEMO=1. Running it again adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--accounts", action="store_true",
            help="only print the demo accounts and their password; build nothing",
        )

    def handle(self, *args, accounts: bool, **options):
        plan = demo_plan()
        if not accounts:
            # The demo's people have made-up addresses: the mail its applications' moves send
            # (after the build commits) goes nowhere instead of flooding this output.
            try:
                with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
                    result = demo_build(
                        plan=plan, allow_existing=os.environ.get("VETQ_DEMO") == "1"
                    )
            except DemoRefused as exc:
                raise CommandError(f"demo refused: {exc}") from exc
            if result.changed:
                loaded = "loaded the default policy; " if result.policy_loaded else ""
                self.stdout.write(
                    f"demo data: {loaded}added {result.institutions} institutions, "
                    f"{result.majors} majors, {result.enterprises} enterprises, "
                    f"{result.experts} experts, {result.users} users, "
                    f"{result.memberships} memberships, {result.calls} calls with "
                    f"{result.applications} applications, and {result.colleagues} colleague "
                    "accounts who act in them (school_<code>, region_<code>; same password)"
                )
                if result.reviews.changed:
                    self.stdout.write(result.reviews.summary())
                if result.projects.changed:
                    self.stdout.write(result.projects.summary())
                if result.surveys.changed:
                    self.stdout.write(result.surveys.summary())
            else:
                self.stdout.write("demo data is already there: nothing added")
            self.stdout.write("")
        for line in accounts_table(plan, policy_names()):
            self.stdout.write(line)
