"""Every write to a review panel (评审组): setting it up, announcing and performing its draw
(fair-review.md §2); hand additions, declines and rechecks live in `reserves` and are
re-exported here.

The pool of a draw is every active expert of the pool (专家库), or, when the bureau names
industries at the notice, the active experts with a specialty in one of them. The notice
freezes the pool, the applications, the conflict pairs with their reasons and the rules;
the draw itself is `draw.perform(inputs, seed)` and nothing here changes its result.

Performing writes the members and reserves at their drawn positions and the assignments,
moves each application to under review and pushes a review deadline earlier than
`review_days` after the draw back to it.

A check panel (the expert scoring of a mid-term check or an acceptance) is drawn the same
way over its round's projects' applications, which stay approved; what differs is in
check_panels.py.

Each service checks the state and who acts, changes the rows and writes the audit entry in
one transaction; a refusal raises `Refused` and changes nothing.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from vetq.applications.eligibility import Failure
from vetq.applications.models import Application
from vetq.applications.services import Refused, _refuse, application_transition
from vetq.applications.states import ApplicationState
from vetq.audit.services import audit_log
from vetq.programs.models import CallCategory

from . import assignment, canonical, check_panels, conflicts, draw, facts
from .models import Assignment, AssignmentSource, Draw, Expert, MemberRole, Panel, PanelMember, PanelState
from .reserves import (  # noqa: F401 — the services after the draw, re-exported
    REASON_MAX,
    Replacement,
    assignments_recheck,
    clean_text,
    expertise_match,
    member_add,
    member_decline,
    notify_expert,
    reason_labels,
    require_bureau,
)
from .rubrics import review_rules, rubric_for

SOURCE_MAX = 2000
PUBLIC_VALUE_MAX = 200


# Setting up -------------------------------------------------------------------------------

def _free_applications(call_category: CallCategory, panel: Panel | None = None):
    """Eligible applications of the call category on no other review panel (check panels,
    whose applications are approved, are not review panels)."""
    others = Panel.objects.filter(call_category=call_category, check_round__isnull=True)
    if panel is not None:
        others = others.exclude(pk=panel.pk)
    return (Application.objects.filter(call_category=call_category,
                                       state=ApplicationState.ELIGIBLE)
            .exclude(panels__in=others).order_by("pk"))


@transaction.atomic
def panel_create(*, call_category: CallCategory, by, name: str | None = None,
                 review_deadline: datetime | None = None) -> Panel:
    """A draft panel for the call category with every eligible application not yet on a
    panel, a copy of the policy's review rules and of the category's rubric, and a review
    deadline (by default `review_days` from now; a draw later pushes an earlier one back).
    Refuses anyone but the bureau, a category with no eligible application waiting, and a
    deadline in the past."""
    require_bureau(by)
    call_category = (CallCategory.objects.select_for_update()
                     .select_related("call__program", "category").get(pk=call_category.pk))
    applications = list(_free_applications(call_category))
    if not applications:
        raise _refuse(N_("No eligible application of %(category)s waits for a panel."),
                      category=call_category.category.name)
    rules = review_rules(call_category.call.program)
    now = timezone.now()
    if review_deadline is None:
        review_deadline = now + timedelta(days=int(rules["review_days"]))
    elif review_deadline <= now:
        raise _refuse(N_("The review deadline must be in the future."))
    name = (name or "").strip() or _("%(year)s %(category)s review panel") % {
        "year": call_category.call.year, "category": call_category.category.name}
    panel = Panel.objects.create(
        call_category=call_category, name=name[:100], rules=rules,
        rubric=rubric_for(call_category), review_deadline=review_deadline, created_by=by,
    )
    panel.applications.set(applications)
    audit_log(action="panel.create", actor=by, obj=panel,
              after={"call_category": call_category.pk,
                     "applications": [a.pk for a in applications],
                     "rubric": panel.rubric.get("code"),
                     "review_deadline": review_deadline.isoformat()})
    return panel


@transaction.atomic
def panel_applications_set(*, panel: Panel, applications, by) -> Panel:
    """Choose which eligible applications of its call category a draft panel reviews (to
    split a large category into panels), or, for a check panel, which of its round's
    projects under construction it scores. Refuses anyone but the bureau, a panel no longer
    a draft, an empty choice, and applications of another category, not eligible or on
    another panel (of a check panel: not of a project of the round under construction)."""
    require_bureau(by)
    locked = Panel.objects.select_for_update().select_related("call_category").get(pk=panel.pk)
    if locked.state != PanelState.DRAFT:
        raise _refuse(N_("The panel's draw is announced; its applications are fixed."))
    wanted = sorted({a.pk for a in applications})
    if not wanted:
        raise _refuse(N_("Choose at least one application."))
    free_applications = (check_panels.check_applications(locked) if check_panels.is_check(locked)
                         else _free_applications(locked.call_category, locked))
    free = set(free_applications.filter(pk__in=wanted).values_list("pk", flat=True))
    refused = [pk for pk in wanted if pk not in free]
    if refused and check_panels.is_check(locked):
        raise _refuse(N_("These applications are not those of the check round's projects "
                         "under construction: %(ids)s."), ids=", ".join(map(str, refused)))
    if refused:
        raise _refuse(N_("These applications are not eligible applications of this category "
                         "free for this panel: %(ids)s."), ids=", ".join(map(str, refused)))
    before = sorted(locked.applications.values_list("pk", flat=True))
    locked.applications.set(wanted)
    audit_log(action="panel.applications_set", actor=by, obj=locked,
              before={"applications": before}, after={"applications": wanted})
    return locked


# The draw notice --------------------------------------------------------------------------

@dataclass
class Shortage:
    """An application with too few conflict-free experts in the pool, and why."""

    application: Application
    available: int
    needed: int
    reasons: Counter = field(default_factory=Counter)  # reason code -> experts excluded


def pool_experts(industries=()):
    """The active experts a draw may pick: all of them, or those with a specialty in one of
    `industries` (codes)."""
    experts = Expert.objects.filter(active=True)
    if industries:
        experts = experts.filter(specialties__code__in=list(industries)).distinct()
    return experts


def pool_shortages(applications, experts, pairs, needed: int) -> list[Shortage]:
    """The applications that fewer than `needed` experts of the pool may review (k, or
    more under a probability cap)."""
    codes = [e.code for e in experts]
    shortages = []
    for application in applications:
        reasons: Counter = Counter()
        excluded = 0
        for code in codes:
            found = pairs.get((code, application.pk))
            if found:
                excluded += 1
                reasons.update(found)
        available = len(codes) - excluded
        if available < needed:
            shortages.append(Shortage(application, available, needed, reasons))
    return shortages


def _shortage_refusal(shortages: list[Shortage]) -> Refused:
    failures = [Failure("short_pool", N_(
        "%(count)s application(s) have fewer conflict-free experts in the pool than the "
        "panel needs; nothing was announced."), {"count": len(shortages)})]
    for s in shortages:
        why = " ".join(f"{_(conflicts.REASONS.get(code, code))} ({n})"
                        for code, n in sorted(s.reasons.items()))
        failures.append(Failure("short_pool_application", N_(
            "%(title)s (no. %(id)s): %(available)s conflict-free expert(s), %(needed)s needed; "
            "excluded: %(why)s."),
            {"title": s.application.title, "id": s.application.pk,
             "available": s.available, "needed": s.needed, "why": why or "—"}))
    return Refused(failures)


def notice_build(panel: Panel, *, on, source: str, industries=()) -> tuple[dict, list[Shortage]]:
    """The inputs document of the panel's draw as it would be announced today (committing to
    the public value's source too) and the shortages that forbid it."""
    rules = draw.notice_rules(panel.rules)
    experts = list(facts.experts_loaded(pool_experts(industries)))
    applications = list(facts.applications_loaded(panel.applications.all()))
    pairs = facts.conflicts_between(experts, applications, on=on, review=panel.rules)
    if check_panels.is_check(panel):
        pairs = check_panels.with_assigned_before(panel, pairs, experts, applications)
    shortages = pool_shortages(applications, experts, pairs,
                               assignment.Rules.from_policy(rules).needed)
    pool = []
    for expert in experts:
        tags, groups = facts.expert_tags(expert)
        pool.append({"code": expert.code, "industries": sorted(tags),
                     "major_groups": sorted(groups)})
    listed = []
    for application in applications:
        tags, groups = facts.application_tags(application)
        listed.append({"id": application.pk, "industries": sorted(tags),
                       "major_groups": sorted(groups)})
    inputs = draw.notice_inputs(
        title=panel.name, rules=rules, pool=pool, applications=listed,
        conflicts=[[code, app_id, list(reasons)]
                   for (code, app_id), reasons in sorted(pairs.items())],
        public_value_source=source,
    )
    return inputs, shortages


