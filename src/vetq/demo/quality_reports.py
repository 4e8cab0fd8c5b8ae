"""The demo's annual quality reports (R34): the city's 2019 report and a few schools',
generated with the same function the background task runs, and published on the portal,
with narrative sections written by the bureau and by the schools' own accounts.

Every school's PDF takes seconds, so the demo generates the city's report and SCHOOL_REPORTS
schools' (those of the demo's school accounts, then one per region with the most projects);
the bureau's "Generate every school's report" button does the rest in the background. What the
services stamp with today's date is set back: generated in mid-January of the next year,
published a few days later (the audit log keeps the day it was written: it is append-only).
A report already published is left alone, so a second run adds nothing."""

from datetime import date, datetime

from django.db.models import Count
from django.utils import timezone

from vetq.accounts.models import User
from vetq.accounts.roles import Role
from vetq.institutions.models import Institution
from vetq.programs.models import Program
from vetq.reports.generation import report_generate
from vetq.reports.models import QualityReport, ReportState
from vetq.reports.narratives import END, default_order, narrative_save
from vetq.reports.services import report_open, report_publish

from .accounts import ACCOUNTS

YEAR = 2019
SCHOOL_REPORTS = 4

CITY_NARRATIVES = (
    ("lessons", "经验与典型案例", (
        "2019年，全市以职业教育质量提升工程为抓手，按照“项目引领、绩效导向”的思路推进品牌专业、"
        "名师工作室和产教融合实训基地建设，专家评审、抽取和公示全过程留痕，立项结果在门户网站公开。",
        "各市（县）区按照“谁举办、谁负责”的原则落实配套经费，江阴市、宜兴市对本地学校的立项项目"
        "自行承担补助资金，市级委托项目由市级财政统一拨付。",
    )),
    ("problems", "主要问题和改进措施", (
        "一是部分项目建设进度滞后于任务书，年度进展报告提交不及时；二是个别项目验收不合格，"
        "已按规定收回部分补助资金；三是专业设置与地方产业结构的吻合度仍需提高。",
        "下一步，市教育局将加强过程管理，把年度绩效评价结果与下一年度经费安排挂钩，"
        "并完善毕业生就业质量跟踪调查制度。",
    )),
)
SCHOOL_NARRATIVES = (
    ("training_outcomes", "人才培养质量", (
        "学校坚持立德树人，深化产教融合、校企合作，2019届毕业生就业情况良好，"
        "学生在省市级技能大赛中屡获佳绩。",
    )),
    ("problems", "主要问题和改进措施", (
        "学校“双师型”教师比例仍有提升空间，部分实训设备需要更新。学校将加大教师企业实践力度，"
        "争取行业企业共建实训基地。",
    )),
)


def _local(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def _schools() -> list[Institution]:
    """The schools of the demo's school accounts first (so they see their report published),
    then one more per region in region order, the one with the most projects (ties by code),
    SCHOOL_REPORTS in all."""
    names = [a.username for a in ACCOUNTS if a.role == Role.SCHOOL_USER]
    chosen = list(Institution.objects.filter(
        memberships__role=Role.SCHOOL_USER, memberships__user__username__in=names)
        .select_related("region").distinct().order_by("region__order", "code"))
    regions = {school.region_id for school in chosen}
    candidates = (Institution.objects.filter(active=True).exclude(pk__in=[s.pk for s in chosen])
                  .select_related("region").annotate(n=Count("projects"))
                  .order_by("region__order", "-n", "code"))
    for school in candidates:
        if len(chosen) >= SCHOOL_REPORTS:
            break
        if school.region_id not in regions:
            chosen.append(school)
            regions.add(school.region_id)
    return chosen[:SCHOOL_REPORTS]


def _school_author(school: Institution) -> User | None:
    return User.objects.filter(memberships__role=Role.SCHOOL_USER,
                               memberships__institution=school).order_by("pk").first()


def _narratives(report: QualityReport, texts, by: User) -> int:
    written = 0
    for code, title, paragraphs in texts:
        if report.narratives.filter(title=title).exists():
            continue
        order = END if code in {"lessons", "problems"} else default_order(code, report.scope)
        narrative_save(report=report, by=by, code=code, title=title, text="\n".join(paragraphs),
                       order=order)
        written += 1
    return written


def _generate_and_publish(report: QualityReport, *, bureau: User, by: User,
                          today: date) -> None:
    generated_on = min(date(YEAR + 1, 1, 15), today)
    published_on = min(date(YEAR + 1, 1, 20), today)
    report_generate(report.pk, today=generated_on)
    QualityReport.objects.filter(pk=report.pk).update(
        generated_by=by, requested_at=_local(generated_on, 9), generated_at=_local(generated_on, 9))
    report_publish(report=QualityReport.objects.get(pk=report.pk), by=bureau)
    QualityReport.objects.filter(pk=report.pk).update(published_at=_local(published_on, 10))


def quality_reports_write(*, program: Program, bureau: User, today: date) -> dict:
    """Write, generate and publish the 2019 city report and SCHOOL_REPORTS school reports with
    their narrative sections; return how many reports were published and sections written."""
    del program  # the reports find the program of their year themselves
    published = narratives = 0
    city = report_open(year=YEAR, institution=None, by=bureau)
    reports = [(city, bureau, CITY_NARRATIVES)]
    for school in _schools():
        author = _school_author(school)
        report = QualityReport.objects.get_or_create(year=YEAR, institution=school)[0]
        reports.append((report, author, SCHOOL_NARRATIVES if author else ()))
    for report, author, texts in reports:
        if report.state == ReportState.PUBLISHED:
            continue
        if texts:
            narratives += _narratives(report, texts, author)
        _generate_and_publish(report, bureau=bureau, by=author or bureau, today=today)
        published += 1
    return {"reports": published, "narratives": narratives}
