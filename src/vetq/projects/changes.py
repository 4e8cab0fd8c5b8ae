"""Changes to a project (项目变更): the school asks to change the lead person, the goals or the
budget items of a project under construction, the education bureau approves or rejects, and
the school may withdraw a request still waiting.

A request keeps the value it changes as it was (`before`) and as asked (`after`); approval
writes `after` onto the project with a ProjectEvent holding both, and is refused when the
project changed since the request (its value no longer matches `before`): approving would
overwrite a change the request never saw. A budget change redistributes: it moves money
between the project's budget items, and each total (the grant's, the school's and the
partners' co-funding) stays what it was.

Every function runs in one transaction with the rows locked, writes the audit log and sends
its notices; a refusal (ProjectRefused) changes nothing.
"""

from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vetq.accounts import scoping
from vetq.accounts.roles import Role
from vetq.applications.forms_spec import choice_label
from vetq.audit.services import audit_log
from vetq.core.money import format_yuan
from vetq.notices.services import notice_send

from .models import ChangeKind, ChangeRequest, ChangeState, Project, ProjectEvent, ProjectState
from .services import ProjectRefused

CENT = Decimal("0.01")
ZERO = Decimal(0)
PARTS = ("amount", "school", "partner")
LEAD_MAX = Project._meta.get_field("lead_name").max_length
TEXT_MAX = 20_000
# The project field each kind of change writes.
FIELD_OF_KIND = {ChangeKind.LEAD: "lead_name", ChangeKind.GOALS: "goals",
                 ChangeKind.BUDGET: "budget"}


def _part_label(part: str) -> str:
    return {"amount": _("the grant"), "school": _("the school's co-funding"),
            "partner": _("the partners' co-funding")}[part]


def budget_items(project: Project) -> list[dict]:
    """The budget items of the project's application form copy, in form order."""
    return list(project.application.form.get("budget_items", []))


def _amount(value, item: str) -> Decimal:
    text = str(value if value is not None else "").strip().replace(",", "") or "0"
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError) as exc:
        raise ProjectRefused(_("“%(value)s” is not an amount (%(item)s).")
                       % {"value": text, "item": item}) from exc
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise ProjectRefused(_("“%(value)s” is not an amount (%(item)s).")
                       % {"value": text, "item": item})
    if amount < 0:
        raise ProjectRefused(_("Amounts cannot be negative (%(item)s: %(value)s).")
                       % {"item": item, "value": text})
    return amount.quantize(CENT)


def budget_clean(project: Project, lines) -> list[dict]:
    """Budget lines as asked, checked against the project's budget items: each item once,
    amounts of zero or more yuan with at most two decimals; lines of zeros left out, the
    rest in form order with amounts written "1234.50"."""
    items = budget_items(project)
    names = {item["code"]: choice_label(item) for item in items}
    if not isinstance(lines, list):
        raise ProjectRefused(_("Enter the budget by item."))
    seen: dict[str, dict] = {}
    for line in lines:
        if not isinstance(line, dict):
            raise ProjectRefused(_("Enter the budget by item."))
        code = str(line.get("item", ""))
        if code not in names:
            raise ProjectRefused(_("“%(item)s” is not a budget item of this project.") % {"item": code})
        if code in seen:
            raise ProjectRefused(_("The budget item “%(item)s” appears twice.") % {"item": names[code]})
        seen[code] = {part: _amount(line.get(part), names[code]) for part in PARTS}
    return [{"item": code, **{part: str(seen[code][part]) for part in PARTS}}
            for code in names if code in seen and any(seen[code].values())]


def _budget_key(lines) -> dict:
    """Budget lines compared by meaning: item → its amounts, lines of zeros left out."""
    key = {}
    for line in lines or []:
        amounts = tuple(Decimal(str(line.get(part) or 0)) for part in PARTS)
        if any(amounts):
            key[line.get("item")] = amounts
    return key


def _totals(lines) -> dict[str, Decimal]:
    return {part: sum((Decimal(str(line.get(part) or 0)) for line in lines or []), ZERO)
            for part in PARTS}


def change_value(project: Project, kind: str) -> dict:
    """The project's current value of what `kind` changes, as `before` and `after` hold it."""
    field = FIELD_OF_KIND[ChangeKind(kind)]
    value = getattr(project, field)
    if kind == ChangeKind.BUDGET:
        value = [{"item": line.get("item"), **{part: str(Decimal(str(line.get(part) or 0))
                                                         .quantize(CENT)) for part in PARTS}}
                 for line in value or []]
    return {field: value}


