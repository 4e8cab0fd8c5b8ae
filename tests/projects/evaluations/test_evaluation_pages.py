"""The performance evaluation pages and API: the project page's section, the three-level
scoring form (a refusal comes back with what was typed), the list in each role's scope with
its filters, query count and Excel export; scoping from the refused side."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import InstitutionFactory, UserFactory, membership
from tests.projects.evaluations.evaluation_fixtures import *  # noqa: F403
from tests.projects.evaluations.evaluation_fixtures import PDF, all_scored, school_of
from vetq.projects.evaluation_exports import EVALUATION_COLUMNS
from vetq.projects.evaluations import evaluation_create, evaluation_score_set, evaluation_submit
from vetq.projects.models import EvaluationScore, PerformanceEvaluation

pytestmark = pytest.mark.integration

LIST = reverse("projects:evaluation_list")
EXPORT = reverse("projects:evaluation_export")


@pytest.fixture(autouse=True)
def english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def detail(project) -> str:
    return reverse("projects:detail", args=[project.pk])


def page_of(evaluation) -> str:
    return reverse("projects:evaluation_detail", args=[evaluation.pk])


def submitted(by, *, project=None, institution=None, year=2020, **scores) -> PerformanceEvaluation:
    evaluation = evaluation_create(by=by, project=project, institution=institution, year=year)
    evaluation_score_set(evaluation=evaluation, by=by, scores=all_scored(evaluation, **scores))
    return evaluation_submit(evaluation=evaluation, by=by, conclusion="结论。")


def form_data(evaluation, action="save", conclusion="结论。", **scores) -> dict:
    data = {"action": action, "conclusion": conclusion}
    for code, (score, evidence) in all_scored(evaluation, **scores).items():
        data[f"score-{code}"], data[f"evidence-{code}"] = score, evidence
    return data


def test_school_begins_scores_and_submits_a_self_evaluation_by_page(client, project, school):
    client.force_login(school)
    page = client.get(detail(project)).content.decode()
    assert 'id="evaluations-heading"' in page and "Begin a self-evaluation" in page

    response = client.post(reverse("projects:project_evaluation_start", args=[project.pk]),
                           {"year": "2020"}, follow=True)

    evaluation = PerformanceEvaluation.objects.get()
    assert response.redirect_chain == [(page_of(evaluation), 302)]
    page = response.content.decode()
    assert "data-evaluation-form" in page
    # three levels: 4 first-level row groups, each third-level indicator with its max
    assert page.count('scope="rowgroup"') == 4
    assert 'name="score-tasks_done"' in page and 'max="15"' in page and "/ 15" in page

    response = client.post(page_of(evaluation), form_data(evaluation, tasks_done="12.5"))
    assert response.status_code == 302
    assert EvaluationScore.objects.get(indicator="tasks_done").score == 12.5

    response = client.post(page_of(evaluation), form_data(evaluation, "submit",
                                                          tasks_done="12.5"), follow=True)

    page = response.content.decode()
    assert "The evaluation was submitted; it is final." in page
    evaluation.refresh_from_db()
    assert (evaluation.state, str(evaluation.total), evaluation.grade) == (
        "submitted", "97.50", "excellent")
    assert '<dd class="col-sm-9 fs-5" data-total>97.5</dd>' in page
    assert "data-evaluation-form" not in page
    project_page = client.get(detail(project)).content.decode()
    assert f'data-evaluation="{evaluation.pk}" data-evaluator="school"' in project_page
    assert "Excellent" in project_page and "97.5" in project_page


def test_a_refused_form_comes_back_with_what_was_typed(client, project, school):
    evaluation = evaluation_create(by=school, project=project, year=2020)
    client.force_login(school)
    data = form_data(evaluation, "submit", spent_rate="7", talent="")
    data["evidence-talent"] = "毕业生双证率 95%"

    response = client.post(page_of(evaluation), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert "“Share of the budget spent”: enter a score from 0 to 5." in page
    assert "“Better-trained students”: enter a score to go with the evidence." in page
    assert 'name="score-spent_rate" value="7"' in page
    assert "毕业生双证率 95%" in page
    assert not EvaluationScore.objects.exists()  # nothing half-saved
    # scores all fine but the conclusion missing: the scores are not saved either
    response = client.post(page_of(evaluation), form_data(evaluation, "submit", conclusion=""))
    assert "Please write the evaluation&#x27;s conclusion" in response.content.decode()
    assert not EvaluationScore.objects.exists()


def test_an_evidence_file_is_uploaded_and_downloaded_in_scope(client, project, school, regions):
    evaluation = evaluation_create(by=school, project=project, year=2020)
    client.force_login(school)
    data = form_data(evaluation)
    data["file-spent_rate"] = SimpleUploadedFile("明细.pdf", PDF, content_type="application/pdf")
    assert client.post(page_of(evaluation), data).status_code == 302
    row = EvaluationScore.objects.get(indicator="spent_rate")
    url = reverse("projects:evaluation_file", args=[evaluation.pk, row.pk])
    assert url in client.get(page_of(evaluation)).content.decode()
    response = client.get(url)
    assert (response.status_code, b"".join(response.streaming_content)) == (200, PDF)
    other = UserFactory(username="s-other")
    membership(other, "school_user", institution=InstitutionFactory(region=regions["liangxi"]))
    client.force_login(other)
    assert client.get(url).status_code == 404


def test_only_the_evaluators_side_sees_a_draft_and_changes_it(client, project, school,
                                                              bureau_user):
    draft = evaluation_create(by=school, project=project, year=2020)
    client.force_login(bureau_user)
    assert client.get(page_of(draft)).status_code == 404
    assert f'data-evaluation="{draft.pk}"' not in client.get(detail(project)).content.decode()
    bureau_draft = evaluation_create(by=bureau_user, project=project, year=2020)
    client.force_login(school)
    assert client.get(page_of(bureau_draft)).status_code == 404
    assert client.post(page_of(bureau_draft), form_data(bureau_draft)).status_code == 404
    final = submitted(school, project=project, year=2021)
    client.force_login(bureau_user)
    page = client.get(page_of(final)).content.decode()
    assert "data-evaluation-form" not in page and "data-indicator-table" in page
    assert client.post(page_of(final), form_data(final)).status_code == 403


def test_evaluations_outside_the_scope_are_not_found(client, spread, bureau_user,
                                                     finance_city, finance_yixing, regions,
                                                     expert):
    city = submitted(bureau_user, project=spread["city"])
    yixing = submitted(bureau_user, project=spread["yixing"])
    cases = [(school_of(spread["jiangyin"], "s-jiangyin"), city),
             (finance_yixing, city), (finance_city, yixing), (expert, city)]
    for user, evaluation in cases:
        client.force_login(user)
        assert client.get(page_of(evaluation)).status_code == 404, user.username
        assert client.get(f"/api/evaluations/{evaluation.pk}").status_code == 404
    client.force_login(finance_city)
    assert client.get(page_of(city)).status_code == 200


def listed(client, user, **query) -> list[str]:
    client.force_login(user)
    response = client.get(LIST, query)
    assert response.status_code == 200
    return sorted(f"{e.year}:{e.project.title if e.project_id else e.institution.code}:"
                  f"{e.evaluator}:{e.grade}" for e in response.context["page"])


@pytest.fixture
def evaluated(spread, bureau_user, finance_city, finance_yixing):
    """A bureau evaluation (89, good) and a finance one (excellent) of the city's project, a
    Yixing finance one (poor) of the studio, a self-evaluation draft, and the Liangxi
    school's 2019 year (fair)."""
    city = spread["city"]
    school = school_of(city, "s-city")
    submitted(bureau_user, project=city, tasks_done="4")
    submitted(finance_city, project=city, year=2021)
    submitted(finance_yixing, project=spread["yixing"], tasks_done="0", talent="0",
              industry_service="0", quality_standard="0")
    evaluation_create(by=school, project=city, year=2021)
    submitted(school, institution=city.institution, year=2019, projects_on_track="0",
              majors_aligned="0", employment_rate="0")
    return {"school": school, "code": city.institution.code}


