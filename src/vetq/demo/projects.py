"""The demo's projects after approval (issue 6): yearly progress reports, mid-term checks and
acceptances through check rounds with real draws, changes and performance evaluations. Each
step adds only what is not there yet, in the order the rules need: reports are filed while
projects are under construction, before the acceptances close some of them; changes and
evaluations pick projects by the state the checks left them in."""

from dataclasses import dataclass, field

from django.utils import timezone

from vetq.accounts.models import User
from vetq.accounts.roles import Role
from vetq.programs.models import Program

from .accounts import ACCOUNTS
from .project_checks import checks_write
from .project_evaluations import evaluations_write
from .project_reports import reports_write


@dataclass(frozen=True)
class ProjectsResult:
    reports: int = 0
    checks: dict = field(default_factory=dict)
    evaluations: dict = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.reports or self.checks.get("rounds")
                    or any(self.evaluations.values()))

    def summary(self) -> str:
        checks = self.checks
        return (
            f"projects: {self.reports} progress reports, {checks.get('rounds', 0)} check rounds "
            f"over {checks.get('projects', 0)} projects (results {checks.get('results', {})}, "
            f"{checks.get('rectifying', 0)} rectifying), "
            f"{self.evaluations.get('changes', 0)} change requests and "
            f"{self.evaluations.get('evaluations', 0)} performance evaluations"
        )


def projects_write(*, program: Program) -> ProjectsResult:
    bureau = User.objects.get(username=next(a.username for a in ACCOUNTS
                                            if a.role == Role.BUREAU_ADMIN))
    today = timezone.localdate()
    reports = reports_write(program=program, bureau=bureau, today=today)
    checks = checks_write(program=program, bureau=bureau, today=today)
    evaluations = evaluations_write(program=program, bureau=bureau, today=today)
    return ProjectsResult(reports=reports, checks=checks, evaluations=evaluations)
