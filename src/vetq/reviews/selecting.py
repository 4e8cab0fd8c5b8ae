"""Running the exact selection of a call (立项遴选) and the bureau's overrides of it.

`selection_run` gathers what the pure `selection` module needs from the database, runs it and
stores the inputs, their digest, the tie-lottery seed and the result as a proposed Selection
(superseding an earlier proposal of the same call). `override_add` records a bureau decision
against the computed list, with its written reason; publicity shows it (`publicity.py`).

What counts as what:

- candidates: the call's applications in state `reviewed`, with the ranking score of
  `ranking.ranking_for(call_category)` (no score: listed, never selected);
- places already held: applications of the call that are shortlisted or in publicity (an
  earlier selection still being published) hold a place of the quota and of the target, and
  their city money is held off the budget; approved ones of the call used the quota;
- quota left = call quota − approved − held in the call category; target left = category
  target − live grants of the program − held (None when the category has no target);
- budget = `budget_figures(program).free` − the city cost of the held applications;
- cost of an application = what its grant would take from the city's budget: the promised
  amount of `grant_amounts` when the city pays, 0 when a county-level city pays (R28). A
  range rule's amount is set at determination; we take the municipal amount the school asked
  for in its budget plan (the sum of the plan's "amount from the grant" column), brought
  within the rule's bounds (`approval_amount`); approval uses the same amount.
"""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_noop as N_

from vetq.accounts import scoping
from vetq.accounts.roles import Role
from vetq.applications.models import Application
from vetq.applications.services import Refused, _refuse
from vetq.applications.states import ApplicationState
from vetq.audit.services import audit_log
from vetq.funding.budget import budget_figures, grants_by_category
from vetq.funding.grants import GrantRefused, grant_amounts
from vetq.programs import subsidy
from vetq.programs.models import Call, SubsidyKind

from . import selection as pure
from .models import Override, Selection, SelectionState
from .rubrics import review_rules

HELD_STATES = (ApplicationState.SHORTLISTED, ApplicationState.IN_PUBLICITY)
APPLICATION_RELATED = ("call_category__call__program", "call_category__category", "institution__region")


def require_bureau(by) -> None:
    if not scoping.has_role(by, Role.BUREAU_ADMIN):
        raise _refuse(N_("Only the bureau may do this."))


