"""The grant list and page: payer everywhere, sums from the ledger, filters, per-role forms,
query counts; the bureau's approval page with its refusals."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory, membership
from vetq.funding.ledger import (
    entry_reverse,
    grant_balances,
    payment_record,
    recovery_record,
    tranches_withhold,
)
from vetq.funding.models import Grant, Tranche
from vetq.programs.models import Program

pytestmark = pytest.mark.integration

LIST = "funding:grant_list"
PAYER_CELL = re.compile(r"<td data-payer>(.*?)</td>")


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def pay(grant, seq, amount, voucher, by):
    return payment_record(tranche=grant.tranches.get(seq=seq), amount=amount, voucher_no=voucher,
                          paid_on=timezone.localdate(), payer_account="财政专户", by=by)


def detail(client, grant):
    response = client.get(reverse("funding:grant_detail", args=[grant.pk]))
    assert response.status_code == 200
    return response


def rows(response) -> list[tuple]:
    return [(g.application.title, g.promised, g.paid, g.recovered) for g in response.context["page"]]


@pytest.fixture
def pair(approve, regions):
    return {"city": approve("brand_major", regions["liangxi"]),
            "jiangyin": approve("brand_major", regions["jiangyin"], county_amount=Decimal("150000"))}


def test_list_shows_the_payer_of_each_grant(client, pair, bureau_user):
    client.force_login(bureau_user)
    response = client.get(reverse(LIST))
    assert PAYER_CELL.findall(response.content.decode()) == ["the city", "江阴市"]


def test_list_shows_the_city_payer_in_chinese(client, pair, bureau_user):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    client.force_login(bureau_user)
    assert PAYER_CELL.findall(client.get(reverse(LIST)).content.decode()) == ["市级", "江阴市"]


def test_list_sums_tranches_and_ledger(client, pair, bureau_user, finance_city):
    entry = pay(pair["city"], 1, "60000", "PZ-1", finance_city)
    entry_reverse(entry=entry, reason="凭证号错误", by=finance_city)
    pay(pair["city"], 1, "60000", "PZ-2", finance_city)
    recovery_record(grant=pair["city"], amount="10000", reason="退回", voucher_no="SH-1",
                    on=timezone.localdate(), by=bureau_user)
    client.force_login(bureau_user)
    assert rows(client.get(reverse(LIST))) == [
        (pair["city"].application.title, Decimal("100000.00"), Decimal("60000.00"),
         Decimal("10000.00")),
        (pair["jiangyin"].application.title, Decimal("150000.00"), Decimal("0.00"),
         Decimal("0.00")),
    ]


@pytest.mark.parametrize(("query", "expected"), [
    ({"payer": "city"}, ["city"]),
    ({"payer": "jiangyin"}, ["jiangyin"]),
    ({"payer": "yixing"}, []),
    ({"region": "liangxi"}, ["city"]),
    ({"category": "brand_major"}, ["city", "jiangyin"]),
    ({"category": "training_base"}, []),
    ({"state": "closed"}, []),
    ({"state": "active", "year": "abc"}, ["city", "jiangyin"]),
])
def test_list_filters(client, pair, bureau_user, query, expected):
    client.force_login(bureau_user)
    response = client.get(reverse(LIST), query)
    assert [g.pk for g in response.context["page"]] == [pair[name].pk for name in expected]


def test_list_filters_by_year(client, pair, bureau_user):
    client.force_login(bureau_user)
    this_year = timezone.localdate().year
    assert len(client.get(reverse(LIST), {"year": this_year}).context["page"]) == 2
    assert len(client.get(reverse(LIST), {"year": this_year - 1}).context["page"]) == 0
    assert client.get(reverse(LIST)).context["years"] == [this_year]


def test_due_and_overdue_quick_filters(client, pair, bureau_user, finance_city):
    """Both grants' first tranche is payable today; the city's is paid in full, the
    Jiangyin one's due date is moved into the past."""
    client.force_login(bureau_user)
    quick = {q: [g.pk for g in client.get(reverse(LIST), {"quick": q}).context["page"]]
             for q in ("due", "overdue")}
    assert quick == {"due": [pair["city"].pk, pair["jiangyin"].pk], "overdue": []}
    pay(pair["city"], 1, "60000", "PZ-1", finance_city)
    Tranche.objects.filter(grant=pair["jiangyin"], seq=1).update(
        due_date=timezone.localdate() - timedelta(days=1))
    quick = {q: [g.pk for g in client.get(reverse(LIST), {"quick": q}).context["page"]]
             for q in ("due", "overdue")}
    assert quick == {"due": [pair["jiangyin"].pk], "overdue": [pair["jiangyin"].pk]}


