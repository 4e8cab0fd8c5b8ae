"""R23: every user reaches only its own scope, on pages and in the API."""

import pytest
from django.urls import reverse

from tests.factories import InstitutionFactory, MajorFactory, UserFactory, membership
from vetq.accounts import scoping
from vetq.accounts.models import ApiToken, Membership
from vetq.accounts.services import token_create

pytestmark = pytest.mark.integration


def test_school_user_sees_only_its_school(school, other_school, school_user):
    assert list(scoping.institutions_for(school_user)) == [school]


def test_user_without_membership_sees_nothing(school, program):
    user = UserFactory()
    assert list(scoping.institutions_for(user)) == []
    assert list(scoping.majors_for(user)) == []


def test_region_officer_sees_its_region(regions, school, other_school):
    officer = UserFactory()
    membership(officer, "region_officer", region=regions["yixing"])
    assert list(scoping.institutions_for(officer)) == [other_school]


def test_county_finance_officer_sees_its_region_and_city_finance_sees_all(
    regions, school, other_school
):
    county = UserFactory()
    membership(county, "finance_officer", region=regions["yixing"])
    city = UserFactory()
    membership(city, "finance_officer")
    assert list(scoping.institutions_for(county)) == [other_school]
    assert set(scoping.institutions_for(city)) == {school, other_school}


def test_majors_follow_institution_scope(school, other_school, school_user):
    own = MajorFactory(institution=school)
    MajorFactory(institution=other_school)
    assert list(scoping.majors_for(school_user)) == [own]


def test_school_user_gets_404_for_another_school_page(client, school, other_school, school_user):
    client.force_login(school_user)
    assert client.get(reverse("institutions:detail", args=[school.pk])).status_code == 200
    response = client.get(reverse("institutions:detail", args=[other_school.pk]))
    assert response.status_code == 404
    assert other_school.name not in response.content.decode()


def test_school_user_gets_404_for_another_school_in_api(client, school, other_school, school_user):
    client.force_login(school_user)
    assert client.get(f"/api/institutions/{school.pk}").status_code == 200
    assert client.get(f"/api/institutions/{other_school.pk}").status_code == 404
    listed = client.get("/api/institutions").json()
    assert [item["code"] for item in listed["items"]] == [school.code]


def test_api_major_of_another_school_is_404(client, school, other_school, school_user):
    foreign = MajorFactory(institution=other_school)
    client.force_login(school_user)
    assert client.get(f"/api/majors/{foreign.pk}").status_code == 404


def test_api_refuses_anonymous(client, school):
    assert client.get("/api/institutions").status_code == 401
    assert client.get("/api/programs").status_code == 401


def test_api_token_is_scoped_like_the_session(client, school, other_school, school_user):
    token, key = token_create(user=school_user, name="excel sync")
    response = client.get("/api/institutions", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    assert [item["code"] for item in response.json()["items"]] == [school.code]
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None
    assert client.get("/api/institutions", headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_openapi_document_lists_read_endpoints(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in ["/api/programs", "/api/programs/{code}/categories", "/api/regions",
                 "/api/institutions", "/api/institutions/{pk}", "/api/majors"]:
        assert path in paths


def test_institution_list_refused_for_user_without_role(client, program):
    client.force_login(UserFactory())
    assert client.get(reverse("institutions:list")).status_code == 403


def test_program_page_is_bureau_only(client, school_user, bureau_user):
    client.force_login(school_user)
    assert client.get(reverse("programs:detail")).status_code == 403
    client.force_login(bureau_user)
    assert client.get(reverse("programs:detail")).status_code == 200


def test_membership_scope_is_enforced(school, regions):
    from django.core.exceptions import ValidationError

    user = UserFactory()
    with pytest.raises(ValidationError):
        membership(user, "school_user")  # a school user needs its school
    with pytest.raises(ValidationError):
        membership(user, "region_officer", institution=school)
    assert Membership.objects.filter(user=user).count() == 0


def test_membership_grant_is_audited_and_idempotent(school):
    from vetq.audit.models import AuditEntry

    user = UserFactory()
    before = AuditEntry.objects.filter(action="membership.grant").count()
    first = membership(user, "school_user", institution=school)
    second = membership(user, "school_user", institution=school)
    assert first.pk == second.pk
    assert AuditEntry.objects.filter(action="membership.grant").count() == before + 1


def test_membership_revoke_is_audited(school):
    from vetq.accounts.services import membership_revoke
    from vetq.audit.models import AuditEntry

    user = UserFactory()
    granted = membership(user, "school_user", institution=school)
    membership_revoke(membership=granted)
    entry = AuditEntry.objects.filter(action="membership.revoke").get()
    assert entry.before["institution"] == school.code
    assert not Membership.objects.filter(user=user).exists()


def test_region_officer_cannot_open_school_of_another_region(client, regions, school, other_school):
    officer = UserFactory()
    membership(officer, "region_officer", region=regions["liangxi"])
    client.force_login(officer)
    assert client.get(reverse("institutions:detail", args=[other_school.pk])).status_code == 404
    assert client.get(reverse("institutions:detail", args=[school.pk])).status_code == 200


def test_institution_list_shows_only_scope(client, school, other_school, school_user):
    InstitutionFactory(region=school.region)
    client.force_login(school_user)
    body = client.get(reverse("institutions:list")).content.decode()
    assert school.name in body
    assert other_school.name not in body


def test_token_command_creates_a_working_key_and_revokes_it(client, school, school_user, capsys):
    from django.core.management import call_command

    call_command("token", "create", "school1", "sync")
    key = capsys.readouterr().out.strip()
    assert key.startswith("vetq_")
    assert client.get("/api/institutions", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    call_command("token", "revoke", key[5:13])
    assert client.get("/api/institutions", headers={"Authorization": f"Bearer {key}"}).status_code == 401


def test_admin_flag_changes_are_audited(school_user):
    from vetq.audit.models import AuditEntry

    school_user.is_staff = True
    school_user.save()
    entry = AuditEntry.objects.filter(action="user.flags").get()
    assert entry.before == {"is_staff": False}
    assert entry.after == {"is_staff": True}


def test_group_changes_are_audited(school_user):
    from django.contrib.auth.models import Group

    from vetq.audit.models import AuditEntry

    group = Group.objects.create(name="clerks")
    school_user.groups.add(group)
    assert AuditEntry.objects.filter(action="user.group.add").get().after == {"items": ["clerks"]}
