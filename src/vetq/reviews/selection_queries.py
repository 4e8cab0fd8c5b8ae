"""Reads for the selection and publicity pages: a selection laid out per category with the
reason for each decision and the overrides, and a publicity's public list. A fixed number of
queries however long the list."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from vetq.applications.models import Application
from vetq.programs.models import Category

from . import selection as pure
from .models import Objection, ObjectionState, Override, Publicity, Selection
from .selecting import published_ids

_HEAVY = ("form", "answers", "budget", "team", "milestones", "goals")


def fen_to_yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


@dataclass
class SheetRow:
    rank: int
    application: Application
    score: Decimal | None
    cost: Decimal
    selected: bool
    reason: str
    reason_text: str
    override: Override | None
    listed: bool  # on the list after the overrides


@dataclass
class SheetCategory:
    code: str
    category: Category | None
    quota: int
    target_remaining: int | None
    limit: int
    selected: int
    cost: Decimal
    binding: str
    listed: int = 0
    rows: list[SheetRow] = field(default_factory=list)
    ties: list[dict] = field(default_factory=list)


@dataclass
class Sheet:
    selection: Selection
    categories: list[SheetCategory]
    overrides: list[Override]
    budget: Decimal
    cost: Decimal
    listed_cost: Decimal
    listed_ids: list[int]


def selection_sheet(selection: Selection) -> Sheet:
    """The selection per category: rank, application, score, city cost, ✓/✗ with the reason,
    the tie lottery's order, totals against quota, target and budget, and the overrides."""
    result = selection.result
    overrides = list(selection.overrides.select_related("by", "application").order_by("at", "pk"))
    by_application = {o.application_id: o for o in overrides}
    listed = set(published_ids(selection, overrides))
    ids = [row["id"] for row in result.get("rows", [])]
    applications = Application.objects.filter(pk__in=ids).select_related("institution__region") \
        .defer(*_HEAVY).in_bulk()
    codes = [c["code"] for c in result.get("categories", [])]
    categories = {c.code: c for c in Category.objects.filter(program=selection.call.program_id,
                                                             code__in=codes)}
    groups: dict[str, SheetCategory] = {}
    for c in result.get("categories", []):
        groups[c["code"]] = SheetCategory(
            code=c["code"], category=categories.get(c["code"]), quota=c["quota"],
            target_remaining=c["target_remaining"], limit=c["limit"], selected=c["selected"],
            cost=fen_to_yuan(c["cost_fen"]), binding=c["binding"])
    for tie in result.get("ties", []):
        names = [applications[i] for i in tie["order"] if i in applications]
        groups[tie["category"]].ties.append({**tie, "applications": names})
    listed_cost = 0
    for row in result.get("rows", []):
        group = groups[row["category"]]
        on_list = row["id"] in listed
        group.listed += on_list
        listed_cost += row["cost_fen"] if on_list else 0
        group.rows.append(SheetRow(
            rank=row["rank"], application=applications.get(row["id"]),
            score=None if row["score"] is None else Decimal(row["score"]),
            cost=fen_to_yuan(row["cost_fen"]), selected=row["selected"], reason=row["reason"],
            reason_text=_(pure.REASONS[row["reason"]]) if row["reason"] else "",
            override=by_application.get(row["id"]), listed=on_list))
    return Sheet(selection=selection, categories=list(groups.values()), overrides=overrides,
                 budget=fen_to_yuan(result.get("budget_fen", 0)),
                 cost=fen_to_yuan(result.get("cost_fen", 0)), listed_cost=fen_to_yuan(listed_cost),
                 listed_ids=sorted(listed))


def publicities_listed():
    """Publicities, newest first, with their call and the number of objections."""
    return Publicity.objects.select_related("call").annotate(
        objection_count=Count("objections"),
        open_count=Count("objections", filter=Q(objections__state=ObjectionState.OPEN)),
    ).order_by("-starts_at", "-pk")


@dataclass
class PublicEntry:
    category: Category | None
    rank: int
    application: Application
    score: Decimal | None
    override: Override | None


def publicity_list(publicity: Publicity) -> list[PublicEntry]:
    """The published list: category, school, title, score, rank, and any override (whose
    reason is public). Ordered by category and rank."""
    sheet = selection_sheet(publicity.selection)
    entries = []
    for group in sheet.categories:
        for row in group.rows:
            if row.listed:
                entries.append(PublicEntry(group.category, row.rank, row.application, row.score,
                                           row.override))
    return entries


def publicity_exclusions(publicity: Publicity) -> list[Override]:
    """Applications the bureau took off the computed list, with the public reason."""
    return list(publicity.selection.overrides.filter(include=False)
                .select_related("application__institution", "application__call_category__category")
                .order_by("at", "pk"))


def decided_objections(publicity: Publicity):
    """Decided objections for the public page; the objector's name and contact are not read."""
    return (Objection.objects.filter(publicity=publicity).exclude(state=ObjectionState.OPEN)
            .select_related("application").only("application__title", "state", "effect", "decision",
                                                "decided_at", "lodged_at", "grounds", "publicity_id",
                                                "application_id")
            .order_by("decided_at", "pk"))
