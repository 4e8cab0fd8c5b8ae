"""The progress report pages: the project page's report section, the school writing, filing
evidence and submitting, the bureau returning then accepting, refusals shown with what was
typed and nothing saved, and scoping (another school: 404 on the page, the files and every
action; the bureau may not write, the school may not decide: 403)."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.projects.projects_fixtures import officer_of
from tests.projects.reports.conftest import PDF, pdf
from vetq.notices.models import Notice
from vetq.projects.models import ProgressReport, ReportFile
from vetq.projects.reports import report_file_add

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def page(report) -> str:
    return reverse("projects:report_detail", args=[report.pk])


def url(name: str, report, *args) -> str:
    return reverse(f"projects:{name}", args=[report.pk, *args])


FORM = {"text": "完成方案论证与设备采购。", "spending": "",
        "m0-reached": "on", "m0-figure": "100%", "m0-note": "已验收",
        "m1-figure": "80%", "m1-note": "",
        "item-equipment": "30000", "item-training": "12,000.50"}


def post_report(client, report, action="save", **changes):
    return client.post(url("report_save", report), {**FORM, "action": action, **changes})


def test_project_page_lists_the_reports_with_the_overdue_badge(client, project, school_a):
    client.force_login(school_a)
    response = client.get(reverse("projects:detail", args=[project.pk]))
    assert response.status_code == 200
    shown = [(r.year, r.state, r.overdue) for r in response.context["progress_reports"]]
    assert shown == [(1, "due", True), (2, "due", True)]
    html = response.content.decode()
    assert 'id="reports"' in html
    assert "2020-03-02 – 2021-03-01" in html and "2021-03-31" in html
    assert html.count("data-overdue=") == 2
    assert reverse("projects:report_detail", args=[project.reports.get(year=1).pk]) in html


def test_school_writes_files_evidence_and_submits(client, report, school_a, bureau_user):
    client.force_login(school_a)
    response = client.get(page(report))
    assert response.status_code == 200
    assert response.context["form"] is not None and response.context["decision_form"] is None
    html = response.content.decode()
    assert "完成建设方案论证" in html and "采购实训设备" in html and "建成实训中心" not in html

    response = post_report(client, report)
    assert response.status_code == 302 and response.url == page(report)
    report.refresh_from_db()
    assert (report.state, str(report.spending)) == ("due", "42000.50")
    assert [i["reached"] for i in report.indicators] == [True, False]

    response = client.post(url("report_file_add", report), {"file": pdf("设备验收单.pdf")})
    assert response.status_code == 302
    evidence = ReportFile.objects.get(report=report)
    download = client.get(url("report_file", report, evidence.pk))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]

    response = post_report(client, report, action="submit")
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == "submitted"
    assert Notice.objects.filter(kind="report.submitted", user=bureau_user).count() == 1
    after = client.get(page(report))
    assert after.context["form"] is None
    assert "完成方案论证与设备采购。" in after.content.decode()


def test_a_refused_submission_keeps_what_was_typed_and_saves_nothing(client, report, school_a):
    client.force_login(school_a)
    response = post_report(client, report, action="submit", text="", spending="-3",
                           **{"item-equipment": "", "item-training": ""})
    assert response.status_code == 400
    assert response.context["refusal"] == ["Spending in the period: an amount cannot be negative."]
    assert 'value="-3"' in response.content.decode()

    response = post_report(client, report, action="submit", text="")
    assert response.status_code == 400
    assert response.context["refusal"] == ["Write what was done in the year before submitting."]
    # The save went back with the refused submission.
    report.refresh_from_db()
    assert (report.state, report.text, report.spending, report.events.count()) == (
        "due", "", None, 0)
    assert "12,000.50" in response.content.decode()


def test_a_bad_file_is_refused_on_the_page(client, report, school_a):
    client.force_login(school_a)
    response = client.post(url("report_file_add", report), {
        "file": SimpleUploadedFile("x.pdf", b"plain text", content_type="application/pdf")})
    assert response.status_code == 400
    assert response.context["refusal"] == ["Only PDF, Word, Excel and image files are accepted."]
    assert not ReportFile.objects.exists()


def test_bureau_returns_then_accepts(client, report, school_a, bureau_user):
    client.force_login(school_a)
    post_report(client, report, action="submit")

    client.force_login(bureau_user)
    response = client.get(page(report))
    assert response.context["decision_form"] is not None and response.context["form"] is None
    response = client.post(url("report_return", report), {"comment": ""})
    assert response.status_code == 400
    assert response.context["refusal"] == ["Please say what the school must revise."]
    response = client.post(url("report_return", report), {"comment": "请补充设备验收单"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.state, report.decision_comment) == ("returned", "请补充设备验收单")

    client.force_login(school_a)
    response = client.get(page(report))
    assert response.context["form"] is not None
    assert "请补充设备验收单" in response.content.decode()
    post_report(client, report, action="submit", text="已补充验收单。")

    client.force_login(bureau_user)
    response = client.post(url("report_accept", report), {"comment": "同意"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.state, report.text, report.decision_comment) == ("accepted", "已补充验收单。",
                                                                    "同意")
    history = client.get(page(report)).context["events"]
    assert [e.action for e in history] == ["saved", "submitted", "returned", "saved",
                                           "resubmitted", "accepted"]
    assert Notice.objects.filter(user=school_a, kind="report.accepted").count() == 1


def test_the_bureau_may_not_write_and_the_school_may_not_decide(client, report, school_a,
                                                                bureau_user):
    client.force_login(bureau_user)
    assert post_report(client, report).status_code == 403
    assert client.post(url("report_file_add", report), {"file": pdf()}).status_code == 403
    client.force_login(school_a)
    post_report(client, report, action="submit")
    assert client.post(url("report_accept", report)).status_code == 403
    assert client.post(url("report_return", report), {"comment": "x"}).status_code == 403
    report.refresh_from_db()
    assert report.state == "submitted"


def test_another_school_gets_404_everywhere(client, report, school_a, school_b):
    evidence = report_file_add(report=report, upload=pdf(), by=school_a)
    client.force_login(school_b)
    assert client.get(page(report)).status_code == 404
    assert client.get(url("report_file", report, evidence.pk)).status_code == 404
    assert post_report(client, report, action="submit").status_code == 404
    assert client.post(url("report_file_add", report), {"file": pdf()}).status_code == 404
    assert client.post(url("report_file_remove", report, evidence.pk)).status_code == 404
    assert client.post(url("report_accept", report)).status_code == 404
    assert client.get(f"/api/reports/{report.pk}").status_code == 404
    assert client.get(f"/api/projects/{report.project_id}/reports").status_code == 404
    report.refresh_from_db()
    assert (report.state, report.files.count()) == ("due", 1)


def test_a_file_of_another_report_is_not_found_through_this_one(client, project, school_a):
    first, second = project.reports.order_by("year")
    evidence = report_file_add(report=second, upload=pdf(), by=school_a)
    client.force_login(school_a)
    assert client.get(url("report_file", first, evidence.pk)).status_code == 404
    assert client.post(url("report_file_remove", first, evidence.pk)).status_code == 404
    assert ReportFile.objects.filter(pk=evidence.pk).exists()


@pytest.mark.parametrize("who", ["region", "other_region", "finance_city", "expert", "viewer"])
def test_readers_read_and_others_get_404(client, report, regions, request, who):
    user = {"region": lambda: officer_of(regions["liangxi"], "o-liangxi"),
            "other_region": lambda: officer_of(regions["yixing"], "o-yixing")}.get(
        who, lambda: request.getfixturevalue(who))()
    client.force_login(user)
    status = client.get(page(report)).status_code
    assert status == (200 if who in {"region", "finance_city"} else 404)
    if status == 200:
        assert post_report(client, report).status_code == 403


def test_the_school_removes_a_file_through_the_page(client, report, school_a):
    evidence = report_file_add(report=report, upload=pdf("旧.pdf"), by=school_a)
    client.force_login(school_a)
    response = client.post(url("report_file_remove", report, evidence.pk))
    assert response.status_code == 302
    assert not ReportFile.objects.exists()


def test_a_report_of_a_closed_project_is_read_only(client, report, school_a):
    from vetq.projects.models import Project

    Project.objects.filter(pk=report.project_id).update(state="closed")
    client.force_login(school_a)
    response = client.get(page(report))
    assert response.context["form"] is None
    assert response.context["report"].overdue is False
    response = post_report(client, report, action="submit")
    assert response.status_code == 400
    assert response.context["refusal"] == [
        "A progress report cannot be filed after the project closed: this project is Closed."]
    assert ProgressReport.objects.get(pk=report.pk).state == "due"
    assert date.today() > report.due_on
