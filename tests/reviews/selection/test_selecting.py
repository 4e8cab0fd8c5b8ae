"""Running the selection from the database: scores from the ranking, costs by subsidy rule
and payer (R28), quota, target and budget left, held places, and the bureau's overrides."""

from decimal import Decimal

import pytest

from vetq.applications.services import Refused
from vetq.applications.states import ApplicationState
from vetq.audit.models import AuditEntry
from vetq.funding.grants import application_approve
from vetq.programs.models import Category, Program
from vetq.reviews.canonical import digest
from vetq.reviews.models import Override, SelectionState
from vetq.reviews.selecting import approval_amount, override_add, published_ids, selection_run

pytestmark = pytest.mark.integration


def rows(selection) -> dict[int, tuple[bool, str]]:
    return {r["id"]: (r["selected"], r["reason"]) for r in selection.result["rows"]}


def test_run_selects_by_score_within_the_quota(reviewed, set_quota, open_call, bureau_user):
    set_quota("brand_major", 2)
    a, b, c = reviewed(score="90"), reviewed(score="70"), reviewed(score="80")
    selection = selection_run(call=open_call, by=bureau_user)
    assert selection.state == SelectionState.PROPOSED
    assert selection.result["selected"] == sorted([a.pk, c.pk])
    assert rows(selection)[b.pk] == (False, "quota")
    assert selection.inputs_digest == digest(selection.inputs)
    assert len(selection.seed) == 64
    scores = {row["id"]: row["score"] for row in selection.inputs["candidates"]}
    assert scores == {a.pk: "90.00", b.pk: "70.00", c.pk: "80.00"}
    entry = AuditEntry.objects.get(action="selection.run")
    assert entry.after["selected"] == selection.result["selected"]


def test_run_again_supersedes_the_proposal(reviewed, open_call, bureau_user):
    reviewed()
    first = selection_run(call=open_call, by=bureau_user)
    second = selection_run(call=open_call, by=bureau_user)
    first.refresh_from_db()
    assert (first.state, second.state) == (SelectionState.SUPERSEDED, SelectionState.PROPOSED)
    assert first.inputs_digest == second.inputs_digest and first.seed == second.seed


def test_county_paid_projects_cost_the_city_nothing(reviewed, open_call, bureau_user):  # R28
    city, county = reviewed(region="liangxi"), reviewed(region="yixing")
    inputs = selection_run(call=open_call, by=bureau_user).inputs
    costs = {r["id"]: r["cost_fen"] for r in inputs["candidates"]}
    assert costs == {city.pk: 10_000_000, county.pk: 0}


def test_commissioned_county_project_is_paid_by_the_city(reviewed, open_call, bureau_user):  # R28
    county = reviewed(region="yixing")
    county.commissioned = True
    county.save(update_fields=["commissioned"])
    inputs = selection_run(call=open_call, by=bureau_user).inputs
    assert inputs["candidates"][0]["cost_fen"] == 10_000_000


def test_budget_left_binds_city_projects_only(reviewed, program, open_call, bureau_user):
    Program.objects.filter(pk=program.pk).update(budget_yuan=Decimal("150000"))
    first, second = reviewed(score="90"), reviewed(score="85")
    county_below = reviewed(region="yixing", score="70")
    county = reviewed("featured_major", region="yixing", score="65")
    selection = selection_run(call=open_call, by=bureau_user)
    assert selection.inputs["budget_fen"] == 15_000_000
    assert selection.result["selected"] == sorted([first.pk, county.pk])
    assert rows(selection)[second.pk] == (False, "budget")
    # Free for the city, but it may not pass over the higher-ranked second of its category.
    assert rows(selection)[county_below.pk] == (False, "rank_order")


def test_target_left_counts_live_grants(reviewed, program, open_call, bureau_user):
    Category.objects.filter(program=program, code="brand_major").update(target=2)
    granted = reviewed(state=ApplicationState.IN_PUBLICITY)
    application_approve(application=granted, by=bureau_user)
    a, b = reviewed(score="90"), reviewed(score="80")
    selection = selection_run(call=open_call, by=bureau_user)
    limits = {c["code"]: c for c in selection.inputs["categories"]}
    assert limits["brand_major"]["target_remaining"] == 1
    assert limits["brand_major"]["quota"] == 9  # the approved one used a place of the call's 10
    assert selection.result["selected"] == [a.pk]
    assert rows(selection)[b.pk] == (False, "target")


def test_applications_in_publicity_hold_their_places(reviewed, set_quota, open_call, bureau_user):
    set_quota("brand_major", 2)
    reviewed(state=ApplicationState.IN_PUBLICITY)
    a, b = reviewed(score="90"), reviewed(score="80")
    selection = selection_run(call=open_call, by=bureau_user)
    assert selection.result["selected"] == [a.pk]
    assert rows(selection)[b.pk] == (False, "quota")


