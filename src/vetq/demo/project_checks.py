"""The demo's check rounds (中期检查 mid-term checks and 验收 acceptances), each through the real
services: opened, self-assessed by the schools with an evidence file, its expert panel set up,
its draw announced and performed on a (made-up) public value, scored by the drawn experts
with the review's own services, closed, its scores collected and the results recorded with
their consequences on the money.

- The 2016 training bases' mid-term check (autumn 2017): two pass, the third must rectify,
  files its rectification report and passes the re-check; the round is closed.
- The 2016 teaching studios' acceptance (spring 2018, before their last tranches fell due):
  each is rated as funding.py paid it (excellent where the bonus was released, pass where it
  was withheld) through `acceptance_record`; the round is closed. The demo's failed 2016
  acceptance is funding.py's own.
- The 2018 teaching studios' mid-term check going on now (dates counted back from `today`):
  two pass, the third must rectify and its report is still due, so the round stays open.

What the services stamp with the present moment is set back to the day it happened, except
audit entries, which are append-only. Each expert scores every criterion of a project the
same, around a fixed level (its result's band) with a small per-expert offset, so the scores
are the same on every run; a result that would fall outside its band stops the demo. A round
already there (by its name) is left alone, so a second run adds nothing.
"""

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from vetq.accounts.models import User
from vetq.accounts.roles import Role
from vetq.audit.services import audit_log
from vetq.core.models import StoredFile
from vetq.funding.models import TrancheCondition
from vetq.notices.models import Notice
from vetq.programs.models import CallCategory, Program
from vetq.projects.check_results import check_result_record, recheck_record, rectification_submit
from vetq.projects.checks import (
    check_panel_create,
    check_round_close,
    check_round_create,
    check_scores_collect,
    result_for_score,
    self_assessment_submit,
)
from vetq.projects.models import (
    Acceptance,
    CheckEntry,
    CheckFile,
    CheckKind,
    CheckResult,
    CheckRound,
    Project,
    ProjectEvent,
    ProjectState,
)
from vetq.reviews.models import Assignment, Draw, Expert, Panel, Review, ReviewEvent
from vetq.reviews.panels import draw_announce, draw_perform, notify_expert
from vetq.reviews.reviewing import panel_close, review_submit

from .application_content import demo_pdf
from .application_plan import local
from .review_accounts import Reviewers
from .review_plan import lottery_on_or_after, lottery_source, lottery_value

PASS, RECTIFY, EXCELLENT = CheckResult.PASS.value, CheckResult.RECTIFY.value, \
    CheckResult.EXCELLENT.value
# The level (per criterion, out of 10) the experts score a project at, by its intended result.
LEVELS = {EXCELLENT: Decimal("9.4"), PASS: Decimal("8.2"), RECTIFY: Decimal("6.5")}
OFFSETS = (Decimal("-0.3"), Decimal("-0.1"), Decimal("0.1"), Decimal("0.3"))
SELF_SCORES = {EXCELLENT: "95", PASS: "86", RECTIFY: "78"}
PROGRESS = {
    PASS: "项目按建设方案推进，年度里程碑均已完成，经费使用规范，建设进度符合计划。",
    RECTIFY: "部分实训设备采购滞后，校企合作项目尚未全部落地，建设进度落后于计划。",
    EXCELLENT: "建设目标全面完成并有超越，成果在全市推广应用，示范辐射作用突出。",
}
OVERALL = {
    PASS: "建设进度符合计划，建议通过。",
    RECTIFY: "建设进度滞后，建议限期整改。",
    EXCELLENT: "建设成效显著，建议评为优秀。",
}
RESULT_COMMENTS = {
    (CheckKind.MIDTERM, PASS): "中期检查通过，建设进度符合计划。",
    (CheckKind.MIDTERM, RECTIFY): "实训设备采购滞后，校企合作项目落实不足，请在整改期限内完成整改"
                                  "并提交整改报告。",
    (CheckKind.ACCEPTANCE, EXCELLENT): "建设成效显著，示范辐射作用突出，验收评定为优秀。",
    (CheckKind.ACCEPTANCE, PASS): "完成立项建设任务，验收评定为合格。",
}
RECTIFICATION = ("已按专家意见完成整改：补齐实训设备采购并完成安装调试，与两家合作企业签订订单培养协议，"
                 "修订年度建设计划，建立项目月报制度。")
RECHECK = "整改措施落实到位，复查通过。"


@dataclass(frozen=True)
class RoundSpec:
    kind: str
    year: int  # the cohort's call
    category: str
    opened: date
    label: str  # 中期检查 or 验收

    def name(self, cohort: CallCategory) -> str:
        return f"{self.year}年度{cohort.category.name}{self.label}"


