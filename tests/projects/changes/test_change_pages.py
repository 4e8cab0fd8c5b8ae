"""The change pages: the section on the project page, the school's request form (a refusal
comes back with what was typed), the bureau's decision, the bureau's list with its filters,
query count and Excel export, the API; every refusal from the refused side."""

import io
from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import InstitutionFactory, UserFactory, membership
from tests.projects.changes.change_fixtures import *  # noqa: F403
from tests.projects.changes.change_fixtures import BUDGET, moved, school_of
from vetq.projects.change_exports import CHANGE_COLUMNS
from vetq.projects.changes import change_decide, change_request
from vetq.projects.models import ChangeRequest, Project, ProjectState

pytestmark = pytest.mark.integration

LIST = reverse("projects:change_list")
EXPORT = reverse("projects:change_export")


@pytest.fixture(autouse=True)
def english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def detail(project) -> str:
    return reverse("projects:detail", args=[project.pk])


def new(project, kind) -> str:
    return reverse("projects:change_new", args=[project.pk, kind])


def change_url(change, action: str = "detail") -> str:
    name = {"detail": "change_detail", "decide": "change_decide",
            "withdraw": "change_withdraw"}[action]
    return reverse(f"projects:{name}", args=[change.project_id, change.pk])


def ask(project, school, kind="lead", after=None, reason="原负责人调离学校。"):
    after = {"lead_name": "李明"} if after is None else after
    return change_request(project=project, kind=kind, after=after, reason=reason, by=school)


def budget_form(lines, reason="调整设备采购。") -> dict:
    data = {"reason": reason}
    for line in lines:
        for part in ("amount", "school", "partner"):
            data[f"budget-{line['item']}-{part}"] = line.get(part, "")
    return data


def test_school_sees_the_section_and_asks_for_a_lead_change(client, project, school):
    client.force_login(school)
    page = client.get(detail(project)).content.decode()
    assert 'id="changes-heading"' in page
    assert f'href="{new(project, "lead")}"' in page and f'href="{new(project, "budget")}"' in page

    form = client.get(new(project, "lead")).content.decode()
    assert "王建国" in form

    response = client.post(new(project, "lead"), {"lead_name": "李明", "reason": "调离。"},
                           follow=True)

    assert response.redirect_chain == [(detail(project) + "#changes-heading", 302)]
    change = ChangeRequest.objects.get()
    assert (change.kind, change.state, change.after) == ("lead", "pending", {"lead_name": "李明"})
    page = response.content.decode()
    assert "Your change request was sent to the education bureau." in page
    assert f'data-change="{change.pk}" data-change-state="pending"' in page
    assert "Lead person: a request is waiting" in page  # no second request of the kind


def test_a_refused_budget_request_comes_back_with_what_was_typed(client, project, school):
    client.force_login(school)
    lines = [dict(line) for line in BUDGET]
    lines[0]["amount"] = "65000"
    response = client.post(new(project, "budget"), budget_form(lines))
    assert response.status_code == 200
    page = response.content.decode()
    assert ("The total of the grant must stay 100,000 yuan, not 105,000 yuan." in page)
    assert 'name="budget-equipment-amount" value="65000"' in page
    assert "调整设备采购。" in page
    assert not ChangeRequest.objects.exists()


def test_school_asks_for_a_budget_change_by_page(client, project, school):
    client.force_login(school)
    response = client.post(new(project, "budget"), budget_form(moved()))
    assert response.status_code == 302
    change = ChangeRequest.objects.get()
    assert [line["item"] for line in change.after["budget"]] == [
        "equipment", "training", "materials", "experts"]


def test_bureau_approves_and_the_project_page_shows_the_change(client, project, school,
                                                              bureau_user):
    change = ask(project, school)
    client.force_login(bureau_user)
    page = client.get(change_url(change)).content.decode()
    assert '<div data-before>王建国</div>' in page and '<div data-after>李明</div>' in page
    assert "data-decide-form" in page and "data-withdraw-form" not in page

    response = client.post(change_url(change, "decide"), {"decision": "approve", "comment": ""},
                           follow=True)

    page = response.content.decode()
    assert "The change was approved and is now part of the project." in page
    assert "Lead person: 王建国 → 李明" in page  # the history
    project.refresh_from_db()
    assert project.lead_name == "李明"