def test_a_tranche_waiting_for_its_condition_is_not_due_even_when_its_date_passed(
        client, pair, bureau_user, finance_city):
    pay(pair["city"], 1, "60000", "PZ-1", finance_city)
    Tranche.objects.filter(grant=pair["city"], seq=2).update(due_date=date(2016, 6, 30))
    client.force_login(bureau_user)
    assert [g.pk for g in client.get(reverse(LIST), {"quick": "overdue", "payer": "city"})
            .context["page"]] == []


def test_htmx_gets_the_results_alone(client, pair, bureau_user):
    client.force_login(bureau_user)
    response = client.get(reverse(LIST), {"payer": "city"}, HTTP_HX_REQUEST="true")
    assert [t.name for t in response.templates][0] == "funding/_grant_results.html"
    assert "<nav class=\"navbar" not in response.content.decode()
    assert [g.pk for g in response.context["page"]] == [pair["city"].pk]


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(LIST)).status_code == 200
    return len(queries)


def test_list_query_count_does_not_grow_with_rows(client, approve, regions, bureau_user,
                                                  finance_city):
    def add(number):
        if number % 2:
            approve("brand_major", regions["jiangyin"], county_amount=Decimal("100000"))
        else:
            grant = approve("brand_major", regions["liangxi"])
            pay(grant, 1, "1000", f"PZ-{number}", finance_city)

    client.force_login(bureau_user)
    add(0)
    at_one = _queries(client)
    for number in range(1, 20):
        add(number)
    at_twenty = _queries(client)
    assert len(client.get(reverse(LIST)).context["page"]) == 20
    assert at_twenty == at_one


def test_detail_for_the_paying_finance_officer(client, pair, finance_city):
    client.force_login(finance_city)
    response = detail(client, pair["city"])
    tranches = response.context["tranches"]
    assert [(t.seq, t.amount, t.status, t.payable) for t in tranches] == [
        (1, Decimal("60000.00"), "payable", Decimal("60000.00")),
        (2, Decimal("40000.00"), "waiting", Decimal("0.00")),
    ]
    assert [hasattr(t, "pay_form") for t in tranches] == [True, False]
    assert tranches[0].pay_form.initial["amount"] == Decimal("60000.00")
    assert response.context["recovery_form"] is not None
    assert response.context["plan_rows"] is None
    assert response.context["balances"]["promised"] == Decimal("100000.00")


def test_detail_for_the_bureau_has_the_plan_and_recovery_but_no_payment(client, pair,
                                                                        bureau_user):
    client.force_login(bureau_user)
    response = detail(client, pair["city"])
    assert response.context["may_pay"] is False
    assert [hasattr(t, "pay_form") for t in response.context["tranches"]] == [False, False]
    assert response.context["recovery_form"] is not None
    assert response.context["plan_rows"] == [
        {"amount": "60000.00", "due_date": pair["city"].tranches.get(seq=1).due_date.isoformat(),
         "condition": "on_approval"},
        {"amount": "40000.00", "due_date": pair["city"].tranches.get(seq=2).due_date.isoformat(),
         "condition": "acceptance_passed"},
    ]


def test_detail_for_the_school_has_no_forms(client, pair):
    user = UserFactory()
    membership(user, "school_user", institution=pair["city"].institution)
    client.force_login(user)
    response = detail(client, pair["city"])
    content = response.content.decode()
    assert response.context["recovery_form"] is None
    assert response.context["plan_rows"] is None
    assert "<form" not in content.split("<main", 1)[1]


def test_detail_shows_payer_rule_and_ledger_with_reversal_mark(client, pair, finance_jiangyin):
    entry = pay(pair["jiangyin"], 1, "90000", "JY-1", finance_jiangyin)
    reversal = entry_reverse(entry=entry, reason="金额有误", by=finance_jiangyin)
    client.force_login(finance_jiangyin)
    response = detail(client, pair["jiangyin"])
    content = response.content.decode()
    assert "江阴市" in re.search(r'data-payer>(.*?)</span>', content, re.S).group(1)
    assert "version 1" in content
    entries = response.context["entries"]
    assert [(e.kind, e.amount, e.voucher_no, e.reversal) for e in entries] == [
        ("payment", Decimal("90000.00"), "JY-1", reversal),
        ("reversal", Decimal("-90000.00"), "JY-1", None),
    ]
    assert [hasattr(e, "reverse_form") for e in entries] == [False, False]
    assert content.count("data-reversed") == 1


