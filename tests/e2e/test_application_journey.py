"""Issue 3's journey: a school fills and submits a training-base application with an
attachment, its region recommends it, the bureau passes the formal check."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.fixtures_applications import PDF_BYTES
from vetq.applications.models import Application

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


def test_school_submits_region_recommends_bureau_passes(
    live_server, page, screenshot, open_call, call_category, school, school_user, major,
    region_officer, bureau_user,
):
    base = live_server.url
    training_base = call_category("training_base")

    # The school finds the open call and applies for a training base.
    _login(page, live_server, school_user.username)
    page.goto(base + reverse("calls:detail", args=[open_call.pk]))
    screenshot("app-01-call")
    page.locator(f"a[href='{reverse('applications:create', args=[training_base.pk])}']").click()
    page.locator("[name=title]").fill("智能制造产教融合实训基地")
    page.locator("form button.btn-primary").last.click()
    page.wait_for_url("**/edit/")

    page.locator("[name=lead_name]").fill("王建国")
    page.locator("[name=lead_title]").fill("正高级讲师")
    page.locator("[name=goals]").fill("建成集人才培养、教学研究、技术推广于一体的实训基地。")
    page.locator("[name=team-name]").first.fill("李红")
    page.locator("[name=team-title]").first.fill("高级讲师")
    page.locator("[name=milestone-year]").first.fill("2020")
    page.locator("[name=milestone-text]").first.fill("完成实训中心改造")
    page.locator("[name=budget-equipment-amount]").fill("80000")
    page.locator("[name=budget-equipment-school]").fill("50000")
    page.locator("[name=answer-talent_training_centre]").fill("面向数控、机电专业开展实训。")
    page.locator("[name=answer-teaching_research_centre]").fill("开展技能教学研究。")
    page.locator("[name=answer-technology_promotion_centre]").fill("服务中小企业技术改造。")
    page.locator("[name=answer-stations]").fill("60")
    page.locator(f"#major-{major.pk}").check()
    page.locator("#application-form button.btn-primary").click()
    expect(page.locator(".alert-success")).to_be_visible()

    page.locator("select[name=slot]").select_option("implementation_plan")
    page.locator("input[name=file]").set_input_files(
        files=[{"name": "实施方案.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    page.locator("form[enctype='multipart/form-data'] button").click()
    expect(page.get_by_role("link", name="实施方案.pdf")).to_be_visible()
    screenshot("app-02-school-edit")

    application = Application.objects.get(title="智能制造产教融合实训基地")
    page.goto(base + reverse("applications:detail", args=[application.pk]))
    page.locator("form[action$='/transition/submit/'] button").click()
    expect(page.locator("form[action$='/transition/withdraw/']")).to_be_visible()
    screenshot("app-03-school-submitted")
    application.refresh_from_db()
    assert application.state == "submitted"
    _logout(page)

    # The Liangxi region officer recommends it.
    _login(page, live_server, region_officer.username)
    page.goto(base + reverse("applications:region_queue"))
    expect(page.get_by_text("智能制造产教融合实训基地")).to_be_visible()
    screenshot("app-04-region-queue")
    page.locator(f"form[action$='/region/{application.pk}/recommend/'] button").click()
    expect(page.locator(".alert-success")).to_be_visible()
    application.refresh_from_db()
    assert application.state == "recommended"
    _logout(page)

    # The bureau passes the formal check.
    _login(page, live_server, bureau_user.username)
    page.goto(base + reverse("applications:formal_check"))
    screenshot("app-05-formal-check")
    page.locator(f"form[action$='/formal-check/{application.pk}/mark_eligible/'] button").click()
    expect(page.locator(".alert-success")).to_be_visible()
    application.refresh_from_db()
    assert application.state == "eligible"
    page.goto(base + reverse("applications:detail", args=[application.pk]))
    screenshot("app-06-history")
    assert [e.action for e in application.events.all()] == ["submit", "recommend", "mark_eligible"]