def test_list_is_scoped_and_filtered(client, evaluated, bureau_user, finance_city,
                                     finance_yixing, regions):
    code = evaluated["code"]
    everything = ["2019:" + code + ":school:fair", "2020:宜兴工作室:finance:poor",
                  "2020:梁溪项目:bureau:good", "2021:梁溪项目:finance:excellent"]
    assert listed(client, bureau_user) == everything
    assert listed(client, evaluated["school"]) == [
        "2019:" + code + ":school:fair", "2020:梁溪项目:bureau:good",
        "2021:梁溪项目:finance:excellent", "2021:梁溪项目:school:"]  # its own draft too
    assert listed(client, finance_city) == [
        "2019:" + code + ":school:fair", "2020:梁溪项目:bureau:good",
        "2021:梁溪项目:finance:excellent"]
    assert listed(client, finance_yixing) == ["2020:宜兴工作室:finance:poor"]
    assert listed(client, bureau_user, year="2020") == everything[1:3]
    assert listed(client, bureau_user, evaluator="finance") == [everything[1], everything[3]]
    assert listed(client, bureau_user, grade="poor") == [everything[1]]
    assert listed(client, bureau_user, region="yixing") == [everything[1]]
    assert listed(client, bureau_user, school=code) == [everything[0], everything[2],
                                                        everything[3]]
    assert listed(client, bureau_user, subject="school_year") == [everything[0]]
    assert listed(client, bureau_user, year="19", grade="best") == everything


def _sheet(response) -> list[tuple]:
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return [tuple(row) for row in load_workbook(io.BytesIO(response.content)).active
            .iter_rows(values_only=True)]