@dataclass(frozen=True)
class Timeline:
    """When each step of a round happened, counted from the day it opened."""

    opened: date

    def at(self, days: int, hour: int = 10) -> datetime:
        day = self.opened + timedelta(days=days)
        return local(day.year, day.month, day.day, hour)

    @property
    def due(self) -> date:
        return self.opened + timedelta(days=30)

    def filed(self, index: int) -> date:
        return self.opened + timedelta(days=12 + 3 * index)

    @property
    def announced(self) -> datetime:
        return self.at(33)

    @property
    def lottery(self) -> datetime:
        return lottery_on_or_after(self.opened + timedelta(days=35))

    @property
    def performed(self) -> datetime:
        day = self.lottery.date() + timedelta(days=1)
        return local(day.year, day.month, day.day, 9)

    def reviewed(self, index: int) -> datetime:
        return self.performed + timedelta(days=2 + index % 6, hours=2)

    @property
    def closed(self) -> datetime:
        return self.performed + timedelta(days=10)

    @property
    def decided(self) -> date:
        return (self.closed + timedelta(days=3)).date()


HISTORY = (
    RoundSpec(CheckKind.MIDTERM, 2016, "training_base", date(2017, 10, 9), "中期检查"),
    RoundSpec(CheckKind.ACCEPTANCE, 2016, "master_teacher_studio", date(2018, 3, 5), "验收"),
)
LIVE = RoundSpec(CheckKind.MIDTERM, 2018, "master_teacher_studio", date(2000, 1, 1), "中期检查")
LIVE_DAYS_AGO = 60  # the live round opened this many days before `today`


def _offset(title: str, code: str) -> Decimal:
    digest = hashlib.sha256(f"demo-check|{title}|{code}".encode()).digest()
    return OFFSETS[digest[0] % len(OFFSETS)]


def _school_user(project: Project) -> User | None:
    return (User.objects.filter(is_active=True, memberships__role=Role.SCHOOL_USER,
                                memberships__institution_id=project.institution_id)
            .order_by("username").first())


def _intended(spec: RoundSpec, projects: list[Project]) -> dict[int, str]:
    """Each project's result: at acceptance as funding.py paid its bonus; at a mid-term
    check, pass but the last project, which must rectify."""
    if spec.kind == CheckKind.ACCEPTANCE:
        return {p.pk: EXCELLENT if p.grant.tranches.filter(
            condition=TrancheCondition.EXCELLENT, condition_met_at__isnull=False).exists()
            else PASS for p in projects}
    return {p.pk: RECTIFY if i == len(projects) - 1 else PASS for i, p in enumerate(projects)}


def _since(model, first: int):
    return model.objects.filter(pk__gt=first)


def _last(model) -> int:
    return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _notices_at(first: int, at: datetime, *, read: bool) -> None:
    _since(Notice, first).update(created_at=at, read_at=at + timedelta(days=1) if read else None)


def _self_assessments(check_round: CheckRound, spec: RoundSpec, line: Timeline,
                      intended: dict[int, str], *, read: bool) -> None:
    entries = list(check_round.entries.select_related("project").order_by("project_id"))
    for index, entry in enumerate(entries):
        project = entry.project
        school = _school_user(project)
        if school is None:
            continue
        notices, day = _last(Notice), line.filed(index)
        outcome = intended[project.pk]
        summary = (f"{project.title}建设期满。{PROGRESS[outcome]}项目建设期内共完成年度里程碑"
                   f"{len(project.milestones) or 3}项，详见各年度进展报告及佐证材料。"
                   if spec.kind == CheckKind.ACCEPTANCE else "")
        upload = SimpleUploadedFile(
            f"{spec.label}自评佐证材料.pdf",
            demo_pdf(f"Self-assessment evidence: demo project {project.pk}"),
            content_type="application/pdf")
        self_assessment_submit(
            entry=entry, by=school, today=day, self_score=SELF_SCORES[outcome], summary=summary,
            text=f"对照建设方案和年度里程碑，{PROGRESS[outcome]}学校已落实配套资金，"
                 "项目管理制度健全。", files=[upload])
        at = local(day.year, day.month, day.day, 16)
        CheckEntry.objects.filter(pk=entry.pk).update(submitted_at=at)
        StoredFile.objects.filter(pk__in=CheckFile.objects.filter(entry=entry)
                                  .values("file_id")).update(uploaded_at=at)
        ProjectEvent.objects.filter(project=project, action="self_assessment_filed",
                                    after__round=check_round.pk).update(at=at)
        _notices_at(notices, at, read=read)


