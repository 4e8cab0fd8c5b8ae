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

    @model_validator(mode="after")
    def _bands_in_order(self):
        if self.pass_from > self.excellent_from:
            raise ValueError("pass_from must not exceed excellent_from")
        return self
