"""Excel export of application lists. Callers pass a queryset already narrowed by
`accounts.scoping` and the list filters; nothing here widens it."""

from django.db.models import QuerySet
from django.utils import timezone

from vetq.core.excel import Column, SheetSpec, workbook_build

from .queries import ListFilters, applications_listed

APPLICATIONS_SHEET = "申报书"

# Headers are Chinese whatever the interface language, as the bureau's own sheets are;
# the state is written in the active language, as the list shows it.
APPLICATION_COLUMNS = (
    Column("id", "编号", width=8),
    Column("call", "申报批次", width=36),
    Column("category", "项目类别", width=30),
    Column("title", "项目名称", width=40),
    Column("institution_code", "学校代码", width=14),
    Column("institution", "申报学校", width=30),
    Column("region", "所属地区", width=10),
    Column("lead_name", "项目负责人", width=12),
    Column("state", "状态", width=14),
    Column("submitted_at", "提交时间", width=18),
    Column("region_rank", "推荐排序", width=10),
)


def applications_export(scoped: QuerySet, filters: ListFilters) -> bytes:
    """Every application of `scoped` that matches `filters`, one row each, in list order."""
    rows = (
        (
            application.pk,
            application.call_category.call.title,
            application.call_category.category.name,
            application.title,
            application.institution.code,
            application.institution.name,
            application.institution.region.name,
            application.lead_name,
            str(application.get_state_display()),
            timezone.localtime(application.submitted_at).strftime("%Y-%m-%d %H:%M")
            if application.submitted_at else "",
            application.region_rank,
        )
        for application in applications_listed(scoped, filters).iterator(chunk_size=2000)
    )
    return workbook_build(SheetSpec(APPLICATIONS_SHEET, APPLICATION_COLUMNS, rows))
