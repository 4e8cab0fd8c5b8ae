"""The performance evaluation part of the policy file (R29): the grade bands, their names and
the indicator sets are read from the file, and each kind of mistake is refused naming the
file, the line and the key at fault."""

from decimal import Decimal

import pytest

from tests.programs.policy_edits import edit, line_of
from vetq.programs.models import Program
from vetq.programs.policy.errors import PolicyError
from vetq.programs.policy.evaluation_schema import (
    DEFAULT_INDICATOR_SETS,
    EvaluationSection,
    evaluation_problems,
)
from vetq.programs.policy.loader import policy_load, policy_parse

pytestmark = pytest.mark.integration

OUTPUTS = '{ code = "outputs", name = "产出", name_en = "Outputs", weight = 50 }'
TASKS = 'code = "tasks_done", parent = "quantity", name = "建设任务完成率", name_en = ' \
    '"Share of the planned work done", points = 15'


def test_policy_load_keeps_the_bands_and_indicator_sets(program):
    policy = Program.objects.get(pk=program.pk).policy

    evaluation = policy["evaluation"]
    assert (evaluation["excellent_from"], evaluation["good_from"], evaluation["fair_from"]) == (
        "90", "80", "60")
    assert [(g["code"], g["name"]) for g in evaluation["grades"]] == [
        ("excellent", "优"), ("good", "良"), ("fair", "中"), ("poor", "差")]
    assert (evaluation["project_set"], evaluation["school_year_set"]) == ("project",
                                                                          "school_year")
    sets = {s["code"]: s for s in policy["indicator_sets"]}
    assert list(sets) == ["project", "school_year"]
    for entry in sets.values():
        assert [(f["code"], f["name"], f["weight"]) for f in entry["first"]] == [
            ("budget", "预算执行", "10"), ("outputs", "产出", "50"), ("outcomes", "效益", "30"),
            ("satisfaction", "满意度", "10")]
        assert sum(Decimal(i["points"]) for i in entry["indicators"]) == 100
    tasks = next(i for i in sets["project"]["indicators"] if i["code"] == "tasks_done")
    assert (tasks["parent"], tasks["points"], tasks["name_en"]) == (
        "quantity", "15", "Share of the planned work done")


@pytest.mark.unit
def test_the_default_sets_are_consistent():
    assert evaluation_problems(EvaluationSection(), DEFAULT_INDICATOR_SETS) == []


def test_policy_without_evaluation_sections_gets_the_defaults(db, policy_text, write_policy):
    text = policy_text[: policy_text.index("# Performance evaluation (绩效评价, R29)")]

    policy, _ = policy_parse(write_policy(text, "plain.toml"))

    assert policy.evaluation.excellent_from == 90
    assert [s.code for s in policy.indicator_sets] == ["project", "school_year"]