def test_export_has_the_scoped_filtered_evaluations(client, evaluated, finance_city,
                                                    bureau_user):
    client.force_login(finance_city)
    rows = _sheet(client.get(EXPORT, {"subject": "project"}))
    assert list(rows[0]) == [c.header for c in EVALUATION_COLUMNS]
    assert [(r[0], r[1], r[5], r[6], r[7], r[8]) for r in rows[1:]] == [
        (2021, "梁溪项目", "Finance bureau", "Submitted", 100, "优"),
        (2020, "梁溪项目", "Education bureau", "Submitted", 89, "良"),
    ]
    assert rows[2][9] == "预算执行 10；产出 39；效益 30；满意度 10"
    assert (rows[2][10], rows[2][11]) == ("结论。", bureau_user.display_name)
    school_year = _sheet(client.get(EXPORT, {"subject": "school_year"}))[1]
    assert (school_year[1], school_year[7], school_year[8]) == ("学校年度", 65, "中")


def test_list_and_export_query_counts_do_not_grow(client, project_at, bureau_user):
    def one_more(n):
        submitted(bureau_user, project=project_at(title=f"项目{n}"))

    one_more(0)
    client.force_login(bureau_user)
    one = (_queries(client, LIST), _queries(client, EXPORT), _queries(client, "/api/evaluations"))
    for n in range(1, 20):
        one_more(n)
    assert PerformanceEvaluation.objects.count() == 20
    assert (_queries(client, LIST), _queries(client, EXPORT),
            _queries(client, "/api/evaluations")) == one


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_schools_year_is_begun_from_the_list(client, project, school, finance_city, regions):
    client.force_login(school)
    page = client.get(LIST).content.decode()
    assert "data-school-evaluation-start" in page
    response = client.post(reverse("projects:evaluation_start"),
                           {"institution": project.institution.code, "year": "2019"})
    evaluation = PerformanceEvaluation.objects.get()
    assert response.url == page_of(evaluation)
    assert (evaluation.project, evaluation.year, evaluation.indicator_set["code"]) == (
        None, 2019, "school_year")
    other = InstitutionFactory(region=regions["liangxi"])
    response = client.post(reverse("projects:evaluation_start"),
                           {"institution": other.code, "year": "2019"}, follow=True)
    assert "Choose a school and a year to evaluate." in response.content.decode()
    assert PerformanceEvaluation.objects.count() == 1


def test_api_lists_and_shows_evaluations(client, evaluated, bureau_user):
    client.force_login(bureau_user)
    items = client.get("/api/evaluations", {"year": 2020}).json()["items"]
    assert sorted((i["evaluator"], i["grade"], i["total"]) for i in items) == [
        ("bureau", "good", "89.00"), ("finance", "poor", "57.00")]
    one = next(i for i in items if i["evaluator"] == "bureau")
    assert (one["indicator_set"], one["institution"], one["region"]) == (
        "project", evaluated["code"], "liangxi")
    full = client.get(f"/api/evaluations/{one['id']}").json()
    assert full["first_levels"] == [
        {"code": "budget", "weight": "10", "subtotal": "10.00"},
        {"code": "outputs", "weight": "50", "subtotal": "39.00"},
        {"code": "outcomes", "weight": "30", "subtotal": "30.00"},
        {"code": "satisfaction", "weight": "10", "subtotal": "10.00"}]
    tasks = next(s for s in full["scores"] if s["code"] == "tasks_done")
    assert tasks == {"code": "tasks_done", "first": "outputs", "second": "quantity",
                     "points": "15", "score": "4.00", "evidence": "建设任务完成率的佐证",
                     "has_file": False}
    project_id = one["project"]
    assert len(client.get("/api/evaluations", {"project": project_id}).json()["items"]) == 2
    assert len(client.get("/api/evaluations", {"institution": evaluated["code"]})
               .json()["items"]) == 3


def test_evaluation_pages_speak_chinese(client, project, school, bureau_user):
    draft = evaluation_create(by=school, project=project, year=2020)
    final = submitted(bureau_user, project=project)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    client.force_login(school)
    page = client.get(page_of(draft)).content.decode()
    assert "预算执行率" in page and "资金管理" in page
    assert "建设任务完成率" in client.get(page_of(final)).content.decode()
    assert "优" in client.get(LIST).content.decode()
    assert client.get(detail(project)).status_code == 200


def test_the_menu_leads_to_evaluations_and_the_bureau_to_changes(client, school, bureau_user,
                                                                 expert):
    def nav(user) -> str:
        client.force_login(user)
        page = client.get(reverse("accounts:home")).content.decode()
        return page[page.index("<nav"):page.index("</nav>")]

    changes = reverse("projects:change_list")
    assert LIST in nav(bureau_user) and changes in nav(bureau_user)
    assert LIST in nav(school) and changes not in nav(school)
    assert LIST not in nav(expert)
