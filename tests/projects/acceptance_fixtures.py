"""Fixtures for the acceptance tests: projects approved on a fixed day, the ledger helpers
and the funding fixtures they build on. Test modules take them with
`from tests.projects.acceptance_fixtures import *`."""

from datetime import date

import pytest

from tests.factories import InstitutionFactory, UserFactory, membership
from tests.funding.conftest import (
    approve,
    english,
    finance_city,
    finance_jiangyin,
    finance_yixing,
    in_publicity,
)
from vetq.funding.ledger import payment_record
from vetq.funding.models import Tranche
from vetq.projects.models import Project

__all__ = [
    "APPROVED_ON", "LATER", "approve", "english", "finance_city", "finance_jiangyin",
    "finance_yixing", "in_publicity", "make_project", "pay", "tranche", "school_of",
    "expert_user", "department_viewer", "other_school_user",
]

APPROVED_ON = date(2020, 3, 2)
# Every construction year's tranche of a project approved on APPROVED_ON has fallen due.
LATER = date(2024, 1, 15)


@pytest.fixture
def make_project(approve, regions):
    """A project of category `code` approved on APPROVED_ON for a new school of `region`
    (Liangxi: the city pays). Through the approval's own project_create when it makes one."""

    def make(code: str = "brand_major", region: str = "liangxi", **kwargs) -> Project:
        grant = approve(code, regions[region], today=APPROVED_ON, **kwargs)
        project = Project.objects.filter(grant=grant).first()
        if project is None:
            application = grant.application
            project = Project.objects.create(
                application=application, grant=grant, category=grant.category,
                institution=grant.institution, title=application.title,
                starts_on=APPROVED_ON, ends_on=date(2020 + (grant.construction_years or 1), 3, 2))
        return project

    return make


def tranche(project: Project, seq: int) -> Tranche:
    return Tranche.objects.select_related("grant").get(grant=project.grant_id, seq=seq)


_vouchers = iter(range(1, 10**6))


def pay(project: Project, seq: int, by, amount=None, today: date = LATER):
    """Pay tranche `seq` of the project's grant (all of it unless `amount`)."""
    t = tranche(project, seq)
    return payment_record(tranche=t, amount=amount if amount is not None else t.amount,
                          voucher_no=f"V{next(_vouchers):06d}", paid_on=date(2021, 1, 4),
                          payer_account="无锡市财政局", by=by, today=today)


def school_of(project: Project, username: str):
    """A school user of the project's school."""
    user = UserFactory(username=username)
    membership(user, "school_user", institution=project.institution)
    return user


@pytest.fixture
def other_school_user(regions):
    user = UserFactory(username="other-school")
    membership(user, "school_user", institution=InstitutionFactory(region=regions["liangxi"]))
    return user


@pytest.fixture
def expert_user(program):
    user = UserFactory(username="expert1")
    membership(user, "expert")
    return user


@pytest.fixture
def department_viewer(program):
    from vetq.institutions.models import Department

    user = UserFactory(username="viewer")
    department, _ = Department.objects.get_or_create(code="finance", defaults={"name": "财政局"})
    membership(user, "department_viewer", department=department)
    return user