def draw_announce(*, panel: Panel, by, public_value_source: str,
                  public_value_expected: datetime, industries=()) -> Draw:
    """Publish the panel's draw notice: freeze the pool, the applications, the conflict pairs
    with their reasons and the rules as canonical JSON, with its digest and the named future
    public value; the panel becomes announced.

    Refuses anyone but the bureau, a panel that is not a draft or has no application, an
    application no longer eligible (of a check panel: a project no longer under
    construction), a missing source, an expected time not in the future
    (the value must be unknown when the notice is published), a pool in which some
    application has fewer than k conflict-free experts (each named, with why), and a pool
    that admits no assignment at all (a trial run; the real seed only reorders the pool)."""
    require_bureau(by)
    source = clean_text(public_value_source, SOURCE_MAX,
                    N_("Name the public random value that will fix the draw."))
    now = timezone.now()
    if public_value_expected is None or public_value_expected <= now:
        raise _refuse(N_("The public value must be expected in the future, so that nobody "
                         "knows it when the notice is published."))
    with transaction.atomic():
        locked = (Panel.objects.select_for_update()
                  .select_related("call_category__call", "call_category__category")
                  .get(pk=panel.pk))
        if locked.state != PanelState.DRAFT or Draw.objects.filter(panel=locked).exists():
            raise _refuse(N_("The panel's draw is already announced."))
        states = dict(locked.applications.values_list("pk", "state"))
        if not states:
            raise _refuse(N_("The panel has no application to review."))
        if check_panels.is_check(locked):
            live = set(check_panels.check_applications(locked).filter(pk__in=states)
                       .values_list("pk", flat=True))
            stale = sorted(pk for pk in states if pk not in live)
            if stale:
                raise _refuse(N_("The projects of these applications are no longer under "
                                 "construction: %(ids)s; remove them from the panel first."),
                              ids=", ".join(map(str, stale)))
        else:
            stale = sorted(pk for pk, state in states.items()
                           if state != ApplicationState.ELIGIBLE)
            if stale:
                raise _refuse(N_("These applications are no longer eligible for review: "
                                 "%(ids)s; remove them from the panel first."),
                              ids=", ".join(map(str, stale)))
        inputs, shortages = notice_build(locked, on=timezone.localdate(now), source=source,
                                         industries=industries)
        if shortages:
            raise _shortage_refusal(shortages)
        pool_size = len(inputs["pool"])
        digest = canonical.digest(inputs)
        # A trial run with a seed nobody will use, so that a pool that cannot be assigned
        # within the load bounds is refused now rather than when the value is known.
        try:
            draw.perform(inputs, canonical.seed_for(digest, "notice check", draw.ALGORITHM_VERSION))
        except assignment.NoAssignment as error:
            raise _no_assignment_refusal(error, announced=False) from error
        record = Draw.objects.create(
            panel=locked, algorithm_version=draw.ALGORITHM_VERSION, inputs=inputs,
            inputs_digest=digest, public_value_source=source,
            public_value_expected=public_value_expected, announced_by=by,
        )
        locked.state = PanelState.ANNOUNCED
        locked.save(update_fields=["state"])
        audit_log(action="draw.announce", actor=by, obj=record,
                  before={"state": PanelState.DRAFT},
                  after={"panel": locked.pk, "inputs_digest": digest,
                         "algorithm_version": record.algorithm_version,
                         "public_value_source": source,
                         "public_value_expected": public_value_expected.isoformat(),
                         "pool": pool_size, "applications": sorted(states),
                         "conflicts": len(inputs["conflicts"]),
                         "pool_industries": sorted(industries)})
    return record


