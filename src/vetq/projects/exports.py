"""The project list as Excel, over the projects the caller may see and its filters. Headers
are Chinese whatever the interface language, as the bureau's own sheets are; amounts are
numbers in yuan to the fen; every text cell is escaped by `core.excel`."""

from django.db.models import QuerySet

from vetq.core.excel import Column, SheetSpec, workbook_build
from vetq.core.money import to_yuan
from vetq.funding.exports import YUAN_FORMAT, payer_name

from .queries import ProjectFilters, projects_listed

PROJECTS_SHEET = "建设项目"

PROJECT_COLUMNS = (
    Column("title", "项目名称", width=40),
    Column("category", "项目类别", width=28),
    Column("school", "学校", width=30),
    Column("region", "市（县）区", width=12),
    Column("lead", "项目负责人", width=12),
    Column("starts_on", "建设期开始", width=12),
    Column("ends_on", "建设期结束", width=12),
    Column("extended_to", "延期至", width=12),
    Column("state", "状态", width=12),
    Column("rating", "验收等级", width=10),
    Column("payer", "拨付方", width=12),
    Column("promised", "补助金额（元）", width=14, number_format=YUAN_FORMAT),
    Column("paid", "已拨付（元）", width=14, number_format=YUAN_FORMAT),
)


def projects_export(projects: QuerySet, filters: ProjectFilters) -> bytes:
    """One row per project of `projects` (already scoped) that passes `filters`, in the
    list's order."""
    rows = (
        (
            project.title,
            project.category.name,
            project.institution.name,
            project.institution.region.name,
            project.lead_name,
            project.starts_on,
            project.ends_on,
            project.extended_to,
            str(project.get_state_display()),
            str(project.get_rating_display()) if project.rating else "",
            payer_name(project.grant),
            to_yuan(project.promised),
            to_yuan(project.paid),
        )
        for project in projects_listed(projects, filters).iterator(chunk_size=2000)
    )
    return workbook_build(SheetSpec(PROJECTS_SHEET, PROJECT_COLUMNS, rows))
