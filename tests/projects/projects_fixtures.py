"""Fixtures for the project tests: grants approved on a fixed day (each with the project the
approval creates) and users of every role. Test modules take them with
`from tests.projects.projects_fixtures import *`."""

from datetime import date
from decimal import Decimal

import pytest

from tests.factories import UserFactory, membership
from tests.funding.conftest import (
    approve,
    english,
    finance_city,
    finance_jiangyin,
    finance_yixing,
    in_publicity,
)
from vetq.funding.grants import application_approve
from vetq.projects.models import Project

__all__ = [
    "APPROVED_ON", "approve", "english", "finance_city", "finance_jiangyin", "finance_yixing",
    "in_publicity", "project_at", "spread", "expert", "viewer", "school_of", "officer_of",
]

APPROVED_ON = date(2020, 3, 2)


@pytest.fixture
def project_at(in_publicity, bureau_user, regions):
    """The project of a new `code` application of a new school of `region`, approved on `on`
    (a county-level city pays 120,000 unless the city commissioned it)."""

    def make(code: str = "brand_major", region: str = "liangxi", *, on: date = APPROVED_ON,
             title: str | None = None, **kwargs) -> Project:
        application = in_publicity(code, regions[region], title=title)
        if region in {"jiangyin", "yixing"} and not kwargs.get("commissioned"):
            kwargs.setdefault("county_amount", Decimal("120000"))
        grant = application_approve(application=application, by=bureau_user, today=on, **kwargs)
        return Project.objects.select_related("grant", "institution").get(grant=grant)

    return make


@pytest.fixture
def spread(project_at):
    """Four projects: a Liangxi school's (the city pays), a Jiangyin and a Yixing school's
    (each county-level city pays its own), and a Yixing project the city commissioned."""
    return {
        "city": project_at("brand_major", "liangxi", title="梁溪项目"),
        "jiangyin": project_at("brand_major", "jiangyin", title="江阴项目"),
        "yixing": project_at("master_teacher_studio", "yixing", title="宜兴工作室"),
        "commissioned": project_at("brand_major", "yixing", title="市级委托项目",
                                   commissioned=True),
    }


def school_of(project: Project, username: str):
    """A school user of the project's school."""
    user = UserFactory(username=username)
    membership(user, "school_user", institution=project.institution)
    return user


def officer_of(region, username: str):
    user = UserFactory(username=username)
    membership(user, "region_officer", region=region)
    return user


@pytest.fixture
def expert(program):
    user = UserFactory(username="expert-p")
    membership(user, "expert")
    return user


@pytest.fixture
def viewer(program):
    from vetq.institutions.models import Department

    user = UserFactory(username="viewer-p")
    department, _ = Department.objects.get_or_create(code="finance", defaults={"name": "财政局"})
    membership(user, "department_viewer", department=department)
    return user