# Performing the draw ----------------------------------------------------------------------

def _tags_from_inputs(inputs: dict):
    subjects = {a["id"]: assignment.Subject(a["id"], frozenset(a["industries"]),
                                            frozenset(a["major_groups"]))
                for a in inputs["applications"]}
    reviewers = {p["code"]: assignment.Reviewer(p["code"], frozenset(p["industries"]),
                                                frozenset(p["major_groups"]))
                 for p in inputs["pool"]}
    return subjects, reviewers


def _no_assignment_refusal(error: assignment.NoAssignment, *, announced: bool = True) -> Refused:
    head = (N_("No valid assignment exists for this draw; nothing was changed.") if announced
            else N_("No valid assignment exists for this pool; nothing was announced."))
    return Refused([
        Failure("no_assignment", head, {}),
        *(Failure("no_assignment_" + error.cause, message, params)
          for message, params in error.problems),
    ])


def draw_perform(*, panel: Panel, by, public_value: str) -> Draw:
    """Enter the public value and perform the announced draw: seed = SHA-256(digest ‖ value ‖
    algorithm version), result = draw.perform(inputs, seed). Writes the panel members and
    reserves in drawn order and the assignments with their expertise match, moves each
    application to under review (`start_review`; a check panel's stay approved), opens the
    panel for review and tells each drawn expert with an account what it reviews (never
    who else does). A review deadline earlier than `review_days` after the draw is pushed
    back to it.

    Refuses anyone but the bureau, a panel whose draw is not announced or already performed,
    a value entered before the time the notice named, a stored notice that no longer matches
    its digest, a drawn expert code no longer in the pool, and a draw for which no valid
    assignment exists."""
    require_bureau(by)
    value = clean_text(public_value, PUBLIC_VALUE_MAX, N_("Enter the public value as published."))
    now = timezone.now()
    with transaction.atomic():
        locked = Panel.objects.select_for_update().get(pk=panel.pk)
        record = Draw.objects.select_for_update().filter(panel=locked).first()
        if record is None:
            raise _refuse(N_("The panel's draw has not been announced."))
        if record.performed or locked.state != PanelState.ANNOUNCED:
            raise _refuse(N_("This draw has already been performed."))
        if now < record.public_value_expected:
            raise _refuse(N_("The public value is expected on %(when)s; the draw cannot be "
                             "performed before then."),
                          when=timezone.localtime(record.public_value_expected)
                          .strftime("%Y-%m-%d %H:%M"))
        if canonical.digest(record.inputs) != record.inputs_digest:
            raise _refuse(N_("The stored notice no longer matches its published digest; the "
                             "draw cannot be performed."))
        seed = canonical.seed_for(record.inputs_digest, value, record.algorithm_version)
        try:
            result = draw.perform(record.inputs, seed)
        except assignment.NoAssignment as error:
            raise _no_assignment_refusal(error) from error
        skipped = _draw_write(locked, record, result, by)
        record.public_value, record.seed, record.result = value, seed, result
        record.performed_by, record.performed_at = by, now
        record.save(update_fields=["public_value", "seed", "result", "performed_by",
                                   "performed_at"])
        locked.state = PanelState.REVIEWING
        fields = ["state"]
        earliest = now + timedelta(days=int(locked.rules.get("review_days", 14)))
        if locked.review_deadline < earliest:
            locked.review_deadline = earliest
            fields.append("review_deadline")
        locked.save(update_fields=fields)
        audit_log(action="draw.perform", actor=by, obj=record,
                  before={"state": PanelState.ANNOUNCED},
                  after={"panel": locked.pk, "inputs_digest": record.inputs_digest,
                         "public_value": value, "seed": seed,
                         "result_digest": canonical.digest(result),
                         "review_deadline": locked.review_deadline.isoformat(),
                         "skipped_applications": skipped})
        _notify_experts(locked)
    return record


