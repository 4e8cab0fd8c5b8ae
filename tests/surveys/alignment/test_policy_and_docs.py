"""R32: the `[surveys]` section of the policy file, and docs/surveys.md saying on paper what the
pages say on screen."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from pydantic import ValidationError

from vetq.programs.policy.errors import PolicyError
from vetq.programs.policy.loader import policy_parse
from vetq.programs.policy.surveys_schema import SurveysSection
from vetq.surveys.views_alignment import FORMULAS

pytestmark = pytest.mark.unit

POLICY = Path(settings.VETQ_DEFAULT_POLICY)


def test_the_wuxi_policy_sets_the_targets():
    policy, _ = policy_parse(POLICY)
    assert policy.surveys == SurveysSection(
        local_coverage_target=Decimal("0.8"), pillar_coverage_target=Decimal("1.0"),
        enrolment_measure="students", industry_measures=["output_value", "employment"],
        balanced_within=Decimal("0.01"))


def test_defaults_when_the_section_is_left_out():
    rules = SurveysSection.model_validate({})
    assert (rules.local_coverage_target, rules.pillar_coverage_target, rules.enrolment_measure,
            rules.industry_measures, rules.balanced_within) == (
        Decimal("0.8"), Decimal(1), "students", ["output_value", "employment"], Decimal("0.01"))


@pytest.mark.parametrize("bad", [
    {"local_coverage_target": Decimal("1.5")},
    {"pillar_coverage_target": Decimal("-0.1")},
    {"enrolment_measure": "teachers"},
    {"industry_measures": []},
    {"industry_measures": ["output_value", "output_value"]},
    {"industry_measures": ["profit"]},
    {"balanced_within": Decimal("0.5")},
    {"coverage": Decimal("0.8")},
])
def test_bad_values_are_refused(bad):
    with pytest.raises(ValidationError):
        SurveysSection.model_validate(bad)


def test_a_bad_section_in_the_file_is_refused_with_its_key(tmp_path):
    text = POLICY.read_text(encoding="utf-8").replace(
        'enrolment_measure = "students"', 'enrolment_measure = "teachers"')
    bad = tmp_path / "policy.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as raised:
        policy_parse(bad)
    assert "surveys.enrolment_measure" in str(raised.value)


def docs_text() -> str:
    here = Path(__file__).resolve()
    root = next(p for p in here.parents if (p / "docs" / "surveys.md").exists())
    return (root / "docs" / "surveys.md").read_text(encoding="utf-8").replace("\\|", "|")


def test_docs_give_each_formula_in_the_words_of_the_page():
    text = docs_text()
    with translation.override("en"):
        for key, sentence in FORMULAS.items():
            assert str(sentence) in text, key
