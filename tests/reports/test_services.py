"""Opening, generating (through the background task), publishing and unpublishing reports,
and writing narrative sections: who may, what is refused (nothing changes then), and the
audit log and notices."""

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from tests.reports.conftest import YEAR
from vetq.audit.models import AuditEntry
from vetq.notices.models import Notice
from vetq.reports.errors import ReportRefused
from vetq.reports.models import NarrativeSection, QualityReport, ReportState
from vetq.reports.narratives import END, narrative_delete, narrative_save
from vetq.reports.services import (
    report_generate_request,
    report_open,
    report_publish,
    report_unpublish,
    reports_generate_all,
)

pytestmark = pytest.mark.integration


def test_a_school_opens_its_own_report_and_no_other(school, school_user, other_school):
    report = report_open(year=YEAR, institution=school, by=school_user)

    assert (report.year, report.institution, report.state) == (YEAR, school, ReportState.DRAFT)
    assert report_open(year=YEAR, institution=school, by=school_user) == report
    with pytest.raises(ReportRefused, match="only a school its own"):
        report_open(year=YEAR, institution=other_school, by=school_user)
    with pytest.raises(ReportRefused, match="only a school its own"):
        report_open(year=YEAR, institution=None, by=school_user)
    assert QualityReport.objects.count() == 1


def test_a_report_of_a_year_to_come_is_refused(bureau_user):
    with pytest.raises(ReportRefused, match="has not"):
        report_open(year=2999, institution=None, by=bureau_user)


def test_generation_runs_in_the_immediate_task_backend(funded, school, school_user,
                                                       immediate_tasks,
                                                       django_capture_on_commit_callbacks):
    report = report_open(year=YEAR, institution=school, by=school_user)

    with django_capture_on_commit_callbacks(execute=True):
        queued = report_generate_request(report=report, by=school_user)
        assert (queued.state, queued.step, queued.progress) == (ReportState.GENERATING, "queued", 0)

    report.refresh_from_db()
    assert report.state == ReportState.READY and report.pdf is not None
    assert report.generated_by == school_user
    assert AuditEntry.objects.filter(action="report.generate", object_id=str(report.pk)).exists()
    assert Notice.objects.filter(user=school_user, kind="quality_report.ready").count() == 1


@pytest.mark.django_db(transaction=True)
def test_generation_runs_in_the_database_worker(funded, bureau_user,
                                                django_capture_on_commit_callbacks):
    """The worker closes its database connection when done, which a test transaction cannot
    survive on PostgreSQL: this test commits for real (the database is flushed after)."""
    report = report_open(year=YEAR, institution=None, by=bureau_user)
    with django_capture_on_commit_callbacks(execute=True):
        report_generate_request(report=report, by=bureau_user)
    task = DBTaskResult.objects.get()
    assert task.args_kwargs == {"args": [report.pk], "kwargs": {}}
    report.refresh_from_db()
    assert report.state == ReportState.GENERATING

    call_command("db_worker", "--batch", "--no-startup-delay")

    report.refresh_from_db()
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert report.state == ReportState.READY and report.progress == 100


def test_generation_is_not_asked_for_twice_at_once(funded, bureau_user):
    report = report_open(year=YEAR, institution=None, by=bureau_user)
    report_generate_request(report=report, by=bureau_user)

    with pytest.raises(ReportRefused, match="being generated already"):
        report_generate_request(report=report, by=bureau_user)


def test_another_school_may_not_generate_a_report(school, other_school_user, bureau_user):
    report = report_open(year=YEAR, institution=school, by=bureau_user)

    with pytest.raises(ReportRefused, match="Only the bureau and the school itself"):
        report_generate_request(report=report, by=other_school_user)
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT


