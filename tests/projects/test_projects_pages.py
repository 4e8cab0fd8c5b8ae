"""The project pages: the list in each role's scope with its filters, query count and Excel
export; one project with its plan, money and history; the bureau's extension; the links
between application, grant and project. Every refusal is tested from the refused side."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tests.projects.projects_fixtures import *  # noqa: F403
from tests.projects.projects_fixtures import officer_of, school_of
from vetq.funding.ledger import payment_record, tranches_withhold
from vetq.projects.exports import PROJECT_COLUMNS
from vetq.projects.models import Project, ProjectEvent, ProjectState

pytestmark = pytest.mark.integration

LIST = reverse("projects:list")
EXPORT = reverse("projects:export")
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def listed(client, user, **query) -> list[str]:
    client.force_login(user)
    response = client.get(LIST, query)
    assert response.status_code == 200
    return sorted(p.title for p in response.context["page"])


def detail(project) -> str:
    return reverse("projects:detail", args=[project.pk])


def extend(project) -> str:
    return reverse("projects:extend", args=[project.pk])


ALL = ["宜兴工作室", "市级委托项目", "梁溪项目", "江阴项目"]


def test_bureau_lists_every_project(client, spread, bureau_user):
    assert listed(client, bureau_user) == ALL


def test_school_lists_only_its_own_projects(client, spread):
    assert listed(client, school_of(spread["city"], "s-city")) == ["梁溪项目"]


def test_region_officer_lists_its_schools_projects_whoever_pays(client, spread, regions):
    assert listed(client, officer_of(regions["yixing"], "o-yixing")) == ["宜兴工作室", "市级委托项目"]
    assert listed(client, officer_of(regions["liangxi"], "o-liangxi")) == ["梁溪项目"]


def test_finance_officers_list_the_projects_their_payer_pays(client, spread, finance_city,
                                                            finance_yixing, finance_jiangyin):
    assert listed(client, finance_city) == ["市级委托项目", "梁溪项目"]
    assert listed(client, finance_yixing) == ["宜兴工作室"]
    assert listed(client, finance_jiangyin) == ["江阴项目"]


@pytest.mark.parametrize("who", ["expert", "viewer"])
def test_experts_and_department_viewers_are_refused_the_list_and_export(client, spread, who,
                                                                        request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(LIST).status_code == 403
    assert client.get(EXPORT).status_code == 403


def test_anonymous_is_sent_to_log_in(client, spread):
    response = client.get(detail(spread["city"]))
    assert (response.status_code, response.url.startswith(reverse("accounts:login"))) == (302, True)


def test_projects_outside_the_scope_are_not_found(client, spread, regions, finance_yixing,
                                                  expert, viewer):
    cases = [
        (school_of(spread["jiangyin"], "s-jiangyin"), spread["city"]),
        (officer_of(regions["liangxi"], "o-liangxi"), spread["yixing"]),
        (finance_yixing, spread["commissioned"]),
        (expert, spread["city"]),
        (viewer, spread["city"]),
    ]
    for user, project in cases:
        client.force_login(user)
        assert client.get(detail(project)).status_code == 404, user.username
        assert client.post(extend(project), {"to": "2023-09-01", "reason": "x"}).status_code == 404
        assert client.get(f"/api/projects/{project.pk}").status_code == 404


def test_list_filters(client, spread, bureau_user, regions):
    Project.objects.filter(pk=spread["city"].pk).update(state=ProjectState.CLOSED, rating="pass")
    assert listed(client, bureau_user, category="master_teacher_studio") == ["宜兴工作室"]
    assert listed(client, bureau_user, region="yixing") == ["宜兴工作室", "市级委托项目"]
    assert listed(client, bureau_user, school=spread["jiangyin"].institution.code) == ["江阴项目"]
    assert listed(client, bureau_user, state="closed") == ["梁溪项目"]
    assert listed(client, bureau_user, rating="pass") == ["梁溪项目"]
    assert listed(client, bureau_user, rating="none") == ["宜兴工作室", "市级委托项目", "江阴项目"]
    assert listed(client, bureau_user, state="nonsense", rating="nonsense") == ALL


def test_list_sums_promised_and_paid(client, spread, bureau_user, finance_city):
    payment_record(tranche=spread["city"].grant.tranches.get(seq=1), amount="60000",
                   voucher_no="PZ-1", paid_on=date(2020, 4, 1), payer_account="财政专户",
                   by=finance_city, today=date(2020, 4, 1))
    client.force_login(bureau_user)
    rows = {p.title: (p.promised, p.paid) for p in client.get(LIST).context["page"]}
    assert rows["梁溪项目"] == (Decimal("100000.00"), Decimal("60000.00"))
    assert rows["宜兴工作室"] == (Decimal("120000.00"), Decimal("0.00"))


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_and_export_query_counts_do_not_grow(client, project_at, bureau_user):
    project_at(title="项目0")
    client.force_login(bureau_user)
    one = (_queries(client, LIST), _queries(client, EXPORT), _queries(client, "/api/projects"))
    for n in range(1, 20):
        project_at(title=f"项目{n}")
    assert Project.objects.count() == 20
    assert (_queries(client, LIST), _queries(client, EXPORT), _queries(client, "/api/projects")) \
        == one


def _sheet(response) -> list[tuple]:
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_export_has_the_scoped_filtered_projects(client, spread, finance_city):
    client.force_login(finance_city)
    rows = _sheet(client.get(EXPORT))
    assert list(rows[0]) == [c.header for c in PROJECT_COLUMNS]
    assert sorted(r[0] for r in rows[1:]) == ["市级委托项目", "梁溪项目"]
    rows = _sheet(client.get(EXPORT, {"region": "liangxi"}))
    city = spread["city"]
    assert rows[1:] == [(
        "梁溪项目", "无锡市职业教育现代化品牌专业", city.institution.name, "梁溪区", None,
        datetime(2020, 3, 2), datetime(2023, 3, 2), None, "Under construction", None, "the city",
        100000, 0,
    )]


def test_export_escapes_formulas(client, project_at, bureau_user):
    project_at(title="=HYPERLINK(\"http://x\")")
    client.force_login(bureau_user)
    assert _sheet(client.get(EXPORT))[1][0] == "'=HYPERLINK(\"http://x\")"


def test_list_links_to_the_export_with_its_filters(client, spread, bureau_user):
    client.force_login(bureau_user)
    page = client.get(LIST, {"region": "yixing", "state": "active"}).content.decode()
    assert f'href="{EXPORT}?region=yixing&amp;state=active"' in page


def test_project_page_shows_plan_money_acceptance_and_history(client, project_at, bureau_user,
                                                             finance_city):
    project = project_at("master_teacher_studio")
    Project.objects.filter(pk=project.pk).update(
        goals="培养骨干教师。", lead_name="王老师",
        milestones=[{"year": 2020, "text": "组建团队"}],
        team=[{"name": "赵一", "title": "讲师", "unit": "学校", "role": "成员"}])
    payment_record(tranche=project.grant.tranches.get(seq=1), amount="20000", voucher_no="V-1",
                   paid_on=date(2020, 4, 1), payer_account="财政专户", by=finance_city,
                   today=date(2020, 4, 1))
    client.force_login(bureau_user)
    response = client.get(detail(project))
    page = response.content.decode()
    assert "培养骨干教师。" in page and "王老师" in page and "组建团队" in page and "赵一" in page
    # R18: three yearly 20,000 tranches (the first paid), the 50,000 bonus waiting for excellent.
    statuses = [(t.seq, t.amount, t.condition, t.status) for t in response.context["tranches"]]
    assert statuses[0] == (1, Decimal("20000.00"), "on_approval", "paid")
    assert statuses[3] == (4, Decimal("50000.00"), "excellent", "waiting")
    assert response.context["balances"]["paid"] == Decimal("20000.00")
    assert 'data-acceptance' in page
    assert [e.action for e in response.context["events"]] == ["create"]
    assert f'href="{reverse("funding:grant_detail", args=[project.grant_id])}"' in page


def test_project_page_shows_withheld_tranches(client, project_at, bureau_user):
    project = project_at()
    tranches_withhold(grant=project.grant, reason="验收不合格", by=bureau_user)
    client.force_login(bureau_user)
    response = client.get(detail(project))
    assert [t.status for t in response.context["tranches"]] == ["withheld", "withheld"]
    assert "验收不合格" in response.content.decode()


def test_grant_and_application_pages_link_to_the_project(client, project_at, bureau_user):
    project = project_at()
    client.force_login(bureau_user)
    link = f'href="{detail(project)}" data-project-link'
    assert link in client.get(reverse("funding:grant_detail", args=[project.grant_id])) \
        .content.decode()
    assert link in client.get(reverse("applications:detail", args=[project.application_id])) \
        .content.decode()


def test_bureau_extends_the_construction_period(client, project_at, bureau_user):
    project = project_at()
    client.force_login(bureau_user)
    assert 'id="extension-heading"' in client.get(detail(project)).content.decode()
    response = client.post(extend(project), {"to": "2023-12-31", "reason": "疫情影响"},
                           follow=True)
    assert response.redirect_chain == [(detail(project), 302)]
    project.refresh_from_db()
    assert (project.extended_to, project.extension_reason) == (date(2023, 12, 31), "疫情影响")
    page = response.content.decode()
    assert "The construction period now ends on 2023-12-31." in page
    assert 'id="extension-heading"' not in page  # once only
    assert "Extended to: — → 2023-12-31" in page
    assert [e.action for e in response.context["events"]] == ["create", "extend"]


def test_a_refused_extension_shows_why_and_changes_nothing(client, project_at, bureau_user):
    project = project_at()
    client.force_login(bureau_user)
    response = client.post(extend(project), {"to": "2025-01-01", "reason": "太长"})
    assert response.status_code == 200
    assert "An extension may last at most 366 days: until 2024-03-02 at the latest." in \
        response.content.decode()
    response = client.post(extend(project), {"to": "2023-09-01", "reason": ""})
    assert "Nothing was changed: please check the form below." in response.content.decode()
    project.refresh_from_db()
    assert (project.extended_to, ProjectEvent.objects.filter(action="extend").count()) == (None, 0)


def test_only_the_bureau_may_extend(client, spread, regions, finance_city):
    project = spread["city"]
    for user in (school_of(project, "s-city"), officer_of(regions["liangxi"], "o-liangxi"),
                 finance_city):
        client.force_login(user)
        assert 'id="extension-heading"' not in client.get(detail(project)).content.decode()
        assert client.post(extend(project), {"to": "2023-09-01", "reason": "延期"}).status_code \
            == 403
    project.refresh_from_db()
    assert project.extended_to is None


def test_closed_projects_offer_no_extension(client, project_at, bureau_user):
    project = project_at()
    Project.objects.filter(pk=project.pk).update(state=ProjectState.CLOSED)
    client.force_login(bureau_user)
    assert 'id="extension-heading"' not in client.get(detail(project)).content.decode()
    response = client.post(extend(project), {"to": "2023-09-01", "reason": "延期"})
    assert "Only a project under construction can be extended" in response.content.decode()


def test_project_pages_speak_chinese(client, project_at, bureau_user):
    project = project_at()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    client.force_login(bureau_user)
    assert client.get(detail(project)).status_code == 200
    assert client.get(LIST).status_code == 200
