"""The demo's progress reports on a small slice of past projects (the whole demo takes too
long for one test): most accepted, some accepted only after a return, one of eight projects'
last report waiting for the bureau, one returned and one never filed; all dated around their
due dates, and a second run adds nothing."""

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.projects.reports.conftest import BUDGET
from vetq.demo.project_reports import reports_write
from vetq.notices.models import Notice
from vetq.projects.models import ProgressReport, Project, ReportEvent, ReportFile

pytestmark = pytest.mark.integration

TODAY = date(2026, 3, 2)


def planned(project: Project) -> Project:
    """Milestones from the year construction starts, as the demo's applications plan them."""
    start = project.starts_on.year
    Project.objects.filter(pk=project.pk).update(budget=BUDGET, milestones=[
        {"year": start, "text": "完成建设方案论证"}, {"year": start, "text": "采购实训设备"},
        {"year": start + 1, "text": "建成实训中心"}])
    return project


@pytest.fixture
def slice_(project_at, bureau_user, program):
    projects = [planned(project_at("brand_major", on=date(2017 + n // 3, 9, 1 + n),
                                   title=f"示范项目{n}")) for n in range(8)]
    written = reports_write(program=program, bureau=bureau_user, today=TODAY)
    return projects, written


def test_most_reports_are_accepted_and_a_few_wait(slice_):
    projects, written = slice_
    states = Counter(ProgressReport.objects.values_list("state", flat=True))
    assert states == {"accepted": 13, "submitted": 1, "returned": 1, "due": 1}
    assert written == 15
    last = {p.title: p.reports.get(year=2).state for p in projects}
    assert (last["示范项目2"], last["示范项目4"], last["示范项目7"]) == (
        "submitted", "returned", "due")
    # Some were accepted only after the bureau returned them once.
    revised = ProgressReport.objects.filter(state="accepted", events__action="returned")
    assert revised.distinct().count() >= 2


def test_reports_are_written_in_chinese_against_the_plan(slice_):
    report = ProgressReport.objects.filter(state="accepted").order_by("pk").first()
    assert "完成建设方案论证" in report.text
    assert [i["milestone"] for i in report.indicators] == ["完成建设方案论证", "采购实训设备"]
    assert {line["item"] for line in report.spending_items} == {"equipment", "training"}
    assert report.spending == sum(Decimal(line["amount"]) for line in report.spending_items)
    files = [f.file.original_name for f in ReportFile.objects.filter(report=report)]
    assert files[0] == "第1年度建设进展佐证材料.pdf"
    if report.events.filter(action="returned").exists():
        assert files[1:] == ["第1年度设备采购合同及验收单.pdf"]


def test_dates_are_set_back_to_the_days_they_happened(slice_):
    for report in ProgressReport.objects.exclude(state="due"):
        filed = timezone.localdate(report.submitted_at)
        assert report.period_end < filed < TODAY
        assert filed <= report.due_on + timezone.timedelta(days=9)
        if report.decided_at:
            assert filed <= timezone.localdate(report.decided_at) < TODAY
    stamped = ReportEvent.objects.exclude(action="reminded")
    assert all(e.at.year < 2025 for e in stamped)
    assert all(n.created_at.year < 2025 for n in Notice.objects.exclude(
        kind__in=["report.overdue", "report.due_soon"]).filter(kind__startswith="report."))


def test_outstanding_reports_are_reminded_today(slice_):
    reminded = ProgressReport.objects.filter(reminded_on=TODAY)
    assert sorted(reminded.values_list("state", flat=True)) == ["due", "returned"]
    assert ReportEvent.objects.filter(action="reminded").count() == 2


def test_a_second_run_adds_nothing(slice_, bureau_user, program):
    before = (list(ProgressReport.objects.values_list("pk", "state", "submitted_at")),
              ReportEvent.objects.count(), Notice.objects.count())
    assert reports_write(program=program, bureau=bureau_user, today=TODAY) == 0
    assert (list(ProgressReport.objects.values_list("pk", "state", "submitted_at")),
            ReportEvent.objects.count(), Notice.objects.count()) == before