def test_generate_all_queues_every_active_school(funded, bureau_user, school, other_school,
                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        queued, left = reports_generate_all(year=YEAR, by=bureau_user)

    schools = {school.pk, other_school.pk, funded["county_school"].pk}
    reports = QualityReport.objects.filter(year=YEAR, institution__isnull=False)
    assert queued == reports.count() and left == 0
    assert schools <= set(reports.values_list("institution_id", flat=True))
    assert set(reports.values_list("state", flat=True)) == {ReportState.GENERATING}
    assert set(reports.values_list("notify", flat=True)) == {False}, \
        "the bureau is not told of every school report ready, only of failures"


def test_only_the_bureau_publishes_a_ready_report(funded, generated, school, school_user,
                                                  bureau_user):
    report = generated(school, charts=False)

    with pytest.raises(ReportRefused, match="Only the bureau publishes"):
        report_publish(report=report, by=school_user)
    published = report_publish(report=report, by=bureau_user)

    assert published.state == ReportState.PUBLISHED and published.published_by == bureau_user
    assert Notice.objects.filter(user=school_user, kind="quality_report.published").exists()
    entry = AuditEntry.objects.get(action="report.publish")
    assert entry.after["pdf"] == report.pdf.sha256
    with pytest.raises(ReportRefused, match="published already"):
        report_publish(report=report, by=bureau_user)
    with pytest.raises(ReportRefused, match="unpublish it before"):
        report_generate_request(report=report, by=bureau_user)


def test_a_report_not_generated_is_not_published(bureau_user):
    report = report_open(year=YEAR, institution=None, by=bureau_user)

    with pytest.raises(ReportRefused, match="Only a generated report can be published"):
        report_publish(report=report, by=bureau_user)
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT


def test_unpublishing_makes_the_report_ready_again(funded, generated, bureau_user):
    report = report_publish(report=generated(charts=False), by=bureau_user)

    again = report_unpublish(report=report, by=bureau_user, reason="数据有误")

    assert again.state == ReportState.READY and again.published_at is None
    assert AuditEntry.objects.get(action="report.unpublish").after == {"state": "ready",
                                                                       "reason": "数据有误"}
    with pytest.raises(ReportRefused, match="not published"):
        report_unpublish(report=again, by=bureau_user)


# --- Narrative sections ----------------------------------------------------------------------


def test_a_school_writes_narrative_sections_into_its_report(funded, generated, school,
                                                            school_user):
    report = report_open(year=YEAR, institution=school, by=school_user)

    narrative = narrative_save(report=report, by=school_user, code="problems",
                               title="主要问题和改进措施",
                               text="一是实训设备老化。\n\n二是双师型教师不足。", order=END)
    report = generated(school, charts=False)

    chapter = report.content["chapters"][-1]
    assert (chapter["title"], chapter["narrative"]) == ("主要问题和改进措施", True)
    assert [b["text"] for b in chapter["blocks"]] == ["一是实训设备老化。", "二是双师型教师不足。"]
    assert narrative.author == school_user
    assert AuditEntry.objects.filter(action="report.narrative_save").count() == 1


def test_a_narrative_goes_where_it_is_placed(funded, generated, bureau_user):
    report = report_open(year=YEAR, institution=None, by=bureau_user)
    narrative_save(report=report, by=bureau_user, title="工作概述", text="概述。", order=0)
    narrative_save(report=report, by=bureau_user, title="经费管理经验", text="经验。", order=35)

    codes = [c["title"] if c["narrative"] else c["code"]
             for c in generated(charts=False).content["chapters"]]

    assert codes[:5] == ["工作概述", "overview", "program_progress", "funding", "经费管理经验"]


def test_narrative_sections_are_refused_to_others_and_once_published(
        funded, generated, school, school_user, other_school_user, bureau_user):
    report = report_open(year=YEAR, institution=school, by=school_user)
    with pytest.raises(ReportRefused, match="only a school its own report"):
        narrative_save(report=report, by=other_school_user, title="x", text="y", order=END)
    with pytest.raises(ReportRefused, match="only a school its own report"):
        narrative_save(report=report, by=bureau_user, title="x", text="y", order=END)
    with pytest.raises(ReportRefused, match="heading"):
        narrative_save(report=report, by=school_user, title="  ", text="y", order=END)
    with pytest.raises(ReportRefused, match="Write the text"):
        narrative_save(report=report, by=school_user, title="x", text="", order=END)
    narrative = narrative_save(report=report, by=school_user, title="x", text="y", order=END)

    report_publish(report=generated(school, charts=False), by=bureau_user)

    with pytest.raises(ReportRefused, match="published"):
        narrative_save(report=report, by=school_user, title="x2", text="y", order=END,
                       narrative=narrative)
    with pytest.raises(ReportRefused, match="published"):
        narrative_delete(narrative=narrative, by=school_user)
    assert NarrativeSection.objects.get().title == "x"
