"""The schema of a policy file. Pure pydantic: no Django, no database.

Unknown keys are refused (a typo must not silently drop a rule), values must have the type
the key needs (``target = "100"`` is text, not a number), and every cross-reference (a
self-funded region, an eligible type) must name something the file defines.
"""

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from .evaluation_schema import (
    DEFAULT_INDICATOR_SETS,
    EvaluationSection,
    IndicatorSet,
    evaluation_problems,
)
from .forms_schema import ApplicationsSection, BudgetItem, CategoryForm, FundingSection
from .projects_schema import ProjectsSection
from .review_schema import DEFAULT_RUBRIC, ReviewSection, Rubric
from .surveys_schema import SurveysSection


def _a_number(value: Any) -> Any:
    # TOML reads `100_000` as an int and `0.5` as a Decimal (the loader asks for that); text,
    # true/false and binary floats are not amounts, however they would coerce.
    if isinstance(value, str | bool | float):
        raise ValueError(f"must be a number, not {type(value).__name__} {value!r}")
    return value


Code = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=60)]
Name = Annotated[str, Field(min_length=1, max_length=120)]
Count = Annotated[int, Field(strict=True, ge=1)]
Flag = Annotated[bool, Field(strict=True)]
Yuan = Annotated[Decimal, BeforeValidator(_a_number), Field(gt=0, max_digits=15, decimal_places=2)]
YuanOrZero = Annotated[
    Decimal, BeforeValidator(_a_number), Field(ge=0, max_digits=15, decimal_places=2)
]
Year = Annotated[int, Field(strict=True)]
INSTITUTION_TYPES = ("higher_vocational", "secondary_vocational", "technical")
InstitutionTypeCode = Literal["higher_vocational", "secondary_vocational", "technical"]
Rating = Literal["excellent", "pass"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProgramSection(Strict):
    code: Code
    title: Name
    title_en: str = ""
    document: str = ""
    period: tuple[Year, Year]
    budget_yuan: Yuan

    @field_validator("period")
    @classmethod
    def _period_in_order(cls, period: tuple[int, int]) -> tuple[int, int]:
        start, end = period
        if not (1990 <= start <= end <= 2100):
            raise ValueError("period must be [first year, last year] with first ≤ last")
        return period


class PayersSection(Strict):
    self_funded_regions: list[Code] = []
    commissioned_paid_by_city: Flag = True


class RegionEntry(Strict):
    code: Code
    name: Name
    name_en: str = ""
    kind: Literal["district", "county_city"]


class DepartmentEntry(Strict):
    code: Code
    name: Name
    name_en: str = ""


class IndustryEntry(Strict):
    code: Code
    name: Name
    name_en: str = ""
    pillar: Flag = False


class FixedSubsidy(Strict):
    kind: Literal["fixed"]
    amount_yuan: Yuan


class RangeSubsidy(Strict):
    kind: Literal["range"]
    min_yuan: Yuan
    max_yuan: Yuan

    @model_validator(mode="after")
    def _bounds_in_order(self):
        if self.min_yuan > self.max_yuan:
            raise ValueError("min_yuan must not be larger than max_yuan")
        return self


class PerYearPlusBonusSubsidy(Strict):
    kind: Literal["per_year_plus_bonus"]
    per_year_yuan: Yuan
    bonus_yuan: YuanOrZero
    bonus_if: Rating = "excellent"


class TotalInTranchesSubsidy(Strict):
    kind: Literal["total_in_tranches"]
    total_yuan: Yuan
    tranches: Annotated[int, Field(strict=True, ge=1, le=20)]


Subsidy = Annotated[
    FixedSubsidy | RangeSubsidy | PerYearPlusBonusSubsidy | TotalInTranchesSubsidy,
    Field(discriminator="kind"),
]


class CategoryEntry(Strict):
    """A funded category (R1–R18) with its subsidy rule and its application form."""

    code: Code
    requirement: str = ""
    name: Name
    name_en: str = ""
    target: Count | None = None
    award: Flag = False
    eligible: Annotated[list[InstitutionTypeCode], Field(min_length=1)]
    subsidy: Subsidy
    # validate_default: a missing value must still be checked against the subsidy kind
    construction_years: Annotated[
        Annotated[int, Field(strict=True, ge=1, le=10)] | None, Field(validate_default=True)
    ] = None

    @field_validator("construction_years")
    @classmethod
    def _years_where_needed(cls, years: int | None, info) -> int | None:
        subsidy = info.data.get("subsidy")
        if isinstance(subsidy, PerYearPlusBonusSubsidy) and years is None:
            raise ValueError("a per-year subsidy needs construction_years")
        return years

    form: CategoryForm = CategoryForm()
    # The rubric experts score this category with (a code under [[rubrics]]); empty means
    # the program's first rubric.
    rubric: Code | None = None

    @field_validator("form")
    @classmethod
    def _field_keys_unique(cls, form: CategoryForm) -> CategoryForm:
        keys = [f.key for f in form.fields]
        if len(keys) != len(set(keys)):
            raise ValueError("form field keys must be unique within a category")
        return form


class Policy(Strict):
    schema_version: Literal[1]
    program: ProgramSection
    payers: PayersSection = PayersSection()
    regions: Annotated[list[RegionEntry], Field(min_length=1)]
    departments: list[DepartmentEntry] = []
    industries: list[IndustryEntry] = []
    categories: Annotated[list[CategoryEntry], Field(min_length=1)]
    funding: FundingSection = FundingSection()
    applications: ApplicationsSection = ApplicationsSection(
        budget_items=[BudgetItem(code="total", name="项目经费", name_en="Project budget")]
    )
    review: ReviewSection = ReviewSection()
    projects: ProjectsSection = ProjectsSection()
    rubrics: Annotated[list[Rubric], Field(min_length=1)] = [DEFAULT_RUBRIC]
    surveys: SurveysSection = SurveysSection()
    evaluation: EvaluationSection = EvaluationSection()
    indicator_sets: Annotated[list[IndicatorSet], Field(min_length=1)] = DEFAULT_INDICATOR_SETS

    @model_validator(mode="after")
    def _references_resolve(self):
        problems = reference_problems(self)
        if problems:
            raise ReferenceProblems(problems)
        return self


class ReferenceProblems(ValueError):
    """Codes that repeat or point at nothing, each with the location of the key at fault.

    A model validator's error has no location of its own; the loader reads ``problems`` from
    the error's context to name the key and line of each one.
    """

    def __init__(self, problems: list[tuple[tuple, str]]):
        self.problems = problems
        super().__init__("; ".join(message for _, message in problems))


def reference_problems(policy: "Policy") -> list[tuple[tuple, str]]:
    """Repeated codes and self-funded regions the file does not define, as (location, message)."""
    problems: list[tuple[tuple, str]] = []
    for name in ("regions", "departments", "industries", "categories", "rubrics"):
        first: dict[str, int] = {}
        for index, entry in enumerate(getattr(policy, name)):
            if entry.code in first:
                problems.append((
                    (name, index, "code"),
                    f"the code {entry.code!r} appears twice (first at {name}[{first[entry.code]}])",
                ))
            else:
                first[entry.code] = index
    region_codes = {r.code for r in policy.regions}
    for index, code in enumerate(policy.payers.self_funded_regions):
        if code not in region_codes:
            problems.append((
                ("payers", "self_funded_regions", index),
                f"names the region {code!r}, which the file does not define",
            ))
    rubric_codes = {r.code for r in policy.rubrics}
    category_codes = {c.code for c in policy.categories}
    for index, entry in enumerate(policy.categories):
        if entry.rubric is not None and entry.rubric not in rubric_codes:
            problems.append((
                ("categories", index, "rubric"),
                f"names the rubric {entry.rubric!r}, which the file does not define",
            ))
    for key in ("midterm_rubric", "acceptance_rubric"):
        code = getattr(policy.projects, key)
        if code is not None and code not in rubric_codes:
            problems.append((
                ("projects", key),
                f"names the rubric {code!r}, which the file does not define",
            ))
    for index, rule in enumerate(policy.review.conflict_rules):
        for position, code in enumerate(rule.categories):
            if code not in category_codes:
                problems.append((
                    ("review", "conflict_rules", index, "categories", position),
                    f"names the category {code!r}, which the file does not define",
                ))
    problems += evaluation_problems(policy.evaluation, policy.indicator_sets)
    return problems
