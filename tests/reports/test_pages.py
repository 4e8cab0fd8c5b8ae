"""The report pages and the portal: who reaches which report (another school's draft is a
404), the year's list without N+1 queries, the progress fragment, narrative editing, and the
public portal that shows published reports only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests.factories import InstitutionFactory, UserFactory, membership
from tests.reports.conftest import YEAR
from vetq.reports.models import NarrativeSection, QualityReport, ReportState
from vetq.reports.services import report_open, report_publish

pytestmark = pytest.mark.integration


@pytest.fixture
def school_draft(funded, generated, school):
    return generated(school, charts=False)


def test_index_lists_the_city_and_every_school_for_the_bureau(client, funded, bureau_user,
                                                              school):
    client.force_login(bureau_user)
    response = client.get("/reports/", {"year": YEAR})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-report-row="city"' in html and f'data-report-row="{school.code}"' in html
    assert f'data-report-row="{funded["county_school"].code}"' in html


def index_queries(client, user) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/reports/", {"year": YEAR}).status_code == 200
    return len(queries)


def test_index_query_count_does_not_grow_with_the_schools(client, program, bureau_user, regions):
    client.force_login(bureau_user)
    QualityReport.objects.create(year=YEAR, institution=InstitutionFactory())
    one = index_queries(client, bureau_user)
    for _ in range(19):
        QualityReport.objects.create(year=YEAR, institution=InstitutionFactory())

    assert index_queries(client, bureau_user) == one


def test_a_school_sees_only_its_own_row(client, school, school_user, other_school):
    report_open(year=YEAR, institution=other_school, by=_bureau())
    client.force_login(school_user)

    html = client.get("/reports/", {"year": YEAR}).content.decode()

    assert f'data-report-row="{school.code}"' in html
    assert f'data-report-row="{other_school.code}"' not in html and "city" not in html.split(
        "data-reports")[1].split("data-report-row")[0]


def _bureau():
    user = UserFactory(username="bureau-2")
    membership(user, "bureau_admin")
    return user


@pytest.mark.parametrize("path", ["/reports/{pk}/", "/reports/{pk}/web/", "/reports/{pk}/preview/",
                                  "/reports/{pk}/progress/", "/reports/{pk}/file/pdf/",
                                  "/reports/{pk}/sections/new/"])
def test_another_school_cannot_reach_a_draft(client, school_draft, other_school_user, path):
    client.force_login(other_school_user)

    assert client.get(path.format(pk=school_draft.pk)).status_code == 404


def test_another_school_cannot_open_a_draft_by_year_and_code(client, school_draft, school,
                                                             other_school_user, regions):
    officer = UserFactory(username="officer-r")
    membership(officer, "region_officer", region=regions["liangxi"])
    for user in (other_school_user, officer):
        client.force_login(user)
        assert client.get(f"/reports/open/{YEAR}/{school.code}/").status_code == 404
    assert QualityReport.objects.filter(institution=other_school_user.memberships.get()
                                        .institution).count() == 0


def test_a_published_report_is_sent_to_the_portal_for_others(client, school_draft, school,
                                                             other_school_user, bureau_user):
    report_publish(report=school_draft, by=bureau_user)
    client.force_login(other_school_user)

    response = client.get(f"/reports/{school_draft.pk}/")

    assert response.status_code == 302 and response["Location"] == f"/quality-reports/{school_draft.pk}/"


def test_the_school_opens_generates_and_downloads_its_report(
        client, funded, school, school_user, immediate_tasks, django_capture_on_commit_callbacks):
    client.force_login(school_user)
    response = client.get(f"/reports/open/{YEAR}/{school.code}/")
    report = QualityReport.objects.get(year=YEAR, institution=school)
    assert response["Location"] == f"/reports/{report.pk}/"

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/reports/{report.pk}/generate/")

    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert 'data-file="pdf"' in page and 'data-publish' not in page
    download = client.get(f"/reports/{report.pk}/file/docx/")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.post(f"/reports/{report.pk}/publish/").status_code == 403


def test_the_progress_fragment_polls_while_generating_then_refreshes(client, bureau_user):
    report = QualityReport.objects.create(year=YEAR, state=ReportState.GENERATING, progress=40,
                                          step="section:funding")
    client.force_login(bureau_user)

    polling = client.get(f"/reports/{report.pk}/progress/", {"polling": 1})
    html = polling.content.decode()
    assert 'hx-trigger="every 1s"' in html and 'aria-valuenow="40"' in html
    assert "HX-Refresh" not in polling

    QualityReport.objects.filter(pk=report.pk).update(state=ReportState.FAILED, error="出错了")
    done = client.get(f"/reports/{report.pk}/progress/", {"polling": 1})
    assert done["HX-Refresh"] == "true" and "出错了" in done.content.decode()
    assert "hx-trigger" not in done.content.decode()


def test_a_narrative_form_is_shown_again_with_what_was_typed(client, school, school_user):
    report = report_open(year=YEAR, institution=school, by=school_user)
    client.force_login(school_user)

    form = client.get(f"/reports/{report.pk}/sections/new/", {"code": "problems"})
    with translation.override("zh-hans"):  # the page speaks the site's language
        suggested = translation.gettext("Problems and improvements")
    assert f'value="{suggested}"' in form.content.decode()
    refused = client.post(f"/reports/{report.pk}/sections/new/",
                          {"title": "我们的经验", "text": "", "order": "1000", "code": ""})
    assert refused.status_code == 200
    assert 'value="我们的经验"' in refused.content.decode()
    assert not NarrativeSection.objects.exists()

    saved = client.post(f"/reports/{report.pk}/sections/new/",
                        {"title": "我们的经验", "text": "第一段。\n第二段。", "order": "1000",
                         "code": "lessons"})
    assert saved.status_code == 302
    narrative = NarrativeSection.objects.get()
    assert (narrative.title, narrative.code, narrative.order) == ("我们的经验", "lessons", 1000)
    edit = client.post(f"/reports/{report.pk}/sections/{narrative.pk}/",
                       {"title": "我们的经验", "text": "改过了。", "order": "15", "code": ""})
    assert edit.status_code == 302
    narrative.refresh_from_db()
    assert (narrative.text, narrative.order) == ("改过了。", 15)
    client.post(f"/reports/{report.pk}/sections/{narrative.pk}/delete/")
    assert not NarrativeSection.objects.exists()


def test_the_bureau_cannot_write_a_school_report_s_sections(client, school, bureau_user):
    report = report_open(year=YEAR, institution=school, by=bureau_user)
    client.force_login(bureau_user)

    assert client.get(f"/reports/{report.pk}/sections/new/").status_code == 403


def test_the_web_page_shows_the_generated_chapters(client, school_draft, school_user):
    client.force_login(school_user)

    html = client.get(f"/reports/{school_draft.pk}/web/").content.decode()

    assert "梁溪品牌专业建设" in html and 'data-chapter="funding"' in html
    assert html.count('class="table table-sm table-bordered report-table"') >= 2


# --- The public portal -----------------------------------------------------------------------


def test_the_portal_lists_published_reports_only(client, funded, generated, school, bureau_user):
    draft = generated(charts=False)
    published = report_publish(report=generated(school, charts=False), by=bureau_user)

    page = client.get("/quality-reports/").content.decode()

    assert f'data-report="{published.pk}"' in page and f'data-report="{draft.pk}"' not in page
    assert client.get(f"/quality-reports/{draft.pk}/").status_code == 404
    assert client.get(f"/quality-reports/{draft.pk}/pdf/").status_code == 404
    detail = client.get(f"/quality-reports/{published.pk}/").content.decode()
    assert "梁溪品牌专业建设" in detail and "data-report-chart" not in detail
    pdf = client.get(f"/quality-reports/{published.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    assert client.get(f"/quality-reports/{published.pk}/exe/").status_code == 404


def test_the_portal_draws_charts_with_echarts(client, funded, generated, bureau_user):
    published = report_publish(report=generated(charts=False), by=bureau_user)

    html = client.get(f"/quality-reports/{published.pk}/").content.decode()

    assert 'data-report-chart="chart-' in html and "report_charts.js" in html
