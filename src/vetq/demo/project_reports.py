"""The demo's yearly progress reports (年度进展报告) of the projects approved from the 2016–2019
calls, each filed by its school with an evidence file and decided by the bureau on dates
around its due date.

Most reports are accepted (every fifth only after it was returned once and revised); of one
project in eight the last report waits for the bureau, of another it was returned and not
yet revised, and of a third it was never filed, so the lists show overdue reports; the
reminders due today are then sent. Everything goes through the real services
(`projects.reports`); what they stamp with today's date is set back to the day it happened,
except audit entries, which are append-only. Reports already filed are left alone, so a
second run adds nothing.
"""

from dataclasses import astuple, dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Max

from vetq.accounts.models import User
from vetq.accounts.roles import Role
from vetq.audit.services import audit_log
from vetq.core.models import StoredFile
from vetq.notices.models import Notice
from vetq.programs.models import Program
from vetq.projects.models import ProgressReport, Project, ProjectState, ReportEvent, ReportState
from vetq.projects.report_reminders import report_reminders_send
from vetq.projects.reports import (
    budget_items,
    report_accept,
    report_file_add,
    report_return,
    report_save,
    report_submit,
    report_url,
    reports_schedule,
    year_milestones,
)

from .application_content import demo_pdf
from .application_plan import local

CENT = Decimal("0.01")
# Of each eight projects (in order of approval), what happens to the last report due.
LAST_SUBMITTED, LAST_RETURNED, LAST_OVERDUE = 2, 4, 7
FIGURES = ("完成率100%", "完成率100%", "完成率95%", "超额完成，完成率110%")
NOTES = ("已通过学校阶段性检查", "相关材料已归档", "校企双方共同确认", "")
OPENINGS = (
    "本年度，项目组按照建设方案和年度计划稳步推进各项任务，学校每季度召开项目推进会，"
    "校企双方共同研究解决建设中遇到的问题。",
    "本年度，学校将项目建设列入年度重点工作，成立由分管校长牵头的项目工作组，"
    "细化任务分工，建立月报制度，确保建设进度。",
    "本年度，项目组对照立项任务书逐项推进，加强与合作企业的沟通，"
    "按计划完成了年度建设任务。",
)
RETURN_COMMENT = ("请补充设备采购合同、验收单等佐证材料，并按预算科目细化经费支出说明后"
                  "重新提交。")
EVIDENCE = "第{year}年度建设进展佐证材料.pdf"
REVISED_EVIDENCE = "第{year}年度设备采购合同及验收单.pdf"
REVISED = "（修改稿）已按市教育局意见补充设备采购合同、验收单，并细化了各预算科目的支出说明。"
ACCEPT_COMMENTS = ("年度建设任务完成较好，同意通过。", "建设进度符合计划，经费使用规范，同意通过。",
                   "")


@dataclass(frozen=True)
class Fate:
    """What happens to one report, and on which days."""

    filed: date
    returned: date | None  # returned on that day (and revised, unless `settled` is None)
    resubmitted: date | None
    settled: date | None  # accepted on that day; None: waits for the bureau or the school


def _moment(day: date, hour: int) -> datetime:
    return local(day.year, day.month, day.day, hour)


def _fate(index: int, report: ProgressReport, last: bool) -> Fate | None:
    """The deterministic story of the report of the `index`-th project; None: never filed."""
    turn = index % 8
    mix = index * 3 + report.year
    late = mix % 7 == 3
    filed = report.due_on + timedelta(days=9) if late else \
        report.period_end + timedelta(days=8 + mix % 15)
    if last and turn == LAST_OVERDUE:
        return None
    if last and turn == LAST_SUBMITTED:
        return Fate(filed, None, None, None)
    if last and turn == LAST_RETURNED:
        return Fate(filed, filed + timedelta(days=8), None, None)
    if mix % 5 == 1:
        returned = filed + timedelta(days=8)
        resubmitted = returned + timedelta(days=10)
        return Fate(filed, returned, resubmitted, resubmitted + timedelta(days=7))
    return Fate(filed, None, None, filed + timedelta(days=12))


def _school_user(project: Project) -> User | None:
    return (User.objects.filter(is_active=True, memberships__role=Role.SCHOOL_USER,
                                memberships__institution_id=project.institution_id)
            .order_by("username").first())