def to_fen(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def requested_amount(application: Application) -> Decimal:
    """The municipal money the school asks for: its budget plan's "from the grant" column."""
    return sum((Decimal(line.get("amount") or "0") for line in application.budget or []),
               Decimal("0.00"))


def approval_amount(application: Application) -> Decimal | None:
    """The amount to approve under a range rule (the request, within the rule's bounds);
    None for the other rules, which fix the amount themselves."""
    rule = application.call_category.category.current_rule
    if rule is None or rule.kind != SubsidyKind.RANGE:
        return None
    return min(max(requested_amount(application), rule.min_yuan), rule.max_yuan)


def city_cost(application: Application) -> Decimal:
    """What approving the application would take from the municipal budget (R27, R28)."""
    try:
        payer, promised, _ = grant_amounts(application=application,
                                           amount=approval_amount(application),
                                           commissioned=application.commissioned,
                                           county_amount=None)
    except GrantRefused as exc:
        raise _refuse(N_("%(title)s: %(reason)s"), title=application.title, reason=str(exc)) from exc
    return promised if payer == subsidy.CITY else Decimal("0.00")


def _scores(call_category) -> dict[int, Decimal | None]:
    from .ranking import ranking_for

    return {row.application.pk: row.score for row in ranking_for(call_category)}


def selection_inputs_for(call: Call) -> dict:
    """The canonical inputs of a selection for `call` as the database stands now."""
    program = call.program
    rules = review_rules(program)
    call_categories = list(call.call_categories.select_related("category").order_by("category__code"))
    applications = list(
        Application.objects.filter(call_category__call=call,
                                   state__in=(ApplicationState.REVIEWED, *HELD_STATES,
                                              ApplicationState.APPROVED))
        .select_related(*APPLICATION_RELATED).prefetch_related("call_category__category__subsidy_rules")
    )
    held = [a for a in applications if a.state in HELD_STATES]
    live_grants = grants_by_category(program)
    figures = budget_figures(program)
    budget = figures.free - sum((city_cost(a) for a in held), Decimal("0.00"))
    limits, candidates = [], []
    for cc in call_categories:
        mine = [a for a in applications if a.call_category_id == cc.pk]
        holding = sum(1 for a in mine if a.state in HELD_STATES)
        used = holding + sum(1 for a in mine if a.state == ApplicationState.APPROVED)
        target = cc.category.target
        limits.append(pure.CategoryLimit(
            cc.category.code, max(0, cc.quota - used),
            None if target is None else max(0, target - live_grants.get(cc.category_id, 0) - holding)))
        reviewed = [a for a in mine if a.state == ApplicationState.REVIEWED]
        if not reviewed:
            continue
        scores = _scores(cc)
        for application in reviewed:
            candidates.append(pure.Candidate(application.pk, cc.category.code,
                                             scores.get(application.pk),
                                             to_fen(city_cost(application))))
    if not candidates:
        raise _refuse(N_("No reviewed application of this call is waiting for selection."))
    return pure.selection_inputs(candidates=candidates, categories=limits,
                                 budget_fen=max(0, to_fen(budget)),
                                 min_score=Decimal(str(rules["min_score"])))


def selection_run(*, call: Call, by) -> Selection:
    """Run the exact selection for `call` and store it as the proposed selection.

    Supersedes an earlier proposal of the call (a published one stays). Refuses a user who is
    not the bureau and a call with no reviewed application; changes nothing then.
    """
    require_bureau(by)
    with transaction.atomic():
        call = Call.objects.select_for_update().select_related("program").get(pk=call.pk)
        inputs = selection_inputs_for(call)
        try:
            outcome = pure.run(inputs)
        except pure.SelectionInputError as exc:
            raise _refuse(exc.message, **exc.params) from exc
        superseded = list(Selection.objects.filter(call=call, state=SelectionState.PROPOSED)
                          .values_list("pk", flat=True))
        Selection.objects.filter(pk__in=superseded).update(state=SelectionState.SUPERSEDED)
        selection = Selection.objects.create(
            call=call, algorithm_version=pure.ALGORITHM_VERSION, inputs=inputs,
            inputs_digest=outcome.inputs_digest, seed=outcome.seed, result=outcome.result,
            created_by=by,
        )
        audit_log(action="selection.run", actor=by, obj=selection, after={
            "call": call.pk, "inputs_digest": outcome.inputs_digest, "seed": outcome.seed,
            "selected": outcome.result["selected"], "objective": outcome.result["objective"],
            "superseded": superseded,
        })
    return selection


def candidate_ids(selection: Selection) -> set[int]:
    return {row["id"] for row in selection.result.get("rows", [])}


def published_ids(selection: Selection, overrides=None) -> list[int]:
    """The list the selection publishes: the computed winners with the overrides applied."""
    overrides = list(selection.overrides.all()) if overrides is None else overrides
    chosen = set(selection.result.get("selected", []))
    chosen |= {o.application_id for o in overrides if o.include}
    chosen -= {o.application_id for o in overrides if not o.include}
    return sorted(chosen)


def override_add(*, selection: Selection, application: Application, include: bool, reason: str,
                 by) -> Override:
    """Put a not selected application on the list (include) or take a selected one off it,
    with a written reason, before publicity. Refuses: not the bureau, no reason, a selection
    that is no longer proposed, an application that was not a candidate, an override that
    changes nothing, and a second override of the same application."""
    require_bureau(by)
    reason = (reason or "").strip()
    if not reason:
        raise _refuse(N_("An override needs a written reason."))
    with transaction.atomic():
        locked = Selection.objects.select_for_update().get(pk=selection.pk)
        if locked.state != SelectionState.PROPOSED:
            raise _refuse(N_("Only a proposed selection can be overridden; this one is %(state)s."),
                          state=str(locked.get_state_display()))
        if application.pk not in candidate_ids(locked):
            raise _refuse(N_("%(title)s was not a candidate of this selection."), title=application.title)
        on_list = application.pk in locked.result["selected"]
        if include and on_list:
            raise _refuse(N_("%(title)s is already on the computed list."), title=application.title)
        if not include and not on_list:
            raise _refuse(N_("%(title)s is not on the computed list."), title=application.title)
        if Override.objects.filter(selection=locked, application=application).exists():
            raise _refuse(N_("%(title)s already has an override in this selection."),
                          title=application.title)
        override = Override.objects.create(selection=locked, application=application,
                                           include=include, reason=reason, by=by)
        audit_log(action="selection.override", actor=by, obj=override, after={
            "selection": locked.pk, "application": application.pk, "include": include,
            "reason": reason,
        })
    return override


__all__ = ["Refused", "approval_amount", "city_cost", "override_add", "published_ids",
           "requested_amount", "selection_run"]
