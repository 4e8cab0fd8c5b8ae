"""Reads of change requests (项目变更): the bureau's list with its filters, a project's
changes, and each change's before and after side by side as the pages show them. Change
requests are reached only through their project (`queries.projects_for`)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy

from vetq.applications.forms_spec import choice_label
from vetq.institutions.models import Institution

from .changes import PARTS, budget_items, change_value, may_request_changes
from .models import ChangeKind, ChangeRequest, ChangeState
from .queries import projects_for

ALL_STATES = "all"
# The project history's labels of what these pages' services write.
EVENT_LABELS = {"changed": gettext_lazy("Changed with the bureau's approval")}


def changes_for(user, queryset: QuerySet | None = None) -> QuerySet:
    """Change requests of the projects the user may read."""
    queryset = ChangeRequest.objects.all() if queryset is None else queryset
    return queryset.filter(project__in=projects_for(user))


@dataclass(frozen=True)
class ChangeFilters:
    """The list's filters as the query string gives them; anything malformed is ignored. With
    no state asked the list shows the requests waiting for the bureau; "all" shows all."""

    state: str = ChangeState.PENDING.value
    kind: str = ""
    category: str = ""
    region: str = ""
    school: str = ""

    @classmethod
    def from_query(cls, query: QueryDict | dict) -> "ChangeFilters":
        state = str(query.get("state", ChangeState.PENDING.value) or "")
        kind = str(query.get("kind", "") or "")
        return cls(
            state=state if state in ChangeState.values or state == ALL_STATES
            else ChangeState.PENDING.value,
            kind=kind if kind in ChangeKind.values else "",
            category=str(query.get("category", "") or "").strip()[:60],
            region=str(query.get("region", "") or "").strip()[:40],
            school=str(query.get("school", "") or "").strip()[:40],
        )

    def condition(self) -> Q:
        condition = Q()
        if self.state != ALL_STATES:
            condition &= Q(state=self.state)
        if self.kind:
            condition &= Q(kind=self.kind)
        if self.category:
            condition &= Q(project__category__code=self.category)
        if self.region:
            condition &= Q(project__institution__region__code=self.region)
        if self.school:
            condition &= Q(project__institution__code=self.school)
        return condition

    def query(self) -> dict:
        """The filters as query parameters (the state always), blanks left out."""
        return {key: value for key, value in self.__dict__.items() if value}


def changes_listed(changes: QuerySet, filters: ChangeFilters) -> QuerySet:
    """The change requests that pass the filters, oldest waiting first."""
    return (
        changes.filter(filters.condition())
        .select_related("project__category", "project__institution__region",
                        "project__application", "requested_by", "decided_by")
        .order_by("requested_at", "pk")
    )


@dataclass
class BudgetRow:
    label: str
    before: dict  # part → Decimal
    after: dict
    changed: bool


def _amounts(line: dict | None) -> dict:
    return {part: Decimal(str((line or {}).get(part) or 0)) for part in PARTS}


def budget_compare(change: ChangeRequest) -> list[BudgetRow]:
    """The budget before and after, item by item (form order, then any other item), with the
    names of the project's application form."""
    items = change.project.application.form.get("budget_items", [])
    names = {item["code"]: choice_label(item) for item in items}
    before = {line.get("item"): line for line in change.before.get("budget") or []}
    after = {line.get("item"): line for line in change.after.get("budget") or []}
    codes = [code for code in names if code in before or code in after]
    codes += [code for code in [*before, *after] if code not in names and code not in codes]
    rows = []
    for code in codes:
        one, other = _amounts(before.get(code)), _amounts(after.get(code))
        rows.append(BudgetRow(label=names.get(code, code), before=one, after=other,
                              changed=one != other))
    return rows


def change_shown(change: ChangeRequest) -> ChangeRequest:
    """The change with what its row shows: `old` and `new` text for a lead or goals change,
    `budget_rows` (and their totals) for a budget change."""
    if change.kind == ChangeKind.BUDGET:
        change.budget_rows = budget_compare(change)
        change.budget_totals = {
            side: {part: sum((getattr(row, side)[part] for row in change.budget_rows),
                             Decimal(0)) for part in PARTS}
            for side in ("before", "after")}
    else:
        field = "lead_name" if change.kind == ChangeKind.LEAD else "goals"
        change.old = change.before.get(field, "")
        change.new = change.after.get(field, "")
    return change


def project_changes(project) -> list[ChangeRequest]:
    """A project's change requests, latest first, each ready to show (`change_shown`)."""
    changes = project.changes.select_related("requested_by", "decided_by",
                                             "project__application")
    return [change_shown(change) for change in changes]


def schools_with_changes(changes: QuerySet) -> QuerySet:
    """The schools whose projects have a change request among `changes`, for the filter."""
    return Institution.objects.filter(pk__in=changes.values("project__institution_id")) \
        .order_by("code")


def budget_now(project) -> dict:
    """The project's budget plan by item (every item of its form), with each part's total:
    what a budget change must keep."""
    names = {item["code"]: choice_label(item) for item in budget_items(project)}
    lines = {line.get("item"): _amounts(line) for line in change_value(project, "budget")["budget"]}
    rows = [{"code": code, "label": label, **lines.get(code, _amounts(None))}
            for code, label in names.items()]
    totals = {part: sum((Decimal(row[part]) for row in rows), Decimal(0)) for part in PARTS}
    return {"rows": rows, "totals": totals}


def changes_section(user, project) -> dict:
    """What the project page's change section shows: the project's change requests (before
    and after), whether the user may ask for one, and which kinds are waiting."""
    changes = project_changes(project)
    return {
        "changes": changes,
        "may_request": may_request_changes(user, project),
        "kinds": ChangeKind.choices,
        "pending_kinds": {c.kind for c in changes if c.state == ChangeState.PENDING},
    }
