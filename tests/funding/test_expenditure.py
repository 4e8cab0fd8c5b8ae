"""R29, R30: a school's expenditure reports by budget item, plan against actual, overspending
beyond the policy tolerance flagged, and the co-funding received against the promise."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import UserFactory, membership
from vetq.applications.models import Application
from vetq.audit.models import AuditEntry
from vetq.funding.expenditure import ExpenditureRefused, expenditure_report, plan_vs_actual
from vetq.funding.grants import application_approve
from vetq.funding.models import Expenditure
from vetq.institutions.models import Department

pytestmark = pytest.mark.integration

D = Decimal
PLAN = [
    {"item": "equipment", "amount": "80000.00", "school": "20000.00", "partner": "0.00"},
    {"item": "training", "amount": "20000.00", "school": "0.00", "partner": "10000.00"},
]


@pytest.fixture
def grant_of(in_publicity, bureau_user):
    """A grant approved on 1 March 2020 for `institution`, with the budget plan `plan`."""

    def make(institution, code="brand_major", plan=PLAN, **kwargs):
        application = in_publicity(code, institution=institution)
        Application.objects.filter(pk=application.pk).update(budget=plan)
        application.refresh_from_db()
        return application_approve(application=application, by=bureau_user,
                                   today=date(2020, 3, 1), **kwargs)

    return make


@pytest.fixture
def grant(grant_of, school):
    """The 梁溪 school's brand major: 2020–2022, paid by the city."""
    return grant_of(school)


def line(item, spent="", school="", partner="", note=""):
    return {"item": item, "spent": spent, "school_cofunding": school,
            "partner_cofunding": partner, "note": note}


def rows(grant) -> list[tuple]:
    return list(Expenditure.objects.filter(grant=grant).order_by("year", "item").values_list(
        "year", "item", "spent", "school_cofunding", "partner_cofunding", "note"))


def test_report_writes_the_lines_and_an_update_changes_only_the_lines_sent(grant, school_user):
    expenditure_report(grant=grant, year=2020, by=school_user, lines=[
        line("equipment", "50000", "10000", note="数控机床一台"),
        line("training", "5000.50", partner="2000"),
    ])
    expenditure_report(grant=grant, year=2020, by=school_user,
                       lines=[line("equipment", "60000", "10000", note="数控机床两台")])

    assert rows(grant) == [
        (2020, "equipment", D("60000.00"), D("10000.00"), D("0.00"), "数控机床两台"),
        (2020, "training", D("5000.50"), D("0.00"), D("2000.00"), ""),
    ]
    audits = list(AuditEntry.objects.filter(action="expenditure.report").order_by("pk"))
    assert len(audits) == 2
    assert audits[0].before is None
    assert audits[1].before == {"year": 2020, "items": {"equipment": {
        "spent": "50000.00", "school_cofunding": "10000.00", "partner_cofunding": "0.00",
        "note": "数控机床一台"}}}
    assert audits[1].after["items"]["equipment"]["spent"] == "60000.00"
    assert Expenditure.objects.get(item="equipment").reported_by == school_user


def test_plan_vs_actual_sums_every_year_per_item_with_the_cofunding(grant, school_user):
    expenditure_report(grant=grant, year=2020, by=school_user, lines=[
        line("equipment", "30000", "5000"), line("training", "8000", partner="4000")])
    expenditure_report(grant=grant, year=2021, by=school_user, lines=[
        line("equipment", "40000", "7000"), line("training", "2000", partner="3000")])

    comparison = plan_vs_actual(grant)

    by_item = {row.item: row for row in comparison.rows}
    assert [row.item for row in comparison.rows] == ["equipment", "training", "materials",
                                                     "experts", "other"]
    equipment = by_item["equipment"]
    assert (equipment.planned, equipment.spent, equipment.difference) == (
        D("80000.00"), D("70000.00"), D("-10000.00"))
    assert (equipment.planned_school, equipment.school_cofunding) == (D("20000.00"),
                                                                      D("12000.00"))
    assert by_item["training"].spent == D("10000.00")
    assert by_item["training"].partner_cofunding == D("7000.00")
    assert by_item["materials"].planned == D("0.00")
    assert comparison.total.planned == D("100000.00")
    assert comparison.total.spent == D("80000.00")
    assert comparison.cofunding_promised == D("30000.00")
    assert comparison.cofunding_received == D("19000.00")
    assert comparison.cofunding_difference == D("-11000.00")
    assert comparison.flagged == []
    assert comparison.tolerance == D("0.10")


