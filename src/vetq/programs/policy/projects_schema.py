"""The project part of a policy file (R18, R31): the acceptance score bands and how long a
construction period may be extended. Pure pydantic, no Django."""

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

Score = Annotated[Decimal, Field(ge=0, le=100)]


class ProjectsSection(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # A score of at least `excellent_from` is rated excellent, at least `pass_from` pass,
    # anything lower fail.
    excellent_from: Score = Decimal(90)
    pass_from: Score = Decimal(60)
    # One extension of the construction period, of at most this many days.
    extension_max_days: Annotated[int, Field(strict=True, ge=0, le=3660)] = 366
    # A yearly progress report is due this many days after the end of its construction year;
    # schools are reminded from `remind_days_before` days before and, once overdue, every
    # `remind_every_days` days.
    report_due_days: Annotated[int, Field(strict=True, ge=0, le=366)] = 30
    remind_days_before: Annotated[int, Field(strict=True, ge=0, le=366)] = 14
    remind_every_days: Annotated[int, Field(strict=True, ge=1, le=366)] = 7
    # Mid-term check (中期检查): at least `midterm_pass_from` passes, at least
    # `midterm_rectify_from` must rectify (整改) within `rectification_days`, lower fails.
    midterm_pass_from: Score = Decimal(70)
    midterm_rectify_from: Score = Decimal(60)
    rectification_days: Annotated[int, Field(strict=True, ge=1, le=366)] = 90
    # Days schools have for their self-assessment once a check round opens (the bureau may
    # choose another date).
    self_assessment_days: Annotated[int, Field(strict=True, ge=1, le=366)] = 30
    # The rubrics (codes under [[rubrics]]) experts score mid-term checks and acceptances by.
    midterm_rubric: str | None = None
    acceptance_rubric: str | None = None

    @model_validator(mode="after")
    def _bands_in_order(self):
        if self.pass_from > self.excellent_from:
            raise ValueError("pass_from must not exceed excellent_from")
        if self.midterm_rectify_from > self.midterm_pass_from:
            raise ValueError("midterm_rectify_from must not exceed midterm_pass_from")
        return self
