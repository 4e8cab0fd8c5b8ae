"""After a panel's draw: hand additions, declines filled from the reserves (候补), and the
replacement of assignments that a conflict found later spoils. `panels` re-exports the
services; the helpers here are shared with it.

Reserves fill an assignment an expert gives up in the drawn order: the first reserve who
has not declined, is active, does not conflict with that application (neither in the pairs
the notice published nor under today's facts, so a declaration made since counts), does not
already review it and has fewer than `load_max` active assignments in the panel. A reserve
serving keeps its place in the reserve list. A hand addition does not check loads: the bureau
decides, and its reason is kept.
"""

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from vetq.accounts import scoping
from vetq.accounts.roles import Role
from vetq.applications.eligibility import Failure
from vetq.applications.models import Application
from vetq.applications.services import Refused, _refuse
from vetq.audit.services import audit_log
from vetq.notices.services import notice_send

from . import assignment, conflicts, facts
from .models import (
    Assignment,
    AssignmentSource,
    Expert,
    MemberRole,
    Panel,
    PanelMember,
    PanelState,
    ReviewState,
)

REASON_MAX = 2000


def require_bureau(by) -> None:
    if not scoping.has_role(by, Role.BUREAU_ADMIN):
        raise _refuse(N_("Only the city education bureau may do this."))


