"""Reads of the review round: an expert's own assignments, and a panel's progress for the
bureau. Each function does a fixed number of queries however many rows there are; the
expert's reads start from `scoping.assignments_for` and never widen it."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet

from vetq.accounts import scoping

from . import scoring
from .models import Panel, Review, ReviewState
from .rubrics import panel_rules

# What a row of "my reviews" shows; the application's form copy and answers stay behind.
_HEAVY_FIELDS = ("application__form", "application__answers", "application__budget",
                 "application__team", "application__milestones", "application__goals",
                 "panel__rules", "panel__rubric")


def my_assignments(user) -> QuerySet:
    """The user's own active assignments (an expert's review list), nearest deadline first,
    with the panel, application, school and review each row shows."""
    return (
        scoping.assignments_for(user)
        .filter(expert__user_id=user.pk)
        .select_related("panel", "application__institution__region",
                        "application__call_category__category", "review")
        .defer(*_HEAVY_FIELDS)
        .order_by("panel__review_deadline", "panel_id", "application_id")
    )


@dataclass
class ApplicationProgress:
    application: object
    assigned: int = 0
    submitted: int = 0
    totals: list[Decimal] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)  # submitted ones, for reopening
    spread: Decimal | None = None
    disagreement: bool = False


@dataclass
class ExpertProgress:
    expert: object
    assigned: int = 0
    submitted: int = 0


@dataclass
class PanelProgress:
    panel: Panel
    k: int
    applications: list[ApplicationProgress]
    experts: list[ExpertProgress]
    missing: int
    threshold: Decimal

    @property
    def complete(self) -> bool:
        return self.missing == 0


def panel_progress(panel: Panel) -> PanelProgress:
    """Per application: reviews submitted of those assigned, the totals so far and whether
    they disagree; per expert: reviews done of those assigned. Three queries."""
    rules = panel_rules(panel)
    threshold = Decimal(str(rules["disagreement_spread"]))
    rows = {a.pk: ApplicationProgress(a) for a in
            panel.applications.select_related("institution__region")
            .only("pk", "title", "state", "institution__name", "institution__region__name")
            .order_by("institution__region__order", "pk")}
    experts: dict[int, ExpertProgress] = {}
    missing = 0
    assignments = (panel.assignments.filter(active=True)
                   .select_related("expert", "review")
                   .order_by("application_id", "expert__code"))
    for assignment in assignments:
        row = rows.get(assignment.application_id)
        person = experts.setdefault(assignment.expert_id, ExpertProgress(assignment.expert))
        person.assigned += 1
        review = getattr(assignment, "review", None)
        done = review is not None and review.state == ReviewState.SUBMITTED
        if row is not None:
            row.assigned += 1
        if done:
            person.submitted += 1
            if row is not None:
                row.submitted += 1
                row.totals.append(review.total)
                review.assignment = assignment
                row.reviews.append(review)
        else:
            missing += 1
    for row in rows.values():
        if row.totals:
            row.spread = scoring.spread(row.totals)
            row.disagreement = scoring.disagreement(row.totals, threshold)
            row.totals.sort(reverse=True)
    return PanelProgress(
        panel=panel,
        k=int(rules["experts_per_application"]),
        applications=list(rows.values()),
        experts=sorted(experts.values(), key=lambda e: e.expert.code),
        missing=missing,
        threshold=threshold,
    )


def panels_listed() -> QuerySet:
    """Panels with what a progress or ranking heading shows."""
    return Panel.objects.select_related("call_category__call", "call_category__category__program")


def assignment_for_review(user) -> QuerySet:
    """The user's own active assignments with everything the review page reads."""
    return (
        scoping.assignments_for(user)
        .filter(expert__user_id=user.pk)
        .select_related("panel__call_category__category__program",
                        "panel__call_category__call", "application__institution__region",
                        "application__call_category__call", "application__call_category__category",
                        "review")
    )
