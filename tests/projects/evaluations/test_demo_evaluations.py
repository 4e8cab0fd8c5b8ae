"""The demo's changes and performance evaluations (demo/project_evaluations.py), written on a
handful of projects in the states the demo leaves them in: changes on projects under
construction, evaluations of closed and failed ones, picked by state when it runs."""

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest

from tests.projects.changes.change_fixtures import BUDGET
from tests.projects.evaluations.evaluation_fixtures import *  # noqa: F403
from tests.projects.evaluations.evaluation_fixtures import school_of
from vetq.demo.project_evaluations import evaluations_write, scores_for
from vetq.programs.policy.evaluation_schema import DEFAULT_INDICATOR_SETS
from vetq.projects.acceptance import acceptance_record
from vetq.projects.grading import evaluation_grade
from vetq.projects.models import ChangeRequest, PerformanceEvaluation, Project, ProjectEvent

pytestmark = pytest.mark.integration

TODAY = date(2020, 9, 1)
BANDS = {"excellent_from": 90, "good_from": 80, "fair_from": 60}


@pytest.mark.unit
@pytest.mark.parametrize("total", ["93.5", "88", "74.5", "52.5", "100", "0", "61.25"])
def test_demo_scores_add_up_to_the_total_asked(total):
    for entry in DEFAULT_INDICATOR_SETS:
        indicator_set = entry.model_dump(mode="json")
        scores = {code: Decimal(score) for code, (score, _) in
                  scores_for(indicator_set, Decimal(total)).items()}
        assert evaluation_grade(indicator_set, scores, BANDS).total == Decimal(total)


@pytest.fixture
def stage(project_at, bureau_user, finance_city):
    """Eight projects under construction with their plans and school users, of which the
    first four are rated at acceptance: three pass (closed) and one fails."""
    projects = []
    for n in range(8):
        project = project_at(title=f"项目{n}", on=date(2017, 3, 1))
        Project.objects.filter(pk=project.pk).update(lead_name=f"负责人{n}", goals="目标。",
                                                     budget=BUDGET)
        school_of(project, f"school-{n}")
        projects.append(project)
    for n, (score, rating) in enumerate([("92", "excellent"), ("85", "pass"), ("70", "pass"),
                                         ("50", "fail")]):
        acceptance_record(project=projects[n], score=score, rating=rating, by=bureau_user,
                          today=date(2020, 3, 2))
    return projects


def test_demo_writes_changes_and_evaluations_by_state(stage, bureau_user, program):
    assert evaluations_write(program=program, bureau=bureau_user, today=TODAY) == {
        "changes": 3, "evaluations": 10}

    changes = {c.kind: c for c in ChangeRequest.objects.select_related("project")}
    assert {kind: c.state for kind, c in changes.items()} == {
        "lead": "approved", "budget": "rejected", "goals": "pending"}
    assert all(c.project.state == "active" for c in changes.values())
    lead = changes["lead"]
    lead.project.refresh_from_db()
    assert lead.before == {"lead_name": "负责人4"} and lead.project.lead_name == \
        lead.after["lead_name"]
    event = ProjectEvent.objects.get(action="changed")
    assert (event.before, event.at.date()) == ({"lead_name": "负责人4"}, date(2020, 5, 11))
    assert changes["budget"].decision_comment and changes["goals"].decided_at is None
    assert changes["goals"].requested_at.date() == date(2020, 8, 20)

    evaluations = list(PerformanceEvaluation.objects.select_related("project"))
    assert all(e.state == "submitted" for e in evaluations)
    assert {e.project.state for e in evaluations if e.project} == {"closed", "failed"}
    assert Counter(e.grade for e in evaluations) == Counter(
        {"excellent": 3, "good": 4, "fair": 2, "poor": 1})
    assert Counter(e.evaluator for e in evaluations) == Counter(
        {"school": 4, "bureau": 5, "finance": 1})
    school_years = [e for e in evaluations if e.project is None]
    assert sorted((e.year, e.evaluator, e.grade) for e in school_years) == [
        (2019, "bureau", "fair"), (2019, "school", "excellent"), (2019, "school", "good")]
    assert all(e.submitted_at.date() <= TODAY for e in evaluations)

    assert evaluations_write(program=program, bureau=bureau_user, today=TODAY) == {
        "changes": 0, "evaluations": 0}
