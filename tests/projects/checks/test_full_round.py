"""A whole mid-term round through the real services: opened, self-assessed, its expert panel
announced, drawn on a public value and scored by the experts with the review's own
services, closed, its scores collected and its results recorded with their money. The
applications of a check panel stay approved, and the review's rankings and selections never
see a check panel."""

from decimal import Decimal

import pytest
from django.utils import timezone

from tests.projects.acceptance_fixtures import LATER, school_of, tranche
from tests.projects.checks.conftest import MIDTERM_COMMENT, OPENED, entry_of
from tests.reviews.panels.conftest import SOURCE, VALUE, announce, make_due
from vetq.applications.models import Application, ApplicationEvent
from vetq.applications.services import Refused
from vetq.applications.states import ApplicationState
from vetq.funding.ledger import tranche_payable_amount
from vetq.notices.models import Notice
from vetq.projects.check_results import check_result_record
from vetq.projects.checks import (
    check_panel_create,
    check_scores_collect,
    self_assessment_submit,
)
from vetq.projects.models import ProjectEvent, ProjectState
from vetq.reviews import panels
from vetq.reviews.models import Assignment, Expert, Panel, PanelState
from vetq.reviews.ranking import panel_ranking_sheet, ranking_for
from vetq.reviews.reviewing import panel_close, review_submit

pytestmark = pytest.mark.integration


def scores(each) -> dict:
    return dict.fromkeys(("progress", "funds", "quality", "management"), each)


@pytest.fixture
def round_with_panel(make_project, midterm_plan, open_round, bureau_user, reviewers):
    """Two brand-major projects in a mid-term round (one self-assessed), its panel set up, and
    twelve experts with accounts in the pool."""
    good, weak = make_project(), make_project(region="xishan")
    reviewers(12)
    check_round = open_round([good, weak])
    self_assessment_submit(entry=entry_of(check_round, good), text="按期完成年度建设任务。",
                           self_score="85", by=school_of(good, "school-good"), today=OPENED)
    panel = check_panel_create(check_round=check_round, by=bureau_user)
    return {"good": good, "weak": weak, "round": check_round, "panel": panel}


def drawn(panel, bureau_user):
    draw = make_due(announce(panel, bureau_user))
    panels.draw_perform(panel=panel, by=bureau_user, public_value=VALUE)
    panel.refresh_from_db()
    return draw


def test_full_midterm_round_through_the_panel(round_with_panel, bureau_user, finance_city):
    good, weak, check_round, panel = (round_with_panel[k] for k in ("good", "weak", "round", "panel"))
    draw = drawn(panel, bureau_user)
    assert draw.public_value_source == SOURCE
    assert panel.state == PanelState.REVIEWING
    assignments = list(panel.assignments.filter(active=True).select_related("expert__user"))
    per_application = {a: sum(1 for x in assignments if x.application_id == a)
                       for a in (good.application_id, weak.application_id)}
    assert per_application == {good.application_id: 5, weak.application_id: 5}
    # The applications stay approved: no review transition.
    assert set(Application.objects.filter(pk__in=per_application)
               .values_list("state", flat=True)) == {ApplicationState.APPROVED}
    assert not ApplicationEvent.objects.filter(action="start_review").exists()
    assert Notice.objects.filter(kind="reviews.assigned").count() == len(
        {a.expert_id for a in assignments})

    for a in assignments:
        each = 8 if a.application_id == good.application_id else Decimal("6.5")
        review_submit(assignment=a, by=a.expert.user, scores=scores(each),
                      comments=MIDTERM_COMMENT)
    panel_close(panel=panel, by=bureau_user)
    panel.refresh_from_db()
    assert panel.state == PanelState.CLOSED
    assert not ApplicationEvent.objects.filter(action="finish_review").exists()

    check_scores_collect(check_round=check_round, by=bureau_user)
    good_entry, weak_entry = entry_of(check_round, good), entry_of(check_round, weak)
    assert (good_entry.score, weak_entry.score) == (Decimal("80.00"), Decimal("65.00"))
    assert ProjectEvent.objects.get(project=weak, action="check_scored").after["reviews"] == 5

    check_result_record(entry=good_entry, result="pass", by=bureau_user, today=LATER)
    check_result_record(entry=weak_entry, result="rectify", by=bureau_user, today=LATER)
    assert tranche_payable_amount(tranche(good, 2), LATER) == Decimal("30000.00")
    assert tranche_payable_amount(tranche(weak, 2), LATER) == Decimal("0")
    weak_entry.refresh_from_db()
    assert weak_entry.rectification_due is not None
    for project in (good, weak):
        project.refresh_from_db()
        assert project.state == ProjectState.ACTIVE