def test_detail_marks_withheld_tranches(client, approve, regions, bureau_user):
    grant = approve("master_teacher_studio", regions["binhu"])
    tranches_withhold(grant=grant, reason="验收合格，无优秀奖励", by=bureau_user,
                      conditions=["excellent"])
    client.force_login(bureau_user)
    statuses = [t.status for t in detail(client, grant).context["tranches"]]
    assert statuses == ["payable", "waiting", "waiting", "withheld"]


def flashed(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def approval(client, application, **data):
    return client.post(reverse("funding:approve", args=[application.pk]), data)


def test_approval_of_a_yixing_school_asks_for_the_county_amount(client, in_publicity, regions,
                                                                bureau_user):
    application = in_publicity("brand_major", regions["yixing"])
    client.force_login(bureau_user)
    response = client.get(reverse("funding:approve", args=[application.pk]))
    assert list(response.context["form"].fields) == ["commissioned", "county_amount", "comment"]
    assert response.context["floor"] == Decimal("100000.00")
    response = approval(client, application, county_amount="99,999")
    assert response.context["refusal"] == [
        "99,999 yuan is below the municipal rate of 100,000 yuan; a county-level city may not "
        "pay less (R28)"]
    application.refresh_from_db()
    assert application.state == "in_publicity"
    assert not Grant.objects.exists()
    response = approval(client, application)
    assert response.context["form"].errors == {"county_amount": [
        "Enter what the county-level city pays, or mark the project as commissioned by the "
        "city."]}
    response = approval(client, application, county_amount="120000")
    grant = Grant.objects.get()
    assert response["Location"] == reverse("funding:grant_detail", args=[grant.pk])
    assert (grant.payer_region, grant_balances(grant)["promised"]) == (
        regions["yixing"], Decimal("120000.00"))


def test_a_commissioned_yixing_project_is_approved_for_the_city(client, in_publicity, regions,
                                                                bureau_user):
    application = in_publicity("brand_major", regions["yixing"])
    client.force_login(bureau_user)
    approval(client, application, commissioned="on", county_amount="1")
    grant = Grant.objects.get()
    assert (grant.payer_region, grant.commissioned) == (None, True)
    assert grant_balances(grant)["promised"] == Decimal("100000.00")


def test_a_range_award_needs_its_amount_within_the_rule(client, in_publicity, regions,
                                                        bureau_user):
    application = in_publicity("industry_contribution_award", regions["huishan"])  # R7
    client.force_login(bureau_user)
    assert list(client.get(reverse("funding:approve", args=[application.pk]))
                .context["form"].fields) == ["commissioned", "amount", "comment"]
    response = approval(client, application, amount="350000")
    assert response.context["refusal"] == [
        "350,000 yuan is outside the allowed range 100,000–300,000 yuan"]
    assert not Grant.objects.exists()
    approval(client, application, amount="250000")
    assert grant_balances(Grant.objects.get())["promised"] == Decimal("250000.00")


def test_an_approval_past_the_budget_is_refused_on_the_page(client, in_publicity, approve,
                                                            regions, bureau_user, program):
    Program.objects.filter(pk=program.pk).update(budget_yuan=Decimal("150000"))
    approve("brand_major", regions["liangxi"])
    application = in_publicity("brand_major", regions["xinwu"])
    client.force_login(bureau_user)
    response = approval(client, application)
    assert response.context["refusal"] == [
        "This would commit 50,000.00 yuan more than the program budget allows."]
    application.refresh_from_db()
    assert application.state == "in_publicity"
    assert Grant.objects.count() == 1


def test_approval_is_for_applications_in_publicity(client, approve, regions, bureau_user):
    grant = approve("brand_major", regions["liangxi"])
    client.force_login(bureau_user)
    response = client.get(reverse("funding:approve", args=[grant.application_id]))
    assert response["Location"] == reverse("applications:detail", args=[grant.application_id])
    assert flashed(response) == [
        "Only an application in publicity can be approved; this one is Approved."]
