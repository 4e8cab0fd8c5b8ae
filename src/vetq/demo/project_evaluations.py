"""The demo's changes to projects (项目变更) and performance evaluations (绩效评价, R29).

Changes, on projects under construction: an approved change of the lead person (the history
keeps both names), a rejected budget change, and a goals change still waiting for the bureau.
Evaluations, of projects whose construction is over: school self-evaluations and the
bureau's evaluations of closed projects graded 优, 良 and 中, the bureau's 差 for a project
that failed its acceptance (or a closed one if none failed), a finance bureau evaluation by
the payer's officer, and 2019 evaluations of schools' years.

Projects are picked by their state when this runs (after the acceptance step, which closes
some), in order of approval, so the same demo gives the same picks. Everything goes through
the real services (`projects.changes`, `projects.evaluations`); what they stamp with today's
date is set back to the day it happened, except audit entries, which are append-only. If
the program already has change requests (or evaluations), that part is left alone, so a
second run adds nothing.
"""

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Max

from vetq.accounts import scoping
from vetq.accounts.models import User
from vetq.accounts.roles import Role
from vetq.audit.services import audit_log
from vetq.institutions.models import Institution
from vetq.notices.models import Notice
from vetq.programs.models import Program
from vetq.projects.changes import budget_items, change_decide, change_request
from vetq.projects.evaluation_access import may_evaluate_school
from vetq.projects.evaluations import evaluation_create, evaluation_score_set, evaluation_submit
from vetq.projects.grading import grade_for, indicators_of
from vetq.projects.models import (
    ChangeRequest,
    PerformanceEvaluation,
    Project,
    ProjectEvent,
    ProjectState,
)

from .application_plan import local

HALF = Decimal("0.5")
NEW_LEADS = ("陈志强", "刘晓梅", "周建华")
EVIDENCE = {
    "budget": "年度预算执行率{rate}%，资金专款专用，支出凭证、采购合同齐全，经学校财务处审核。",
    "outputs": "对照建设方案逐项核查，{rate}%的建设任务按期完成，成果材料已归档。",
    "outcomes": "学生技能竞赛获奖、毕业生就业及服务企业情况见佐证材料，成效{word}。",
    "satisfaction": "面向学生、教师和合作企业发放问卷，满意率{rate}%。",
}
CONCLUSIONS = {
    "excellent": "项目全面完成建设任务，经费使用规范，示范引领作用明显，绩效评价为优。",
    "good": "项目较好完成建设任务，经费使用规范，部分成效有待进一步显现，绩效评价为良。",
    "fair": "项目基本完成建设任务，但部分指标完成不足，经费执行偏慢，绩效评价为中，请限期改进。",
    "poor": "项目主要建设指标未完成，经费使用与预算不符，绩效评价为差，将按规定调整后续支持。",
}
# Who evaluates the closed projects (in order of approval) and the total each gives.
PROJECT_PLAN = (
    (("school", Decimal("93.5")), ("bureau", Decimal("88"))),
    (("school", Decimal("86")), ("bureau", Decimal("74.5"))),
    (("bureau", Decimal("91")), ("finance", Decimal("84.5"))),
    (("school", Decimal("81")), ("bureau", Decimal("67"))),
)
POOR_TOTAL = Decimal("52.5")
# 2019 school-year evaluations: (who, total) for the schools with the first closed projects.
SCHOOL_YEAR_PLAN = (("school", Decimal("90.5")), ("school", Decimal("82")),
                    ("bureau", Decimal("76")))
SCHOOL_YEAR = 2019


def _moment(day: date, hour: int) -> datetime:
    return local(day.year, day.month, day.day, hour)


def _school_user(institution_id: int) -> User | None:
    return (User.objects.filter(is_active=True, memberships__role=Role.SCHOOL_USER,
                                memberships__institution_id=institution_id)
            .order_by("username").first())


def _finance_user(project: Project) -> User | None:
    for user in (User.objects.filter(is_active=True, memberships__role=Role.FINANCE_OFFICER)
                 .distinct().order_by("username")):
        if scoping.pays_for(user, project.grant):
            return user
    return None


class _Backdate:
    """Sets what the service calls after it stamped with today's date back to a moment: new
    project history events and notices."""

    def __init__(self):
        self.event = ProjectEvent.objects.aggregate(m=Max("pk"))["m"] or 0
        self.notice = Notice.objects.aggregate(m=Max("pk"))["m"] or 0

    def to(self, moment: datetime) -> None:
        ProjectEvent.objects.filter(pk__gt=self.event).update(at=moment)
        Notice.objects.filter(pk__gt=self.notice).update(created_at=moment,
                                                         read_at=moment + timedelta(days=1))


