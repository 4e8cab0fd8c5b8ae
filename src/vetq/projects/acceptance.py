"""Acceptance (验收, R18 R31): the bureau records a project's score and rating, and the rating's
consequences on the money happen in the same transaction.

- excellent: the acceptance and excellent tranches' conditions are met, so the studio bonus
  (R18: 3 × 20,000 + 50,000 = 110,000 in all) becomes payable; the project is closed.
- pass: the acceptance tranches become payable and the excellent-only tranches are withheld
  (a studio gets 60,000 in all); the project is closed.
- fail: every unpaid tranche is withheld, the project and its grant fail, and a recovery case
  is opened for the bureau to decide how much of what was paid to take back.

The grant of a closed project stays active: what became payable on acceptance (the 40% of a
fixed subsidy, the bonus, a construction year not yet paid) must stay payable. A failed grant
pays nothing more (`ledger.tranche_payable_amount`).
"""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vetq.accounts.roles import Role
from vetq.accounts.scoping import has_role
from vetq.audit.services import audit_log
from vetq.core.money import format_yuan
from vetq.funding.ledger import (
    LedgerRefused,
    grant_balances,
    recovery_record,
    tranche_conditions_met,
    tranche_payable_amount,
    tranches_withhold,
)
from vetq.funding.models import Grant, GrantState, TrancheCondition
from vetq.notices.services import notice_send

from .models import Acceptance, Project, ProjectEvent, ProjectState, Rating, RecoveryCase
from .services import project_rules

CENT = Decimal("0.01")
# What a rating does to the project (R18, R31).
STATE_AFTER = {Rating.EXCELLENT: ProjectState.CLOSED, Rating.PASS: ProjectState.CLOSED,
               Rating.FAIL: ProjectState.FAILED}


class AcceptanceRefused(Exception):
    """A rating or recovery decision the rules do not allow; the message says why. Nothing
    was changed."""


def rating_for_score(score: Decimal, bands: Mapping) -> str:
    """The rating a score gets under the policy's bands (`excellent_from`, `pass_from`):
    at least `excellent_from` is excellent, at least `pass_from` pass, lower fail."""
    if score >= Decimal(str(bands["excellent_from"])):
        return Rating.EXCELLENT.value
    if score >= Decimal(str(bands["pass_from"])):
        return Rating.PASS.value
    return Rating.FAIL.value


def _score(value) -> Decimal:
    try:
        score = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise AcceptanceRefused(_("Enter a score from 0 to 100.")) from exc
    if not score.is_finite() or score < 0 or score > 100:
        raise AcceptanceRefused(_("Enter a score from 0 to 100."))
    if score != score.quantize(CENT):
        raise AcceptanceRefused(_("Enter the score with at most two decimals."))
    return score.quantize(CENT)


def score_text(score: Decimal) -> str:
    """85.00 → '85', 90.50 → '90.5'."""
    text = f"{score:.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _require_bureau(by) -> None:
    if not has_role(by, Role.BUREAU_ADMIN):
        raise AcceptanceRefused(_("Only the education bureau records acceptance ratings and "
                                  "recovery decisions."))


def _school_users(project: Project) -> list:
    return list(get_user_model().objects.filter(
        is_active=True, memberships__role=Role.SCHOOL_USER,
        memberships__institution_id=project.institution_id).distinct())


def _payer_users(grant: Grant) -> list:
    """The finance officers of the grant's payer (the city's or the county-level city's)."""
    region = Q(memberships__region__isnull=True) if grant.payer_region_id is None \
        else Q(memberships__region_id=grant.payer_region_id)
    return list(get_user_model().objects.filter(
        region, is_active=True, memberships__role=Role.FINANCE_OFFICER).distinct())


def _project_url(project: Project) -> str:
    try:
        return reverse("projects:detail", args=[project.pk])
    except NoReverseMatch:
        return ""


def _payable_now(grant: Grant, today: date) -> Decimal:
    return sum((tranche_payable_amount(t, today)
                for t in grant.tranches.select_related("grant").filter(withheld_at__isnull=True)),
               Decimal(0))


def acceptance_record(*, project: Project, score, rating: str, summary: str = "",
                      self_assessment: str = "", comment: str = "", by,
                      today: date | None = None) -> Acceptance:
    """Record the acceptance of an active project and apply its rating's consequences on the
    money (see the module's docstring); writes the acceptance, a ProjectEvent and audit
    entries, and notifies the school and the payer's finance officers.

    Refuses anyone but the bureau, a score outside 0–100, a rating the policy's score bands
    do not give to the score (saying which one they give), a project that is not under
    construction, and a project already rated. Changes nothing then.
    """
    today = today or timezone.localdate()
    _require_bureau(by)
    score = _score(score)
    if rating not in Rating.values:
        raise AcceptanceRefused(_("Choose a rating: excellent, pass or fail."))
    rating = Rating(rating).value
    with transaction.atomic():
        locked = Project.objects.select_for_update().select_related("category__program") \
            .get(pk=project.pk)
        grant = Grant.objects.select_for_update().get(pk=locked.grant_id)
        if locked.state != ProjectState.ACTIVE:
            raise AcceptanceRefused(
                _("Only a project under construction can be rated; this one is %(state)s.")
                % {"state": locked.get_state_display()})
        if Acceptance.objects.filter(project=locked).exists():
            raise AcceptanceRefused(_("This project has already been rated."))
        expected = rating_for_score(score, project_rules(locked.category.program).model_dump())
        if rating != expected:
            raise AcceptanceRefused(
                _("A score of %(score)s gives the rating “%(expected)s” under the policy's score "
                  "bands, not “%(rating)s”.")
                % {"score": score_text(score), "expected": Rating(expected).label,
                   "rating": Rating(rating).label})
        acceptance = Acceptance.objects.create(
            project=locked, score=score, rating=rating, summary=summary.strip(),
            self_assessment=self_assessment.strip(), comment=comment.strip(), rated_by=by)
        before = {"state": locked.state, "rating": locked.rating}
        money = _apply_rating(locked, grant, rating, by, today)
        locked.state = STATE_AFTER[rating]
        locked.rating = rating
        locked.save(update_fields=["state", "rating"])
        after = {"state": locked.state, "rating": rating, "score": str(score), **money}
        ProjectEvent.objects.create(project=locked, action="rated", before=before, after=after,
                                    reason=comment.strip(), by=by)
        audit_log(action="project.rate", actor=by, obj=locked, before=before, after=after)
        params = {"title": locked.title, "score": score_text(score)}
        url = _project_url(locked)
        notice_send(users=_school_users(locked), kind=f"project.rated_{rating}", params=params,
                    url=url)
        if rating != Rating.FAIL:
            notice_send(users=_payer_users(grant), kind=f"project.rated_{rating}", params=params,
                        url=url)
    return acceptance