@pytest.mark.parametrize(("spent", "flagged"), [
    ("88000.00", False),  # exactly 10% over 80,000: within the tolerance
    ("88000.01", True),
    ("79000.00", False),
])
def test_overspending_beyond_the_tolerance_is_flagged(grant, school_user, spent, flagged):
    expenditure_report(grant=grant, year=2020, by=school_user,
                       lines=[line("equipment", "40000")])
    rest = str(D(spent) - D("40000"))
    expenditure_report(grant=grant, year=2021, by=school_user, lines=[line("equipment", rest)])

    comparison = plan_vs_actual(grant)

    assert comparison.rows[0].spent == D(spent)
    assert comparison.rows[0].overspent is flagged
    assert [row.item for row in comparison.flagged] == (["equipment"] if flagged else [])


def test_spending_on_an_item_planned_at_zero_is_flagged(grant, school_user):
    expenditure_report(grant=grant, year=2020, by=school_user, lines=[line("experts", "1")])
    assert [row.item for row in plan_vs_actual(grant).flagged] == ["experts"]


def test_tolerance_comes_from_the_policy(grant, school_user, program):
    program.policy["funding"]["overspend_tolerance"] = "0.25"
    program.save()
    grant.program.refresh_from_db()
    expenditure_report(grant=grant, year=2020, by=school_user,
                       lines=[line("equipment", "100000")])
    assert plan_vs_actual(grant).rows[0].overspent is False
    assert plan_vs_actual(grant).tolerance_percent == "25"


@pytest.mark.parametrize(("year", "lines", "message"), [
    (2020, [line("furniture", "100")], "“furniture” is not a budget item"),
    (2020, [line("equipment", "-1")], "cannot be negative"),
    (2020, [line("equipment", "12.345")], "at most two decimals"),
    (2020, [line("equipment", "一万")], "is not an amount"),
    (2020, [line("equipment", "1e20")], "too large"),
    (2020, [line("equipment", "100"), line("equipment", "200")], "reported twice"),
    (2020, [line("training", "100"), line("equipment", "abc")], "is not an amount"),
    (2019, [line("equipment", "100")], "outside the construction period 2020–2022"),
    (2023, [line("equipment", "100")], "outside the construction period 2020–2022"),
    (2020, [], "at least one budget item"),
])
def test_bad_report_is_refused_with_nothing_written(grant, school_user, year, lines, message):
    with pytest.raises(ExpenditureRefused, match=message):
        expenditure_report(grant=grant, year=year, lines=lines, by=school_user)
    assert rows(grant) == []
    assert not AuditEntry.objects.filter(action="expenditure.report").exists()


def test_an_update_refused_leaves_the_earlier_report(grant, school_user):
    expenditure_report(grant=grant, year=2020, by=school_user, lines=[line("equipment", "100")])
    with pytest.raises(ExpenditureRefused):
        expenditure_report(grant=grant, year=2020, by=school_user,
                           lines=[line("equipment", "200"), line("training", "-5")])
    assert rows(grant) == [(2020, "equipment", D("100.00"), D("0.00"), D("0.00"), "")]


def test_an_award_without_construction_years_reports_on_its_year_only(grant_of, school,
                                                                       school_user):
    grant = grant_of(school, "industry_contribution_award", amount=D("200000"))
    assert grant.construction_years is None
    expenditure_report(grant=grant, year=2020, by=school_user, lines=[line("other", "100")])
    with pytest.raises(ExpenditureRefused, match="outside the construction period 2020–2020"):
        expenditure_report(grant=grant, year=2021, by=school_user, lines=[line("other", "1")])


@pytest.fixture
def yixing_school_user(other_school):
    user = UserFactory(username="yixing-school")
    membership(user, "school_user", institution=other_school)
    return user


@pytest.mark.parametrize("who", ["yixing_school_user", "bureau_user", "finance_city"])
def test_only_the_grants_own_school_may_report(grant, request, who):
    user = request.getfixturevalue(who)
    with pytest.raises(ExpenditureRefused, match="Only the school's own users"):
        expenditure_report(grant=grant, year=2020, by=user, lines=[line("equipment", "1")])
    assert rows(grant) == []


