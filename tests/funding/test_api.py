"""R27–R29 in the JSON API: grants, tranches, the ledger and the budget, scoped by payer."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import UserFactory, membership
from vetq.accounts.services import token_create
from vetq.funding.grants import application_approve
from vetq.funding.ledger import entry_reverse, payment_record, recovery_record
from vetq.institutions.models import Department

pytestmark = pytest.mark.integration

D = Decimal
APPROVED = date(2020, 3, 1)


@pytest.fixture
def grant_at(in_publicity, bureau_user):
    def make(region=None, code="brand_major", *, institution=None, title=None, **kwargs):
        application = in_publicity(code, region, institution=institution, title=title)
        if region is not None and region.code in {"jiangyin", "yixing"} \
                and not kwargs.get("commissioned"):
            kwargs.setdefault("county_amount", D("120000"))
        return application_approve(application=application, by=bureau_user, today=APPROVED,
                                   **kwargs)

    return make


def pay(grant, by, amount, voucher, on=date(2020, 4, 1)):
    tranche = grant.tranches.get(seq=1)
    return payment_record(tranche=tranche, amount=amount, voucher_no=voucher, paid_on=on,
                          payer_account="国库存款", by=by, today=on)


@pytest.fixture
def grants(grant_at, regions, finance_city, finance_jiangyin, finance_yixing):
    """A city-paid 梁溪 grant, a Yixing project the city commissioned, and one grant each
    paid by Jiangyin and by Yixing."""
    city = grant_at(regions["liangxi"], title="梁溪项目")
    commissioned = grant_at(regions["yixing"], title="市级委托项目", commissioned=True)
    jiangyin = grant_at(regions["jiangyin"], title="江阴项目")
    yixing = grant_at(regions["yixing"], title="宜兴项目")
    pay(city, finance_city, "60000", "C-1")
    pay(jiangyin, finance_jiangyin, "72000", "J-1")
    recovery_record(grant=jiangyin, amount="2000", reason="结余收回", voucher_no="JR-1",
                    on=date(2020, 12, 1), by=finance_jiangyin)
    return {"city": city, "commissioned": commissioned, "jiangyin": jiangyin, "yixing": yixing}


def listed(client, user, **params) -> list[dict]:
    client.force_login(user)
    response = client.get("/api/grants", params)
    assert response.status_code == 200
    return response.json()["items"]


@pytest.mark.parametrize(("who", "titles"), [
    ("finance_jiangyin", ["江阴项目"]),
    ("finance_yixing", ["宜兴项目"]),
    ("finance_city", ["梁溪项目", "市级委托项目"]),
    ("bureau_user", ["梁溪项目", "市级委托项目", "江阴项目", "宜兴项目"]),
])
def test_grants_are_scoped_by_payer(client, grants, request, who, titles):
    items = listed(client, request.getfixturevalue(who))
    assert sorted(item["title"] for item in items) == sorted(titles)


def test_grant_list_carries_payer_and_amounts(client, grants, finance_jiangyin, finance_city):
    [jiangyin] = listed(client, finance_jiangyin)
    assert jiangyin["id"] == grants["jiangyin"].pk
    assert jiangyin["payer"] == "jiangyin"
    assert jiangyin["payer_name"] == "江阴市"
    assert jiangyin["region"] == "jiangyin"
    assert jiangyin["category"] == "brand_major"
    assert jiangyin["year"] == 2020
    assert jiangyin["state"] == "active"
    assert (jiangyin["promised"], jiangyin["paid"], jiangyin["recovered"]) == (
        "120000.00", "72000.00", "2000.00")
    by_title = {item["title"]: item for item in listed(client, finance_city)}
    assert by_title["市级委托项目"]["payer"] == "city"
    assert by_title["市级委托项目"]["region"] == "yixing"
    assert by_title["市级委托项目"]["commissioned"] is True
    assert D(by_title["梁溪项目"]["paid"]) == D("60000")


def test_grant_list_filters(client, grants, grant_at, regions, bureau_user):
    grant_at(regions["binhu"], "quality_course", title="滨湖课程")

    def titles(**params):
        return sorted(item["title"] for item in listed(client, bureau_user, **params))

    assert titles(payer="city") == ["市级委托项目", "梁溪项目", "滨湖课程"]
    assert titles(payer="yixing") == ["宜兴项目"]
    assert titles(category="quality_course") == ["滨湖课程"]
    assert titles(year=2020, state="active") == sorted(
        ["梁溪项目", "市级委托项目", "江阴项目", "宜兴项目", "滨湖课程"])
    assert titles(year=2019) == []
    assert titles(state="withdrawn") == []


def test_grant_detail_has_tranches_with_paid_and_payable(client, grants, finance_city):
    grant = grants["city"]
    second = grant.tranches.get(seq=2)
    client.force_login(finance_city)

    body = client.get(f"/api/grants/{grant.pk}").json()

    assert body["title"] == "梁溪项目"
    assert body["payer"] == "city"
    assert [{key: t[key] for key in ("seq", "due_date", "condition", "withheld",
                                     "payable_now")} for t in body["tranches"]] == [
        {"seq": 1, "due_date": "2020-03-01", "condition": "on_approval", "withheld": False,
         "payable_now": False},
        {"seq": 2, "due_date": second.due_date.isoformat(), "condition": "acceptance_passed",
         "withheld": False, "payable_now": False},
    ]
    assert [(D(t["amount"]), D(t["paid"]), D(t["payable"])) for t in body["tranches"]] == [
        (D("60000"), D("60000"), D("0")), (D("40000"), D("0"), D("0"))]


def test_partly_paid_tranche_is_payable_now(client, grant_at, regions, finance_city):
    grant = grant_at(regions["liangxi"])
    pay(grant, finance_city, "10000", "P-1")
    client.force_login(finance_city)
    first = client.get(f"/api/grants/{grant.pk}").json()["tranches"][0]
    assert first["payable_now"] is True
    assert D(first["payable"]) == D("50000")


@pytest.mark.parametrize(("who", "target"), [
    ("finance_jiangyin", "city"),
    ("finance_jiangyin", "yixing"),
    ("finance_yixing", "commissioned"),
    ("finance_city", "jiangyin"),
    ("school_user", "city"),
])
def test_grant_outside_the_scope_is_404(client, grants, request, who, target):
    client.force_login(request.getfixturevalue(who))
    pk = grants[target].pk
    assert client.get(f"/api/grants/{pk}").status_code == 404
    assert client.get(f"/api/grants/{pk}/ledger").status_code == 404


def test_school_reads_its_own_grant(client, grant_at, school, school_user, grants):
    own = grant_at(institution=school, title="本校项目")
    client.force_login(school_user)
    assert [item["title"] for item in client.get("/api/grants").json()["items"]] == ["本校项目"]
    assert client.get(f"/api/grants/{own.pk}").json()["title"] == "本校项目"


def test_ledger_lists_entries_oldest_first(client, grant_at, regions, finance_city):
    grant = grant_at(regions["liangxi"])
    entry = pay(grant, finance_city, "60000", "V-1")
    entry_reverse(entry=entry, reason="凭证号录错", by=finance_city, on=date(2020, 4, 2))
    client.force_login(finance_city)

    entries = client.get(f"/api/grants/{grant.pk}/ledger").json()

    assert [(e["kind"], D(e["amount"]), e["voucher_no"], e["paid_on"], e["tranche"],
             e["note"]) for e in entries] == [
        ("payment", D("60000"), "V-1", "2020-04-01", 1, ""),
        ("reversal", D("-60000"), "V-1", "2020-04-02", 1, "凭证号录错"),
    ]
    assert entries[0]["reverses"] is None
    assert entries[1]["reverses"] == entries[0]["id"]
    assert entries[0]["recorded_by"] == finance_city.full_name


@pytest.fixture
def viewer(program):
    user = UserFactory(username="viewer")
    membership(user, "department_viewer", department=Department.objects.get(code="finance"))
    return user


@pytest.mark.parametrize("who", ["bureau_user", "finance_city", "viewer"])
def test_budget_gives_the_municipal_figures(client, grants, request, who):
    client.force_login(request.getfixturevalue(who))
    body = client.get("/api/budget").json()
    assert body["program"] == "wuxi-vet-quality-2016"
    assert body["payers"] == ["city"]
    assert {key: D(body[key]) for key in ("budget", "committed", "paid", "recovered", "free")} \
        == {"budget": D("100000000"), "committed": D("200000"), "paid": D("60000"),
            "recovered": D("0"), "free": D("99800000")}


def test_county_finance_officer_gets_its_own_payers_figures(client, grants, finance_jiangyin):
    client.force_login(finance_jiangyin)
    body = client.get("/api/budget").json()
    assert body["payers"] == ["jiangyin"]
    assert body["budget"] is None and body["free"] is None
    assert (D(body["committed"]), D(body["paid"]), D(body["recovered"])) == (
        D("118000"), D("72000"), D("2000"))


@pytest.mark.parametrize("who", ["school_user", "region_officer"])
def test_budget_is_refused_to_schools_and_region_officers(client, grants, request, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get("/api/budget", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert response.json() == {"detail": ["You may not read the budget."]}


def test_budget_of_an_unknown_program_is_404(client, grants, bureau_user):
    client.force_login(bureau_user)
    assert client.get("/api/budget", {"program": "nope"}).status_code == 404


def test_anonymous_caller_is_refused(client, grants):
    assert client.get("/api/grants").status_code == 401
    assert client.get("/api/budget").status_code == 401


def test_bearer_token_reads_the_same_scope(client, grants, finance_yixing):
    _, key = token_create(user=finance_yixing, name="api test")
    response = client.get("/api/grants", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert [item["title"] for item in response.json()["items"]] == ["宜兴项目"]


def test_openapi_document_lists_the_funding_paths(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in ("/api/grants", "/api/grants/{pk}", "/api/grants/{pk}/ledger", "/api/budget"):
        assert path in paths
        assert paths[path]["get"]["tags"] == ["funding"]


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/grants").status_code == 200
    return len(queries)


def test_grant_list_query_count_does_not_grow(client, grant_at, regions, finance_city):
    pay(grant_at(regions["liangxi"]), finance_city, "100", "Q-0")
    client.force_login(finance_city)
    one = _queries(client)
    for n in range(1, 20):
        pay(grant_at(regions["xinwu"]), finance_city, "100", f"Q-{n}")
    assert client.get("/api/grants").json()["count"] == 20
    assert _queries(client) == one
