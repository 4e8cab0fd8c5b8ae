"""The outstanding progress reports (overdue or due soon) as Excel, over the reports the caller
may see and its filters. Headers are Chinese whatever the interface language, as the
bureau's own sheets are; every text cell is escaped by `core.excel`."""

from datetime import date

from django.db.models import QuerySet

from vetq.core.excel import Column, SheetSpec, workbook_build

from .models import ReportState
from .report_queries import PendingFilters, pending_flagged, reports_pending

PENDING_SHEET = "逾期及临期进展报告"
STATUS = {True: "逾期", False: "即将到期"}
STATE = {ReportState.DUE: "未提交", ReportState.RETURNED: "已退回修改"}

PENDING_COLUMNS = (
    Column("title", "项目名称", width=40),
    Column("category", "项目类别", width=28),
    Column("school", "学校", width=30),
    Column("region", "市（县）区", width=12),
    Column("year", "建设年度", width=8),
    Column("period_start", "报告期起", width=12),
    Column("period_end", "报告期止", width=12),
    Column("due_on", "截止日期", width=12),
    Column("state", "报告状态", width=12),
    Column("status", "逾期情况", width=10),
    Column("days_overdue", "逾期天数", width=8),
    Column("reminded_on", "最近提醒", width=12),
)


def pending_export(reports: QuerySet, filters: PendingFilters, today: date) -> bytes:
    """One row per outstanding report of `reports` (already scoped) that the list shows with
    `filters` on `today`, in the list's order."""
    rows = (
        (
            report.project.title,
            report.project.category.name,
            report.project.institution.name,
            report.project.institution.region.name,
            report.year,
            report.period_start,
            report.period_end,
            report.due_on,
            STATE.get(report.state, report.state),
            STATUS[report.overdue],
            report.days_overdue,
            report.reminded_on,
        )
        for report in pending_flagged(reports_pending(reports, filters, today), today)
    )
    return workbook_build(SheetSpec(PENDING_SHEET, PENDING_COLUMNS, rows))