# --- changes --------------------------------------------------------------------------------


def _budget_moved(project: Project) -> list[dict] | None:
    """A fifth of the grant on the largest item moved to the first item with none: the
    totals stay (a budget change redistributes)."""
    lines = [dict(line) for line in project.budget or []]
    if not lines:
        return None
    largest = max(lines, key=lambda line: Decimal(line.get("amount") or 0))
    moved = (Decimal(largest.get("amount") or 0) / 5).quantize(Decimal(100), ROUND_HALF_UP)
    used = {line.get("item") for line in lines if Decimal(line.get("amount") or 0)}
    target = next((item["code"] for item in budget_items(project) if item["code"] not in used),
                  None)
    if not moved or target is None:
        return None
    largest["amount"] = str(Decimal(largest["amount"]) - moved)
    existing = next((line for line in lines if line.get("item") == target), None)
    if existing is None:
        lines.append({"item": target, "amount": str(moved), "school": "0", "partner": "0"})
    else:
        existing["amount"] = str(Decimal(existing.get("amount") or 0) + moved)
    return lines


def _change(project: Project, kind: str, after: dict, reason: str, *, school: User,
            bureau: User, asked: date, decided: date | None = None, approve: bool = True,
            comment: str = "") -> ChangeRequest:
    step = _Backdate()
    change = change_request(project=project, kind=kind, after=after, reason=reason, by=school)
    step.to(_moment(asked, 15))
    ChangeRequest.objects.filter(pk=change.pk).update(requested_at=_moment(asked, 15))
    if decided is not None:
        step = _Backdate()
        change_decide(change=change, approve=approve, comment=comment, by=bureau)
        step.to(_moment(decided, 10))
        ChangeRequest.objects.filter(pk=change.pk).update(decided_at=_moment(decided, 10))
    return change


def changes_write(*, program: Program, bureau: User, today: date) -> int:
    """The three change requests (see the module's docstring) on the first projects under
    construction that can take them; return how many were written."""
    if ChangeRequest.objects.filter(project__category__program=program).exists():
        return 0
    active = [p for p in Project.objects.filter(category__program=program,
                                                state=ProjectState.ACTIVE)
              .select_related("application", "grant").order_by("starts_on", "pk")
              if _school_user(p.institution_id) is not None and p.starts_on < today]
    written = 0
    lead = next((p for p in active if p.lead_name), None)
    if lead is not None:
        name = next(n for n in NEW_LEADS if n != lead.lead_name)
        _change(lead, "lead", {"lead_name": name},
                f"原项目负责人{lead.lead_name}调任学校行政岗位，由项目团队骨干{name}接任，"
                "其具有高级职称和十年以上专业教学经历。",
                school=_school_user(lead.institution_id), bureau=bureau,
                asked=today - timedelta(days=120), decided=today - timedelta(days=113),
                comment="同意变更，新负责人具备相应资历。")
        written += 1
    budget = next((p for p in active if p != lead and _budget_moved(p)), None)
    if budget is not None:
        _change(budget, "budget", {"budget": _budget_moved(budget)},
                "受设备市场价格下降影响，拟将部分设备购置费调整用于其他建设内容。",
                school=_school_user(budget.institution_id), bureau=bureau,
                asked=today - timedelta(days=90), decided=today - timedelta(days=84),
                approve=False, comment="设备购置为建设核心内容，不同意压缩设备经费；"
                "结余资金请按规定执行。")
        written += 1
    goals = next((p for p in active if p not in (lead, budget)), None)
    if goals is not None:
        _change(goals, "goals",
                {"goals": (goals.goals + "\n" if goals.goals else "")
                 + "新增：与合作企业共建产业学院，联合开发课程资源不少于5门。"},
                "根据合作企业新增的人才培养需求，拟在原建设目标基础上增加产业学院共建内容。",
                school=_school_user(goals.institution_id), bureau=bureau,
                asked=today - timedelta(days=12))
        written += 1
    return written


# --- evaluations ----------------------------------------------------------------------------


