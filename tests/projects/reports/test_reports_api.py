"""Progress reports in the JSON API: read only, scoped like the pages (404 outside)."""

from datetime import date

import pytest

from tests.projects.projects_fixtures import officer_of
from tests.projects.reports.conftest import FILLED, pdf
from vetq.accounts.services import token_create
from vetq.projects.reports import report_file_add, report_return, report_save, report_submit

pytestmark = pytest.mark.integration


def test_a_projects_reports(client, project, school_a):
    client.force_login(school_a)
    response = client.get(f"/api/projects/{project.pk}/reports")
    assert response.status_code == 200
    first, second = project.reports.order_by("year")
    assert response.json() == [
        {"id": first.pk, "project": project.pk, "year": 1, "period_start": "2020-03-02",
         "period_end": "2021-03-01", "due_on": "2021-03-31", "state": "due", "overdue": True,
         "days_overdue": (date.today() - date(2021, 3, 31)).days, "submitted_at": None,
         "decided_at": None, "reminded_on": None},
        {"id": second.pk, "project": project.pk, "year": 2, "period_start": "2021-03-02",
         "period_end": "2022-03-01", "due_on": "2022-03-31", "state": "due", "overdue": True,
         "days_overdue": (date.today() - date(2022, 3, 31)).days, "submitted_at": None,
         "decided_at": None, "reminded_on": None},
    ]


def test_one_report_with_what_was_filed(client, report, school_a, bureau_user):
    report_save(report=report, by=school_a, **FILLED)
    evidence = report_file_add(report=report, upload=pdf("验收单.pdf"), by=school_a)
    report_submit(report=report, by=school_a)
    report_return(report=report, comment="请补充", by=bureau_user)

    client.force_login(bureau_user)
    body = client.get(f"/api/reports/{report.pk}").json()
    assert {k: body[k] for k in ("state", "overdue", "text", "spending", "decision_comment",
                                 "project_title", "institution")} == {
        "state": "returned", "overdue": True, "text": "完成了建设方案论证和实训设备采购。",
        "spending": "42000.50", "decision_comment": "请补充", "project_title": "梁溪品牌专业",
        "institution": report.project.institution.code}
    assert body["indicators"][0] == {"milestone": "完成建设方案论证", "reached": True,
                                     "figure": "100%", "note": "已验收"}
    assert body["spending_items"] == [{"item": "equipment", "amount": "30000.00"},
                                      {"item": "training", "amount": "12000.50"}]
    assert body["files"] == [{"id": evidence.pk, "name": "验收单.pdf", "size": evidence.file.size,
                              "content_type": "application/pdf"}]
    assert [e["action"] for e in body["events"]] == ["saved", "file_added", "submitted",
                                                      "returned"]


def test_scoped_like_the_pages(client, report, school_b, regions, finance_city, expert, viewer):
    for user, status in ((school_b, 404), (officer_of(regions["yixing"], "o-yixing"), 404),
                         (expert, 404), (viewer, 404),
                         (officer_of(regions["liangxi"], "o-liangxi"), 200),
                         (finance_city, 200)):
        client.force_login(user)
        assert client.get(f"/api/reports/{report.pk}").status_code == status
        assert client.get(f"/api/projects/{report.project_id}/reports").status_code == status


def test_a_token_reads_its_own_schools_reports(client, report, school_a, school_b):
    token = token_create(user=school_a, name="api")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get(f"/api/reports/{report.pk}", **auth).json()["id"] == report.pk
    other = token_create(user=school_b, name="api")[1]
    assert client.get(f"/api/reports/{report.pk}",
                      HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 404


def test_anonymous_is_refused(client, report):
    assert client.get(f"/api/reports/{report.pk}").status_code == 401