def _panel_drawn(check_round: CheckRound, line: Timeline, *, bureau: User,
                 reviewers: Reviewers, read: bool) -> Panel:
    """The round's panel set up, its notice published (then set back before its public
    value) and its draw performed, the drawn experts given accounts."""
    notices = _last(Notice)
    panel = check_panel_create(check_round=check_round, by=bureau)
    record = draw_announce(panel=panel, by=bureau, public_value_source=lottery_source(line.lottery),
                           public_value_expected=timezone.now() + timedelta(minutes=5))
    Draw.objects.filter(pk=record.pk).update(announced_at=line.announced,
                                             public_value_expected=line.lottery)
    draw_perform(panel=panel, by=bureau, public_value=lottery_value(line.lottery))
    Draw.objects.filter(pk=record.pk).update(performed_at=line.performed)
    Panel.objects.filter(pk=panel.pk).update(created_at=line.announced - timedelta(hours=1))
    Assignment.objects.filter(panel=panel).update(created_at=line.performed)
    counts = Counter(panel.assignments.filter(active=True).values_list("expert_id", flat=True))
    for expert in reviewers.give(Expert.objects.filter(pk__in=counts).order_by("code"),
                                 bureau=bureau):
        notify_expert(expert, panel, counts[expert.pk])  # the draw told those with an account
    _notices_at(notices, line.performed, read=read)
    return panel


def _scores(rubric: dict, level: Decimal, title: str, code: str) -> tuple[dict, dict]:
    each = level + _offset(title, code)
    value = float(each) if each != each.to_integral_value() else int(each)
    scores = {c["code"]: value for c in rubric.get("criteria", [])}
    return scores, {c["code"]: f"专家{code}：" for c in rubric.get("criteria", [])
                    if c.get("comment_required")}


def _reviews(panel: Panel, line: Timeline, intended: dict[int, str]) -> int:
    outcome_of = {p.application_id: intended[p.pk]
                  for p in Project.objects.filter(pk__in=intended)}
    assignments = list(panel.assignments.filter(active=True)
                       .select_related("application", "expert__user", "panel")
                       .order_by("application_id", "expert__code"))
    for index, assignment in enumerate(assignments):
        outcome = outcome_of[assignment.application_id]
        scores, comments = _scores(panel.rubric, LEVELS[outcome], assignment.application.title,
                                   assignment.expert.code)
        comments = {code: text + PROGRESS[outcome] for code, text in comments.items()}
        review = review_submit(assignment=assignment, by=assignment.expert.user, scores=scores,
                               comments=comments, comment=OVERALL[outcome])
        at = line.reviewed(index)
        Review.objects.filter(pk=review.pk).update(submitted_at=at, updated_at=at)
        ReviewEvent.objects.filter(review=review).update(at=at)
    return len(assignments)


def _results(check_round: CheckRound, spec: RoundSpec, line: Timeline,
             intended: dict[int, str], *, bureau: User, read: bool) -> None:
    notices = _last(Notice)
    check_scores_collect(check_round=check_round, by=bureau)
    collected = local(line.decided.year, line.decided.month, line.decided.day, 9) \
        - timedelta(days=2)
    ProjectEvent.objects.filter(action="check_scored", after__round=check_round.pk) \
        .update(at=collected)
    decided = local(line.decided.year, line.decided.month, line.decided.day, 15)
    for entry in check_round.entries.select_related("project").order_by("project_id"):
        wanted = intended[entry.project_id]
        got = result_for_score(spec.kind, entry.score, check_round.rules)
        if got != wanted:
            raise RuntimeError(f"the demo's {check_round.name}: {entry.project.title} scored "
                               f"{entry.score}, which gives {got}, not {wanted}")
        check_result_record(entry=entry, result=wanted, by=bureau, today=line.decided,
                            comment=RESULT_COMMENTS[(spec.kind, wanted)])
        CheckEntry.objects.filter(pk=entry.pk).update(decided_at=decided)
        ProjectEvent.objects.filter(project=entry.project, action__in=["check_result", "rated"],
                                    at__gt=decided).update(at=decided)
        Acceptance.objects.filter(project=entry.project).update(rated_at=decided)
    _notices_at(notices, decided, read=read)