def change_stale(project: Project, change: ChangeRequest) -> bool:
    """Whether the project's value is no longer the request's `before` (it changed since)."""
    return not _same(change.kind, change_value(project, change.kind), change.before)


def _same(kind: str, one: dict, other: dict) -> bool:
    field = FIELD_OF_KIND[ChangeKind(kind)]
    if kind == ChangeKind.BUDGET:
        return _budget_key(one.get(field)) == _budget_key(other.get(field))
    return (one.get(field) or "").strip() == (other.get(field) or "").strip()


def _after_clean(project: Project, kind: str, after) -> dict:
    """What the request asks, checked for its kind."""
    after = after if isinstance(after, dict) else {}
    if kind == ChangeKind.LEAD:
        name = str(after.get("lead_name") or "").strip()
        if not name:
            raise ProjectRefused(_("Enter the new lead person."))
        if len(name) > LEAD_MAX:
            raise ProjectRefused(_("The lead person's name may have at most %(count)d characters.")
                           % {"count": LEAD_MAX})
        return {"lead_name": name}
    if kind == ChangeKind.GOALS:
        goals = str(after.get("goals") or "").strip()
        if not goals:
            raise ProjectRefused(_("Enter the new goals."))
        if len(goals) > TEXT_MAX:
            raise ProjectRefused(_("The goals may have at most %(count)d characters.")
                           % {"count": TEXT_MAX})
        return {"goals": goals}
    lines = budget_clean(project, after.get("budget"))
    before, asked = _totals(project.budget), _totals(lines)
    for part in PARTS:
        if asked[part] != before[part]:
            raise ProjectRefused(
                _("A budget change moves money between items; the totals stay as they are. "
                  "The total of %(part)s must stay %(before)s yuan, not %(after)s yuan.")
                % {"part": _part_label(part), "before": format_yuan(before[part]),
                   "after": format_yuan(asked[part])})
    return {"budget": lines}


def _school_of(user, project: Project) -> bool:
    return any(m.role == Role.SCHOOL_USER and m.institution_id == project.institution_id
               for m in scoping.memberships(user))


def may_request_changes(user, project: Project, *, active_only: bool = True) -> bool:
    """Whether the user acts for the project's school (and, unless `active_only` is False,
    the project is under construction): who asks for and withdraws changes."""
    return _school_of(user, project) and (not active_only or project.state == ProjectState.ACTIVE)


def _school_users(project: Project) -> list:
    return list(get_user_model().objects.filter(
        is_active=True, memberships__role=Role.SCHOOL_USER,
        memberships__institution_id=project.institution_id).distinct())


def _bureau_users() -> list:
    return list(get_user_model().objects.filter(
        is_active=True, memberships__role=Role.BUREAU_ADMIN).distinct())


def _project_url(project: Project) -> str:
    try:
        return reverse("projects:detail", args=[project.pk]) + "#changes-heading"
    except NoReverseMatch:
        return ""


def _audit_after(change: ChangeRequest) -> dict:
    return {"kind": change.kind, "state": change.state, "before": change.before,
            "after": change.after, "reason": change.reason,
            "comment": change.decision_comment}


def change_request(*, project: Project, kind: str, after, reason: str, by) -> ChangeRequest:
    """The school asks to change the lead person, the goals or the budget items of its project
    under construction; `before` is the project's value now. Notifies the bureau.

    Refuses anyone but a user of the project's school, an unknown kind, no reason, a project
    not under construction, a request that changes nothing, a second request of the same
    kind while one waits, and for the budget: items the project does not have, amounts that
    are negative or not amounts, and totals that differ from the current ones.
    """
    if not _school_of(by, project):
        raise ProjectRefused(_("Only the project's school asks for changes; the education bureau "
                         "decides them."))
    if kind not in ChangeKind.values:
        raise ProjectRefused(_("Choose what changes: the lead person, the goals or the budget "
                         "items."))
    kind = ChangeKind(kind).value
    reason = (reason or "").strip()
    if not reason:
        raise ProjectRefused(_("Please give a reason for the change."))
    if len(reason) > TEXT_MAX:
        raise ProjectRefused(_("The reason may have at most %(count)d characters.")
                       % {"count": TEXT_MAX})
    with transaction.atomic():
        locked = Project.objects.select_for_update().select_related("application") \
            .get(pk=project.pk)
        if locked.state != ProjectState.ACTIVE:
            raise ProjectRefused(
                _("Changes can only be asked for a project under construction; this one is "
                  "%(state)s.") % {"state": locked.get_state_display()})
        clean = _after_clean(locked, kind, after)
        before = change_value(locked, kind)
        if _same(kind, before, clean):
            raise ProjectRefused(_("This asks for no change: the new value is the current one."))
        if ChangeRequest.objects.filter(project=locked, kind=kind,
                                        state=ChangeState.PENDING).exists():
            raise ProjectRefused(
                _("A change of the %(what)s is already waiting for the bureau; withdraw it "
                  "first or wait for the decision.")
                % {"what": ChangeKind(kind).label.lower()})
        change = ChangeRequest.objects.create(project=locked, kind=kind, before=before,
                                              after=clean, reason=reason, requested_by=by)
        audit_log(action="project.change_request", actor=by, obj=locked,
                  after={"change": change.pk, **_audit_after(change)})
        notice_send(users=_bureau_users(), kind="change.requested",
                    params={"title": locked.title, "reason": reason},
                    url=_project_url(locked))
    return change


