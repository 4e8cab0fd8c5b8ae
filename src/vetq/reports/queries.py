"""Which quality reports a user may read (R23, R34), and the lists the pages share.

Published reports are public (the portal shows them to anyone). A report not yet published is
the work of the bureau and, for a school's report, of that school: nobody else reaches it (a
404, never shown)."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from vetq.accounts.roles import Role
from vetq.accounts.scoping import has_role, own_institutions
from vetq.programs.models import Program

from .models import QualityReport, ReportState

LISTED = ("institution__region", "docx", "pdf")


def published_reports() -> QuerySet:
    return QualityReport.objects.filter(state=ReportState.PUBLISHED)


def reports_for(user, queryset: QuerySet | None = None) -> QuerySet:
    """The reports `user` may read: the bureau all; a school its own school's and the
    published ones; anyone else the published ones."""
    queryset = QualityReport.objects.all() if queryset is None else queryset
    if has_role(user, Role.BUREAU_ADMIN):
        return queryset
    condition = Q(state=ReportState.PUBLISHED)
    schools = [i.pk for i in own_institutions(user)]
    if schools:
        condition |= Q(institution_id__in=schools)
    return queryset.filter(condition)


def report_years(queryset: QuerySet | None = None) -> list[int]:
    """Years to choose from: those of the programs and of reports already made, up to this
    year, newest first."""
    this_year = timezone.localdate().year
    years = set()
    for start, end in Program.objects.values_list("period_start", "period_end"):
        years.update(range(start, min(end, this_year) + 1))
    queryset = QualityReport.objects.all() if queryset is None else queryset
    years.update(queryset.order_by().values_list("year", flat=True).distinct())
    return sorted(years, reverse=True)


def default_year(years: list[int]) -> int:
    """The latest year that is over (a year's report is written after it ends), else this
    year."""
    this_year = timezone.localdate().year
    past = [y for y in years if y < this_year]
    return past[0] if past else this_year
