"""Reads of the expert pool for its pages, exports and API: the filtered list, an expert's
panels and ratings, and what an expert would conflict with (its employers and declarations)."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Avg, Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from vetq.programs.queries import current_program

from .models import Assignment, Declaration, Employment, Expert, ExpertRating, Panel, PanelMember

DEFAULT_PAST_EMPLOYER_YEARS = 3
EMPLOYER_KINDS = {"institution": _("School"), "enterprise": _("Enterprise")}
ACTIVE_CHOICES = {"yes": _("In the pool"), "no": _("Out of the pool")}


@dataclass(frozen=True)
class ExpertFilters:
    q: str = ""
    region: str = ""
    industry: str = ""
    kind: str = ""  # "institution" | "enterprise"
    active: str = ""  # "yes" | "no"

    @classmethod
    def from_query(cls, params) -> "ExpertFilters":
        kind = params.get("kind", "")
        active = params.get("active", "")
        return cls(
            q=params.get("q", "").strip()[:60],
            region=params.get("region", "").strip()[:40],
            industry=params.get("industry", "").strip()[:60],
            kind=kind if kind in EMPLOYER_KINDS else "",
            active=active if active in ACTIVE_CHOICES else "",
        )

    def condition(self) -> Q:
        condition = Q()
        if self.q:
            condition &= Q(name__icontains=self.q) | Q(code__icontains=self.q)
        if self.region:
            condition &= Q(region__code=self.region)
        if self.industry:
            condition &= Q(specialties__code=self.industry)
        if self.kind == "institution":
            condition &= Q(employer_institution__isnull=False)
        elif self.kind == "enterprise":
            condition &= Q(employer_enterprise__isnull=False)
        if self.active:
            condition &= Q(active=self.active == "yes")
        return condition


def _per_expert(queryset: QuerySet, aggregate) -> Subquery:
    """One aggregate over `queryset`'s rows of each expert, as a subquery (no row fan-out)."""
    return Subquery(queryset.filter(expert=OuterRef("pk")).order_by().values("expert")
                    .annotate(value=aggregate).values("value"))


def experts_listed(filters: ExpertFilters | None = None) -> QuerySet:
    """The pool filtered, ordered by code, with employer, region and specialties loaded and
    each expert's rating average and count and the number of panels it sat on."""
    filters = filters or ExpertFilters()
    ratings = ExpertRating.objects.all()
    return (
        Expert.objects.filter(filters.condition())
        .select_related("employer_institution", "employer_enterprise", "region", "user")
        .prefetch_related("specialties")
        .annotate(
            rating_average=_per_expert(ratings, Avg("score")),
            rating_count=Coalesce(_per_expert(ratings, Count("pk")), 0,
                                  output_field=IntegerField()),
            panel_count=Coalesce(_per_expert(PanelMember.objects.all(), Count("panel", distinct=True)),
                                 0, output_field=IntegerField()),
        )
        .order_by("code")
    )


def expert_loaded(queryset: QuerySet | None = None) -> QuerySet:
    """Experts with what their detail page and the API show, loaded in a fixed few queries."""
    queryset = Expert.objects.all() if queryset is None else queryset
    return queryset.select_related(
        "employer_institution__region", "employer_enterprise__region", "region", "user",
    ).prefetch_related(
        "specialties",
        Prefetch("employments", queryset=Employment.objects.select_related(
            "institution", "enterprise")),
        Prefetch("declarations", queryset=Declaration.objects.select_related(
            "institution", "enterprise")),
    )


@dataclass(frozen=True)
class PanelServed:
    panel: Panel
    role: str  # the PanelMember role label, or "" when the expert was assigned by hand
    declined: bool
    assignments: int


def panels_served(expert: Expert) -> list[PanelServed]:
    """The panels the expert sat on or reviewed in, newest first."""
    seats = {m.panel_id: m for m in PanelMember.objects.filter(expert=expert)}
    counts = dict(Assignment.objects.filter(expert=expert).order_by().values("panel")
                  .annotate(n=Count("pk")).values_list("panel", "n"))
    panels = (Panel.objects.filter(pk__in=set(seats) | set(counts))
              .select_related("call_category__call", "call_category__category")
              .order_by("-created_at", "-pk"))
    return [
        PanelServed(panel=panel,
                    role=seats[panel.pk].get_role_display() if panel.pk in seats else "",
                    declined=panel.pk in seats and seats[panel.pk].declined_at is not None,
                    assignments=counts.get(panel.pk, 0))
        for panel in panels
    ]


def ratings_of(expert: Expert) -> tuple[list[ExpertRating], float | None]:
    """The expert's ratings, newest first, and their average (None without any)."""
    ratings = list(expert.ratings.select_related("panel", "by").order_by("-at", "-pk"))
    average = (sum(r.score for r in ratings) / len(ratings)) if ratings else None
    return ratings, average


@dataclass(frozen=True)
class ConflictSource:
    reason: str  # a reason code of conflicts.py
    label: str  # what the reason is, for people
    named: str  # the school, enterprise or person
    until: date | None = None  # the last day a past job still conflicts


REASON_LABELS = {
    "own_institution": _("Works at this school"),
    "employer_enterprise": _("Works at this enterprise"),
    "past_employer": _("Past employer"),
    "other_employer": _("Also works at"),
    "declared": _("Declared conflict"),
    "same_region": _("Same region as the applicant"),
}


def past_employer_years() -> int:
    program = current_program()
    review = (program.policy or {}).get("review") if program else None
    return int((review or {}).get("past_employer_years", DEFAULT_PAST_EMPLOYER_YEARS))


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def conflict_sources(expert: Expert, *, on: date) -> list[ConflictSource]:
    """Why the expert would be kept off applications: its employer (its school, or the
    applications naming its enterprise as partner), jobs within the policy's past-employer
    years (or still held), its live declarations. Reads `expert_loaded` prefetches."""
    sources = []
    if expert.employer_institution_id:
        sources.append(ConflictSource("own_institution", str(REASON_LABELS["own_institution"]),
                                      str(expert.employer_institution)))
    elif expert.employer_enterprise_id:
        sources.append(ConflictSource("partner_enterprise",
                                      str(REASON_LABELS["employer_enterprise"]),
                                      str(expert.employer_enterprise)))
    years = past_employer_years()
    for job in expert.employments.all():
        until = None if job.ended is None else _add_years(job.ended, years)
        if until is not None and until < on:
            continue
        label = REASON_LABELS["past_employer" if job.ended else "other_employer"]
        sources.append(ConflictSource("past_employer", str(label),
                                      str(job.institution or job.enterprise), until))
    for declaration in expert.declarations.all():
        if declaration.withdrawn_at is None:
            named = declaration.institution or declaration.enterprise or declaration.person
            sources.append(ConflictSource("declared", str(REASON_LABELS["declared"]), str(named)))
    return sources
