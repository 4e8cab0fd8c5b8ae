"""Issue 4's journey: approval creates a grant with tranches; the city's finance officer pays
the first tranche; the dashboard shows it; a reversal corrects a wrong voucher."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import PASSWORD, InstitutionFactory, MajorFactory, UserFactory, membership
from vetq.applications.models import Application
from vetq.applications.services import application_create
from vetq.funding.models import Grant, LedgerEntry

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/accounts/")


def _logout(page):
    page.locator("button.user-name").click()  # the user menu holds the language and log out
    page.locator("form[action$='/accounts/logout/'] button").click()


def test_approval_payment_dashboard_and_reversal(live_server, page, screenshot, call_category,
                                                 regions, bureau_user):
    base = live_server.url
    school = InstitutionFactory(region=regions["liangxi"], name="无锡示范机电职业学校")
    writer = UserFactory()
    membership(writer, "school_user", institution=school)
    application = application_create(call_category=call_category("brand_major"),
                                     institution=school, by=writer, title="机电一体化品牌专业")
    application.majors.add(MajorFactory(institution=school))
    # Review and publicity belong to a later feature: the application is put in publicity here.
    Application.objects.filter(pk=application.pk).update(state="in_publicity")
    finance = UserFactory(username="finance-city")
    membership(finance, "finance_officer")

    # The bureau approves: the grant and its tranches appear.
    _login(page, live_server, bureau_user.username)
    page.goto(base + reverse("applications:detail", args=[application.pk]))
    page.locator(f"a[href='{reverse('funding:approve', args=[application.pk])}']").click()
    screenshot("fund-01-approve")
    page.locator("form button.btn-primary").last.click()
    page.wait_for_url("**/funding/grants/*/")
    grant = Grant.objects.get(application=application)
    assert [t.amount for t in grant.tranches.order_by("seq")] == [Decimal("60000.00"),
                                                                 Decimal("40000.00")]
    screenshot("fund-02-grant")
    _logout(page)

    # The city's finance officer pays the first tranche, with a wrong voucher number.
    _login(page, live_server, finance.username)
    page.goto(base + reverse("funding:grant_detail", args=[grant.pk]))
    first = grant.tranches.get(seq=1)
    form = page.locator(f"form[action='{reverse('funding:payment_record', args=[first.pk])}']")
    page.locator("summary").filter(has_text="1").first.click()
    form.locator("[name=amount]").fill("60000")
    form.locator("[name=voucher_no]").fill("锡财教〔2026〕0001号")
    form.locator("[name=paid_on]").fill(timezone.localdate().isoformat())
    form.locator("[name=payer_account]").fill("无锡市财政局教育专户")
    form.locator("button").click()
    expect(page.locator(".alert-success")).to_be_visible()
    screenshot("fund-03-paid")

    page.goto(base + reverse("funding:dashboard"))
    expect(page.locator("body")).to_contain_text("6万元")
    screenshot("fund-04-dashboard")

    # The voucher was wrong: a reversing entry corrects it; the payment row stays.
    payment = LedgerEntry.objects.get(grant=grant, kind="payment")
    page.goto(base + reverse("funding:grant_detail", args=[grant.pk]))
    reverse_form = page.locator(f"form[action='{reverse('funding:entry_reverse', args=[payment.pk])}']")
    page.locator("summary").filter(has_text="0001").click()
    reverse_form.locator("[name=reason]").fill("凭证号录入错误")
    reverse_form.locator("[name=on]").fill(timezone.localdate().isoformat())
    reverse_form.locator("button").click()
    expect(page.locator(".alert-success")).to_be_visible()
    screenshot("fund-05-reversed")
    assert [(e.kind, e.amount) for e in LedgerEntry.objects.filter(grant=grant).order_by("pk")] == [
        ("payment", Decimal("60000.00")), ("reversal", Decimal("-60000.00")),
    ]
