"""The colleagues who act in the demo's application history: one school administrator for each
school that applies and one officer for each region, besides the demo accounts.

A demo account is reused where it already acts (the `school` account for its school,
`region_liangxi` for Liangxi); the others are `school_<school code>` and `region_<region
code>`, with made-up names and the demo password, so a visitor may sign in as any of them.
"""

import random
from dataclasses import dataclass

from vetq.accounts.models import User
from vetq.accounts.roles import Role
from vetq.accounts.services import membership_grant
from vetq.institutions.models import Institution, Region

from .accounts import ACCOUNTS, account_school, demo_password_hash
from .names import GIVEN_FEMALE, GIVEN_MALE, SURNAMES
from .plan import SEED, DemoPlan


@dataclass(frozen=True)
class ActorSpec:
    username: str
    full_name: str
    role: Role
    region: str | None = None
    school: str | None = None  # institution code

    @property
    def key(self) -> str:
        return self.school or self.region or ""


@dataclass
class Actors:
    """The users who act for each school (by code) and region (by code), and the bureau."""

    schools: dict[str, User]
    regions: dict[str, User]
    bureau: User
    created: int = 0


def person_name(rng: random.Random, taken: set[str]) -> str:
    """A made-up two-character given name under a common surname, not yet in `taken`."""
    while True:
        given = GIVEN_MALE if rng.random() < 0.5 else GIVEN_FEMALE
        name = rng.choice(SURNAMES) + "".join(rng.sample(given, k=2))
        if name not in taken:
            taken.add(name)
            return name


def plan_actors(plan: DemoPlan, *, school_codes: list[str], region_codes: list[str]) -> list[ActorSpec]:
    """The colleague accounts the history needs that no demo account covers, in a fixed
    order; the names come from their own seeded Random, so the plan never changes them."""
    covered_schools = {account_school(a, plan).code for a in ACCOUNTS if a.school_region}
    covered_regions = {a.region for a in ACCOUNTS if a.role == Role.REGION_OFFICER}
    rng = random.Random(SEED * 100 + 1)
    taken = {a.full_name for a in ACCOUNTS} | {e.name for e in plan.experts}
    specs = [
        ActorSpec(f"region_{code}", person_name(rng, taken), Role.REGION_OFFICER, region=code)
        for code in region_codes if code not in covered_regions
    ]
    specs += [
        ActorSpec(f"school_{code}", person_name(rng, taken), Role.SCHOOL_USER, school=code)
        for code in sorted(school_codes) if code not in covered_schools
    ]
    return specs


def actors_write(plan: DemoPlan, specs: list[ActorSpec], *, regions: dict[str, Region],
                 schools: dict[str, Institution]) -> Actors:
    """Create the colleague accounts that are missing and grant their roles (audited), and
    gather who acts for each school and region, demo accounts included."""
    created = 0
    by_key: dict[str, User] = {}
    for spec in specs:
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = User.objects.create(username=spec.username, full_name=spec.full_name,
                                       email=f"{spec.username}@example.org",
                                       password=demo_password_hash())
            created += 1
        membership_grant(user=user, role=spec.role,
                         region=regions[spec.region] if spec.region else None,
                         institution=schools[spec.school] if spec.school else None)
        by_key[spec.key] = user
    users = User.objects.in_bulk([a.username for a in ACCOUNTS], field_name="username")
    school_users = {s.school: by_key[s.school] for s in specs if s.school}
    region_users = {s.region: by_key[s.region] for s in specs if s.region}
    for account in ACCOUNTS:
        if account.school_region:
            school_users[account_school(account, plan).code] = users[account.username]
        elif account.role == Role.REGION_OFFICER:
            region_users[account.region] = users[account.username]
    bureau = next(users[a.username] for a in ACCOUNTS if a.role == Role.BUREAU_ADMIN)
    return Actors(schools=school_users, regions=region_users, bureau=bureau, created=created)