def _lock(change: ChangeRequest) -> tuple[ChangeRequest, Project]:
    locked = ChangeRequest.objects.select_for_update().get(pk=change.pk)
    project = Project.objects.select_for_update().get(pk=locked.project_id)
    return locked, project


def _not_pending(change: ChangeRequest) -> ProjectRefused:
    return ProjectRefused(_("This change request is no longer waiting: it was %(state)s.")
                    % {"state": change.get_state_display().lower()})


def change_decide(*, change: ChangeRequest, approve: bool, comment: str = "",
                  by) -> ChangeRequest:
    """The bureau approves or rejects a waiting change request. Approval writes `after` onto
    the project with a ProjectEvent ("changed") holding before, after and the reason.
    Notifies the project's school.

    Refuses anyone but the bureau, a rejection without a comment, a request no longer
    waiting, and an approval when the project is no longer under construction or its value
    is no longer the request's `before` (it changed since).
    """
    if not scoping.has_role(by, Role.BUREAU_ADMIN):
        raise ProjectRefused(_("Only the education bureau decides change requests."))
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ProjectRefused(_("Please say why the change is rejected."))
    with transaction.atomic():
        locked, project = _lock(change)
        if locked.state != ChangeState.PENDING:
            raise _not_pending(locked)
        if approve:
            if project.state != ProjectState.ACTIVE:
                raise ProjectRefused(
                    _("Only a change to a project under construction can be approved; this "
                      "one is %(state)s.") % {"state": project.get_state_display()})
            if change_stale(project, locked):
                raise ProjectRefused(
                    _("The project's %(what)s changed after this request was made, so it "
                      "cannot be approved as it stands; reject it and ask the school for a "
                      "new request.") % {"what": locked.get_kind_display().lower()})
            field = FIELD_OF_KIND[ChangeKind(locked.kind)]
            setattr(project, field, locked.after[field])
            project.save(update_fields=[field])
            ProjectEvent.objects.create(project=project, action="changed", before=locked.before,
                                        after=locked.after, reason=locked.reason, by=by)
        locked.state = ChangeState.APPROVED if approve else ChangeState.REJECTED
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.decision_comment = comment
        locked.save(update_fields=["state", "decided_by", "decided_at", "decision_comment"])
        audit_log(action=f"project.change_{'approve' if approve else 'reject'}", actor=by,
                  obj=project, before={"change": locked.pk, "state": ChangeState.PENDING},
                  after={"change": locked.pk, **_audit_after(locked)})
        params = {"title": project.title, "comment": comment}
        notice_send(users=_school_users(project),
                    kind="change.approved" if approve else "change.rejected",
                    params=params, url=_project_url(project))
    return locked


def change_withdraw(*, change: ChangeRequest, by) -> ChangeRequest:
    """The school withdraws its change request while it waits. Notifies the bureau.

    Refuses anyone but a user of the project's school and a request no longer waiting.
    """
    with transaction.atomic():
        locked, project = _lock(change)
        if not _school_of(by, project):
            raise ProjectRefused(_("Only the project's school may withdraw its change request."))
        if locked.state != ChangeState.PENDING:
            raise _not_pending(locked)
        locked.state = ChangeState.WITHDRAWN
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.save(update_fields=["state", "decided_by", "decided_at"])
        audit_log(action="project.change_withdraw", actor=by, obj=project,
                  before={"change": locked.pk, "state": ChangeState.PENDING},
                  after={"change": locked.pk, **_audit_after(locked)})
        notice_send(users=_bureau_users(), kind="change.withdrawn",
                    params={"title": project.title}, url=_project_url(project))
    return locked
