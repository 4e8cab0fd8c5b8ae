"""The demo accounts: one per role, listed once here for the command, its table and the docs.

Roles are given through membership_grant, so every grant is in the audit log.
"""

import unicodedata
from dataclasses import dataclass

from django.contrib.auth.hashers import get_hasher, make_password

from vetq.accounts.models import Membership, User
from vetq.accounts.roles import Role
from vetq.accounts.services import membership_grant
from vetq.institutions.models import Department, Institution, Region
from vetq.reviews.models import Expert

from . import DEMO_PASSWORD
from .experts import ExpertSpec
from .institutions import SECONDARY, SchoolSpec, first_school
from .plan import DemoPlan


@dataclass(frozen=True)
class AccountSpec:
    username: str
    role: Role
    full_name: str = ""  # empty: the name of the expert the account belongs to
    region: str | None = None
    school_region: str | None = None  # the account's school: the region's first demo school…
    school_type: str | None = None  # …of this type, if given
    department: str | None = None
    is_expert: bool = False  # linked to the first planned expert
    is_admin: bool = False  # also staff and superuser, for the Django admin

    @property
    def email(self) -> str:
        return f"{self.username}@example.org"


ACCOUNTS = (
    AccountSpec("bureau", Role.BUREAU_ADMIN, "周明华", is_admin=True),
    AccountSpec("region_liangxi", Role.REGION_OFFICER, "陈晓燕", region="liangxi"),
    AccountSpec("region_jiangyin", Role.REGION_OFFICER, "徐志刚", region="jiangyin"),
    AccountSpec("school", Role.SCHOOL_USER, "李文静", school_region="liangxi",
                school_type=SECONDARY),
    AccountSpec("school_yixing", Role.SCHOOL_USER, "蒋立新", school_region="yixing"),
    AccountSpec("expert", Role.EXPERT, is_expert=True),
    AccountSpec("finance", Role.FINANCE_OFFICER, "顾卫东"),
    AccountSpec("finance_jiangyin", Role.FINANCE_OFFICER, "华丽萍", region="jiangyin"),
    AccountSpec("viewer", Role.DEPARTMENT_VIEWER, "秦海波", department="development_reform"),
)


_HASHES: dict[str, str] = {}


def demo_password_hash() -> str:
    """The password hash of every account the demo creates. Hashing is the slow part of the
    build, so one salted hash of the demo password serves them all (one per hasher, should
    the settings change between builds in one process)."""
    algorithm = get_hasher().algorithm
    if algorithm not in _HASHES:
        _HASHES[algorithm] = make_password(DEMO_PASSWORD)
    return _HASHES[algorithm]


def account_school(account: AccountSpec, plan: DemoPlan) -> SchoolSpec | None:
    if account.school_region is None:
        return None
    return first_school(plan.schools, region=account.school_region, type=account.school_type)


def account_expert(account: AccountSpec, plan: DemoPlan) -> ExpertSpec | None:
    return plan.experts[0] if account.is_expert else None


def account_full_name(account: AccountSpec, plan: DemoPlan) -> str:
    expert = account_expert(account, plan)
    return expert.name if expert else account.full_name


def account_scope(account: AccountSpec, plan: DemoPlan, names: dict[str, str]) -> str:
    """What the account's role applies to, in words; `names` maps region and department
    codes to their names."""
    school = account_school(account, plan)
    expert = account_expert(account, plan)
    if school:
        return f"school {school.name} ({names[school.region]})"
    if expert:
        return f"expert {expert.name}, {expert.title}, {plan.employer_name(expert)}"
    if account.department:
        return f"department {names[account.department]}"
    if account.region:
        return f"region {names[account.region]}"
    if account.role == Role.FINANCE_OFFICER:
        return f"city ({names['finance']})"
    return "city" + ("; Django admin" if account.is_admin else "")


def accounts_table(plan: DemoPlan, names: dict[str, str]) -> list[str]:
    """The demo accounts as aligned text lines: username, role, scope, password."""
    rows = [("username", "role", "scope", "password")]
    rows += [(a.username, a.role.value, account_scope(a, plan, names), DEMO_PASSWORD)
             for a in ACCOUNTS]
    widths = [max(_width(row[i]) for row in rows) for i in range(3)]
    return [
        "  ".join(cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row[:3]))
        + "  " + row[3]
        for row in rows
    ]


def _width(text: str) -> int:
    """Terminal columns: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def accounts_write(
    plan: DemoPlan, *, regions: dict[str, Region], departments: dict[str, Department],
    schools: dict[str, Institution],
) -> tuple[int, int]:
    """Create the demo users that are missing and grant their roles; return how many users
    and memberships were added. An existing user keeps its password and flags."""
    memberships_before = Membership.objects.count()
    created = 0
    for account in ACCOUNTS:
        user = User.objects.filter(username=account.username).first()
        if user is None:
            user = User.objects.create(
                username=account.username, full_name=account_full_name(account, plan),
                email=account.email, password=demo_password_hash(),
                is_staff=account.is_admin, is_superuser=account.is_admin,
            )
            created += 1
        school = account_school(account, plan)
        membership_grant(
            user=user, role=account.role,
            region=regions[account.region] if account.region else None,
            institution=schools[school.code] if school else None,
            department=departments[account.department] if account.department else None,
        )
        expert = account_expert(account, plan)
        if expert:
            _expert_link(user, expert)
    return created, Membership.objects.count() - memberships_before


def _expert_link(user: User, spec: ExpertSpec) -> None:
    """Make the user the account of the planned expert, unless either is linked already."""
    expert = Expert.objects.filter(name=spec.name, user__isnull=True).first()
    if expert is not None and not Expert.objects.filter(user=user).exists():
        expert.user = user
        expert.save(update_fields=["user"])
