"""A school user logs in and sees its own home page in Chinese."""

import pytest

from tests.factories import PASSWORD, InstitutionFactory, MajorFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_school_user_logs_in_and_sees_own_home_in_chinese(
    live_server, page, screenshot, school, school_user, regions
):
    MajorFactory(institution=school, name="数控技术应用", catalogue_code="660103")
    other = InstitutionFactory(region=regions["yixing"], name="宜兴某职业学校")

    page.goto(f"{live_server.url}/")
    assert page.get_by_role("heading", name="无锡市职业教育质量提升工程").is_visible()
    screenshot("01-portal")

    page.get_by_role("link", name="登录").click()
    page.get_by_label("用户名").fill("school1")
    page.get_by_label("密码").fill("wrong password")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_role("alert").is_visible()
    screenshot("02-login-refused")

    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/accounts/")
    assert page.get_by_role("heading", name=school.name).is_visible()
    assert page.get_by_text("数控技术应用").is_visible()
    assert page.get_by_text("学校项目管理员").first.is_visible()
    screenshot("03-school-home")

    # Another school's page is simply not there for this user.
    response = page.goto(f"{live_server.url}/institutions/{other.pk}/")
    assert response.status == 404
    assert other.name not in page.content()