def test_a_refused_decision_shows_why_with_the_comment_typed(client, project, school,
                                                             bureau_user):
    change = ask(project, school, kind="goals", after={"goals": "新目标。"})
    Project.objects.filter(pk=project.pk).update(goals="已被修改的目标。")
    client.force_login(bureau_user)
    page = client.get(change_url(change)).content.decode()
    assert "data-stale" in page
    response = client.post(change_url(change, "decide"),
                           {"decision": "approve", "comment": "同意变更目标"})
    page = response.content.decode()
    assert "The project&#x27;s goals changed after this request was made" in page
    assert "同意变更目标" in page
    response = client.post(change_url(change, "decide"), {"decision": "reject", "comment": ""})
    assert "Please say why the change is rejected." in response.content.decode()
    change.refresh_from_db()
    assert change.state == "pending"


def test_bureau_budget_comparison_shows_both_versions(client, project, school, bureau_user):
    change = ask(project, school, kind="budget", after={"budget": moved()})
    client.force_login(bureau_user)
    response = client.get(change_url(change))
    rows = [(r.label, r.before["amount"], r.after["amount"], r.changed)
            for r in response.context["change"].budget_rows]
    assert rows == [("Equipment", 60000, 50000, True), ("Training", 30000, 30000, False),
                    ("Materials and course development", 10000, 10000, False),
                    ("Expert consultation", 0, 10000, True)]
    assert 'id="budget-compare"' in response.content.decode()


def test_school_withdraws_by_page(client, project, school):
    change = ask(project, school)
    client.force_login(school)
    assert "data-withdraw-form" in client.get(change_url(change)).content.decode()
    response = client.post(change_url(change, "withdraw"), follow=True)
    assert "The change request was withdrawn." in response.content.decode()
    change.refresh_from_db()
    assert change.state == "withdrawn"


def test_closed_projects_offer_no_change_request(client, project, school):
    Project.objects.filter(pk=project.pk).update(state=ProjectState.CLOSED)
    client.force_login(school)
    assert "data-change-new" not in client.get(detail(project)).content.decode()
    assert client.get(new(project, "lead")).status_code == 403
    assert client.post(new(project, "lead"), {"lead_name": "x", "reason": "y"}).status_code == 403


def test_who_may_do_what(client, project, school, bureau_user, finance_city):
    change = ask(project, school)
    client.force_login(bureau_user)
    assert client.get(new(project, "lead")).status_code == 403  # the bureau does not ask
    assert client.post(change_url(change, "withdraw")).status_code == 403
    for user in (school, finance_city):
        client.force_login(user)
        assert client.post(change_url(change, "decide"),
                           {"decision": "approve"}).status_code == 403
        assert client.get(LIST).status_code == 403
        assert client.get(EXPORT).status_code == 403
    change.refresh_from_db()
    assert change.state == "pending"


def test_projects_and_changes_outside_the_scope_are_not_found(client, project, school, regions,
                                                              finance_yixing, expert):
    change = ask(project, school)
    other = UserFactory(username="other-school")
    membership(other, "school_user", institution=InstitutionFactory(region=regions["liangxi"]))
    for user in (other, finance_yixing, expert):
        client.force_login(user)
        assert client.get(change_url(change)).status_code == 404, user.username
        assert client.get(new(project, "lead")).status_code == 404
        assert client.post(change_url(change, "withdraw")).status_code == 404
        assert client.post(change_url(change, "decide"), {"decision": "approve"}) \
            .status_code == 404
        assert client.get(f"/api/projects/{project.pk}/changes").status_code == 404


def test_a_change_is_found_only_under_its_own_project(client, project, school, project_at,
                                                      bureau_user):
    change = ask(project, school)
    another = project_at(title="另一个项目")
    client.force_login(bureau_user)
    assert client.get(reverse("projects:change_detail", args=[another.pk, change.pk])) \
        .status_code == 404


