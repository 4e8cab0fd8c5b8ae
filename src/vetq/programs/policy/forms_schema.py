"""The application part of a policy file: the form of each category (R5a, R6a, R11, R12, R18),
budget items, attachment slots and per-school caps. Pure pydantic, no Django."""

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Code = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=60)]
Name = Annotated[str, Field(min_length=1, max_length=120)]

FieldType = Literal["text", "textarea", "choice", "multichoice", "members", "integer"]
Need = Literal["required", "optional", "none"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Choice(_Strict):
    code: Code
    name: Name
    name_en: str = ""


class FormField(_Strict):
    """One category-specific question on the application form.

    ``members`` asks for a list of member institutions, each at one of ``levels`` (the
    alliance and pathway pilot's secondary / higher vocational / undergraduate members).
    """

    key: Code
    label: Name
    label_en: str = ""
    type: FieldType
    required: Annotated[bool, Field(strict=True)] = False
    help: str = ""
    help_en: str = ""
    choices: list[Choice] = []
    levels: list[Choice] = []
    max_length: Annotated[int, Field(strict=True, ge=1, le=20000)] | None = None

    @model_validator(mode="after")
    def _choices_where_needed(self):
        if self.type in {"choice", "multichoice"} and not self.choices:
            raise ValueError(f"a {self.type} field needs choices")
        if self.type != "members" and self.levels:
            raise ValueError("only a members field takes levels")
        if self.type == "members" and not self.levels:
            raise ValueError("a members field needs levels")
        codes = [c.code for c in (*self.choices, *self.levels)]
        if len(codes) != len(set(codes)):
            raise ValueError("choice codes must be unique")
        return self


class AttachmentSlot(_Strict):
    code: Code
    name: Name
    name_en: str = ""
    required: Annotated[bool, Field(strict=True)] = False


class BudgetItem(_Strict):
    code: Code
    name: Name
    name_en: str = ""


class ApplicationsSection(_Strict):
    """What every application asks for, whatever its category."""

    budget_items: Annotated[list[BudgetItem], Field(min_length=1)]
    attachments: list[AttachmentSlot] = []

    @model_validator(mode="after")
    def _unique_codes(self):
        for name in ("budget_items", "attachments"):
            codes = [item.code for item in getattr(self, name)]
            if len(codes) != len(set(codes)):
                raise ValueError(f"{name}: codes must be unique")
        return self


class CategoryForm(_Strict):
    """The category-specific part of the form, carried inside a category entry."""

    majors: Need = "optional"
    enterprises: Need = "optional"
    per_school_cap: Annotated[int, Field(strict=True, ge=1)] | None = None
    fields: list[FormField] = []
    attachments: list[AttachmentSlot] = []


class PlanStep(_Strict):
    """One step of a default tranche plan: a share of the grant and its condition."""

    share: Annotated[Decimal, Field(gt=0, le=1)]
    condition: Literal["on_approval", "midterm_passed", "acceptance_passed"]


class FundingSection(_Strict):
    """Funding rules (R29): how far spending on a budget item may pass its plan before it is
    flagged, and the default tranche plan of fixed and range subsidies (per-year and
    total-in-tranches subsidies are paid yearly by their own rule)."""

    overspend_tolerance: Annotated[Decimal, Field(ge=0, le=1)] = Decimal("0.10")
    fixed_plan: list[PlanStep] = [PlanStep(share=Decimal(1), condition="on_approval")]
    range_plan: list[PlanStep] = [PlanStep(share=Decimal(1), condition="on_approval")]

    @model_validator(mode="after")
    def _plans_add_up(self):
        for name in ("fixed_plan", "range_plan"):
            steps = getattr(self, name)
            if not steps or sum(s.share for s in steps) != 1:
                raise ValueError(f"{name}: the shares must add up to exactly 1")
        return self
