"""Each role's home page in the browser, in Chinese and English (screenshots feed docs/guide)."""

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, InstitutionFactory, MajorFactory, UserFactory, membership

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/accounts/")


def test_bureau_sees_program_and_institutions(live_server, page, screenshot, bureau_user, regions):
    for code in regions:
        MajorFactory(institution=InstitutionFactory(region=regions[code]))
    _login(page, live_server, "bureau")
    assert page.get_by_role("heading", name="无锡市职业教育质量提升工程").is_visible()
    assert page.locator("#progress").get_by_text("无锡市职业院校名师工作室").is_visible()
    screenshot("bureau-home")
    page.get_by_role("link", name="职业院校").click()
    page.locator("select[name=region]").select_option("yixing")
    page.wait_for_url("**region=yixing**")
    expect(page.locator("#institution-results tbody tr")).to_have_count(1)
    screenshot("bureau-institutions")


def test_region_officer_sees_its_schools(live_server, page, screenshot, regions):
    officer = UserFactory(username="officer", full_name="江阴教育局 李明")
    membership(officer, "region_officer", region=regions["jiangyin"])
    InstitutionFactory(region=regions["jiangyin"], name="江阴测试中等专业学校")
    InstitutionFactory(region=regions["liangxi"], name="梁溪测试职业学校")
    _login(page, live_server, "officer")
    assert page.get_by_text("江阴测试中等专业学校").is_visible()
    assert page.get_by_text("梁溪测试职业学校").count() == 0
    screenshot("region-home")


def test_portal_in_english(live_server, page, screenshot, program):
    page.goto(f"{live_server.url}/")
    page.locator("select[name=language]").select_option("en")
    expect(page.get_by_role("heading", name="Funded categories and targets")).to_be_visible()
    screenshot("portal-en")