def _draw_write(panel: Panel, record: Draw, result: dict, by) -> list[int]:
    """Members, reserves and assignments of a performed draw; applications no longer
    eligible (withdrawn since the notice; of a check panel, a project no longer under
    construction) get none and are returned."""
    drawn = [*result["panel"], *result["reserves"]]
    experts = {e.code: e for e in Expert.objects.filter(code__in=drawn)}
    missing = [code for code in drawn if code not in experts]
    if missing:
        raise _refuse(N_("The drawn expert code(s) %(codes)s no longer exist in the pool (a code "
                         "was changed after the notice); restore them to perform the draw."),
                      codes=", ".join(missing))
    PanelMember.objects.bulk_create(
        [PanelMember(panel=panel, expert=experts[code], role=MemberRole.MEMBER, position=i)
         for i, code in enumerate(result["panel"], start=1)]
        + [PanelMember(panel=panel, expert=experts[code], role=MemberRole.RESERVE, position=i)
           for i, code in enumerate(result["reserves"], start=1)]
    )
    applications = {a.pk: a for a in panel.applications.select_for_update().order_by("pk")}
    if check_panels.is_check(panel):
        live = set(check_panels.check_applications(panel).filter(pk__in=applications)
                   .values_list("pk", flat=True))
    else:
        live = {pk for pk, a in applications.items() if a.state == ApplicationState.ELIGIBLE}
    subjects, reviewers = _tags_from_inputs(record.inputs)
    Assignment.objects.bulk_create([
        Assignment(panel=panel, application_id=app_id, expert=experts[code],
                   source=AssignmentSource.DRAW,
                   match=expertise_match(subjects[app_id], reviewers[code]))
        for app_id, code in result["assignment"] if app_id in live
    ])
    if not check_panels.is_check(panel):
        for pk in sorted(live):
            application_transition(application=applications[pk], action="start_review", by=by)
    return sorted(set(applications) - live)


def _notify_experts(panel: Panel) -> None:
    """One notice to each drawn expert with an account: how many applications it reviews
    and by when. Reserves without an assignment are told nothing yet."""
    counts = Counter(panel.assignments.filter(active=True).values_list("expert_id", flat=True))
    experts = Expert.objects.filter(pk__in=counts, user__isnull=False).select_related("user")
    for expert in experts:
        notify_expert(expert, panel, counts[expert.pk])


# Reads ------------------------------------------------------------------------------------

def panel_progress(panel: Panel):
    """Per application, reviews submitted of k; per expert, reviews done of those assigned
    (the reading is progress.panel_progress, shared with the progress page)."""
    from .progress import panel_progress as progress

    return progress(panel)