def test_api_lists_a_projects_changes(client, project, school, finance_city):
    change = ask(project, school)
    client.force_login(finance_city)
    items = client.get(f"/api/projects/{project.pk}/changes").json()
    assert datetime.fromisoformat(items[0].pop("requested_at")) == change.requested_at \
        .replace(microsecond=change.requested_at.microsecond // 1000 * 1000)
    assert items == [{
        "id": change.pk, "kind": "lead", "state": "pending", "before": {"lead_name": "王建国"},
        "after": {"lead_name": "李明"}, "reason": "原负责人调离学校。", "decided_at": None,
        "decision_comment": "",
    }]


def listed(client, user, **query) -> list[str]:
    client.force_login(user)
    response = client.get(LIST, query)
    assert response.status_code == 200
    return sorted(f"{c.project.title}:{c.kind}:{c.state}" for c in response.context["page"])


def test_list_shows_waiting_requests_and_filters(client, spread, bureau_user):
    schools = {key: school_of(p, f"s-{key}") for key, p in spread.items()}
    Project.objects.update(lead_name="原负责人", goals="原目标", budget=BUDGET)
    ask(spread["city"], schools["city"])
    ask(spread["yixing"], schools["yixing"], kind="goals", after={"goals": "新目标"})
    done = ask(spread["jiangyin"], schools["jiangyin"])
    change_decide(change=done, approve=False, comment="不同意", by=bureau_user)

    assert listed(client, bureau_user) == ["宜兴工作室:goals:pending", "梁溪项目:lead:pending"]
    assert listed(client, bureau_user, state="all") == [
        "宜兴工作室:goals:pending", "梁溪项目:lead:pending", "江阴项目:lead:rejected"]
    assert listed(client, bureau_user, state="rejected") == ["江阴项目:lead:rejected"]
    assert listed(client, bureau_user, kind="goals") == ["宜兴工作室:goals:pending"]
    assert listed(client, bureau_user, region="liangxi") == ["梁溪项目:lead:pending"]
    assert listed(client, bureau_user, category="master_teacher_studio") == [
        "宜兴工作室:goals:pending"]
    assert listed(client, bureau_user, school=spread["city"].institution.code) == [
        "梁溪项目:lead:pending"]
    assert listed(client, bureau_user, state="nonsense", kind="nonsense") == [
        "宜兴工作室:goals:pending", "梁溪项目:lead:pending"]
    page = client.get(LIST, {"region": "yixing"}).content.decode()
    assert f'href="{EXPORT}?state=pending&amp;region=yixing"' in page


def _sheet(response) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_export_has_the_filtered_requests(client, project, school, bureau_user):
    change = ask(project, school, kind="budget", after={"budget": moved()}, reason="=调整")
    client.force_login(bureau_user)
    rows = _sheet(client.get(EXPORT))
    assert list(rows[0]) == [c.header for c in CHANGE_COLUMNS]
    row = rows[1]
    assert row[:5] == ("梁溪项目", project.category.name, project.institution.name, "梁溪区",
                       "Budget items")
    assert row[5] == ("Equipment：补助 60,000，学校配套 20,000，企业配套 0\n"
                      "Expert consultation：补助 0，学校配套 0，企业配套 0")
    assert row[6] == ("Equipment：补助 50,000，学校配套 20,000，企业配套 0\n"
                      "Expert consultation：补助 10,000，学校配套 0，企业配套 0")
    assert (row[7], row[8], row[9]) == ("'=调整", "Waiting for the bureau", school.display_name)
    assert isinstance(row[10], datetime)
    assert _sheet(client.get(EXPORT, {"state": "approved"}))[1:] == []
    change_decide(change=change, approve=True, by=bureau_user)
    assert len(_sheet(client.get(EXPORT, {"state": "approved"}))) == 2


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_and_export_query_counts_do_not_grow(client, project_at, bureau_user):
    def one_more(n):
        project = project_at(title=f"项目{n}")
        Project.objects.filter(pk=project.pk).update(budget=BUDGET)
        project.refresh_from_db()
        ask(project, school_of(project, f"s{n}"), kind="budget" if n % 2 else "lead",
            after={"budget": moved()} if n % 2 else None)

    one_more(0)
    client.force_login(bureau_user)
    one = (_queries(client, LIST), _queries(client, EXPORT))
    for n in range(1, 20):
        one_more(n)
    assert ChangeRequest.objects.count() == 20
    assert (_queries(client, LIST), _queries(client, EXPORT)) == one


def test_change_pages_speak_chinese(client, project, school, bureau_user):
    change = ask(project, school, kind="budget", after={"budget": moved()})
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    client.force_login(school)
    for kind in ("lead", "goals", "budget"):
        assert client.get(new(project, kind)).status_code == 200
    client.force_login(bureau_user)
    for url in (detail(project), change_url(change), LIST):
        response = client.get(url)
        assert response.status_code == 200
        assert "设备购置费" in response.content.decode() or url == LIST
    assert "设备购置费" in client.get(LIST).content.decode()