def _content(report: ProgressReport, mix: int, *, revised: bool = False) -> dict:
    """What the school writes: the year's work against its milestones, and an even share of
    the budget plan spent on each item."""
    project = report.project
    milestones = year_milestones(report)
    done = "；".join(m["text"] for m in milestones) or "年度建设任务"
    text = (f"{OPENINGS[mix % len(OPENINGS)]}\n围绕“{done}”，完成了{project.title}的"
            f"第{report.year}年度建设任务：完善了实训条件，组织教师参加企业实践和专项培训，"
            f"与合作企业共同开发课程资源，相关专业学生技能竞赛成绩和就业质量稳步提升。")
    if revised:
        text += "\n" + REVISED
    years = report.project.reports.count() + 1
    planned = {line["item"]: Decimal(line.get("amount") or 0) for line in project.budget}
    items = [{"item": item["code"], "amount": (planned.get(item["code"], Decimal(0)) / years)
              .quantize(CENT)} for item in budget_items(project)]
    return {
        "text": text,
        "indicators": [{"reached": True, "figure": FIGURES[(mix + n) % len(FIGURES)],
                        "note": NOTES[(mix + n) % len(NOTES)]} for n in range(len(milestones))],
        "spending": None,
        "spending_items": [line for line in items if line["amount"] > 0],
    }


class _Backdate:
    """Sets what one service call stamped with today's date back to `moment`: the report's
    new history events and notices, and the files it stored."""

    def __init__(self, report: ProgressReport):
        self.report = report
        self.event = ReportEvent.objects.aggregate(m=Max("pk"))["m"] or 0
        self.notice = Notice.objects.aggregate(m=Max("pk"))["m"] or 0
        self.file = StoredFile.objects.aggregate(m=Max("pk"))["m"] or 0

    def to(self, moment: datetime) -> None:
        ReportEvent.objects.filter(report=self.report, pk__gt=self.event).update(at=moment)
        Notice.objects.filter(pk__gt=self.notice, url=report_url(self.report)).update(
            created_at=moment, read_at=moment + timedelta(days=1))
        StoredFile.objects.filter(pk__gt=self.file).update(uploaded_at=moment)


def _submit(report: ProgressReport, school: User, day: date, content: dict, *,
            evidence: str) -> None:
    """Save, add the evidence file named `evidence` and submit, on `day`."""
    step = _Backdate(report)
    report_save(report=report, by=school, **content)
    if evidence:
        name = evidence.format(year=report.year)
        upload = SimpleUploadedFile(
            name, demo_pdf(f"Progress report {report.project_id}-{report.year}"),
            content_type="application/pdf")
        report_file_add(report=report, upload=upload, by=school)
    report_submit(report=report, by=school, today=day)
    step.to(_moment(day, 16))
    ProgressReport.objects.filter(pk=report.pk).update(submitted_at=_moment(day, 16))


def _decide(report: ProgressReport, bureau: User, day: date, *, comment: str = "",
            accept: bool) -> None:
    step = _Backdate(report)
    if accept:
        report_accept(report=report, comment=comment, by=bureau)
    else:
        report_return(report=report, comment=comment, by=bureau)
    step.to(_moment(day, 10))
    ProgressReport.objects.filter(pk=report.pk).update(decided_at=_moment(day, 10))


def report_write(report: ProgressReport, fate: Fate, *, school: User, bureau: User,
                 mix: int) -> None:
    """File and decide one report as `fate` tells."""
    _submit(report, school, fate.filed, _content(report, mix), evidence=EVIDENCE)
    if fate.returned is not None:
        _decide(report, bureau, fate.returned, comment=RETURN_COMMENT, accept=False)
        if fate.resubmitted is None:
            return
        _submit(report, school, fate.resubmitted, _content(report, mix, revised=True),
                evidence=REVISED_EVIDENCE)
    if fate.settled is not None:
        _decide(report, bureau, fate.settled, accept=True,
                comment=ACCEPT_COMMENTS[mix % len(ACCEPT_COMMENTS)])


def reports_write(*, program: Program, bureau: User, today: date) -> int:
    """File the yearly reports due before `today` of the program's projects under
    construction that are still not filed (see the module's docstring), then send the
    reminders due `today`; return how many reports were written."""
    # Every project of the program is counted, active or not, so a project's place (and so
    # its reports' fate) stays the same when later steps close some of them: a second run
    # then files nothing the first one left unfiled on purpose.
    projects = (Project.objects.filter(grant__program=program)
                .select_related("application", "grant__program", "institution")
                .order_by("starts_on", "pk"))
    written = []
    for index, project in enumerate(projects):
        if project.state != ProjectState.ACTIVE:
            continue
        reports_schedule(project)
        school = _school_user(project)
        if school is None:
            continue
        last_year = project.reports.filter(due_on__lt=today).aggregate(y=Max("year"))["y"]
        for report in project.reports.filter(state=ReportState.DUE, due_on__lt=today) \
                .select_related("project__application").order_by("year"):
            fate = _fate(index, report, report.year == last_year)
            if fate is None or max(d for d in astuple(fate) if d) > today:
                continue
            report_write(report, fate, school=school, bureau=bureau,
                         mix=index * 3 + report.year)
            written.append(report.pk)
    report_reminders_send(today)
    if written:
        audit_log(action="demo.history", actor=bureau, obj=program,
                  after={"progress_reports": written, "note": "progress reports filed and "
                         "decided with the dates of their years"})
    return len(written)
