"""Reads of applications for the lists, the region's recommendation queue and the bureau's
formal check. Every function starts from a queryset already narrowed by `accounts.scoping`
and never widens it; each does a fixed number of queries however many rows there are."""

from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet
from django.http import QueryDict

from vetq.institutions.models import Region
from vetq.programs.models import Call, CallCategory, CallState

from .models import Application
from .states import ApplicationState

# What a list row or an export row needs; the form copy and answers stay in the database.
LIST_RELATED = ("call_category__call", "call_category__category", "institution__region")
_HEAVY_FIELDS = ("form", "answers", "budget", "team", "milestones", "goals")
# The states a region officer orders and decides on.
QUEUE_STATES = (ApplicationState.SUBMITTED, ApplicationState.RECOMMENDED)


@dataclass(frozen=True)
class ListFilters:
    """The list filters as the query string gives them; anything malformed is ignored."""

    call: int | None = None
    category: str = ""
    region: str = ""
    school: int | None = None
    state: str = ""
    q: str = ""

    @classmethod
    def from_query(cls, query: QueryDict) -> "ListFilters":
        state = query.get("state", "")
        return cls(
            call=positive_int(query.get("call", "")),
            category=query.get("category", "").strip()[:60],
            region=query.get("region", "").strip()[:40],
            school=positive_int(query.get("school", "")),
            state=state if state in ApplicationState.values else "",
            q=query.get("q", "").strip()[:150],
        )

    def condition(self) -> Q:
        condition = Q()
        if self.call is not None:
            condition &= Q(call_category__call_id=self.call)
        if self.category:
            condition &= Q(call_category__category__code=self.category)
        if self.region:
            condition &= Q(institution__region__code=self.region)
        if self.school is not None:
            condition &= Q(institution_id=self.school)
        if self.state:
            condition &= Q(state=self.state)
        if self.q:
            condition &= Q(title__icontains=self.q)
        return condition


def positive_int(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isdigit() and 0 < int(value) < 2**31 else None


def applications_listed(scoped: QuerySet, filters: ListFilters) -> QuerySet:
    """The scoped applications matching the filters, newest call first, with what a row shows."""
    return (
        scoped.filter(filters.condition())
        .select_related(*LIST_RELATED)
        .defer(*_HEAVY_FIELDS)
        .order_by(
            "-call_category__call__year", "call_category__category__order",
            "institution__region__order", F("region_rank").asc(nulls_last=True),
            "-submitted_at", "-pk",
        )
    )


@dataclass
class QueueCategory:
    """One category of one call in a queue, with its applications in order."""

    call_category: CallCategory
    applications: list[Application] = field(default_factory=list)
    recommended: int = 0  # counted against the per-region recommendation cap

    @property
    def cap(self) -> int | None:
        return self.call_category.per_region_cap

    @property
    def cap_reached(self) -> bool:
        return self.cap is not None and self.recommended >= self.cap


@dataclass
class QueueCall:
    call: Call
    categories: list[QueueCategory] = field(default_factory=list)


@dataclass
class RegionQueue:
    region: Region
    calls: list[QueueCall] = field(default_factory=list)


def _grouped(applications, counts: dict | None = None) -> list[QueueCall]:
    calls: dict[int, QueueCall] = {}
    categories: dict[int, QueueCategory] = {}
    for application in applications:
        call_category = application.call_category
        call = call_category.call
        if call.pk not in calls:
            calls[call.pk] = QueueCall(call)
        if call_category.pk not in categories:
            group = QueueCategory(call_category, recommended=(counts or {}).get(call_category.pk, 0))
            categories[call_category.pk] = group
            calls[call.pk].categories.append(group)
        categories[call_category.pk].applications.append(application)
    return list(calls.values())


def recommendation_calls(now) -> QuerySet:
    """Calls a region may still recommend in: published or closed, deadline not passed."""
    return Call.objects.filter(
        state__in=(CallState.PUBLISHED, CallState.CLOSED), recommendation_deadline__gte=now
    )


def region_recommended_counts(*, region_ids, call_category_ids) -> dict[tuple[int, int], int]:
    """How many applications each region has recommended in each call category, counted as
    the recommendation guard counts them (every recommended one, unless withdrawn since)."""
    rows = (
        Application.objects.filter(
            call_category_id__in=call_category_ids, institution__region_id__in=region_ids,
            events__action="recommend",
        )
        .exclude(state=ApplicationState.WITHDRAWN)
        .values("institution__region_id", "call_category_id")
        .annotate(count=Count("pk", distinct=True))
    )
    return {(r["institution__region_id"], r["call_category_id"]): r["count"] for r in rows}


def region_queues(scoped: QuerySet, regions, now) -> list[RegionQueue]:
    """For each region: the calls still open for recommendation, each category's submitted
    and recommended applications in the region's order, and the count against the cap."""
    applications = list(
        scoped.filter(
            institution__region__in=regions, state__in=QUEUE_STATES,
            call_category__call__in=recommendation_calls(now),
        )
        .select_related(*LIST_RELATED)
        .defer(*_HEAVY_FIELDS)
        .order_by(
            "institution__region__order", "-call_category__call__year",
            "call_category__category__order", F("region_rank").asc(nulls_last=True),
            "submitted_at", "pk",
        )
    )
    counts = region_recommended_counts(
        region_ids=[r.pk for r in regions],
        call_category_ids={a.call_category_id for a in applications},
    ) if applications else {}
    queues = []
    for region in regions:
        mine = [a for a in applications if a.institution.region_id == region.pk]
        per_category = {cc: n for (r, cc), n in counts.items() if r == region.pk}
        queues.append(RegionQueue(region, _grouped(mine, per_category)))
    return queues


def formal_check_queue(scoped: QuerySet) -> list[QueueCall]:
    """Recommended applications waiting for the bureau's formal check, by call and category,
    each category's applications by region and the region's order."""
    applications = (
        scoped.filter(state=ApplicationState.RECOMMENDED)
        .select_related(*LIST_RELATED)
        .defer(*_HEAVY_FIELDS)
        .order_by(
            "-call_category__call__year", "call_category__category__order",
            "institution__region__order", F("region_rank").asc(nulls_last=True),
            "submitted_at", "pk",
        )
    )
    return _grouped(applications)