def test_below_the_minimum_score_and_unscored_are_not_selected(reviewed, open_call, bureau_user):
    low, none = reviewed(score="59.5"), reviewed(score=None)
    selection = selection_run(call=open_call, by=bureau_user)
    assert rows(selection) == {low.pk: (False, "below_line"), none.pk: (False, "no_score")}


def test_run_refused_without_reviewed_applications(open_call, bureau_user):
    with pytest.raises(Refused, match="No reviewed application"):
        selection_run(call=open_call, by=bureau_user)


def test_run_refused_for_a_non_bureau_user(reviewed, open_call, school_member):
    reviewed()
    with pytest.raises(Refused, match="Only the bureau"):
        selection_run(call=open_call, by=school_member)


@pytest.mark.parametrize("asked, amount", [("250000.00", "250000.00"), ("500000.00", "300000.00"),
                                           ("80000.00", "100000.00")])
def test_range_rule_amount_is_the_request_within_the_bounds(reviewed, asked, amount):
    assert approval_amount(reviewed("industry_contribution_award", amount=asked)) == Decimal(amount)


def test_other_rules_fix_the_amount_themselves(reviewed):
    assert approval_amount(reviewed("brand_major")) is None


def test_range_rule_cost_uses_the_requested_amount(reviewed, open_call, bureau_user):
    award = reviewed("industry_contribution_award", amount="250000.00")
    inputs = selection_run(call=open_call, by=bureau_user).inputs
    assert {c["id"]: c["cost_fen"] for c in inputs["candidates"]} == {award.pk: 25_000_000}


# --- overrides ------------------------------------------------------------------------------

@pytest.fixture
def proposal(reviewed, set_quota, open_call, bureau_user):
    set_quota("brand_major", 1)
    top, second = reviewed(score="90"), reviewed(score="80")
    return selection_run(call=open_call, by=bureau_user), top, second


def test_override_needs_a_reason(proposal, bureau_user):
    selection, _, second = proposal
    with pytest.raises(Refused, match="written reason"):
        override_add(selection=selection, application=second, include=True, reason="  ", by=bureau_user)
    assert not Override.objects.exists()


def test_override_includes_with_its_reason_and_is_audited(proposal, bureau_user):
    selection, top, second = proposal
    override_add(selection=selection, application=second, include=True,
                 reason="省级示范专业，市政府专题会议决定纳入", by=bureau_user)
    assert published_ids(selection) == sorted([top.pk, second.pk])
    entry = AuditEntry.objects.get(action="selection.override")
    assert entry.after == {"selection": selection.pk, "application": second.pk, "include": True,
                           "reason": "省级示范专业，市政府专题会议决定纳入"}


def test_override_excludes_a_selected_one(proposal, bureau_user):
    selection, top, _ = proposal
    override_add(selection=selection, application=top, include=False, reason="学校撤回承诺", by=bureau_user)
    assert published_ids(selection) == []


@pytest.mark.parametrize("include, which, message", [
    (True, 1, "already on the computed list"),
    (False, 2, "not on the computed list"),
])
def test_override_that_changes_nothing_is_refused(proposal, bureau_user, include, which, message):
    selection = proposal[0]
    with pytest.raises(Refused, match=message):
        override_add(selection=selection, application=proposal[which], include=include, reason="理由",
                     by=bureau_user)


def test_second_override_of_an_application_is_refused(proposal, bureau_user):
    selection, _, second = proposal
    override_add(selection=selection, application=second, include=True, reason="理由一", by=bureau_user)
    with pytest.raises(Refused, match="already has an override"):
        override_add(selection=selection, application=second, include=True, reason="理由二", by=bureau_user)


def test_override_of_a_non_candidate_is_refused(proposal, reviewed, bureau_user):
    outsider = reviewed("featured_major")
    with pytest.raises(Refused, match="was not a candidate"):
        override_add(selection=proposal[0], application=outsider, include=True, reason="理由", by=bureau_user)


def test_override_of_a_superseded_selection_is_refused(proposal, open_call, bureau_user):
    selection, _, second = proposal
    selection_run(call=open_call, by=bureau_user)
    selection.refresh_from_db()
    with pytest.raises(Refused, match="Only a proposed selection"):
        override_add(selection=selection, application=second, include=True, reason="理由", by=bureau_user)


def test_override_by_a_non_bureau_user_is_refused(proposal, school_member):
    with pytest.raises(Refused, match="Only the bureau"):
        override_add(selection=proposal[0], application=proposal[2], include=True, reason="理由",
                     by=school_member)
