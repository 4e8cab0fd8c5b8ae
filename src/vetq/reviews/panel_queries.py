"""Reads of panels and draws for the bureau's pages, the public portal and the API. Each does
a fixed number of queries however many rows there are."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from vetq.applications.models import Application

from . import draw as draw_algorithm
from .models import Assignment, Draw, Expert, MemberRole, Panel, ReviewState


def _count(queryset: QuerySet) -> Subquery:
    """A correlated COUNT(*) subquery (no join that could multiply other counts)."""
    return Coalesce(Subquery(
        queryset.order_by().values("panel_id").annotate(n=Count("pk")).values("n"),
        output_field=IntegerField()), Value(0))


def panels_listed() -> QuerySet:
    """Every panel, newest call first, with its call, category, draw, check round (a check
    panel's) and counts: applications, active assignments and submitted reviews."""
    applications = Panel.applications.through.objects.filter(panel_id=OuterRef("pk"))
    active = Assignment.objects.filter(panel_id=OuterRef("pk"), active=True)
    return (
        Panel.objects.select_related("call_category__call", "call_category__category", "draw",
                                     "check_round")
        .defer("rules", "rubric", "draw__inputs", "draw__result", "check_round__rubric",
               "check_round__rules")
        .annotate(
            n_applications=_count(applications),
            n_assigned=_count(active),
            n_submitted=_count(active.filter(review__state=ReviewState.SUBMITTED)),
        )
        .order_by("-call_category__call__year", "call_category__category__order", "-pk")
    )


def draws_public() -> QuerySet:
    """Announced draws (a draft panel has none), newest first, without their heavy JSON."""
    return (Draw.objects.select_related("panel__call_category__call",
                                        "panel__call_category__category")
            .defer("inputs", "result", "panel__rules", "panel__rubric")
            .order_by("-announced_at", "-pk"))


def notice_summary(inputs: dict) -> dict:
    """What a notice's rules mean, for its pages: experts per application, load bounds,
    reserves, pool size and the least panel size the draw starts from."""
    from .assignment import Rules

    rules = inputs.get("rules", {})
    pool = len(inputs.get("pool", []))
    return {
        "k": rules.get("experts_per_application"), "load_min": rules.get("load_min"),
        "load_max": rules.get("load_max"), "reserves": rules.get("reserves"),
        "probability_cap": rules.get("probability_cap"), "pool": pool,
        "panel_size": draw_algorithm.panel_size(len(inputs.get("applications", [])),
                                                Rules.from_policy(rules), pool),
    }


def draw_export(record: Draw) -> dict:
    """The draw file: the inputs with their digest and, once performed, the public value,
    seed and result (`draws verify` and the verify page read it)."""
    return draw_algorithm.export_document(
        inputs=record.inputs, inputs_digest=record.inputs_digest,
        public_value_source=record.public_value_source,
        public_value=record.public_value or None, seed=record.seed or None,
        result=record.result)


@dataclass
class ConflictRow:
    expert: Expert | None
    code: str
    reasons: list[str]


@dataclass
class ApplicationConflicts:
    application: Application | None
    id: int
    rows: list[ConflictRow] = field(default_factory=list)


def applications_of(ids) -> dict[int, Application]:
    """Applications by id with their school, for listing a draw's applications."""
    return {a.pk: a for a in Application.objects.filter(pk__in=list(ids))
            .select_related("institution__region").only(
                "pk", "title", "state", "institution__name", "institution__code",
                "institution__region__name")}


def conflicts_grouped(inputs: dict, *, with_names: bool) -> list[ApplicationConflicts]:
    """The notice's conflict pairs grouped by application (in the notice's order); with
    names for the bureau, codes only for the public."""
    applications = applications_of(a["id"] for a in inputs.get("applications", []))
    pairs = inputs.get("conflicts", [])
    experts = {}
    if with_names:
        experts = {e.code: e for e in Expert.objects.filter(code__in={p[0] for p in pairs})
                   .only("pk", "code", "name", "title")}
    grouped: dict[int, ApplicationConflicts] = {}
    for code, app_id, reasons in pairs:
        group = grouped.setdefault(app_id, ApplicationConflicts(applications.get(app_id), app_id))
        group.rows.append(ConflictRow(experts.get(code), code, list(reasons)))
    return [grouped[a["id"]] for a in inputs.get("applications", []) if a["id"] in grouped]


@dataclass
class Matrix:
    """The assignment matrix: applications × experts with the active assignment in each cell."""

    experts: list[Expert]
    rows: list[tuple[Application, list[Assignment | None], int]]
    loads: list[int]


def assignment_matrix(panel: Panel, applications: list[Application]) -> Matrix:
    active = list(Assignment.objects.filter(panel=panel, active=True)
                  .select_related("expert").order_by("expert__code"))
    experts = sorted({a.expert_id: a.expert for a in active}.values(), key=lambda e: e.code)
    column = {e.pk: i for i, e in enumerate(experts)}
    cells: dict[int, list] = defaultdict(lambda: [None] * len(experts))
    for a in active:
        cells[a.application_id][column[a.expert_id]] = a
    loads = [0] * len(experts)
    for a in active:
        loads[column[a.expert_id]] += 1
    rows = []
    for application in applications:
        row = cells[application.pk] if application.pk in cells else [None] * len(experts)
        rows.append((application, row, sum(1 for c in row if c is not None)))
    return Matrix(experts, rows, loads)


def panel_seats(panel: Panel):
    """(members, reserves) with their experts, each seat with its active load."""
    seats = list(panel.members.select_related("expert").order_by("role", "position"))
    loads = dict(Assignment.objects.filter(panel=panel, active=True).values("expert_id")
                 .annotate(n=Count("pk")).values_list("expert_id", "n"))
    for seat in seats:
        seat.load = loads.get(seat.expert_id, 0)
    return ([s for s in seats if s.role == MemberRole.MEMBER],
            [s for s in seats if s.role == MemberRole.RESERVE])


def given_up(panel: Panel) -> list[Assignment]:
    """Assignments no longer active, with what replaced them."""
    return list(Assignment.objects.filter(panel=panel, active=False)
                .select_related("expert", "application", "replaced_by__expert")
                .order_by("application_id", "pk"))

