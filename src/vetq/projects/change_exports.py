"""The change requests as Excel, over the requests the caller may see and its filters.
Headers are Chinese whatever the interface language, as the bureau's own sheets are; every
text cell is escaped by `core.excel`."""

from django.db.models import QuerySet
from django.utils import timezone

from vetq.core.excel import Column, SheetSpec, workbook_build
from vetq.core.money import format_yuan

from .change_queries import ChangeFilters, change_shown, changes_listed
from .models import ChangeKind, ChangeRequest

CHANGES_SHEET = "项目变更"

CHANGE_COLUMNS = (
    Column("title", "项目名称", width=40),
    Column("category", "项目类别", width=28),
    Column("school", "学校", width=30),
    Column("region", "市（县）区", width=12),
    Column("kind", "变更事项", width=12),
    Column("before", "变更前", width=40),
    Column("after", "变更后", width=40),
    Column("reason", "变更理由", width=40),
    Column("state", "状态", width=12),
    Column("requested_by", "申请人", width=12),
    Column("requested_at", "申请时间", width=17),
    Column("decided_by", "处理人", width=12),
    Column("decided_at", "处理时间", width=17),
    Column("comment", "处理意见", width=30),
)


def _side(change: ChangeRequest, side: str) -> str:
    """A lead or goals change as written; a budget change by the items it changes."""
    if change.kind != ChangeKind.BUDGET:
        return change.old if side == "before" else change.new
    return "\n".join(
        f"{row.label}：补助 {format_yuan(getattr(row, side)['amount'])}，学校配套 "
        f"{format_yuan(getattr(row, side)['school'])}，企业配套 "
        f"{format_yuan(getattr(row, side)['partner'])}"
        for row in change.budget_rows if row.changed)


def _moment(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _name(user) -> str:
    return user.display_name if user else ""


def changes_export(changes: QuerySet, filters: ChangeFilters) -> bytes:
    """One row per change request of `changes` (already scoped) that passes `filters`."""
    rows = []
    for change in changes_listed(changes, filters).iterator(chunk_size=2000):
        change_shown(change)
        project = change.project
        rows.append((
            project.title, project.category.name, project.institution.name,
            project.institution.region.name, str(change.get_kind_display()),
            _side(change, "before"), _side(change, "after"), change.reason,
            str(change.get_state_display()), _name(change.requested_by),
            _moment(change.requested_at), _name(change.decided_by), _moment(change.decided_at),
            change.decision_comment,
        ))
    return workbook_build(SheetSpec(CHANGES_SHEET, CHANGE_COLUMNS, rows))
