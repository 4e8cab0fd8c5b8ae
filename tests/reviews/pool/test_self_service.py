"""An expert keeps its own profile, jobs and declarations (/reviews/me/); nobody else can."""

from datetime import date

import pytest
from django.urls import reverse

from tests.factories import UserFactory, membership
from vetq.institutions.models import Industry
from vetq.reviews.models import Declaration, Employment

pytestmark = pytest.mark.integration

URL = "reviews:my_profile"


def test_my_profile_shows_the_experts_own_record(client, expert, expert_user, other_school):
    Declaration.objects.create(expert=expert, institution=other_school, reason="配偶任职")
    client.force_login(expert_user)
    page = client.get(reverse(URL)).content.decode()
    assert "王芳" in page and "E0001" in page
    assert 'value="0510-1234567"' in page
    assert "配偶任职" in page
    assert reverse("reviews:declaration_add", args=[expert.pk]) in page


def test_my_profile_saves_what_the_expert_may_change(client, expert, expert_user):
    industry = Industry.objects.get(code="biopharma")
    client.force_login(expert_user)
    response = client.post(reverse(URL), {
        "title": "教授", "phone": "13900000000", "email": "new@example.org",
        "specialties": [industry.pk], "major_groups": "51，52",
        "name": "改名", "code": "E9999",  # not fields of the form: ignored
    })
    assert response["Location"] == reverse(URL)
    expert.refresh_from_db()
    assert (expert.title, expert.phone, expert.email, expert.major_groups, expert.name,
            expert.code) == ("教授", "13900000000", "new@example.org", ["51", "52"], "王芳", "E0001")
    assert list(expert.specialties.all()) == [industry]


def test_my_profile_shows_form_errors(client, expert, expert_user):
    client.force_login(expert_user)
    page = client.post(reverse(URL), {"email": "nope", "major_groups": "123"}).content.decode()
    assert "Enter a valid email address." in page
    assert "A major group is a two-digit code of the catalogue, such as 46: “123” is not." in page
    expert.refresh_from_db()
    assert expert.email == "wang@example.org"


def test_expert_declares_and_withdraws_from_its_profile(client, expert, expert_user, enterprise):
    client.force_login(expert_user)
    response = client.post(reverse("reviews:declaration_add", args=[expert.pk]),
                           {"enterprise": enterprise.pk, "reason": "持股", "back": "profile"})
    assert response["Location"] == reverse(URL)
    declaration = Declaration.objects.get()
    assert (declaration.enterprise, declaration.reason) == (enterprise, "持股")
    page = client.post(reverse("reviews:declaration_add", args=[expert.pk]),
                       {"enterprise": enterprise.pk, "reason": "持股"}).content.decode()
    assert "This conflict is already declared." in page
    assert 'id="profile-form"' in page  # shown again on the profile, not the bureau's page
    client.post(reverse("reviews:declaration_withdraw", args=[declaration.pk]))
    declaration.refresh_from_db()
    assert declaration.withdrawn_at is not None


def test_expert_records_and_ends_a_job(client, expert, expert_user, other_school):
    client.force_login(expert_user)
    response = client.post(reverse("reviews:employment_add", args=[expert.pk]),
                           {"institution": other_school.pk, "position": "兼职教师",
                            "started": "2019-09-01"})
    assert response["Location"] == reverse(URL)
    job = Employment.objects.get()
    assert (job.institution, job.started, job.ended) == (other_school, date(2019, 9, 1), None)
    client.post(reverse("reviews:employment_end", args=[job.pk]), {"ended": "2019-08-01"})
    job.refresh_from_db()
    assert job.ended is None
    response = client.post(reverse("reviews:employment_end", args=[job.pk]),
                           {"ended": "2021-07-01"}, follow=True)
    assert "The end of the job is recorded." in response.content.decode()
    job.refresh_from_db()
    assert job.ended == date(2021, 7, 1)


def test_my_profile_is_not_there_for_other_users(client, school_user, bureau_user, program):
    for user in (school_user, bureau_user):
        client.force_login(user)
        assert client.get(reverse(URL)).status_code == 404
    expert_without_profile = UserFactory(username="lonely")
    membership(expert_without_profile, "expert")
    client.force_login(expert_without_profile)
    assert client.get(reverse(URL)).status_code == 404


def test_my_profile_asks_anonymous_users_to_sign_in(client, program):
    response = client.get(reverse(URL))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_home_page_shows_the_profile_part(client, expert, expert_user, other_school):
    Declaration.objects.create(expert=expert, institution=other_school, reason="x")
    client.force_login(expert_user)
    page = client.get(reverse("accounts:home")).content.decode()
    part = page[page.index('id="expert-profile"'):]
    assert "王芳" in part and "E0001" in part
    assert "1 declared conflict" in part
    assert reverse(URL) in part
