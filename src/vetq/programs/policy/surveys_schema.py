"""The survey part of a policy file (R32): the alignment survey's coverage targets, which
enrolment figure counts, which industry figures the shares are taken of, and when a gap counts
as balanced. Pure pydantic, no Django."""

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Share = Annotated[Decimal, Field(ge=0, le=1)]
EnrolmentMeasure = Literal["enrolled", "students", "graduates"]
IndustryMeasure = Literal["output_value", "employment"]


class SurveysSection(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Majors should serve at least this share of the local industries (those with output or
    # employment in the area) and of the pillar industries ([[industries]] pillar = true).
    local_coverage_target: Share = Decimal("0.8")
    pillar_coverage_target: Share = Decimal("1")
    # Which enrolment figure the alignment counts: new students (enrolled), students on roll
    # (students) or graduates.
    enrolment_measure: EnrolmentMeasure = "students"
    # The industry shares the enrolment is compared with: output value, employment, or both
    # (the first is the one pages open with).
    industry_measures: Annotated[list[IndustryMeasure], Field(min_length=1)] = [
        "output_value", "employment"]
    # A gap between an industry's enrolment share and its industry share within ± this share
    # counts as balanced, not as under- or over-served.
    balanced_within: Annotated[Decimal, Field(ge=0, le=Decimal("0.2"))] = Decimal("0.01")

    @field_validator("industry_measures")
    @classmethod
    def _measures_once(cls, measures: list[str]) -> list[str]:
        if len(measures) != len(set(measures)):
            raise ValueError("each industry measure may appear only once")
        return measures