def scores_for(indicator_set: dict, total: Decimal) -> dict[str, tuple[str, str]]:
    """Per-indicator (score, evidence) adding up to `total`: what is taken off the full
    marks spread over the indicators by their points, in halves of a point, and what the
    rounding left settled on the first indicators with room for it."""
    indicators = indicators_of(indicator_set)
    loss = Decimal(100) - total
    taken = {i.code: min(i.points, (loss * i.points / 100 / HALF)
                         .quantize(Decimal(1), ROUND_HALF_UP) * HALF) for i in indicators}
    rest = loss - sum(taken.values())
    for i in indicators:
        step = max(-taken[i.code], min(rest, i.points - taken[i.code]))
        taken[i.code] += step
        rest -= step
    word = "显著" if total >= 90 else "较好" if total >= 75 else "一般"
    rate = total.quantize(Decimal("0.1"))
    return {i.code: (str(i.points - taken[i.code]),
                     f"{i.name}：" + EVIDENCE[i.first].format(rate=rate, word=word)
                     if i.first in EVIDENCE else i.name)
            for i in indicators}


def _evaluate(*, by: User, total: Decimal, day: date, today: date, project=None,
              institution=None, year: int) -> PerformanceEvaluation:
    step = _Backdate()
    evaluation = evaluation_create(by=by, project=project, institution=institution, year=year,
                                   today=today)
    evaluation_score_set(evaluation=evaluation, by=by,
                         scores=scores_for(evaluation.indicator_set, total))
    grade = grade_for(total, evaluation.indicator_set["grading"])
    evaluation = evaluation_submit(evaluation=evaluation, by=by, conclusion=CONCLUSIONS[grade])
    moment = _moment(day, 11)
    step.to(moment)
    PerformanceEvaluation.objects.filter(pk=evaluation.pk).update(created_at=moment - timedelta(days=7),
                                                       submitted_at=moment)
    return evaluation


def _closing_day(project: Project, today: date) -> date:
    acceptance = getattr(project, "acceptance", None)
    if acceptance is not None:
        return min(acceptance.rated_at.date(), today)
    return min(project.due_on, today)


def evaluations_write(*, program: Program, bureau: User, today: date) -> dict:
    """Write the demo's change requests and performance evaluations (see the module's
    docstring); return how many of each were written."""
    changes = changes_write(program=program, bureau=bureau, today=today)
    written: list[int] = []
    if not PerformanceEvaluation.objects.filter(institution__projects__category__program=program) \
            .exists():
        written = _evaluations(program=program, bureau=bureau, today=today)
    if changes or written:
        audit_log(action="demo.history", actor=bureau, obj=program,
                  after={"evaluations": written, "changes": changes,
                         "note": "changes and performance evaluations written with the "
                                 "dates they happened"})
    return {"changes": changes, "evaluations": len(written)}


def _evaluations(*, program: Program, bureau: User, today: date) -> list[int]:
    projects = (Project.objects.filter(category__program=program)
                .select_related("grant", "institution", "category__program")
                .order_by("starts_on", "pk"))
    closed = [p for p in projects.filter(state=ProjectState.CLOSED)
              if _school_user(p.institution_id) is not None]
    written = []
    for project, plan in zip(closed, PROJECT_PLAN, strict=False):
        closing = _closing_day(project, today)
        year = min(today.year, max(project.starts_on.year, closing.year))
        for offset, (who, total) in enumerate(plan):
            by = {"school": _school_user(project.institution_id), "bureau": bureau,
                  "finance": _finance_user(project)}[who]
            if by is None:
                continue
            day = min(closing + timedelta(days=30 + 20 * offset), today)
            written.append(_evaluate(by=by, total=total, day=day, today=today,
                                     project=project, year=year).pk)
    failed = projects.filter(state=ProjectState.FAILED).first()
    poor = failed or (closed[len(PROJECT_PLAN)] if len(closed) > len(PROJECT_PLAN) else None)
    if poor is not None:
        closing = _closing_day(poor, today)
        written.append(_evaluate(by=bureau, total=POOR_TOTAL, today=today,
                                 day=min(closing + timedelta(days=40), today), project=poor,
                                 year=min(today.year, max(poor.starts_on.year,
                                                          closing.year))).pk)
    if SCHOOL_YEAR in program.years and today.year >= SCHOOL_YEAR:
        schools = list(dict.fromkeys(p.institution_id for p in closed))
        day = min(date(SCHOOL_YEAR + 1, 3, 20), today)
        for institution_id, (who, total) in zip(schools, SCHOOL_YEAR_PLAN, strict=False):
            institution = Institution.objects.get(pk=institution_id)
            by = _school_user(institution_id) if who == "school" else bureau
            if by is None or not may_evaluate_school(by, institution, program):
                continue
            written.append(_evaluate(by=by, total=total, day=day, today=today,
                                     institution=institution, year=SCHOOL_YEAR).pk)
    return written
