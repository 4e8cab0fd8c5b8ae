"""R28 and R23 on the grant pages: each payer sees and pays its own grants, schools their own,
departments none; only the bureau approves; finance officers cannot change review results."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import UserFactory, membership
from vetq.accounts import scoping
from vetq.applications.services import Refused, application_transition
from vetq.funding.models import Grant, LedgerEntry
from vetq.institutions.models import Department

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def spread(approve, regions):
    """Four grants: a Liangxi school's (the city pays), a Jiangyin and a Yixing school's (each
    county-level city pays its own), and a Yixing school's project the city commissioned."""
    return {
        "city": approve("brand_major", regions["liangxi"]),
        "jiangyin": approve("brand_major", regions["jiangyin"], county_amount=Decimal("120000")),
        "yixing": approve("brand_major", regions["yixing"], county_amount=Decimal("100000")),
        "commissioned": approve("brand_major", regions["yixing"], commissioned=True),
    }


def listed(client, **query) -> list[int]:
    response = client.get(reverse("funding:grant_list"), query)
    assert response.status_code == 200
    return sorted(g.pk for g in response.context["page"])


def ids(spread, *names) -> list[int]:
    return sorted(spread[name].pk for name in names)


def detail_status(client, grant) -> int:
    return client.get(reverse("funding:grant_detail", args=[grant.pk])).status_code


def test_jiangyin_finance_sees_jiangyin_paid_grants_only(client, spread, finance_jiangyin):
    client.force_login(finance_jiangyin)
    assert listed(client) == ids(spread, "jiangyin")
    assert detail_status(client, spread["jiangyin"]) == 200
    assert [detail_status(client, spread[n]) for n in ("yixing", "city", "commissioned")] == [
        404, 404, 404]


def test_city_finance_sees_city_paid_grants_including_commissioned(client, spread, finance_city):
    client.force_login(finance_city)
    assert listed(client) == ids(spread, "city", "commissioned")
    assert detail_status(client, spread["commissioned"]) == 200
    assert detail_status(client, spread["jiangyin"]) == 404


def test_yixing_finance_does_not_see_the_commissioned_yixing_project(client, spread,
                                                                     finance_yixing):
    client.force_login(finance_yixing)
    assert listed(client) == ids(spread, "yixing")
    assert detail_status(client, spread["commissioned"]) == 404


def test_school_sees_only_its_own_grants(client, spread):
    user = UserFactory()
    membership(user, "school_user", institution=spread["yixing"].institution)
    client.force_login(user)
    assert listed(client) == ids(spread, "yixing")
    assert detail_status(client, spread["commissioned"]) == 404


def test_region_officer_sees_its_schools_grants_whoever_pays(client, spread, regions):
    user = UserFactory()
    membership(user, "region_officer", region=regions["yixing"])
    client.force_login(user)
    assert listed(client) == ids(spread, "yixing", "commissioned")


def test_bureau_sees_every_grant(client, spread, bureau_user):
    client.force_login(bureau_user)
    assert listed(client) == ids(spread, "city", "jiangyin", "yixing", "commissioned")


def test_department_viewer_is_refused_the_grant_pages(client, spread):
    user = UserFactory()
    membership(user, "department_viewer", department=Department.objects.get(code="education"))
    client.force_login(user)
    assert client.get(reverse("funding:grant_list")).status_code == 403
    assert detail_status(client, spread["city"]) == 404


