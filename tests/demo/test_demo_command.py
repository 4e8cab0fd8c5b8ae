from collections import Counter
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings

from tests.factories import UserFactory
from vetq.accounts.models import Membership, User
from vetq.audit.models import AuditEntry
from vetq.demo import DEMO_PASSWORD
from vetq.demo.accounts import ACCOUNTS
from vetq.demo.calls import colleagues_plan
from vetq.demo.plan import demo_plan
from vetq.institutions.models import Enterprise, Institution, Major, Region
from vetq.reviews.models import Expert

pytestmark = pytest.mark.integration


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


def reviewer_accounts() -> int:
    """The accounts the demo gives the experts its panels drew (all but the `expert` one's)."""
    reviewing = Expert.objects.filter(assignments__isnull=False).distinct()
    assert all(e.user is not None for e in reviewing)
    return reviewing.exclude(user__username="expert").count()


def review_round_accounts() -> int:
    """Of those, the accounts the review rounds created (the projects' check rounds draw a few
    more experts, counted in the projects' summary)."""
    reviewing = Expert.objects.filter(assignments__isnull=False,
                                      assignments__panel__check_round__isnull=True).distinct()
    return reviewing.exclude(user__username="expert").count()


@pytest.fixture
def no_demo_env(monkeypatch):
    monkeypatch.delenv("VETQ_DEMO", raising=False)


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, tmp_path_factory):
    """One demo build for the module's readers, rolled back at its end: a build takes a
    minute or two, and each test runs in its own savepoint inside it."""
    media = tmp_path_factory.mktemp("demo-media")
    with (django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media),
          pytest.MonkeyPatch.context() as env):
        env.delenv("VETQ_DEMO", raising=False)
        with transaction.atomic():
            yield run_demo()
            transaction.set_rollback(True)


@pytest.fixture
def demo(built, db):
    return built


def test_demo_refuses_without_env_on_non_empty_database(db, no_demo_env):
    UserFactory(username="someone")

    with pytest.raises(CommandError, match="set VETQ_DEMO=1"):
        run_demo()

    assert Institution.objects.count() == 0
    assert User.objects.count() == 1


def test_demo_refuses_when_env_is_not_exactly_1(db, monkeypatch):
    UserFactory(username="someone")
    monkeypatch.setenv("VETQ_DEMO", "yes")

    with pytest.raises(CommandError, match="demo refused"):
        run_demo()


def test_demo_with_env_adds_to_non_empty_database(db, monkeypatch):
    UserFactory(username="someone")
    monkeypatch.setenv("VETQ_DEMO", "1")

    run_demo()

    assert Institution.objects.count() == 40
    assert User.objects.count() == (1 + len(ACCOUNTS) + len(colleagues_plan(demo_plan()))
                                    + reviewer_accounts())


def test_demo_builds_regions_and_schools(demo):
    schools = Institution.objects.select_related("region", "supervising_department")

    assert Region.objects.count() == 7
    assert schools.count() == 40
    assert {s.type for s in schools} == {"higher_vocational", "secondary_vocational", "technical"}
    assert set(Counter(s.region.code for s in schools)) == set(
        Region.objects.values_list("code", flat=True)
    )
    assert min(Counter(s.region.code for s in schools).values()) >= 5
    assert {s.type: s.supervising_department.code for s in schools} == {
        "higher_vocational": "education",
        "secondary_vocational": "education",
        "technical": "human_resources",
    }
    assert all(len(s.code) == 10 and s.code.isdigit() for s in schools)


def test_demo_builds_majors_tagged_with_industries(demo):
    per_school = Counter(Major.objects.values_list("institution_id", flat=True))
    tags = Counter(Major.industries.through.objects.values_list("major_id", flat=True))

    assert len(per_school) == 40
    assert min(per_school.values()) >= 4
    assert max(per_school.values()) <= 10
    assert set(tags) == set(Major.objects.values_list("pk", flat=True))
    assert set(tags.values()) <= {1, 2}
    assert Major.objects.filter(is_backbone=True).exists()
    assert all(len(code) == 6 for code in Major.objects.values_list("catalogue_code", flat=True))


def test_demo_builds_enterprises_and_experts(demo):
    experts = Expert.objects.select_related("employer_institution", "employer_enterprise")
    specialties = Counter(Expert.specialties.through.objects.values_list("expert_id", flat=True))

    assert Enterprise.objects.count() == 20
    assert all(len(e.credit_code) == 18 for e in Enterprise.objects.all())
    assert all(e.industries.exists() for e in Enterprise.objects.all())
    assert experts.count() == 150
    assert all((x.employer_institution is None) != (x.employer_enterprise is None) for x in experts)
    assert all(x.region_id == x.employer.region_id for x in experts)
    assert set(specialties) == {x.pk for x in experts}
    assert set(specialties.values()) <= {1, 2, 3}
    assert len({x.name for x in experts}) == 150


