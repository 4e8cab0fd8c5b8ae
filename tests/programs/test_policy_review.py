"""The review part of the policy file (R24–R26): panel rules, conflict rules and rubrics are
read from the file, and each kind of mistake is refused naming the key at fault."""

import pytest

from tests.programs.policy_edits import edit, line_of
from vetq.programs.models import Program
from vetq.programs.policy.errors import PolicyError
from vetq.programs.policy.loader import policy_load

pytestmark = pytest.mark.integration


def test_policy_load_keeps_review_rules_and_rubrics(program):
    policy = Program.objects.get(pk=program.pk).policy

    review = policy["review"]
    assert review["experts_per_application"] == 5
    assert (review["load_min"], review["load_max"], review["reserves"]) == (1, 10, 5)
    assert review["past_employer_years"] == 3
    assert review["min_score"] == "60"
    assert review["publicity_days"] == 7
    assert review["conflict_rules"] == [
        {"rule": "same_region", "categories": ["master_teacher_studio"]}
    ]
    assert [r["code"] for r in policy["rubrics"]] == ["construction", "studio", "midterm",
                                                      "acceptance"]
    studio = next(c for c in policy["categories"] if c["code"] == "master_teacher_studio")
    assert studio["rubric"] == "studio"
    goals = policy["rubrics"][0]["criteria"][1]
    assert (goals["code"], goals["weight"], goals["comment_required"]) == ("goals", "30", True)


def test_policy_without_review_section_gets_defaults(db, policy_text, write_policy):
    start = policy_text.index("# Expert review (R24–R26")
    text = edit(policy_text, 'rubric = "studio"\n', "")[: start - len('rubric = "studio"\n')]
    text = edit(edit(text, 'midterm_rubric = "midterm"\n', ""), 'acceptance_rubric = "acceptance"\n', "")

    program = policy_load(path=write_policy(text, "plain.toml")).program

    assert program.policy["review"]["experts_per_application"] == 5
    assert [r["code"] for r in program.policy["rubrics"]] == ["default"]


STUDIO_RUBRIC = 'code = "studio"'

BAD_REVIEW = [
    pytest.param(
        lambda t: edit(t, 'rubric = "studio"', 'rubric = "studios"'),
        lambda t: f"bad.toml:{line_of(t, 'rubric = ')}: categories[13].rubric: "
        "names the rubric 'studios', which the file does not define",
        id="undefined-rubric",
    ),
    pytest.param(
        lambda t: edit(t, "experts_per_application = 5", "experts_per_application = 4"),
        lambda t: f"bad.toml:{line_of(t, '[review]')}: review: "
        "experts_per_application must be odd (a panel must not tie)",
        id="even-panel",
    ),
    pytest.param(
        lambda t: edit(t, "load_min = 1 ", "load_min = 11 "),
        lambda t: f"bad.toml:{line_of(t, '[review]')}: review: "
        "load_min must not exceed load_max",
        id="load-bounds-reversed",
    ),
    pytest.param(
        lambda t: edit(t, 'categories = ["master_teacher_studio"]', 'categories = ["studio"]'),
        lambda t: f"bad.toml:{line_of(t, '[review]')}: "
        "review.conflict_rules[0].categories[0]: "
        "names the category 'studio', which the file does not define",
        id="conflict-rule-unknown-category",
    ),
    pytest.param(
        lambda t: edit(t, 'rule = "same_region"', 'rule = "same_city"'),
        lambda t: f"bad.toml:{line_of(t, '[review]')}: review.conflict_rules[0].rule: "
        "Input should be 'same_region'",
        id="unknown-conflict-rule",
    ),
    pytest.param(
        lambda t: edit(t, '{ code = "team", name = "团队结构"', '{ code = "lead", name = "团队结构"'),
        lambda t: f"bad.toml:{line_of(t, STUDIO_RUBRIC) - 1}: rubrics[1]: "
        "criterion codes must be unique within a rubric",
        id="duplicate-criterion",
    ),
    pytest.param(
        lambda t: edit(t, 'name_en = "Budget", weight = 15', 'name_en = "Budget", weight = 0'),
        lambda t: f"bad.toml:{line_of(t, 'criteria = [')}: rubrics[0].criteria[4].weight: "
        "Input should be greater than 0",
        id="zero-weight",
    ),
]


@pytest.mark.parametrize(("make_bad", "message"), BAD_REVIEW)
def test_policy_load_of_bad_review_section_is_refused(
    program, policy_text, write_policy, make_bad, message
):
    bad = make_bad(policy_text)

    with pytest.raises(PolicyError) as exc:
        policy_load(path=write_policy(bad))

    assert str(exc.value) == message(bad)
    assert Program.objects.get(pk=program.pk).policy["review"]["experts_per_application"] == 5
