"""Which rubric a category is scored with, and the review rules, read from the policy."""

import pytest

from vetq.programs.models import Category
from vetq.reviews import rubrics

pytestmark = pytest.mark.integration


def test_rubric_for_a_category_naming_one(program):
    studio = Category.objects.get(program=program, code="master_teacher_studio")
    rubric = rubrics.rubric_for(studio)
    assert rubric["code"] == "studio"
    assert rubrics.criterion_codes(rubric) == ["lead", "team", "plan", "outreach"]


def test_rubric_for_a_category_naming_none_is_the_first(program, call_category):
    brand = Category.objects.get(program=program, code="brand_major")
    rubric = rubrics.rubric_for(brand)
    assert rubric["code"] == "construction"
    assert rubrics.rubric_for(call_category("brand_major")) == rubric  # a CallCategory too
    goals = rubrics.criterion(rubric, "goals")
    assert (goals["weight"], goals["max"], goals["comment_required"]) == ("30", "10", True)
    assert rubrics.criterion(rubric, "industry")["allow_na"] is True
    assert rubrics.criterion(rubric, "nothing") is None
    assert rubrics.total_weight(rubric) == "100"


def test_rubric_for_returns_a_copy(program):
    brand = Category.objects.get(program=program, code="brand_major")
    rubrics.rubric_for(brand)["criteria"][0]["weight"] = "999"
    assert rubrics.rubric_for(brand)["criteria"][0]["weight"] == "20"


def test_rubric_for_a_policy_without_rubrics_is_the_default(program):
    program.policy = {**program.policy, "rubrics": []}
    brand = Category.objects.get(program=program, code="brand_major")
    brand.program = program
    assert rubrics.rubric_for(brand)["code"] == "default"


def test_review_rules_fill_defaults(program):
    rules = rubrics.review_rules(program)
    assert (rules["trim_from"], rules["trim"], rules["disagreement_spread"]) == (5, 1, "20")
    program.policy = {key: value for key, value in program.policy.items() if key != "review"}
    assert rubrics.review_rules(program)["experts_per_application"] == 5


def test_criterion_label_follows_the_language(program):
    from django.utils import translation

    brand = Category.objects.get(program=program, code="brand_major")
    goals = rubrics.criterion(rubrics.rubric_for(brand), "goals")
    with translation.override("zh-hans"):
        assert rubrics.criterion_label(goals) == "建设目标与内容"
    with translation.override("en"):
        assert rubrics.criterion_label(goals) == "Goals and content"