def test_demo_builds_one_account_per_role_with_its_scope(demo):
    memberships = {
        m.user.username: m
        for m in Membership.objects.filter(user__username__in=[a.username for a in ACCOUNTS])
        .select_related("user", "region", "institution__region", "department")
    }
    scopes = {
        name: (m.role, m.region and m.region.code,
               m.institution and (m.institution.region.code, m.institution.type),
               m.department and m.department.code)
        for name, m in memberships.items()
    }

    assert scopes == {
        "bureau": ("bureau_admin", None, None, None),
        "region_liangxi": ("region_officer", "liangxi", None, None),
        "region_jiangyin": ("region_officer", "jiangyin", None, None),
        "school": ("school_user", None, ("liangxi", "secondary_vocational"), None),
        "school_yixing": ("school_user", None, ("yixing", "secondary_vocational"), None),
        "expert": ("expert", None, None, None),
        "finance": ("finance_officer", None, None, None),
        "finance_jiangyin": ("finance_officer", "jiangyin", None, None),
        "viewer": ("department_viewer", None, None, "development_reform"),
    }
    # The colleagues who act in the demo applications' history and the experts who review in
    # its panels have their grants too.
    assert AuditEntry.objects.filter(action="membership.grant").count() == (
        9 + len(colleagues_plan(demo_plan())) + reviewer_accounts()
    )


def test_demo_accounts_sign_in_with_the_demo_password(demo):
    users = User.objects.filter(username__in=[a.username for a in ACCOUNTS])

    assert users.count() == len(ACCOUNTS)
    # One hash serves every demo account, colleagues' and experts' too (hashing is the slow
    # part of the build).
    assert len({u.password for u in users}) == 1
    assert set(User.objects.values_list("password", flat=True)) == {users.first().password}
    assert users.first().check_password(DEMO_PASSWORD)
    assert all(u.full_name and u.email == f"{u.username}@example.org" for u in users)
    assert [u.username for u in users if u.is_staff or u.is_superuser] == ["bureau"]
    assert User.objects.get(username="bureau").is_superuser is True


def test_demo_links_the_expert_account_to_the_first_expert(demo):
    expert = Expert.objects.get(user__username="expert")

    assert expert.name == demo_plan().experts[0].name
    assert User.objects.get(username="expert").full_name == expert.name


def test_demo_is_deterministic(demo):
    names = dict(Institution.objects.values_list("code", "name"))

    assert names == {s.code: s.name for s in demo_plan().schools}
    assert names["3320213901"] == "无锡惠泉商贸中等专业学校"
    assert names["4132028191"] == "江阴华澄纺织服装职业学院"
    assert names["3320282501"] == "宜兴宜城陶瓷技工学校"
    assert Expert.objects.get(user__username="expert").name == "薛洪平"


def test_demo_second_run_changes_nothing(demo, monkeypatch):
    monkeypatch.setenv("VETQ_DEMO", "1")
    before = row_counts()
    audit_before = AuditEntry.objects.count()

    output = run_demo()

    assert row_counts() == before
    assert AuditEntry.objects.count() == audit_before
    assert "nothing added" in output


def test_demo_second_run_keeps_a_changed_password(demo, monkeypatch):
    monkeypatch.setenv("VETQ_DEMO", "1")
    user = User.objects.get(username="bureau")
    user.set_password("changed-by-the-bureau")
    user.save()

    run_demo()

    assert User.objects.get(username="bureau").check_password("changed-by-the-bureau")


def test_demo_prints_a_summary_and_the_accounts(demo):
    assert demo.startswith(
        "demo data: loaded the default policy; added 40 institutions, "
    )
    assert "150 experts, 9 users, 9 memberships" in demo
    assert f"and {review_round_accounts()} expert accounts who review in them" in demo
    for account in ACCOUNTS:
        assert f"\n{account.username} " in demo


def test_demo_accounts_option_prints_the_table_and_builds_nothing(db, no_demo_env):
    before = row_counts()

    output = run_demo("--accounts")
    lines = output.splitlines()

    assert lines[0].split() == ["username", "role", "scope", "password"]
    assert [line.split()[0] for line in lines[1:]] == [a.username for a in ACCOUNTS]
    assert all(line.endswith(DEMO_PASSWORD) for line in lines[1:])
    assert "school 无锡惠泉商贸中等专业学校 (梁溪区)" in output
    assert row_counts() == before
