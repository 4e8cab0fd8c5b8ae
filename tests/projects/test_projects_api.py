"""Projects in the JSON API: read only, scoped as the pages are."""

from datetime import date

import pytest

from tests.projects.projects_fixtures import *  # noqa: F403
from tests.projects.projects_fixtures import officer_of, school_of
from vetq.accounts.services import token_create
from vetq.funding.ledger import payment_record
from vetq.projects.services import project_extend

pytestmark = pytest.mark.integration


def titles(client, user, **params) -> list[str]:
    client.force_login(user)
    response = client.get("/api/projects", params)
    assert response.status_code == 200
    return sorted(p["title"] for p in response.json()["items"])


def test_list_is_scoped_like_the_pages(client, spread, bureau_user, finance_city, finance_yixing,
                                       regions, expert, viewer):
    assert titles(client, bureau_user) == ["宜兴工作室", "市级委托项目", "梁溪项目", "江阴项目"]
    assert titles(client, finance_city) == ["市级委托项目", "梁溪项目"]
    assert titles(client, finance_yixing) == ["宜兴工作室"]
    assert titles(client, officer_of(regions["yixing"], "o-yixing")) == ["宜兴工作室", "市级委托项目"]
    assert titles(client, school_of(spread["city"], "s-city")) == ["梁溪项目"]
    assert titles(client, expert) == []
    assert titles(client, viewer) == []


def test_list_filters(client, spread, bureau_user):
    assert titles(client, bureau_user, category="master_teacher_studio") == ["宜兴工作室"]
    assert titles(client, bureau_user, region="jiangyin") == ["江阴项目"]
    assert titles(client, bureau_user, state="closed") == []
    assert titles(client, bureau_user, rating="none", region="liangxi") == ["梁溪项目"]


def test_list_item(client, spread, finance_jiangyin):
    project = spread["jiangyin"]
    client.force_login(finance_jiangyin)
    assert client.get("/api/projects").json()["items"] == [{
        "id": project.pk, "title": "江阴项目", "application": project.application_id,
        "grant": project.grant_id, "category": "brand_major",
        "category_name": "无锡市职业教育现代化品牌专业", "institution": project.institution.code,
        "institution_name": project.institution.name, "region": "jiangyin", "payer": "jiangyin",
        "lead_name": "", "state": "active", "rating": "", "starts_on": "2020-03-02",
        "ends_on": "2023-03-02", "extended_to": None, "due_on": "2023-03-02",
        "promised": "120000.00", "paid": "0.00",
    }]


def test_detail_has_plan_tranches_and_history(client, project_at, bureau_user, finance_city):
    project = project_at("master_teacher_studio")
    payment_record(tranche=project.grant.tranches.get(seq=1), amount="20000", voucher_no="V-1",
                   paid_on=date(2020, 4, 1), payer_account="财政专户", by=finance_city,
                   today=date(2020, 4, 1))
    project_extend(project=project, to=date(2024, 1, 31), reason="疫情影响", by=bureau_user)
    client.force_login(finance_city)
    body = client.get(f"/api/projects/{project.pk}").json()
    assert (body["extended_to"], body["due_on"], body["extension_reason"], body["paid"]) == \
        ("2024-01-31", "2024-01-31", "疫情影响", "20000.00")
    assert [(t["seq"], t["amount"], t["condition"], t["paid"]) for t in body["tranches"]] == [
        (1, "20000.00", "on_approval", "20000.00"),
        (2, "20000.00", "construction_year", "0.00"),
        (3, "20000.00", "construction_year", "0.00"),
        (4, "50000.00", "excellent", "0.00"),
    ]
    assert body["tranches"][3]["payable_now"] is False
    assert [(e["action"], e["reason"]) for e in body["events"]] == \
        [("create", ""), ("extend", "疫情影响")]


def test_detail_outside_the_scope_is_not_found(client, spread, finance_yixing):
    client.force_login(finance_yixing)
    assert client.get(f"/api/projects/{spread['city'].pk}").status_code == 404
    assert client.get(f"/api/projects/{spread['yixing'].pk}").status_code == 200


def test_api_needs_a_login_or_a_token(client, spread, finance_yixing):
    assert client.get("/api/projects").status_code == 401
    _, key = token_create(user=finance_yixing, name="api test")
    response = client.get("/api/projects", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert [p["title"] for p in response.json()["items"]] == ["宜兴工作室"]


def test_the_api_only_reads(client, spread, bureau_user):
    client.force_login(bureau_user)
    assert client.post("/api/projects", {}).status_code == 405
