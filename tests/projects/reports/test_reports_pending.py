"""The list of outstanding progress reports (not filed yet, or returned) that are overdue or
due soon, on 20 March 2021: scoped like the projects, filtered, without N+1 queries, and its
Excel export."""

import io
from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tests.projects.projects_fixtures import officer_of, school_of
from tests.projects.reports.conftest import FILLED, at, planned
from vetq.projects.models import ProgressReport, Project
from vetq.projects.report_exports import PENDING_COLUMNS
from vetq.projects.reports import report_accept, report_save, report_submit

pytestmark = pytest.mark.integration

LIST = reverse("projects:reports_pending")
EXPORT = reverse("projects:reports_pending_export")


@pytest.fixture(autouse=True)
def english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def frozen():
    with time_machine.travel(at(2021, 3, 20, 10, 0), tick=False):
        yield


@pytest.fixture
def spread(project, project_at, bureau_user, frozen):
    """On 20 March 2021: the Liangxi project's year-1 report due on 31 March (due soon); a
    Yixing studio approved on 1 March 2019 whose year-1 report is overdue since 30 March 2020
    and year-2 report due on 30 March 2021; a Liangxi course whose only report was filed and
    accepted; and a closed project whose report was never filed."""
    studio = planned(project_at("master_teacher_studio", "yixing", on=date(2019, 3, 1),
                                title="宜兴工作室"))
    course = project_at("quality_course", "liangxi", on=date(2019, 3, 1), title="已交课程")
    done = course.reports.get()
    school = school_of(course, "course-school")
    report_save(report=done, by=school,
                **{**FILLED, "indicators": [], "spending": "5000", "spending_items": []})
    report_submit(report=done, by=school)
    report_accept(report=done, by=bureau_user)
    closed = project_at("brand_major", "liangxi", on=date(2018, 3, 1), title="已结项目")
    Project.objects.filter(pk=closed.pk).update(state="closed")
    return {"liangxi": project, "studio": studio, "course": course, "closed": closed}


def rows(client, user, **query) -> list[tuple]:
    client.force_login(user)
    response = client.get(LIST, query)
    assert response.status_code == 200
    return [(r.project.title, r.year, "overdue" if r.overdue else "due_soon")
            for r in response.context["page"]]


def test_bureau_lists_overdue_and_due_soon_reports_earliest_first(client, spread, bureau_user):
    assert rows(client, bureau_user) == [
        ("宜兴工作室", 1, "overdue"), ("宜兴工作室", 2, "due_soon"), ("梁溪品牌专业", 1, "due_soon")]


def test_the_page_shows_the_overdue_days(client, spread, bureau_user):
    client.force_login(bureau_user)
    html = client.get(LIST).content.decode()
    assert 'data-overdue="355"' in html
    assert html.count("data-due-soon") == 2


def test_filters(client, spread, bureau_user):
    assert rows(client, bureau_user, state="overdue") == [("宜兴工作室", 1, "overdue")]
    assert rows(client, bureau_user, state="due_soon") == [
        ("宜兴工作室", 2, "due_soon"), ("梁溪品牌专业", 1, "due_soon")]
    assert rows(client, bureau_user, region="liangxi") == [("梁溪品牌专业", 1, "due_soon")]
    assert rows(client, bureau_user, category="master_teacher_studio", state="overdue") == [
        ("宜兴工作室", 1, "overdue")]
    school = spread["studio"].institution.code
    assert [r[0] for r in rows(client, bureau_user, school=school)] == ["宜兴工作室"] * 2
    assert len(rows(client, bureau_user, state="nonsense")) == 3


def test_a_returned_report_is_listed_again(client, spread, bureau_user, school_a):
    from vetq.projects.reports import report_return

    report = spread["liangxi"].reports.get(year=1)
    report_save(report=report, by=school_a, **FILLED)
    report_submit(report=report, by=school_a)
    assert ("梁溪品牌专业", 1, "due_soon") not in rows(client, bureau_user)
    report_return(report=report, comment="请修改", by=bureau_user)
    assert ("梁溪品牌专业", 1, "due_soon") in rows(client, bureau_user)


def test_schools_and_regions_see_only_theirs(client, spread, regions, finance_yixing):
    assert rows(client, school_of(spread["studio"], "studio-school")) == [
        ("宜兴工作室", 1, "overdue"), ("宜兴工作室", 2, "due_soon")]
    assert rows(client, officer_of(regions["liangxi"], "o-liangxi")) == [
        ("梁溪品牌专业", 1, "due_soon")]
    assert rows(client, officer_of(regions["jiangyin"], "o-jiangyin")) == []
    assert [r[0] for r in rows(client, finance_yixing)] == ["宜兴工作室"] * 2


@pytest.mark.parametrize("who", ["expert", "viewer"])
def test_experts_and_viewers_are_refused(client, spread, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(LIST).status_code == 403
    assert client.get(EXPORT).status_code == 403


def test_the_list_does_not_grow_its_queries_with_its_rows(client, project, bureau_user,
                                                          frozen):
    client.force_login(bureau_user)
    ProgressReport.objects.exclude(project=project, year=1).delete()
    client.get(LIST)
    with CaptureQueriesContext(connection) as one:
        response = client.get(LIST)
    assert response.context["page"].paginator.count == 1
    ProgressReport.objects.bulk_create([
        ProgressReport(project=project, year=year, period_start=date(2020, 3, 2),
                       period_end=date(2021, 3, 1), due_on=date(2021, 3, 1) + timedelta(days=year))
        for year in range(3, 22)])
    with CaptureQueriesContext(connection) as twenty:
        response = client.get(LIST)
    assert response.context["page"].paginator.count == 20
    assert len(twenty) == len(one)


def test_htmx_gets_the_results_only(client, spread, bureau_user):
    client.force_login(bureau_user)
    response = client.get(LIST, {"state": "overdue"}, HTTP_HX_REQUEST="true")
    assert [t.name for t in response.templates][0] == "projects/reports/_pending_results.html"
    assert f'{EXPORT}?state=overdue' in response.content.decode()


def test_excel_export_holds_the_listed_reports(client, spread, bureau_user):
    client.force_login(bureau_user)
    response = client.get(EXPORT, {"region": "yixing"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="reports-due-20210320.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert sheet.title == "逾期及临期进展报告"
    assert values[0] == tuple(c.header for c in PENDING_COLUMNS)
    studio = spread["studio"]
    assert [row[:2] + row[4:] for row in values[1:]] == [
        ("宜兴工作室", studio.category.name, 1, at(2019, 3, 1).replace(tzinfo=None),
         at(2020, 2, 29).replace(tzinfo=None), at(2020, 3, 30).replace(tzinfo=None), "未提交",
         "逾期", 355, None),
        ("宜兴工作室", studio.category.name, 2, at(2020, 3, 1).replace(tzinfo=None),
         at(2021, 2, 28).replace(tzinfo=None), at(2021, 3, 30).replace(tzinfo=None), "未提交",
         "即将到期", 0, None),
    ]
    assert values[1][2:4] == (studio.institution.name, "宜兴市")


def test_the_export_is_scoped(client, spread, regions):
    client.force_login(officer_of(regions["liangxi"], "o-liangxi"))
    sheet = load_workbook(io.BytesIO(client.get(EXPORT).content)).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["梁溪品牌专业"]
