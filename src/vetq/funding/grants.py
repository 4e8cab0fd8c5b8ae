"""Approving an application into a grant (R1–R18, R27, R28), and changing a tranche plan.

`application_approve` is the one place an application becomes approved with its money:
it takes the program's row lock, checks the category target and the budget, moves the
application to approved and writes the grant and its tranches, all in one transaction.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vetq.applications.models import Application
from vetq.applications.services import application_transition
from vetq.audit.services import audit_log
from vetq.programs import subsidy
from vetq.programs.models import Category, Program
from vetq.projects.services import project_create

from .budget import budget_check
from .models import Grant, GrantState, LedgerEntry, Tranche
from .plans import default_plan


class GrantRefused(Exception):
    """A grant or plan change the rules do not allow; the message says why. Nothing changed."""


def _grant_snapshot(grant: Grant) -> dict:
    return {
        "application": grant.application_id,
        "payer": grant.payer_region.code if grant.payer_region_id else subsidy.CITY,
        "commissioned": grant.commissioned,
        "rule_version": grant.subsidy_rule.version,
        "tranches": [
            {"seq": t.seq, "amount": str(t.amount), "due": t.due_date.isoformat(),
             "condition": t.condition}
            for t in grant.tranches.filter(withheld_at__isnull=True).order_by("seq")
        ],
    }


def grant_amounts(*, application: Application, amount: Decimal | None, commissioned: bool,
                  county_amount: Decimal | None) -> tuple[str, Decimal, Decimal]:
    """(payer code, amount promised, amount at the municipal rate) for an application.

    The municipal rate comes from the category's current rule: a range rule needs the amount
    set at determination; a per-year rule counts the construction years and reserves the
    bonus until the acceptance rating. A county-level city pays its own school at no less
    than the municipal rate (R28), unless the city commissioned the project.
    """
    category = application.call_category.category
    program = category.program
    rule_row = category.current_rule
    rule = rule_row.rule
    try:
        if isinstance(rule, subsidy.PerYearPlusBonusRule):
            municipal = rule.municipal_amount(years=category.construction_years,
                                              rating=rule.bonus_if)
        else:
            municipal = rule.municipal_amount(amount=amount)
    except subsidy.SubsidyError as exc:
        raise GrantRefused(exc.translated()) from exc
    payer = program.payer_for(application.institution.region, commissioned=commissioned)
    promised = municipal
    if payer != subsidy.CITY and county_amount is not None:
        try:
            promised = subsidy.check_county_rate(municipal=municipal, proposed=county_amount)
        except subsidy.SubsidyError as exc:
            raise GrantRefused(exc.translated()) from exc
    return payer, promised, municipal


def application_approve(*, application: Application, by, amount: Decimal | None = None,
                        commissioned: bool = False, county_amount: Decimal | None = None,
                        comment: str = "", today: date | None = None) -> Grant:
    """Approve an application in publicity and create its grant with the default plan, and
    its project (`projects.services.project_create`) starting today.

    Refuses (GrantRefused, or the workflow's Refused) when the category's target is reached
    (the 101st brand major while the target is 100), when a municipal grant would take
    commitments past the budget (saying by how much), when an amount lies outside its rule,
    or when a county-level city's amount is below the municipal rate. Changes nothing then.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        program = Program.objects.select_for_update().get(
            pk=application.call_category.call.program_id
        )
        # Read the category afresh under the lock: the policy may have changed its target.
        category = Category.objects.get(pk=application.call_category.category_id)
        if category.target is not None:
            granted = Grant.objects.filter(category__program=program, category__code=category.code) \
                .exclude(state=GrantState.WITHDRAWN).count()
            if not subsidy.target_allows(approved_so_far=granted, target=category.target):
                raise GrantRefused(
                    _("The target of %(target)s projects for %(category)s is reached; raise it "
                      "in the policy file to approve more.")
                    % {"target": category.target, "category": category.name}
                )
        payer, promised, municipal = grant_amounts(
            application=application, amount=amount, commissioned=commissioned,
            county_amount=county_amount,
        )
        if payer == subsidy.CITY:
            budget_check(program, adding=promised, year=today.year)
        approved = application_transition(application=application, action="approve", by=by,
                                          comment=comment)
        if approved.commissioned != commissioned:
            approved.commissioned = commissioned
            approved.save(update_fields=["commissioned"])
        region = approved.institution.region
        grant = Grant.objects.create(
            application=approved, program=program, category=category,
            institution=approved.institution, subsidy_rule=category.current_rule,
            payer_region=None if payer == subsidy.CITY else region,
            commissioned=commissioned, municipal_rate=municipal, year=today.year,
            construction_years=category.construction_years, created_by=by,
        )
        plan = default_plan(rule=category.current_rule.rule, amount=promised, start=today,
                            years=category.construction_years,
                            funding=program.policy.get("funding", {}))
        Tranche.objects.bulk_create([
            Tranche(grant=grant, seq=i + 1, amount=p.amount, due_date=p.due_date,
                    condition=p.condition,
                    condition_met_at=timezone.now() if p.condition == "on_approval" else None)
            for i, p in enumerate(plan)
        ])
        audit_log(action="grant.create", actor=by, obj=grant, after=_grant_snapshot(grant))
        project_create(grant=grant, by=by, starts_on=today)
    return grant


def tranche_plan_set(*, grant: Grant, by, tranches: list[dict]) -> Grant:
    """Replace the unpaid part of a grant's plan. Each item: amount, due_date, condition.

    Refuses a plan that does not add up to the grant's live total exactly, a change to a
    tranche that has money paid on it, and a grant that is not active.
    """
    with transaction.atomic():
        locked = Grant.objects.select_for_update().get(pk=grant.pk)
        if locked.state != GrantState.ACTIVE:
            raise GrantRefused(_("Only an active grant's plan can be changed."))
        current = list(locked.tranches.filter(withheld_at__isnull=True).order_by("seq"))
        total = sum((t.amount for t in current), Decimal(0))
        # A tranche with any ledger entry (even a payment and its reversal) keeps its history.
        if LedgerEntry.objects.filter(tranche__in=current).exists():
            raise GrantRefused(_("Tranches with ledger entries cannot be re-planned, even after "
                                 "a reversal."))
        try:
            amounts = subsidy.check_split_adds_up([t["amount"] for t in tranches], total)
        except subsidy.SubsidyError as exc:
            raise GrantRefused(exc.translated()) from exc
        before = _grant_snapshot(locked)
        # Unpaid tranches carry no ledger entries, so the new plan replaces them outright;
        # the audit entry keeps the old plan.
        Tranche.objects.filter(pk__in=[t.pk for t in current]).delete()
        start = (locked.tranches.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
        Tranche.objects.bulk_create([
            Tranche(grant=locked, seq=start + i, amount=amounts[i], due_date=item["due_date"],
                    condition=item["condition"],
                    condition_met_at=timezone.now() if item["condition"] == "on_approval" else None)
            for i, item in enumerate(tranches)
        ])
        audit_log(action="grant.plan", actor=by, obj=locked, before=before,
                  after=_grant_snapshot(locked))
    return locked
