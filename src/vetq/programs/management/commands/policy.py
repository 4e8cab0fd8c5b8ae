from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from vetq.core.money import format_wanyuan, format_yuan
from vetq.programs.models import Program
from vetq.programs.policy.errors import PolicyError
from vetq.programs.policy.loader import policy_load


class Command(BaseCommand):
    help = "Policy files: `policy load FILE` validates and loads one; `policy show` prints programs."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="validate and load a policy file (idempotent)")
        load.add_argument("file", nargs="?", default=str(settings.VETQ_DEFAULT_POLICY))
        show = sub.add_parser("show", help="print a loaded program and its categories")
        show.add_argument("code", nargs="?", help="program code (default: every program)")

    def handle(self, *args, action: str, **options):
        if action == "load":
            self._load(Path(options["file"]))
        else:
            self._show(options.get("code"))

    def _load(self, path: Path) -> None:
        try:
            result = policy_load(path=path)
        except PolicyError as exc:
            raise CommandError(f"policy refused, nothing loaded:\n{exc}") from exc
        if result.created:
            self.stdout.write(f"loaded {result.program.code} from {path.name}")
        elif result.changes:
            self.stdout.write(f"updated {result.program.code} from {path.name}:")
            for change in result.changes:
                self.stdout.write(f"  {change}")
        else:
            self.stdout.write(f"{result.program.code} is already up to date with {path.name}")

    def _show(self, code: str | None) -> None:
        programs = Program.objects.prefetch_related("categories__subsidy_rules", "self_funded_regions")
        if code:
            programs = programs.filter(code=code)
            if not programs:
                raise CommandError(f"no program with code {code!r}")
        for program in programs:
            self.stdout.write(
                f"{program.code}  {program.title}  {program.period_start}–{program.period_end}  "
                f"budget {format_yuan(program.budget_yuan)} yuan ({format_wanyuan(program.budget_yuan)} 万元)"
            )
            self.stdout.write(f"  policy file {program.policy_file}  sha256 {program.policy_sha256[:16]}…")
            payers = ", ".join(r.code for r in program.self_funded_regions.all()) or "none"
            self.stdout.write(f"  self-funded regions: {payers}")
            for category in program.categories.all():
                rule = category.current_rule
                target = category.target if category.target is not None else "—"
                state = "" if category.active else "  (inactive)"
                self.stdout.write(
                    f"  {category.requirement:>4} {category.code:<28} target {target!s:>4}  "
                    f"{rule.as_mapping() if rule else '-'}{state}"
                )
