"""Fixtures for the change request tests: a project under construction with a lead person,
goals and a budget plan, its school's user, and the budget as a change would ask for it.
Test modules take them with `from tests.projects.changes.change_fixtures import *`."""

import pytest

from tests.projects.projects_fixtures import *  # noqa: F403
from tests.projects.projects_fixtures import school_of
from vetq.projects.models import Project

__all__ = [  # noqa: F405
    "APPROVED_ON", "approve", "english", "finance_city", "finance_jiangyin", "finance_yixing",
    "in_publicity", "project_at", "spread", "expert", "viewer", "school_of", "officer_of",
    "BUDGET", "budget", "project", "school", "moved",
]

BUDGET = [
    {"item": "equipment", "amount": "60000.00", "school": "20000.00", "partner": "0.00"},
    {"item": "training", "amount": "30000.00", "school": "0.00", "partner": "10000.00"},
    {"item": "materials", "amount": "10000.00", "school": "0.00", "partner": "0.00"},
]


def budget(**amounts) -> list[dict]:
    """The plan with some grant amounts changed: budget(equipment="50000", experts="10000")."""
    lines = {line["item"]: dict(line) for line in BUDGET}
    for item, amount in amounts.items():
        lines.setdefault(item, {"item": item, "amount": "0", "school": "0", "partner": "0"})
        lines[item]["amount"] = amount
    return list(lines.values())


def moved() -> list[dict]:
    """10,000 of the grant moved from equipment to expert consultation: the totals stay."""
    return budget(equipment="50000", experts="10000")


@pytest.fixture
def project(project_at) -> Project:
    """A project under construction (Liangxi, the city pays) with its plan."""
    project = project_at(title="梁溪项目")
    Project.objects.filter(pk=project.pk).update(lead_name="王建国", goals="建成省级品牌专业。",
                                                 budget=BUDGET)
    project.refresh_from_db()
    return project


@pytest.fixture
def school(project):
    return school_of(project, "school-liangxi")