def test_scores_are_the_trimmed_mean_of_the_panel(round_with_panel, bureau_user):
    good, panel = round_with_panel["good"], round_with_panel["panel"]
    drawn(panel, bureau_user)
    given = iter([9, 8, 8, 7, 3])  # trimmed (5 or more reviews): mean of 8, 8, 7
    for a in panel.assignments.filter(active=True).select_related("expert__user") \
            .order_by("application_id", "expert__code"):
        each = next(given) if a.application_id == good.application_id else 7
        review_submit(assignment=a, by=a.expert.user, scores=scores(each),
                      comments=MIDTERM_COMMENT)
    panel_close(panel=panel, by=bureau_user)
    check_scores_collect(check_round=round_with_panel["round"], by=bureau_user)
    assert entry_of(round_with_panel["round"], good).score == Decimal("76.67")


def test_review_rankings_and_panels_ignore_check_panels(round_with_panel, bureau_user,
                                                        call_category, in_publicity):
    panel = round_with_panel["panel"]
    cohort = panel.call_category
    drawn(panel, bureau_user)
    assert ranking_for(cohort) == []  # selection reads this: no check panel in it
    assert [r.application.pk for r in panel_ranking_sheet(panel).rows] == sorted(
        panel.applications.values_list("pk", flat=True))
    # A new eligible application of the same call category waits for a review panel.
    waiting = in_publicity("brand_major", round_with_panel["good"].institution.region)
    Application.objects.filter(pk=waiting.pk).update(state=ApplicationState.ELIGIBLE)
    review_panel = panels.panel_create(call_category=cohort, by=bureau_user)
    assert list(review_panel.applications.values_list("pk", flat=True)) == [waiting.pk]
    assert review_panel.check_round is None


def test_experts_already_assigned_to_an_application_are_not_drawn_again(round_with_panel,
                                                                        bureau_user):
    good, panel = round_with_panel["good"], round_with_panel["panel"]
    review = Panel.objects.create(call_category=panel.call_category, name="2020年度评审组",
                                  state=PanelState.CLOSED, review_deadline=timezone.now(),
                                  created_by=bureau_user)
    earlier = {f"E{i:04d}" for i in range(1, 6)}
    for expert in Expert.objects.filter(code__in=earlier):
        Assignment.objects.create(panel=review, application=good.application, expert=expert)
    draw = drawn(panel, bureau_user)
    conflicts = {(code, app): reasons for code, app, reasons in draw.inputs["conflicts"]}
    assert {code for (code, app), reasons in conflicts.items()
            if app == good.application_id and reasons == ["assigned_before"]} == earlier
    drawn_for_good = set(panel.assignments.filter(application=good.application, active=True)
                         .values_list("expert__code", flat=True))
    assert len(drawn_for_good) == 5
    assert not drawn_for_good & earlier


def test_announce_refuses_a_project_no_longer_active(round_with_panel, bureau_user):
    weak, panel = round_with_panel["weak"], round_with_panel["panel"]
    weak.state = ProjectState.WITHDRAWN
    weak.save()
    with pytest.raises(Refused, match="no longer under construction: " + str(weak.application_id)):
        announce(panel, bureau_user)
    panel.refresh_from_db()
    assert panel.state == PanelState.DRAFT
    panels.panel_applications_set(panel=panel, applications=[round_with_panel["good"].application],
                                  by=bureau_user)
    announce(panel, bureau_user)
    panel.refresh_from_db()
    assert panel.state == PanelState.ANNOUNCED


def test_check_panel_takes_only_its_rounds_projects(round_with_panel, bureau_user, make_project):
    stranger = make_project(region="huishan")
    with pytest.raises(Refused, match="not those of the check round's projects"):
        panels.panel_applications_set(panel=round_with_panel["panel"],
                                      applications=[stranger.application], by=bureau_user)
