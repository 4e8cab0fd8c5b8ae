"""R26: each automatic eligibility rule, from the refused side and the accepted side."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vetq.applications.eligibility import SubmissionFacts, check_submission, region_cap_reached

pytestmark = pytest.mark.unit

NOW = datetime(2020, 4, 1, 9, 0, tzinfo=UTC)
GOOD = SubmissionFacts(
    now=NOW,
    call_open=True,
    submission_deadline=NOW + timedelta(days=1),
    institution_type="secondary_vocational",
    eligible_types=["higher_vocational", "secondary_vocational", "technical"],
    per_school_cap=2,
    other_live_in_call_category=1,
    majors_taken=[],
    missing_fields=[],
    missing_attachments=[],
)


def codes(facts) -> list[str]:
    return [f.code for f in check_submission(facts)]


def test_complete_application_in_time_passes():
    assert check_submission(GOOD) == []


def test_closed_call_is_refused():
    assert codes(replace(GOOD, call_open=False)) == ["call_closed"]


def test_late_submission_is_refused_and_names_the_deadline():
    failures = check_submission(replace(GOOD, now=GOOD.submission_deadline + timedelta(seconds=1)))
    assert [f.code for f in failures] == ["deadline_passed"]
    assert failures[0].params == {"deadline": "2020-04-02T09:00+00:00"}


def test_submission_at_the_deadline_is_in_time():
    assert codes(replace(GOOD, now=GOOD.submission_deadline)) == []


def test_ineligible_type_is_refused():
    assert codes(replace(GOOD, eligible_types=["higher_vocational"])) == ["type_not_eligible"]


def test_school_cap_reached_is_refused():
    assert codes(replace(GOOD, other_live_in_call_category=2)) == ["school_cap"]


def test_no_cap_allows_any_number():
    assert codes(replace(GOOD, per_school_cap=None, other_live_in_call_category=50)) == []


def test_major_with_live_application_or_project_is_refused():
    failures = check_submission(replace(GOOD, majors_taken=["660103"]))
    assert [(f.code, f.params) for f in failures] == [("major_taken", {"major": "660103"})]


def test_missing_fields_and_attachments_are_each_named():
    failures = check_submission(replace(GOOD, missing_fields=["建设目标", "项目负责人"],
                                        missing_attachments=["建设实施方案"]))
    assert [(f.code, f.params) for f in failures] == [
        ("missing_field", {"field": "建设目标"}),
        ("missing_field", {"field": "项目负责人"}),
        ("missing_attachment", {"attachment": "建设实施方案"}),
    ]


def test_all_failures_are_reported_at_once():
    facts = replace(GOOD, call_open=False, eligible_types=["technical"], missing_fields=["x"])
    assert codes(facts) == ["call_closed", "type_not_eligible", "missing_field"]


@given(st.integers(min_value=0, max_value=50), st.one_of(st.none(), st.integers(1, 50)))
def test_region_cap_matches_its_definition(done, cap):
    assert region_cap_reached(recommended_so_far=done, cap=cap) == (cap is not None and done >= cap)


@given(st.integers(min_value=0, max_value=10), st.integers(min_value=1, max_value=10))
def test_school_cap_refuses_exactly_when_reached(others, cap):
    failed = "school_cap" in codes(replace(GOOD, per_school_cap=cap, other_live_in_call_category=others))
    assert failed == (others >= cap)