BAD_EVALUATION = [
    pytest.param(
        lambda t: edit(t, OUTPUTS, OUTPUTS.replace("50", "45")),
        lambda t: [
            f"bad.toml:{line_of(t, 'first = [')}: indicator_sets[0].first[1].weight: the points "
            "of the third-level indicators under 'outputs' sum to 50, not its weight 45",
            f"bad.toml:{line_of(t, 'first = [')}: indicator_sets[0].first: the first-level "
            "weights sum to 95, not 100",
        ],
        id="weights-not-100",
    ),
    pytest.param(
        lambda t: edit(t, TASKS, TASKS.replace("points = 15", "points = 14")),
        lambda t: [
            f"bad.toml:{line_of(t, 'first = [')}: indicator_sets[0].first[1].weight: the points "
            "of the third-level indicators under 'outputs' sum to 49, not its weight 50",
        ],
        id="third-level-sum",
    ),
    pytest.param(
        lambda t: edit(t, TASKS, TASKS.replace('code = "tasks_done"', 'code = "spent_rate"')),
        lambda t: [
            f"bad.toml:{line_of(t, 'indicators = [')}: indicator_sets[0].indicators[3].code: "
            "the code 'spent_rate' appears twice in the set (first in indicators[0])",
        ],
        id="duplicate-code",
    ),
    pytest.param(
        lambda t: edit(t, TASKS, TASKS.replace('parent = "quantity"', 'parent = "quantities"')),
        lambda t: [
            f"bad.toml:{line_of(t, 'indicators = [')}: indicator_sets[0].indicators[3].parent: "
            "names the second-level indicator 'quantities', which the set does not define",
            f"bad.toml:{line_of(t, 'first = [')}: indicator_sets[0].first[1].weight: the points "
            "of the third-level indicators under 'outputs' sum to 35, not its weight 50",
        ],
        id="unknown-parent",
    ),
    pytest.param(
        lambda t: edit(t, '{ code = "funds", parent = "budget"', '{ code = "funds", parent = "money"'),
        lambda t: [
            f"bad.toml:{line_of(t, 'second = [')}: indicator_sets[0].second[0].parent: names "
            "the first-level indicator 'money', which the set does not define",
            f"bad.toml:{line_of(t, 'first = [')}: indicator_sets[0].first[0].weight: the points "
            "of the third-level indicators under 'budget' sum to 0, not its weight 10",
        ],
        id="unknown-first-level",
    ),
    pytest.param(
        lambda t: edit(t, 'project_set = "project"', 'project_set = "projects"'),
        lambda t: [
            f"bad.toml:{line_of(t, 'project_set = ')}: evaluation.project_set: names the "
            "indicator set 'projects', which the file does not define",
        ],
        id="unknown-set",
    ),
    pytest.param(
        lambda t: edit(t, 'code = "school_year"\n', 'code = "project"\n'),
        lambda t: [
            f"bad.toml:{line_of(t, '[[indicator_sets]]', 2) + 1}: indicator_sets[1].code: the "
            "code 'project' appears twice (first at indicator_sets[0])",
            f"bad.toml:{line_of(t, 'school_year_set = ')}: evaluation.school_year_set: names "
            "the indicator set 'school_year', which the file does not define",
        ],
        id="duplicate-set",
    ),
    pytest.param(
        lambda t: edit(t, "good_from = 80", "good_from = 95"),
        lambda t: [
            f"bad.toml:{line_of(t, '[evaluation]')}: evaluation: the bands must be in order: "
            "fair_from ≤ good_from ≤ excellent_from",
        ],
        id="bands-out-of-order",
    ),
    pytest.param(
        lambda t: edit(t, '{ code = "poor", name = "差"', '{ code = "good", name = "差"'),
        lambda t: [
            f"bad.toml:{line_of(t, '[evaluation]')}: evaluation: grades must name each of "
            "excellent, good, fair and poor once",
        ],
        id="grades-incomplete",
    ),
    pytest.param(
        lambda t: edit(t, TASKS, TASKS.replace("points = 15", "points = 0")),
        lambda t: [
            f"bad.toml:{line_of(t, 'indicators = [')}: indicator_sets[0].indicators[3].points: "
            "Input should be greater than 0",
        ],
        id="zero-points",
    ),
    pytest.param(
        lambda t: edit(t, TASKS, TASKS.replace("points = 15", 'points = 15, max = 15')),
        lambda t: [
            f"bad.toml:{line_of(t, 'indicators = [')}: indicator_sets[0].indicators[3].max: "
            "unknown key (is it misspelt?)",
        ],
        id="unknown-key",
    ),
]


@pytest.mark.parametrize(("make_bad", "messages"), BAD_EVALUATION)
def test_policy_load_of_bad_evaluation_sections_is_refused(
        program, policy_text, write_policy, make_bad, messages):
    bad = make_bad(policy_text)

    with pytest.raises(PolicyError) as exc:
        policy_load(path=write_policy(bad))

    assert str(exc.value).splitlines() == messages(bad)
    assert Program.objects.get(pk=program.pk).policy["evaluation"]["good_from"] == "80"