def test_anonymous_is_sent_to_log_in(client, spread):
    response = client.get(reverse("funding:grant_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_grants_for_and_pays_for_follow_the_payer(spread, finance_jiangyin, finance_city):
    assert list(scoping.grants_for(finance_jiangyin)) == [spread["jiangyin"]]
    assert [scoping.pays_for(finance_jiangyin, spread[n]) for n in ("jiangyin", "yixing", "city")
            ] == [True, False, False]
    assert [scoping.pays_for(finance_city, spread[n]) for n in ("city", "commissioned", "jiangyin")
            ] == [True, True, False]


def pay(client, grant, voucher="PZ-1"):
    tranche = grant.tranches.get(seq=1)
    return client.post(reverse("funding:payment_record", args=[tranche.pk]), {
        "amount": "1000", "voucher_no": voucher, "paid_on": date.today().isoformat(),
        "payer_account": "财政专户"})


def test_finance_of_another_payer_cannot_pay(client, spread, finance_yixing, finance_city):
    client.force_login(finance_yixing)
    assert pay(client, spread["jiangyin"]).status_code == 404
    assert pay(client, spread["commissioned"]).status_code == 404
    client.force_login(finance_city)
    assert pay(client, spread["yixing"]).status_code == 404
    assert not LedgerEntry.objects.exists()


def test_those_who_see_a_grant_but_do_not_pay_it_are_refused(client, spread, bureau_user,
                                                             regions):
    officer = UserFactory()
    membership(officer, "region_officer", region=regions["jiangyin"])
    school = UserFactory()
    membership(school, "school_user", institution=spread["jiangyin"].institution)
    for user in (bureau_user, officer, school):
        client.force_login(user)
        assert pay(client, spread["jiangyin"]).status_code == 403
    assert not LedgerEntry.objects.exists()


def test_county_finance_pays_its_own_grant(client, spread, finance_jiangyin):
    client.force_login(finance_jiangyin)
    assert pay(client, spread["jiangyin"]).status_code == 302
    assert list(LedgerEntry.objects.values_list("grant_id", "amount")) == [
        (spread["jiangyin"].pk, Decimal("1000.00"))]


def test_finance_officer_cannot_approve(client, in_publicity, regions, finance_city):
    application = in_publicity("brand_major", regions["liangxi"])
    client.force_login(finance_city)
    url = reverse("funding:approve", args=[application.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"commissioned": ""}).status_code == 403
    application.refresh_from_db()
    assert application.state == "in_publicity"
    assert not Grant.objects.exists()


ROLE_REFUSED = "Your role does not allow this change."
STATE_REFUSED = "This application is In publicity; it cannot be changed that way now."


@pytest.mark.parametrize(("action", "message"), [
    ("reject", ROLE_REFUSED), ("approve", ROLE_REFUSED), ("withdraw", ROLE_REFUSED),
    ("mark_eligible", STATE_REFUSED),
])
def test_finance_officer_cannot_change_review_results(client, in_publicity, regions, finance_city,
                                                      action, message):
    application = in_publicity("brand_major", regions["liangxi"])
    client.force_login(finance_city)
    response = client.post(reverse("applications:transition", args=[application.pk, action]),
                           {"comment": "改"})
    assert response.status_code == 404
    with translation.override("en"), pytest.raises(Refused) as refusal:
        application_transition(application=application, action=action, by=finance_city,
                               comment="改")
    assert str(refusal.value) == message
    application.refresh_from_db()
    assert application.state == "in_publicity"


def approval(client, application, **data):
    return client.post(reverse("funding:approve", args=[application.pk]), data)


def test_region_officer_and_school_cannot_approve(client, in_publicity, regions):
    application = in_publicity("brand_major", regions["liangxi"])
    officer = UserFactory()
    membership(officer, "region_officer", region=regions["liangxi"])
    school = UserFactory()
    membership(school, "school_user", institution=application.institution)
    for user in (officer, school):
        client.force_login(user)
        assert approval(client, application).status_code == 403
    assert not Grant.objects.exists()


def test_application_page_links_to_approval_for_the_bureau_only(client, in_publicity, regions,
                                                               bureau_user):
    application = in_publicity("brand_major", regions["liangxi"])
    url = reverse("applications:detail", args=[application.pk])
    approve_url = reverse("funding:approve", args=[application.pk])
    client.force_login(bureau_user)
    assert approve_url in client.get(url).content.decode()
    school = UserFactory()
    membership(school, "school_user", institution=application.institution)
    client.force_login(school)
    assert approve_url not in client.get(url).content.decode()


def test_approved_application_links_to_its_grant(client, spread):
    school = UserFactory()
    membership(school, "school_user", institution=spread["city"].institution)
    client.force_login(school)
    response = client.get(reverse("applications:detail", args=[spread["city"].application_id]))
    assert reverse("funding:grant_detail", args=[spread["city"].pk]) in response.content.decode()


def test_navigation_shows_grants_to_finance_and_not_to_departments(client, finance_city):
    client.force_login(finance_city)
    assert reverse("funding:grant_list") in client.get(reverse("accounts:home")).content.decode()
    viewer = UserFactory()
    membership(viewer, "department_viewer", department=Department.objects.get(code="education"))
    client.force_login(viewer)
    assert reverse("funding:grant_list") not in client.get(reverse("accounts:home")).content.decode()
