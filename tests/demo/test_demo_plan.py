import random
import tomllib
from collections import Counter

import pytest
from django.conf import settings

from vetq.accounts.roles import Role
from vetq.demo.accounts import ACCOUNTS
from vetq.demo.catalogue import MAJORS
from vetq.demo.enterprises import credit_code
from vetq.demo.plan import demo_plan

pytestmark = pytest.mark.unit

CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def policy_codes(section: str) -> set[str]:
    with open(settings.VETQ_DEFAULT_POLICY, "rb") as f:
        return {entry["code"] for entry in tomllib.load(f)[section]}


def test_plan_same_seed_gives_the_same_plan():
    assert demo_plan(7) == demo_plan(7)
    assert demo_plan() == demo_plan()


def test_plan_other_seed_gives_other_names():
    assert [s.name for s in demo_plan(1).schools] != [s.name for s in demo_plan(2).schools]


def test_plan_school_codes_do_not_depend_on_the_seed():
    assert [s.code for s in demo_plan(1).schools] == [s.code for s in demo_plan(2).schools]


def test_plan_names_and_codes_are_unique():
    plan = demo_plan()

    assert len({s.code for s in plan.schools}) == len(plan.schools) == 40
    assert len({s.name for s in plan.schools}) == 40
    assert len({e.name for e in plan.enterprises}) == 20
    assert len({e.credit_code for e in plan.enterprises}) == 20
    assert len({x.name for x in plan.experts}) == 150


def test_plan_uses_only_the_policy_regions_and_industries():
    plan = demo_plan()
    used = (
        {i for s in plan.schools for i in s.industries}
        | {i for e in plan.enterprises for i in e.industries}
        | {i for x in plan.experts for i in x.specialties}
    )

    assert {s.region for s in plan.schools} == policy_codes("regions")
    assert used <= policy_codes("industries")
    assert {i for m in MAJORS.values() for i in m.industries} == policy_codes("industries")


def test_catalogue_codes_are_six_digits_and_unique_per_level():
    for level in ("secondary", "higher"):
        codes = [getattr(m, level)[0] for m in MAJORS.values() if getattr(m, level)]
        assert all(len(c) == 6 and c.isdigit() for c in codes)
        assert len(codes) == len(set(codes))


def test_credit_code_has_a_valid_check_character():
    code = credit_code(random.Random(3), "jiangyin")
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(code, CREDIT_WEIGHTS, strict=False))

    assert len(code) == 18
    assert code.startswith("91320281")
    assert CREDIT_CHARS[(31 - total % 31) % 31] == code[17]


def test_accounts_cover_every_role():
    roles = Counter(a.role for a in ACCOUNTS)

    assert set(roles) == set(Role)
    assert len({a.username for a in ACCOUNTS}) == len(ACCOUNTS) == 9
