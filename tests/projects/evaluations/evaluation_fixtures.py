"""Fixtures for the performance evaluation tests: a project, its school's user, and scores
for every indicator of an evaluation. Test modules take them with
`from tests.projects.evaluations.evaluation_fixtures import *`."""

from datetime import date
from decimal import Decimal

import pytest

from tests.projects.projects_fixtures import *  # noqa: F403
from tests.projects.projects_fixtures import school_of
from vetq.projects.grading import indicators_of
from vetq.projects.models import Project

__all__ = [  # noqa: F405
    "APPROVED_ON", "approve", "english", "finance_city", "finance_jiangyin", "finance_yixing",
    "in_publicity", "project_at", "spread", "expert", "viewer", "school_of", "officer_of",
    "TODAY", "project", "school", "all_scored", "PDF",
]

TODAY = date(2021, 6, 1)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def project(project_at) -> Project:
    """A Liangxi project (the city pays) approved on 2020-03-02."""
    return project_at(title="梁溪项目")


@pytest.fixture
def school(project):
    return school_of(project, "school-liangxi")


def all_scored(evaluation, *, less: Decimal = Decimal(0), **scores) -> dict:
    """(score, evidence) for every indicator of the evaluation: its full points less `less`
    on the first one, or the score given by code."""
    result = {}
    for index, indicator in enumerate(indicators_of(evaluation.indicator_set)):
        value = scores.get(indicator.code, indicator.points - (less if index == 0 else 0))
        result[indicator.code] = (str(value), f"{indicator.name}的佐证")
    return result