def _rectified(check_round: CheckRound, line: Timeline, *, bureau: User) -> None:
    """The project that had to rectify files its report and passes the re-check."""
    for entry in check_round.entries.filter(result=RECTIFY).select_related("project"):
        school = _school_user(entry.project)
        if school is None:
            continue
        notices = _last(Notice)
        filed = line.decided + timedelta(days=40)
        upload = SimpleUploadedFile("整改报告佐证材料.pdf",
                                    demo_pdf(f"Rectification evidence: demo project "
                                             f"{entry.project_id}"),
                                    content_type="application/pdf")
        rectification_submit(entry=entry, report=RECTIFICATION, files=[upload], by=school,
                             today=filed)
        recheck_record(entry=entry, result=PASS, comment=RECHECK, by=bureau,
                       today=filed + timedelta(days=10))
        at = local(filed.year, filed.month, filed.day, 16)
        checked = local(filed.year, filed.month, filed.day, 10) + timedelta(days=10)
        CheckEntry.objects.filter(pk=entry.pk).update(rectified_at=at, rechecked_at=checked)
        StoredFile.objects.filter(pk__in=CheckFile.objects.filter(
            entry=entry, purpose="rectification").values("file_id")).update(uploaded_at=at)
        ProjectEvent.objects.filter(project=entry.project, action="rectification_filed",
                                    after__round=check_round.pk).update(at=at)
        ProjectEvent.objects.filter(project=entry.project, action="recheck",
                                    after__round=check_round.pk).update(at=checked)
        _notices_at(notices, checked, read=True)


def round_write(spec: RoundSpec, line: Timeline, *, program: Program, bureau: User,
                reviewers: Reviewers, live: bool) -> CheckRound | None:
    """One round of `spec` on `line`'s dates (module doc); None when its cohort has no
    project under construction or the round is there already."""
    cohort = (CallCategory.objects.select_related("call", "category")
              .filter(call__program=program, call__year=spec.year,
                      category__code=spec.category).first())
    if cohort is None or CheckRound.objects.filter(name=spec.name(cohort)).exists():
        return None
    projects = list(Project.objects.filter(application__call_category=cohort,
                                           state=ProjectState.ACTIVE)
                    .select_related("grant").order_by("pk"))
    if not projects:
        return None
    intended = _intended(spec, projects)
    notices = _last(Notice)
    check_round = check_round_create(kind=spec.kind, call_category=cohort, by=bureau,
                                     projects=projects, self_assessment_due=line.due,
                                     name=spec.name(cohort), today=line.opened)
    opened = line.at(0, 9)
    CheckRound.objects.filter(pk=check_round.pk).update(created_at=opened)
    ProjectEvent.objects.filter(action="check_opened", after__round=check_round.pk) \
        .update(at=opened)
    _notices_at(notices, opened, read=True)
    _self_assessments(check_round, spec, line, intended, read=True)
    panel = _panel_drawn(check_round, line, bureau=bureau, reviewers=reviewers, read=True)
    reviews = _reviews(panel, line, intended)
    panel_close(panel=panel, by=bureau)
    Panel.objects.filter(pk=panel.pk).update(
        closed_at=line.closed, review_deadline=line.performed + timedelta(days=14))
    check_round.refresh_from_db()
    _results(check_round, spec, line, intended, bureau=bureau, read=not live)
    if not live:
        _rectified(check_round, line, bureau=bureau)
        check_round_close(check_round=check_round, by=bureau)
        closed_at = max([line.at(0)] + [e.rechecked_at or e.decided_at for e in
                                        CheckEntry.objects.filter(round=check_round)])
        CheckRound.objects.filter(pk=check_round.pk).update(closed_at=closed_at
                                                            + timedelta(hours=2))
    audit_log(action="demo.history", actor=bureau, obj=check_round, after={
        "opened": line.opened.isoformat(), "panel": panel.pk, "reviews": reviews,
        "note": "check round written through the services with the dates of its steps"})
    return check_round


def checks_write(*, program: Program, bureau: User, today: date) -> dict:
    """Write the demo's check rounds that are not there yet (module doc): two past rounds and
    one going on, opened LIVE_DAYS_AGO days before `today`. Returns what was added."""
    reviewers = Reviewers()
    written = []
    for spec in HISTORY:
        written.append(round_write(spec, Timeline(spec.opened), program=program, bureau=bureau,
                                   reviewers=reviewers, live=False))
    live = Timeline(today - timedelta(days=LIVE_DAYS_AGO))
    written.append(round_write(LIVE, live, program=program, bureau=bureau, reviewers=reviewers,
                               live=True))
    reviewers.audit(bureau=bureau)
    rounds = [r for r in written if r is not None]
    entries = CheckEntry.objects.filter(round__in=rounds)
    return {
        "rounds": len(rounds),
        "projects": entries.count(),
        "results": dict(Counter(entries.exclude(result="").values_list("result", flat=True))),
        "rechecked": entries.exclude(recheck_result="").count(),
        "rectifying": entries.filter(result=RECTIFY, recheck_result="").count(),
        "reviewers": reviewers.created,
    }
