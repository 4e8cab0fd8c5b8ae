"""R27, R28: the budget dashboard, its figures and payment lists, the forecast page and the
yearly allocations; county-paid grants never count against the 1亿."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import UserFactory, membership
from vetq.audit.models import AuditEntry
from vetq.funding import dashboards
from vetq.funding.budget import municipal_grants
from vetq.funding.ledger import payment_record, recovery_record, tranche_payable_amount, tranches_withhold
from vetq.funding.models import BudgetAllocation, Grant
from vetq.institutions.models import Department

pytestmark = pytest.mark.integration

D = Decimal
BUDGET = D("100000000.00")
START = date(2020, 3, 2)


def pay(tranche, amount, by, voucher, today=START):
    return payment_record(tranche=tranche, amount=D(amount), voucher_no=voucher, paid_on=today,
                          payer_account="市财政", by=by, today=today)


def first(grant):
    return grant.tranches.get(seq=1)


@pytest.fixture
def viewer(program):
    user = UserFactory(username="viewer")
    membership(user, "department_viewer", department=Department.objects.get(code="development_reform"))
    return user


@pytest.fixture
def picture(approve, regions, finance_city, finance_yixing):
    """A city-paid Liangxi brand major paid 6万; a Yixing one Yixing pays at 12万, paid 7.2万;
    a Yixing one the city commissions (R28); a Binhu studio."""
    city = approve("brand_major", regions["liangxi"], today=START)
    county = approve("brand_major", regions["yixing"], county_amount=D("120000"), today=START)
    commissioned = approve("brand_major", regions["yixing"], commissioned=True, today=START)
    studio = approve("master_teacher_studio", regions["binhu"], today=START)
    pay(first(city), "60000", finance_city, "V-1")
    pay(first(county), "72000", finance_yixing, "Y-1")
    return {"city": city, "county": county, "commissioned": commissioned, "studio": studio}


def by_key(rows):
    return {row.key: (row.grants, row.committed, row.paid, row.recovered) for row in rows}


def test_headline_counts_only_city_paid_grants(program, picture, bureau_user):
    row = dashboards.headline(program, dashboards.dashboard_scope(bureau_user))
    # 10万 + 10万 (commissioned) + 11万 (studio, bonus reserved); Yixing's 12万 is not there.
    assert (row.committed, row.paid, row.recovered) == (D("310000.00"), D("60000.00"), D(0))
    assert row.free == BUDGET - D("310000.00")


def test_recovery_and_withholding_free_the_money(program, picture, bureau_user, finance_city):
    city = picture["city"]
    recovery_record(grant=city, amount=D("60000"), reason="验收不合格", voucher_no="R-1",
                    on=START, by=finance_city)
    tranches_withhold(grant=city, reason="验收不合格", by=bureau_user)
    row = dashboards.headline(program, dashboards.dashboard_scope(bureau_user))
    assert (row.committed, row.paid, row.recovered) == (D("210000.00"), D("60000.00"),
                                                       D("60000.00"))
    assert row.net_paid == D(0)
    assert row.free == BUDGET - D("210000.00")


def test_breakdowns_by_year_category_region_and_payer(program, picture, regions):
    municipal = municipal_grants(program)
    assert by_key(dashboards.by_year(program, municipal))[2020] == (
        3, D("310000.00"), D("60000.00"), D(0))
    assert [r.key for r in dashboards.by_year(program, municipal)] == [2016, 2017, 2018, 2019, 2020]
    categories = {r.label: (r.grants, r.committed) for r in dashboards.by_category(municipal)}
    assert categories == {"无锡市职业教育现代化品牌专业": (2, D("200000.00")),
                          "无锡市职业院校名师工作室": (1, D("110000.00"))}
    assert by_key(dashboards.by_region(municipal)) == {
        regions["liangxi"].pk: (1, D("100000.00"), D("60000.00"), D(0)),
        regions["binhu"].pk: (1, D("110000.00"), D(0), D(0)),
        regions["yixing"].pk: (1, D("100000.00"), D(0), D(0)),  # commissioned: the city pays
    }
    payers = dashboards.by_payer(program, Grant.objects.filter(program=program))
    assert [r.label for r in payers] == ["the city", "江阴市", "宜兴市"]  # English active in funding tests
    assert by_key(payers) == {
        None: (3, D("310000.00"), D("60000.00"), D(0)),
        regions["jiangyin"].pk: (0, D(0), D(0), D(0)),
        regions["yixing"].pk: (1, D("120000.00"), D("72000.00"), D(0)),
    }


def test_schools_summary(program, picture):
    rows = {r.key: (r.grants, r.promised, r.paid) for r in
            dashboards.by_school(Grant.objects.filter(program=program))}
    assert rows[picture["city"].institution_id] == (1, D("100000.00"), D("60000.00"))
    assert rows[picture["county"].institution_id] == (1, D("120000.00"), D("72000.00"))
    assert len(rows) == 4


def test_due_and_overdue_tranches_on_given_days(program, approve, regions, finance_city):
    alliance = approve("program_alliance", regions["xishan"], today=START)  # R12: 4 × 5万
    brand = approve("brand_major", regions["liangxi"], today=START)
    grants = Grant.objects.filter(program=program)
    t1, t2, t3, _t4 = alliance.tranches.order_by("seq")
    assert [t.due_date for t in (t1, t2, t3)] == [START, date(2021, 6, 30), date(2022, 6, 30)]

    def listed(query, today):
        return [(t.grant_id, t.seq, t.outstanding) for t in query(grants, today)]

    assert listed(dashboards.tranches_due, START) == [
        (alliance.pk, 1, D("50000.00")), (brand.pk, 1, D("60000.00"))]
    assert listed(dashboards.tranches_overdue, START) == []
    pay(t1, "50000", finance_city, "V-1")
    pay(t2, "20000", finance_city, "V-2", today=date(2021, 7, 1))
    on_due_day = date(2022, 6, 30)
    assert listed(dashboards.tranches_due, on_due_day) == [
        (brand.pk, 1, D("60000.00")), (alliance.pk, 2, D("30000.00")),
        (alliance.pk, 3, D("50000.00"))]
    # The third tranche falls due that day: payable, not yet overdue.
    assert listed(dashboards.tranches_overdue, on_due_day) == [
        (brand.pk, 1, D("60000.00")), (alliance.pk, 2, D("30000.00"))]
    for tranche in dashboards.tranches_due(grants, on_due_day):
        assert tranche.outstanding == tranche_payable_amount(tranche, on_due_day)


def test_county_finance_officer_sees_its_own_payer_only(client, program, picture, finance_yixing):
    client.force_login(finance_yixing)
    response = client.get(reverse("funding:dashboard"))
    assert response.status_code == 200
    headline = response.context["headline"]
    assert (headline.committed, headline.paid, headline.budget) == (D("120000.00"), D("72000.00"),
                                                                  None)
    assert headline.unpaid == D("48000.00")
    assert [c["key"] for c in response.context["charts"]] == ["year", "category"]
    assert [t.grant_id for t in response.context["due"]] == []  # 7.2万 paid; the rest at acceptance
    assert [s.key for s in response.context["schools"]] == [picture["county"].institution_id]
    assert 'data-figure="free"' not in response.content.decode()


def test_bureau_dashboard_shows_charts_tables_and_lists(client, program, picture, bureau_user):
    client.force_login(bureau_user)
    response = client.get(reverse("funding:dashboard"))
    html = response.content.decode()
    assert [c["key"] for c in response.context["charts"]] == ["year", "payer", "category", "region"]
    assert 'data-figure="committed">31万元<' in html
    assert 'data-figure="free">9,969万元<' in html
    payer = next(c for c in response.context["charts"] if c["key"] == "payer")["data"]
    assert payer["labels"] == ["市级", "江阴市", "宜兴市"]
    assert [s["data"] for s in payer["series"]] == [
        ["6.00", "0.00", "7.20"], ["25.00", "0.00", "4.80"], ["0.00", "0.00", "0.00"]]
    assert json.loads(html.split('id="chart-data-payer" type="application/json">')[1]
                      .split("</script>")[0]) == payer
    # Today (after 2022) the studio's construction years are due too; Liangxi's and Yixing's
    # first tranches are paid, their second waits for acceptance.
    due = [(t.grant_id, t.seq) for t in response.context["due"]]
    studio = picture["studio"].pk
    assert due == [(picture["commissioned"].pk, 1), (studio, 1), (studio, 2), (studio, 3)]
    assert reverse("funding:grant_detail", args=[picture["studio"].pk]) in html
    assert reverse("funding:forecast") in html
    assert "vetq/charts.js" in html and "vendor/echarts/echarts.min.js" in html


def test_city_finance_officer_lists_only_city_paid_tranches(client, program, approve, regions,
                                                            finance_city):
    city = approve("brand_major", regions["liangxi"], today=START)
    approve("brand_major", regions["yixing"], today=START)
    client.force_login(finance_city)
    response = client.get(reverse("funding:dashboard"))
    assert [t.grant_id for t in response.context["due"]] == [city.pk]
    assert "payer" in [c["key"] for c in response.context["charts"]]


def test_department_viewer_reads_figures_without_links(client, program, picture, viewer):
    client.force_login(viewer)
    response = client.get(reverse("funding:dashboard"))
    assert len(response.context["due"]) == 4
    assert reverse("funding:grant_detail", args=[picture["studio"].pk]) not in response.content.decode()


@pytest.mark.parametrize("name", ["funding:dashboard", "funding:forecast", "funding:allocations"])
def test_school_user_is_refused(client, program, school_user, name):
    client.force_login(school_user)
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", ["funding:dashboard", "funding:forecast", "funding:allocations"])
def test_anonymous_is_sent_to_log_in(client, program, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("who", ["finance_city", "finance_yixing", "viewer"])
def test_only_the_bureau_sets_allocations(client, program, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("funding:allocations")).status_code == 403
    assert client.post(reverse("funding:allocations"), {"2016": "1"}).status_code == 403
    assert not BudgetAllocation.objects.exists()


def _dashboard_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("funding:dashboard")).status_code == 200
    return len(queries)


def test_dashboard_query_count_does_not_grow_with_grants(client, program, approve, regions,
                                                         bureau_user, finance_city):
    codes = ["brand_major", "quality_course", "program_alliance", "master_teacher_studio"]
    places = ["liangxi", "xishan", "binhu", "yixing", "jiangyin"]

    def add(i):
        grant = approve(codes[i % 4], regions[places[i % 5]], today=START)
        if grant.payer_region_id is None:
            pay(first(grant), first(grant).amount, finance_city, f"V-{i}")

    add(0)
    client.force_login(bureau_user)
    one = _dashboard_queries(client)
    for i in range(1, 20):
        add(i)
    assert Grant.objects.count() == 20
    assert _dashboard_queries(client) == one


def test_forecast_page_and_what_if_fragment(client, program, bureau_user, school, other_school):
    client.force_login(bureau_user)
    page = client.get(reverse("funding:forecast"))
    assert page.context["share_percent"] == D("50.0")  # no grants yet: 1 school of 2 in Yixing
    assert page.context["result"].needed == D("34800000.00")  # 6,960万 × 50%
    assert "funding/forecast.html" in [t.name for t in page.templates]
    fragment = client.get(reverse("funding:forecast"), {"county_share": "25"}, HTTP_HX_REQUEST="true")
    assert [t.name for t in fragment.templates] == ["funding/_forecast_result.html"]
    assert fragment.context["result"].needed == D("52200000.00")  # 6,960万 × 75%
    assert fragment.context["what_if"] is True
    wrong = client.get(reverse("funding:forecast"), {"county_share": "150"}, HTTP_HX_REQUEST="true")
    assert wrong.context["result"].county_share == D("0.5")
    assert "已改按目前的实际比例计算。" in wrong.content.decode()  # "the share so far is used"


def test_bureau_sets_allocations_audited(client, program, bureau_user):
    client.force_login(bureau_user)
    response = client.post(reverse("funding:allocations"),
                           {"2016": "10000000", "2017": "30000000", "2018": "", "2019": "",
                            "2020": "60000000"})
    assert response.status_code == 302
    assert dict(BudgetAllocation.objects.values_list("year", "amount")) == {
        2016: D("10000000.00"), 2017: D("30000000.00"), 2020: D("60000000.00")}
    entry = AuditEntry.objects.get(action="budget.allocations")
    assert entry.after == {"2016": "10000000.00", "2017": "30000000.00", "2020": "60000000.00"}
    client.post(reverse("funding:allocations"), {"2016": "10000000", "2017": ""})
    assert dict(BudgetAllocation.objects.values_list("year", "amount")) == {2016: D("10000000.00")}


def test_allocations_past_the_budget_are_refused(client, program, bureau_user):
    BudgetAllocation.objects.create(program=program, year=2016, amount=D("1000"))
    client.force_login(bureau_user)
    response = client.post(reverse("funding:allocations"),
                           {"2016": "60000000", "2017": "40000000.01"}, follow=True)
    assert "比市级专项资金总额1亿元多0.01元" in response.content.decode()
    assert dict(BudgetAllocation.objects.values_list("year", "amount")) == {2016: D("1000.00")}
    assert not AuditEntry.objects.filter(action="budget.allocations").exists()


def test_allocation_below_the_year_commitments_is_refused(program, approve, regions, bureau_user):
    approve("brand_major", regions["liangxi"], today=START)
    with pytest.raises(dashboards.AllocationRefused, match="2020"):
        dashboards.allocations_set(program=program, amounts={2020: D("99999.99")}, by=bureau_user)
    with pytest.raises(dashboards.AllocationRefused, match="not a year of the program"):
        dashboards.allocations_set(program=program, amounts={2021: D("1")}, by=bureau_user)
    dashboards.allocations_set(program=program, amounts={2020: D("100000")}, by=bureau_user)
    year = next(r for r in dashboards.by_year(program, municipal_grants(program)) if r.key == 2020)
    assert (year.budget, year.free) == (D("100000.00"), D("0.00"))


@pytest.mark.parametrize("who", ["bureau_user", "finance_city"])
def test_home_page_shows_the_real_budget(client, program, picture, request, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("accounts:home"))
    budget = response.context["budget"]
    assert (budget.committed, budget.paid, budget.free) == (D("310000.00"), D("60000.00"),
                                                           BUDGET - D("310000.00"))
    html = response.content.decode()
    assert "31万元" in html and "6万元" in html and "9,969万元" in html
