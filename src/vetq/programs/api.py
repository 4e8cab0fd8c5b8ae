from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from .models import Category, Program

router = Router(tags=["programs"])


class SubsidyRuleOut(Schema):
    version: int
    kind: str
    amount_yuan: Decimal | None
    min_yuan: Decimal | None
    max_yuan: Decimal | None
    per_year_yuan: Decimal | None
    bonus_yuan: Decimal | None
    bonus_if: str
    total_yuan: Decimal | None
    tranches: int | None


class CategoryOut(Schema):
    code: str
    requirement: str
    name: str
    name_en: str
    target: int | None
    is_award: bool
    eligible_types: list[str]
    construction_years: int | None
    active: bool
    subsidy: SubsidyRuleOut | None

    @staticmethod
    def resolve_subsidy(obj: Category):
        return obj.current_rule


class ProgramOut(Schema):
    code: str
    title: str
    title_en: str
    document: str
    period_start: int
    period_end: int
    budget_yuan: Decimal
    self_funded_regions: list[str]
    commissioned_paid_by_city: bool
    policy_sha256: str

    @staticmethod
    def resolve_self_funded_regions(obj: Program):
        return [r.code for r in obj.self_funded_regions.all()]


@router.get("/programs", response=list[ProgramOut])
def list_programs(request):
    return Program.objects.prefetch_related("self_funded_regions")


@router.get("/programs/{code}", response=ProgramOut)
def get_program(request, code: str):
    return get_object_or_404(Program.objects.prefetch_related("self_funded_regions"), code=code)


@router.get("/programs/{code}/categories", response=list[CategoryOut])
def list_categories(request, code: str):
    program = get_object_or_404(Program, code=code)
    return program.categories.prefetch_related("subsidy_rules").order_by("order")
