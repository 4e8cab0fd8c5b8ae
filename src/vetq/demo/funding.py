"""The demo's money (R27–R30): grants for approved projects of the 2016–2019 calls, their
tranches paid and unpaid over 2016–2020, a reversal, a recovery and expenditure reports.

Which applications are approved, for how much, who pays and what happens to the money is
plain data (funding_plan.py). A past call's deadlines refuse the review services, so
`review_history_write` writes an approved application's way through review as backdated
history, as application_history.py does for the earlier stages, on the dates of its round
(review_plan.py); reviews.py then writes that round's panel, draw, reviews, selection and
publicity with the same dates. The approval, the grant and
all its money go through the real services with the dates of their year; what those stamp
with today's date is then set back to that day, except ledger rows, which are append-only
and keep the day they were recorded (their `paid_on` is the day the money moved). A grant
already there is left alone with its money, so a second run adds nothing.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

from vetq.accounts.models import User
from vetq.applications.models import Application, ApplicationEvent
from vetq.applications.states import ApplicationState as S
from vetq.audit.services import audit_log
from vetq.funding.expenditure import expenditure_report
from vetq.funding.grants import application_approve, grant_amounts
from vetq.funding.ledger import (
    entry_reverse,
    payment_record,
    tranche_conditions_met,
    tranches_withhold,
)
from vetq.funding.models import Expenditure, Grant, Tranche, TrancheCondition
from vetq.institutions.models import Industry, Institution, Region
from vetq.notices.models import Notice
from vetq.programs.models import Program
from vetq.projects.acceptance import acceptance_record, recovery_decide
from vetq.projects.models import Acceptance, Project, ProjectEvent, RecoveryCase

from .actors import Actors, actors_write
from .application_plan import local
from .calls import colleagues_plan
from .funding_plan import (
    ACCEPTED_BY,
    LAST_PAYMENT,
    PAYERS,
    GrantSpec,
    extra_application_write,
    plan_grants,
)
from .plan import DemoPlan
from .review_plan import round_dates

C = TrancheCondition
# Each move and when in its category's round (review_plan.RoundDates) it happened.
REVIEW_STEPS = (("start_review", S.ELIGIBLE, S.UNDER_REVIEW, "performed"),
                ("finish_review", S.UNDER_REVIEW, S.REVIEWED, "closed"),
                ("shortlist", S.REVIEWED, S.SHORTLISTED, "publicity_start"),
                ("publish", S.SHORTLISTED, S.IN_PUBLICITY, "publicity_start"))


def _moment(day: date, hour: int = 10) -> datetime:
    return local(day.year, day.month, day.day, hour)


def review_history_write(application: Application, spec: GrantSpec, *, bureau: User) -> None:
    """Write, with the dates of its category's review round in the call's year (the dates
    reviews.py gives the round's panel, draw, selection and publicity), the bureau's moves
    that took an eligible application through review and shortlisting into publicity, one
    history event each, and the application's state."""
    dates = round_dates(spec.year, spec.category)
    for action, before, after, moment in REVIEW_STEPS:
        event = ApplicationEvent.objects.create(application=application, action=action,
                                                from_state=before, to_state=after, by=bureau)
        at = getattr(dates, moment)
        ApplicationEvent.objects.filter(pk=event.pk).update(at=at)
    Application.objects.filter(pk=application.pk).update(state=S.IN_PUBLICITY, updated_at=at)
    application.refresh_from_db()


def _approval_backdate(grant: Grant, spec: GrantSpec) -> None:
    """Set what the approval stamped with today's date back to the day of approval."""
    at = _moment(spec.approved_on, 15)
    ApplicationEvent.objects.filter(application=grant.application_id,
                                    action="approve").update(at=at)
    Application.objects.filter(pk=grant.application_id).update(updated_at=at)
    Grant.objects.filter(pk=grant.pk).update(created_at=at)
    Project.objects.filter(grant=grant).update(created_at=at)
    ProjectEvent.objects.filter(project__grant=grant, action="create").update(at=at)
    grant.tranches.filter(condition=C.ON_APPROVAL).update(condition_met_at=at)
    Notice.objects.filter(kind="application.approve",
                          url__endswith=f"/{grant.application_id}/").update(
        created_at=at, read_at=at + timedelta(days=1))


def grant_write(spec: GrantSpec, application: Application, *, bureau: User) -> Grant:
    """Take an eligible application into publicity and approve it on its day, a county-level
    city paying its planned share of the municipal rate (R28)."""
    review_history_write(application, spec, bureau=bureau)
    county = None
    if spec.county_share is not None:
        _, _, municipal = grant_amounts(application=application, amount=spec.amount,
                                        commissioned=False, county_amount=None)
        county = (municipal * spec.county_share).quantize(Decimal(1))
    grant = application_approve(application=application, by=bureau, amount=spec.amount,
                                commissioned=spec.commissioned, county_amount=county,
                                comment="经评审、公示，同意立项。", today=spec.approved_on)
    _approval_backdate(grant, spec)
    return grant


def _condition_write(grant: Grant, condition: str, day: date, *, met: bool, reason: str,
                     by: User) -> None:
    """An acceptance or rating outcome (a later feature's work), on its day: the condition
    holds, or its tranches are withheld and their money released."""
    if met:
        tranche_conditions_met(grant=grant, condition=condition, by=by)
        grant.tranches.filter(condition=condition).update(condition_met_at=_moment(day))
    else:
        tranches_withhold(grant=grant, reason=reason, by=by, conditions=[condition])
        grant.tranches.filter(condition=condition).update(withheld_at=_moment(day))


def _pay_day(tranche: Tranche, spec: GrantSpec) -> date:
    if tranche.condition == C.ON_APPROVAL:
        return spec.approved_on + timedelta(days=30)
    if tranche.condition == C.CONSTRUCTION_YEAR:
        return tranche.due_date + timedelta(days=15)
    return tranche.due_date + timedelta(days=45)


def _unpaid(tranche: Tranche, spec: GrantSpec, day: date) -> bool:
    """Left for the dashboards to show as due or overdue: every other tranche falling due in
    2020, and every third 2019 grant's first tranche."""
    if day > LAST_PAYMENT or (day.year == 2020 and spec.serial % 2):
        return True
    return spec.year == 2019 and tranche.condition == C.ON_APPROVAL and spec.serial % 3 == 0


def money_write(grant: Grant, spec: GrantSpec, *, bureau: User, finance: User | None) -> None:
    """The grant's acceptance and rating where they fell due by 2019, then its payments,
    the reversal of a wrong voucher or the recovery after a failed acceptance it is planned
    to have. A payer the demo has no finance officer for pays nothing."""
    prefix, account = PAYERS[spec.payer]
    for tranche in grant.tranches.order_by("seq"):
        if tranche.condition in (C.ACCEPTANCE_PASSED, C.EXCELLENT):
            if tranche.due_date > ACCEPTED_BY:
                continue
            met = not spec.fails if tranche.condition == C.ACCEPTANCE_PASSED else spec.excellent
            _condition_write(grant, tranche.condition, tranche.due_date, met=met, by=bureau,
                             reason="验收未通过。" if spec.fails else "验收合格，未评为优秀。")
            tranche.refresh_from_db()
        day = _pay_day(tranche, spec)
        if finance is None or not tranche.live or _unpaid(tranche, spec, day):
            continue
        voucher = f"{prefix}〔{day.year}〕{spec.serial:03d}{tranche.seq}号"
        pay = {"tranche": tranche, "amount": tranche.amount, "payer_account": account,
               "by": finance, "today": day}
        if spec.reversal and tranche.seq == 1:
            wrong = payment_record(voucher_no=f"{prefix}〔{day.year - 1}〕{spec.serial:03d}1号",
                                   paid_on=day, **pay)
            day += timedelta(days=5)
            entry_reverse(entry=wrong, by=finance, on=day,
                          reason=f"凭证号年份录错，已按{voucher}重新登记。")
        payment_record(voucher_no=voucher, paid_on=day, **pay)
    if spec.fails:
        on = grant.tranches.get(condition=C.ACCEPTANCE_PASSED).due_date + timedelta(days=60)
        _acceptance_failed(grant, on=on, bureau=bureau,
                           voucher_no=f"{prefix[:2]}收〔{on.year}〕{spec.serial:03d}号")


def _acceptance_failed(grant: Grant, *, on: date, bureau: User, voucher_no: str) -> None:
    """The project fails its acceptance on `on` through the acceptance service (unpaid
    tranches withheld, grant failed, a recovery case opened), and the bureau decides to take
    back 30% of the first tranche; the service's timestamps are set back to that day."""
    project = Project.objects.get(grant=grant)
    acceptance_record(project=project, score=Decimal("52.00"), rating="fail", by=bureau, today=on,
                      summary="项目建设期满，提交了总结报告。",
                      self_assessment="部分建设任务未完成，校企合作实训项目尚未落地。",
                      comment="验收未通过：主要建设指标完成不足六成，经费使用与预算不符。")
    case = RecoveryCase.objects.get(project=project)
    recovery_decide(case=case, amount=grant.tranches.get(seq=1).amount * Decimal("0.3"),
                    reason="验收未通过，收回未按计划使用的补助资金。", by=bureau, on=on,
                    voucher_no=voucher_no)
    at = _moment(on, 10)
    Acceptance.objects.filter(project=project).update(rated_at=at)
    RecoveryCase.objects.filter(pk=case.pk).update(opened_at=at, decided_at=at + timedelta(hours=4))
    project.events.filter(action__in=["rated", "recovery_decided"]).update(at=at)
    Notice.objects.filter(kind__startswith="project.", url__endswith=f"/{project.pk}/").update(
        created_at=at, read_at=at + timedelta(days=1))


def expenditure_write(grant: Grant, spec: GrantSpec, *, user: User) -> None:
    """The school's yearly reports on its budget plan up to 2019, an even share of each item
    a year with its co-funding (R29, R30); a planned overspend puts a quarter more on
    equipment in the last year reported."""
    years = grant.construction_years or 1
    reported = [y for y in range(grant.year, grant.year + years) if y <= ACCEPTED_BY.year]
    cent = Decimal("0.01")
    for year in reported:
        lines = []
        for line in grant.application.budget:
            share = {part: (Decimal(line[part]) / years).quantize(cent)
                     for part in ("amount", "school", "partner")}
            if spec.overspends and year == reported[-1] and line["item"] == "equipment":
                share["amount"] += (Decimal(line["amount"]) / 4).quantize(cent)
            lines.append({"item": line["item"], "spent": share["amount"],
                          "school_cofunding": share["school"],
                          "partner_cofunding": share["partner"]})
        rows = expenditure_report(grant=grant, year=year, lines=lines, by=user)
        Expenditure.objects.filter(pk__in=[r.pk for r in rows]).update(
            reported_at=local(year, 12, 20))


def funding_write(plan: DemoPlan, *, program: Program, schools: dict[str, Institution],
                  regions: dict[str, Region], industries: dict[str, Industry]) -> int:
    """Write every planned grant that is not there yet with its whole story; return how many
    grants were added."""
    actors: Actors = actors_write(plan, colleagues_plan(plan), regions=regions, schools=schools)
    finance = User.objects.in_bulk(["finance", "finance_jiangyin"], field_name="username")
    officers = {"city": finance.get("finance"), "jiangyin": finance.get("finance_jiangyin")}
    written = []
    for spec in plan_grants(plan):
        if spec.extra is not None:
            application = extra_application_write(spec, program=program, actors=actors,
                                                  school=schools[spec.school],
                                                  industries=industries)
        else:
            application = Application.objects.filter(
                call_category__call__program=program, call_category__call__year=spec.year,
                call_category__category__code=spec.category,
                institution=schools[spec.school]).first()
        if application is None or application.state != S.ELIGIBLE:
            continue
        grant = grant_write(spec, application, bureau=actors.bureau)
        money_write(grant, spec, bureau=actors.bureau, finance=officers.get(spec.payer))
        if spec.reports:
            expenditure_write(grant, spec, user=actors.schools[spec.school])
        written.append(grant.pk)
    if written:
        audit_log(action="demo.history", actor=actors.bureau, obj=program,
                  after={"grants": written, "note": "approvals and payments written with "
                         "the dates of their years"})
    return len(written)