def _apply_rating(project: Project, grant: Grant, rating: str, by, today: date) -> dict:
    """The rating's consequences on the grant; returns what the history records of them."""
    if rating == Rating.FAIL:
        withheld = tranches_withhold(
            grant=grant, by=by,
            reason=_("Acceptance failed: %(title)s") % {"title": project.title})
        grant.state = GrantState.FAILED
        grant.save(update_fields=["state"])
        audit_log(action="grant.fail", actor=by, obj=grant, before={"state": GrantState.ACTIVE},
                  after={"state": GrantState.FAILED, "project": project.pk})
        paid = grant_balances(grant)["net"]
        case = RecoveryCase.objects.create(project=project, paid_when_opened=paid)
        return {"withheld": withheld, "recovery_case": case.pk, "paid": str(paid)}
    met = tranche_conditions_met(grant=grant, condition=TrancheCondition.ACCEPTANCE_PASSED, by=by)
    withheld = 0
    if rating == Rating.EXCELLENT:
        met += tranche_conditions_met(grant=grant, condition=TrancheCondition.EXCELLENT, by=by)
    else:
        withheld = tranches_withhold(
            grant=grant, by=by, conditions=[TrancheCondition.EXCELLENT],
            reason=_("Rated pass at acceptance: the excellent rating's tranche is not paid."))
    return {"released": met, "withheld": withheld,
            "payable": str(_payable_now(grant, today))}


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError) as exc:
        raise AcceptanceRefused(_("“%(value)s” is not an amount.") % {"value": value}) from exc
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(CENT):
        raise AcceptanceRefused(_("Enter an amount of zero or more yuan with at most two "
                                  "decimals."))
    return amount.quantize(CENT)


def recovery_decide(*, case: RecoveryCase, amount, reason: str, by, voucher_no: str = "",
                    on: date | None = None) -> RecoveryCase:
    """Decide an open recovery case: how much of the money paid is taken back (0 to what was
    paid and not yet recovered) and why. An amount above zero is recorded in the grant's
    ledger as a recovery, linked to the case. Writes a ProjectEvent and an audit entry and
    notifies the school.

    Refuses anyone but the bureau, no reason, a negative amount or one above what was paid
    and not yet recovered, and a case already decided. Changes nothing then.
    """
    _require_bureau(by)
    amount = _amount(amount)
    reason = reason.strip()
    if not reason:
        raise AcceptanceRefused(_("Please give a reason."))
    on = on or timezone.localdate()
    with transaction.atomic():
        locked = RecoveryCase.objects.select_for_update().select_related("project") \
            .get(pk=case.pk)
        project = Project.objects.select_for_update().get(pk=locked.project_id)
        grant = Grant.objects.select_for_update().get(pk=project.grant_id)
        if locked.state != RecoveryCase.State.OPEN:
            raise AcceptanceRefused(_("This recovery has already been decided."))
        net = grant_balances(grant)["net"]
        if amount > net:
            raise AcceptanceRefused(
                _("%(amount)s yuan is more than the %(net)s yuan paid and not yet recovered.")
                % {"amount": format_yuan(amount), "net": format_yuan(net)})
        entry = None
        if amount > 0:
            try:
                entry = recovery_record(grant=grant, amount=amount, reason=reason,
                                        voucher_no=voucher_no, on=on, by=by)
            except LedgerRefused as refusal:
                raise AcceptanceRefused(str(refusal)) from refusal
        locked.state = RecoveryCase.State.DECIDED
        locked.amount = amount
        locked.reason = reason
        locked.entry = entry
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.save(update_fields=["state", "amount", "reason", "entry", "decided_by",
                                   "decided_at"])
        after = {"amount": str(amount), "reason": reason, "entry": entry.pk if entry else None,
                 "voucher": voucher_no.strip(), "on": on.isoformat()}
        ProjectEvent.objects.create(project=project, action="recovery_decided",
                                    before={"state": RecoveryCase.State.OPEN,
                                            "paid": str(locked.paid_when_opened)},
                                    after=after, reason=reason, by=by)
        audit_log(action="project.recovery_decide", actor=by, obj=project,
                  before={"state": RecoveryCase.State.OPEN}, after=after)
        notice_send(users=_school_users(project), kind="project.recovery_decided",
                    params={"title": project.title, "amount": format_yuan(amount),
                            "reason": reason},
                    url=_project_url(project))
    return locked