def url(grant) -> str:
    return reverse("funding:expenditure", args=[grant.pk])


def test_page_shows_plan_vs_actual_with_the_flag_and_the_school_forms(client, grant,
                                                                      school_user):
    expenditure_report(grant=grant, year=2021, by=school_user,
                       lines=[line("equipment", "90000", "1000")])
    client.force_login(school_user)
    response = client.get(url(grant), {"year": "2021"}, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<tr data-item="equipment" class="table-danger" data-overspent>' in html
    assert '<tr data-item="training">' in html
    assert "Over plan" in html
    assert html.count('<input type="hidden" name="year"') == 3
    assert '<details class="border rounded p-2 mb-2" id="year-2021" open>' in html
    assert 'name="equipment-spent" value="90000.00"' in html


@pytest.fixture
def viewer(program):
    user = UserFactory(username="viewer")
    membership(user, "department_viewer", department=Department.objects.get(code="finance"))
    return user


@pytest.mark.parametrize(("who", "status"), [
    ("bureau_user", 200), ("finance_city", 200), ("region_officer", 200),
    ("finance_yixing", 404), ("yixing_school_user", 404), ("viewer", 404),
])
def test_page_per_role_without_the_school_forms(client, grant, request, who, status):
    client.force_login(request.getfixturevalue(who))
    response = client.get(url(grant))
    assert response.status_code == status
    assert 'name="year"' not in response.content.decode()
    if status == 200:
        assert 'id="plan-vs-actual"' in response.content.decode()


def test_school_saves_a_year_through_the_page(client, grant, school_user):
    client.force_login(school_user)
    response = client.post(url(grant), {
        "year": "2021", "equipment-spent": "1000",
        "equipment-school_cofunding": "", "equipment-partner_cofunding": "300",
        "equipment-note": "购置", "training-spent": "",
    })
    assert response.status_code == 302
    assert response["Location"] == f"{url(grant)}?year=2021#year-2021"
    assert rows(grant) == [(2021, "equipment", D("1000.00"), D("0.00"), D("300.00"), "购置")]


def test_page_clearing_a_reported_line_sets_it_to_zero(client, grant, school_user):
    expenditure_report(grant=grant, year=2020, by=school_user, lines=[line("training", "700")])
    client.force_login(school_user)
    client.post(url(grant), {"year": "2020", "equipment-spent": "5"})
    assert rows(grant) == [(2020, "equipment", D("5.00"), D("0.00"), D("0.00"), ""),
                           (2020, "training", D("0.00"), D("0.00"), D("0.00"), "")]


def test_page_refusal_keeps_the_input_and_writes_nothing(client, grant, school_user):
    client.force_login(school_user)
    response = client.post(url(grant), {"year": "2021", "equipment-spent": "100",
                                        "training-spent": "-5"}, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 400
    assert "The report was not saved:" in html
    assert "an amount cannot be negative" in html
    assert 'name="training-spent" value="-5"' in html
    assert rows(grant) == []


def test_page_refuses_a_malformed_year(client, grant, school_user):
    client.force_login(school_user)
    response = client.post(url(grant), {"year": "next", "equipment-spent": "100"},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Choose a year of the construction period." in response.content.decode()
    assert rows(grant) == []


@pytest.mark.parametrize(("who", "status"), [("bureau_user", 403), ("finance_city", 403),
                                             ("yixing_school_user", 404)])
def test_page_post_by_anyone_but_the_school_is_refused(client, grant, request, who, status):
    client.force_login(request.getfixturevalue(who))
    response = client.post(url(grant), {"year": "2020", "equipment-spent": "100"})
    assert response.status_code == status
    assert rows(grant) == []


def _page_queries(client, grant) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(grant))
    assert response.status_code == 200
    return len(queries)


def test_page_query_count_does_not_grow_with_the_rows(client, grant_of, school, school_user):
    grant = grant_of(school, "program_alliance")  # four years, five items: 20 rows
    expenditure_report(grant=grant, year=2020, by=school_user, lines=[line("equipment", "1")])
    client.force_login(school_user)
    one = _page_queries(client, grant)
    for year in range(2020, 2024):
        expenditure_report(grant=grant, year=year, by=school_user, lines=[
            line(code, "1") for code in ("equipment", "training", "materials", "experts",
                                         "other")])
    assert Expenditure.objects.filter(grant=grant).count() == 20
    assert _page_queries(client, grant) == one