def clean_text(text: str | None, limit: int, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise _refuse(message)
    if len(text) > limit:
        raise _refuse(N_("The text is too long (at most %(count)s characters)."), count=limit)
    return text


def reason_labels(reasons) -> str:
    """Reason codes as a sentence in the active language."""
    return "; ".join(_(conflicts.REASONS.get(code, code)) for code in reasons)


def expertise_match(subject: assignment.Subject, reviewer: assignment.Reviewer) -> Decimal:
    return (Decimal(assignment.match(subject, reviewer)) / 1000).quantize(Decimal("0.001"))


def deadline_text(panel: Panel) -> str:
    return timezone.localtime(panel.review_deadline).strftime("%Y-%m-%d %H:%M")


def notify_expert(expert: Expert, panel: Panel, count: int) -> None:
    """Tell an expert (with an account) how many applications it now reviews on the panel
    and by when; never who else does."""
    notice_send(users=[expert.user], kind="reviews.assigned",
                params={"panel": panel.name, "count": count, "deadline": deadline_text(panel)},
                url=reverse("reviews:my_assignments"))


# Changes after the draw -------------------------------------------------------------------

def _live_panel(panel: Panel) -> Panel:
    locked = Panel.objects.select_for_update().get(pk=panel.pk)
    if locked.state != PanelState.REVIEWING:
        raise _refuse(N_("The panel is not under review (it is %(state)s)."),
                      state=str(locked.get_state_display()))
    return locked


def _pair_conflicts(panel: Panel, experts, application: Application, on) -> dict:
    """Conflicts of `experts` with one application: the pairs the notice published and
    those today's facts give (a declaration made since)."""
    pairs: dict[tuple[str, int], set[str]] = {}
    record = getattr(panel, "draw", None)
    codes = {e.code for e in experts}
    if record is not None:
        for code, app_id, reasons in record.inputs.get("conflicts", []):
            if app_id == application.pk and code in codes:
                pairs.setdefault((code, app_id), set()).update(reasons)
    now = facts.conflicts_between(
        facts.experts_loaded(Expert.objects.filter(pk__in=[e.pk for e in experts])),
        facts.applications_loaded(Application.objects.filter(pk=application.pk)),
        on=on, review=panel.rules)
    for key, reasons in now.items():
        pairs.setdefault(key, set()).update(reasons)
    return {key: tuple(sorted(reasons)) for key, reasons in pairs.items()}


def _subject_reviewer(application: Application, expert: Expert):
    loaded_app = facts.applications_loaded(Application.objects.filter(pk=application.pk)).get()
    loaded_expert = facts.experts_loaded(Expert.objects.filter(pk=expert.pk)).get()
    return facts.subject(loaded_app), facts.reviewer(loaded_expert)


def member_add(*, panel: Panel, expert: Expert, application: Application, by,
               reason: str) -> Assignment:
    """Assign an expert to one of the panel's applications by hand (source manual), with the
    bureau's written reason; the expert joins the panel if it was not on it.

    Refuses anyone but the bureau, a panel not under review, an application not on the
    panel, an inactive expert, one who already reviews the application, a missing reason,
    and — with its reasons — an expert who conflicts with the application."""
    require_bureau(by)
    reason = clean_text(reason, REASON_MAX, N_("Give the reason for adding the expert by hand."))
    with transaction.atomic():
        locked = _live_panel(panel)
        if not locked.applications.filter(pk=application.pk).exists():
            raise _refuse(N_("The application is not reviewed by this panel."))
        expert = Expert.objects.get(pk=expert.pk)
        if not expert.active:
            raise _refuse(N_("%(code)s is not an active expert."), code=expert.code)
        if Assignment.objects.filter(application=application, expert=expert, active=True).exists():
            raise _refuse(N_("%(code)s already reviews this application."), code=expert.code)
        found = _pair_conflicts(locked, [expert], application, timezone.localdate())
        reasons = found.get((expert.code, application.pk))
        if reasons:
            raise Refused([Failure("conflict", N_(
                "%(code)s %(name)s may not review %(title)s: %(reasons)s"),
                {"code": expert.code, "name": expert.name, "title": application.title,
                 "reasons": reason_labels(reasons)})])
        seat = PanelMember.objects.filter(panel=locked, expert=expert).first()
        if seat is None:
            last = PanelMember.objects.filter(panel=locked, role=MemberRole.MEMBER).aggregate(
                last=Max("position"))["last"] or 0
            seat = PanelMember.objects.create(panel=locked, expert=expert, role=MemberRole.MEMBER,
                                              position=last + 1, added_by_hand=True, reason=reason)
        subject, reviewer = _subject_reviewer(application, expert)
        added = Assignment.objects.create(
            panel=locked, application=application, expert=expert,
            source=AssignmentSource.MANUAL, match=expertise_match(subject, reviewer), reason=reason)
        audit_log(action="panel.member_add", actor=by, obj=added,
                  after={"panel": locked.pk, "application": application.pk,
                         "expert": expert.code, "reason": reason,
                         "member": seat.role, "position": seat.position})
        if expert.user_id:
            notify_expert(expert, locked, 1)
    return added


@dataclass
class Replacement:
    """What became of one assignment given up: its replacement, or None with why not."""

    old: Assignment
    new: Assignment | None


def _fill_from_reserves(panel: Panel, old: Assignment, by, why: str) -> Assignment | None:
    """The first fitting reserve in drawn order takes `old`'s application (module doc)."""
    load_max = int(panel.rules.get("load_max", 10))
    seats = list(PanelMember.objects.filter(panel=panel, role=MemberRole.RESERVE,
                                            declined_at__isnull=True)
                 .exclude(expert_id=old.expert_id)
                 .select_related("expert").order_by("position"))
    candidates = [s.expert for s in seats if s.expert.active]
    if not candidates:
        return None
    taken = set(Assignment.objects.filter(application_id=old.application_id, active=True)
                .values_list("expert_id", flat=True))
    loads = Counter(Assignment.objects.filter(panel=panel, active=True)
                    .values_list("expert_id", flat=True))
    found = _pair_conflicts(panel, candidates, old.application, timezone.localdate())
    for expert in candidates:
        if expert.pk in taken or loads[expert.pk] >= load_max:
            continue
        if found.get((expert.code, old.application_id)):
            continue
        subject, reviewer = _subject_reviewer(old.application, expert)
        new = Assignment.objects.create(
            panel=panel, application_id=old.application_id, expert=expert,
            source=AssignmentSource.RESERVE, match=expertise_match(subject, reviewer), replaces=old,
            reason=why)
        if expert.user_id:
            notify_expert(expert, panel, 1)
        return new
    return None


def _give_up(panel: Panel, assignments, by, why: str) -> list[Replacement]:
    replacements = []
    for old in assignments:
        old.active = False
        old.reason = (f"{old.reason}\n{why}" if old.reason else why)[:REASON_MAX]
        old.save(update_fields=["active", "reason"])
        replacements.append(Replacement(old, _fill_from_reserves(panel, old, by, why)))
    return replacements


def _open_assignments(queryset):
    """Active assignments whose review is not submitted (a submitted review stands)."""
    return list(queryset.filter(active=True).exclude(review__state=ReviewState.SUBMITTED)
                .select_related("application", "expert").order_by("application_id", "pk")
                .select_for_update(of=("self",)))


def member_decline(*, member: PanelMember, by, reason: str) -> list[Replacement]:
    """The expert declines its seat (itself, or the bureau on its behalf): its active
    assignments without a submitted review go to reserves (module doc); each replacement
    says which reserve took it, or that none fits (the bureau then adds one by hand).

    Refuses anyone but the bureau or the expert itself, a panel not under review, a seat
    already declined, and a missing reason."""
    member = PanelMember.objects.select_related("expert", "panel").get(pk=member.pk)
    is_self = (member.expert.user_id is not None and member.expert.user_id == by.pk
               and scoping.has_role(by, Role.EXPERT))
    if not (scoping.has_role(by, Role.BUREAU_ADMIN) or is_self):
        raise _refuse(N_("Only the city education bureau or the expert itself may decline."))
    reason = clean_text(reason, REASON_MAX, N_("Give the reason for declining."))
    with transaction.atomic():
        panel = _live_panel(member.panel)
        seat = PanelMember.objects.select_for_update().get(pk=member.pk)
        if seat.declined_at is not None:
            raise _refuse(N_("%(code)s has already declined."), code=member.expert.code)
        seat.declined_at, seat.decline_reason = timezone.now(), reason
        seat.save(update_fields=["declined_at", "decline_reason"])
        why = _("Declined: %(reason)s") % {"reason": reason}
        replacements = _give_up(panel, _open_assignments(
            Assignment.objects.filter(panel=panel, expert_id=seat.expert_id)), by, why)
        audit_log(action="panel.member_decline", actor=by, obj=seat,
                  after={"panel": panel.pk, "expert": member.expert.code, "reason": reason,
                         "replaced": [[r.old.application_id, r.new.expert.code if r.new else None]
                                      for r in replacements]})
    return replacements


def assignments_recheck(*, expert: Expert, by) -> list[Assignment]:
    """After a new declaration or a change of job: deactivate the expert's live assignments
    (panel under review, review not submitted) that now conflict, each with its reasons,
    and fill each from the panel's reserves (module doc). Returns the deactivated
    assignments; `replaced_by` on each is its replacement when a reserve fitted."""
    deactivated: list[Assignment] = []
    with transaction.atomic():
        live = _open_assignments(Assignment.objects.filter(
            expert=expert, panel__state=PanelState.REVIEWING))
        if not live:
            return []
        loaded = list(facts.experts_loaded(Expert.objects.filter(pk=expert.pk)))
        applications = list(facts.applications_loaded(
            Application.objects.filter(pk__in={a.application_id for a in live})))
        panels = {p.pk: p for p in Panel.objects.select_for_update()
                  .filter(pk__in={a.panel_id for a in live})}
        today = timezone.localdate()
        for panel_id, panel in panels.items():
            pairs = facts.conflicts_between(loaded, applications, on=today, review=panel.rules)
            for old in [a for a in live if a.panel_id == panel_id]:
                reasons = pairs.get((expert.code, old.application_id))
                if not reasons:
                    continue
                why = _("Conflict found after the draw: %(reasons)s") % {
                    "reasons": reason_labels(reasons)}
                (replacement,) = _give_up(panel, [old], by, why)
                deactivated.append(old)
                audit_log(action="assignment.recheck", actor=by, obj=old,
                          after={"panel": panel.pk, "application": old.application_id,
                                 "expert": expert.code, "reasons": list(reasons),
                                 "replaced_by": replacement.new.expert.code
                                 if replacement.new else None})
    return deactivated
