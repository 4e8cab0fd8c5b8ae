"""The demo's yearly data (issue 7): five years of enrolment, school resources, industry
structure and exam results, the major–industry mapping, and graduate records of the 2015–2019
cohorts, and the 2019 city and school quality reports generated from them. All are demo
figures, not official statistics: industry rows carry the demo source,
and the pages say so."""

from dataclasses import dataclass, field

from django.utils import timezone

from vetq.accounts.models import User
from vetq.accounts.roles import Role
from vetq.programs.models import Program

from .accounts import ACCOUNTS
from .graduates import graduates_write
from .quality_reports import quality_reports_write
from .yearly_data import yearly_data_write


@dataclass(frozen=True)
class SurveysResult:
    data: dict = field(default_factory=dict)
    graduates: int = 0
    reports: dict = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.graduates or any(self.data.values()) or any(self.reports.values()))

    def summary(self) -> str:
        data = ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in self.data.items())
        reports = ", ".join(f"{count} {name.replace('_', ' ')}"
                            for name, count in self.reports.items())
        return (f"yearly data (demo figures): {data}; {self.graduates} graduate records; "
                f"quality reports: {reports or 'none added'}")


def surveys_write(*, program: Program) -> SurveysResult:
    """Yearly data and graduates first, then the 2019 quality reports built from them."""
    bureau = User.objects.get(username=next(a.username for a in ACCOUNTS
                                            if a.role == Role.BUREAU_ADMIN))
    today = timezone.localdate()
    data = yearly_data_write(program=program, today=today)
    graduates = graduates_write(program=program, today=today)
    reports = quality_reports_write(program=program, bureau=bureau, today=today)
    return SurveysResult(data=data, graduates=graduates, reports=reports)
