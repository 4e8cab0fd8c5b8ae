"""Login, home pages per role, language, and query counts of list pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import PASSWORD, InstitutionFactory, MajorFactory, UserFactory, membership
from vetq.audit.models import AuditEntry

pytestmark = pytest.mark.integration


def test_login_with_right_password_reaches_home(client, school_user):
    response = client.post(
        reverse("accounts:login"), {"username": "school1", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("accounts:home")
    assert AuditEntry.objects.filter(action="auth.login", actor=school_user).count() == 1


def test_login_with_wrong_password_says_so_in_chinese(client, school_user):
    response = client.post(reverse("accounts:login"), {"username": "school1", "password": "nope"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "请输入一个正确的" in body
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="auth.login_failed").count() == 1


def test_login_with_wrong_password_says_so_in_english(client, school_user):
    client.cookies["django_language"] = "en"
    response = client.post(reverse("accounts:login"), {"username": "school1", "password": "nope"})
    assert "Please enter a correct username and password" in response.content.decode()


def test_repeated_failures_lock_the_account(client, school_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "school1", "password": "nope"})
    response = client.post(
        reverse("accounts:login"), {"username": "school1", "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_home_requires_login(client, program):
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_school_home_shows_its_school_and_majors_in_chinese(client, school, school_user):
    MajorFactory(institution=school, name="数控技术应用", catalogue_code="660103")
    client.force_login(school_user)
    body = client.get(reverse("accounts:home")).content.decode()
    assert school.name in body
    assert "数控技术应用" in body
    assert "学校项目管理员" in body
    assert "无锡市职业教育现代化品牌专业" in body  # a category the school may apply for
    assert "1亿元" in body or "10,000万元" in body


def test_home_renders_in_english(client, school, school_user):
    client.force_login(school_user)
    client.cookies["django_language"] = "en"
    body = client.get(reverse("accounts:home")).content.decode()
    assert "School project administrator" in body
    assert "My workspace" in body
    assert "100,000,000 yuan" in body


def test_bureau_home_shows_program_figures(client, bureau_user, school, other_school):
    client.force_login(bureau_user)
    body = client.get(reverse("accounts:home")).content.decode()
    assert "无锡市职业教育质量提升工程" in body
    assert 'id="progress"' in body
    assert "梁溪区" in body and "宜兴市" in body


def test_portal_is_public_and_lists_targets(client, program):
    body = client.get(reverse("portal:home")).content.decode()
    assert "无锡市职业院校名师工作室" in body
    assert "6,300万元" in body  # R1–R12 targets at municipal rates


def test_portal_in_english(client, program):
    client.cookies["django_language"] = "en"
    body = client.get(reverse("portal:home")).content.decode()
    assert "Funded categories and targets" in body
    assert "63,000,000 yuan" in body


def test_language_switch_sets_english(client, program):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    assert "Funded categories and targets" in response.content.decode()


def _list_queries(client, user, url) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_institution_list_query_count_does_not_grow(client, bureau_user, regions):
    url = reverse("institutions:list")
    first = InstitutionFactory(region=regions["liangxi"])
    MajorFactory(institution=first)
    one = _list_queries(client, bureau_user, url)
    for _ in range(19):
        MajorFactory(institution=InstitutionFactory(region=regions["xishan"]))
    assert _list_queries(client, bureau_user, url) == one


def test_home_query_count_does_not_grow_for_region_officer(client, regions):
    officer = UserFactory()
    membership(officer, "region_officer", region=regions["binhu"])
    url = reverse("accounts:home")
    MajorFactory(institution=InstitutionFactory(region=regions["binhu"]))
    one = _list_queries(client, officer, url)
    for _ in range(19):
        MajorFactory(institution=InstitutionFactory(region=regions["binhu"]))
    assert _list_queries(client, officer, url) == one


def test_home_query_count_does_not_grow_for_school(client, school, school_user):
    url = reverse("accounts:home")
    MajorFactory(institution=school)
    one = _list_queries(client, school_user, url)
    for _ in range(19):
        MajorFactory(institution=school)
    assert _list_queries(client, school_user, url) == one


def test_api_institution_list_query_count_does_not_grow(client, bureau_user, regions):
    InstitutionFactory(region=regions["liangxi"])
    one = _list_queries(client, bureau_user, "/api/institutions")
    for _ in range(19):
        InstitutionFactory(region=regions["huishan"])
    assert _list_queries(client, bureau_user, "/api/institutions") == one


def test_api_major_list_query_count_does_not_grow(client, bureau_user, school):
    MajorFactory(institution=school)
    one = _list_queries(client, bureau_user, "/api/majors")
    for _ in range(19):
        MajorFactory(institution=school)
    assert _list_queries(client, bureau_user, "/api/majors") == one


def test_password_change_works(client, school_user):
    client.force_login(school_user)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-secret-9",
            "new_password2": "a-new-long-secret-9",
        },
    )
    assert response.status_code == 302
    school_user.refresh_from_db()
    assert school_user.check_password("a-new-long-secret-9")


def test_password_reset_sends_mail(client, school_user, mailoutbox):
    response = client.post(reverse("accounts:password_reset"), {"email": school_user.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/accounts/password/reset/" in mailoutbox[0].body


def test_unknown_page_is_a_kind_404(client, program):
    response = client.get("/no-such-page/")
    assert response.status_code == 404


def test_institution_list_filter_by_htmx_returns_only_the_results(client, bureau_user, regions):
    InstitutionFactory(region=regions["liangxi"], name="梁溪甲校")
    InstitutionFactory(region=regions["yixing"], name="宜兴乙校")
    client.force_login(bureau_user)
    response = client.get(reverse("institutions:list"), {"region": "yixing"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "宜兴乙校" in body
    assert "梁溪甲校" not in body
    assert "<html" not in body
