"""The schema of a policy file. Pure pydantic: no Django, no database.

Unknown keys are refused (a typo must not silently drop a rule), and every cross-reference
(a self-funded region, an eligible type) must name something the file defines.
"""

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Code = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=60)]
Name = Annotated[str, Field(min_length=1, max_length=120)]
Yuan = Annotated[Decimal, Field(gt=0, max_digits=15, decimal_places=2)]
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
    period: tuple[int, int]
    budget_yuan: Yuan

    @model_validator(mode="after")
    def _period_in_order(self):
        start, end = self.period
        if not (1990 <= start <= end <= 2100):
            raise ValueError("period must be [first year, last year] with first ≤ last")
        return self


class PayersSection(Strict):
    self_funded_regions: list[Code] = []
    commissioned_paid_by_city: bool = True


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
    pillar: bool = False


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
    bonus_yuan: Annotated[Decimal, Field(ge=0, max_digits=15, decimal_places=2)]
    bonus_if: Rating = "excellent"


class TotalInTranchesSubsidy(Strict):
    kind: Literal["total_in_tranches"]
    total_yuan: Yuan
    tranches: Annotated[int, Field(ge=1, le=20)]


Subsidy = Annotated[
    FixedSubsidy | RangeSubsidy | PerYearPlusBonusSubsidy | TotalInTranchesSubsidy,
    Field(discriminator="kind"),
]


class CategoryEntry(Strict):
    code: Code
    requirement: str = ""
    name: Name
    name_en: str = ""
    target: Annotated[int, Field(ge=1)] | None = None
    award: bool = False
    eligible: Annotated[list[InstitutionTypeCode], Field(min_length=1)]
    subsidy: Subsidy
    construction_years: Annotated[int, Field(ge=1, le=10)] | None = None

    @model_validator(mode="after")
    def _years_where_needed(self):
        if isinstance(self.subsidy, PerYearPlusBonusSubsidy) and self.construction_years is None:
            raise ValueError("a per-year subsidy needs construction_years")
        return self


class Policy(Strict):
    schema_version: Literal[1]
    program: ProgramSection
    payers: PayersSection = PayersSection()
    regions: Annotated[list[RegionEntry], Field(min_length=1)]
    departments: list[DepartmentEntry] = []
    industries: list[IndustryEntry] = []
    categories: Annotated[list[CategoryEntry], Field(min_length=1)]

    @model_validator(mode="after")
    def _references_resolve(self):
        for name in ("regions", "departments", "industries", "categories"):
            seen: set[str] = set()
            for entry in getattr(self, name):
                if entry.code in seen:
                    raise ValueError(f"{name}: the code {entry.code!r} appears twice")
                seen.add(entry.code)
        region_codes = {r.code for r in self.regions}
        unknown = [c for c in self.payers.self_funded_regions if c not in region_codes]
        if unknown:
            raise ValueError(
                f"payers.self_funded_regions names regions the file does not define: {unknown}"
            )
        return self
