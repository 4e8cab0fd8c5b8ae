"""The review part of a policy file (R24–R26, fair-review.md): how panels are drawn and
loaded, which conflicts apply beyond the built-in ones, the scoring rubrics, how scores are
aggregated, the minimum score line, publicity and objections. Pure pydantic, no Django."""

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Code = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=60)]
Name = Annotated[str, Field(min_length=1, max_length=120)]
Small = Annotated[int, Field(strict=True, ge=0, le=1000)]
Positive = Annotated[int, Field(strict=True, ge=1, le=1000)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Criterion(_Strict):
    """One weighted item of a rubric, scored from 0 to ``max``."""

    code: Code
    name: Name
    name_en: str = ""
    help: str = ""
    help_en: str = ""
    weight: Annotated[Decimal, Field(gt=0, le=1000)]
    max: Annotated[Decimal, Field(gt=0, le=1000)] = Decimal(10)
    comment_required: Annotated[bool, Field(strict=True)] = False
    # An expert may mark the criterion "not applicable"; it then drops out of the total
    # (the other weights are rescaled), it never counts as zero.
    allow_na: Annotated[bool, Field(strict=True)] = False


class Rubric(_Strict):
    """A scoring sheet (评分表). The weighted total is on a 0–100 scale."""

    code: Code
    name: Name
    name_en: str = ""
    criteria: Annotated[list[Criterion], Field(min_length=1)]

    @model_validator(mode="after")
    def _codes_unique(self):
        codes = [c.code for c in self.criteria]
        if len(codes) != len(set(codes)):
            raise ValueError("criterion codes must be unique within a rubric")
        if all(c.allow_na for c in self.criteria):
            raise ValueError("at least one criterion must not allow 'not applicable'")
        return self


class ConflictRule(_Strict):
    """An extra conflict rule, for some categories or (no categories) for all.

    ``same_region``: an expert may not review applications from schools in its own region.
    """

    rule: Literal["same_region"]
    categories: list[Code] = []


class ReviewSection(_Strict):
    experts_per_application: Annotated[int, Field(strict=True, ge=1, le=25)] = 5
    load_min: Small = 1
    load_max: Positive = 10
    reserves: Small = 5
    past_employer_years: Annotated[int, Field(strict=True, ge=0, le=30)] = 3
    # 0 means no cap: the assignment is the single optimum. A cap q < 1 makes it a lottery
    # over near-optimal assignments in which no pair is more likely than q.
    probability_cap: Annotated[Decimal, Field(ge=0, le=1, max_digits=4, decimal_places=2)] = \
        Decimal(0)
    candidates_per_application: Annotated[int, Field(strict=True, ge=1, le=10000)] = 60
    # Cost added for each further application an expert takes (convex load balancing).
    balance_weight: Small = 20
    review_days: Positive = 14
    trim_from: Annotated[int, Field(strict=True, ge=3, le=100)] = 5
    trim: Annotated[int, Field(strict=True, ge=0, le=10)] = 1
    disagreement_spread: Annotated[Decimal, Field(gt=0, le=100)] = Decimal(20)
    min_score: Annotated[Decimal, Field(ge=0, le=100)] = Decimal(60)
    publicity_days: Positive = 7
    objections_per_hour: Positive = 5
    conflict_rules: list[ConflictRule] = []

    @model_validator(mode="after")
    def _consistent(self):
        if self.experts_per_application % 2 == 0:
            raise ValueError("experts_per_application must be odd (a panel must not tie)")
        if self.load_min > self.load_max:
            raise ValueError("load_min must not exceed load_max")
        if self.trim * 2 >= self.trim_from:
            raise ValueError("trimming must leave at least one review (trim × 2 < trim_from)")
        return self


DEFAULT_RUBRIC = Rubric(
    code="default",
    name="通用评分表",
    name_en="General rubric",
    criteria=[
        Criterion(code="basis", name="建设基础", name_en="Foundation", weight=Decimal(20)),
        Criterion(code="goals", name="建设目标与内容", name_en="Goals and content",
                  weight=Decimal(30), comment_required=True),
        Criterion(code="measures", name="保障措施", name_en="Safeguards", weight=Decimal(20)),
        Criterion(code="budget", name="经费预算", name_en="Budget", weight=Decimal(15)),
        Criterion(code="impact", name="预期成效与示范作用", name_en="Expected impact",
                  weight=Decimal(15)),
    ],
)
