"""The application part of a policy file: the form of each category (R5a, R6a, R11, R12, R18),
budget items, attachment slots and per-school caps. Pure pydantic, no Django."""

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
