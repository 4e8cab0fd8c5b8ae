"""Reads for the project pages and the API: which projects a user may reach, the filtered
list with its money summed in the same query, and one project's tranches with what is paid,
payable and withheld on each."""

from dataclasses import dataclass
from datetime import date

from django.db.models import OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import QueryDict

from vetq.accounts import scoping
from vetq.accounts.roles import Role
from vetq.funding.budget import MONEY, ZERO
from vetq.funding.exports import payable_now
from vetq.funding.models import EntryKind, GrantState, LedgerEntry, Tranche
from vetq.funding.queries import grant_tranches
from vetq.institutions.models import Institution

from .models import Project, ProjectState, Rating

# Whoever reads grants reads their projects (R23, R28); experts and department viewers
# reach none (experts will reach only what they check, in the later check rounds).
READER_ROLES = {Role.BUREAU_ADMIN, Role.REGION_OFFICER, Role.SCHOOL_USER, Role.FINANCE_OFFICER}
UNRATED = "none"


def may_read_projects(user) -> bool:
    return bool(scoping.roles_of(user) & READER_ROLES)


def projects_for(user, queryset: QuerySet | None = None) -> QuerySet:
    """Projects the user may read: those whose grant `scoping.grants_for` lets it read. The
    bureau sees all; a region officer its region's schools'; a school its own; a finance
    officer the grants its payer pays (the city's officer the city's, a county-level city's
    its own). Anyone else none: an object outside is a 404, never shown."""
    queryset = Project.objects.all() if queryset is None else queryset
    if scoping.has_role(user, Role.BUREAU_ADMIN):
        return queryset
    if not may_read_projects(user):
        return queryset.none()
    return queryset.filter(grant__in=scoping.grants_for(user))


@dataclass(frozen=True)
class ProjectFilters:
    """The list's filters as the query string gives them; anything malformed is ignored.
    `school` is an institution code; `rating` is a rating or "none" (not rated yet)."""

    category: str = ""
    region: str = ""
    school: str = ""
    state: str = ""
    rating: str = ""

    @classmethod
    def from_query(cls, query: QueryDict) -> "ProjectFilters":
        state = query.get("state", "")
        rating = query.get("rating", "")
        return cls(
            category=query.get("category", "").strip()[:60],
            region=query.get("region", "").strip()[:40],
            school=query.get("school", "").strip()[:40],
            state=state if state in ProjectState.values else "",
            rating=rating if rating in Rating.values or rating == UNRATED else "",
        )

    def condition(self) -> Q:
        condition = Q()
        if self.category:
            condition &= Q(category__code=self.category)
        if self.region:
            condition &= Q(institution__region__code=self.region)
        if self.school:
            condition &= Q(institution__code=self.school)
        if self.state:
            condition &= Q(state=self.state)
        if self.rating:
            condition &= Q(rating="" if self.rating == UNRATED else self.rating)
        return condition

    def query(self) -> dict:
        """The filters as query parameters, blanks left out (for the export link)."""
        return {key: value for key, value in self.__dict__.items() if value}


def _sum(queryset: QuerySet):
    rows = queryset.order_by().values("grant").annotate(total=Sum("amount")).values("total")
    return Coalesce(Subquery(rows, output_field=MONEY), Value(ZERO), output_field=MONEY)


def projects_listed(projects: QuerySet, filters: ProjectFilters) -> QuerySet:
    """The projects that pass the filters, each with `promised` (live tranches) and `paid`
    (payments less reversals) summed in the same query; latest start first."""
    return (
        projects.filter(filters.condition())
        .select_related("category", "institution__region", "grant__payer_region")
        .annotate(
            promised=_sum(Tranche.objects.filter(grant=OuterRef("grant_id"),
                                                 withheld_at__isnull=True)),
            paid=_sum(LedgerEntry.objects.filter(
                grant=OuterRef("grant_id"), kind__in=[EntryKind.PAYMENT, EntryKind.REVERSAL])),
        )
        .order_by("-starts_on", "institution__region__order", "pk")
    )


def schools_listed(projects: QuerySet) -> QuerySet:
    """The schools that have a project among `projects`, for the list's school filter."""
    return Institution.objects.filter(pk__in=projects.values("institution_id")).order_by("code")


def tranche_status(tranche: Tranche) -> str:
    """withheld, paid, payable (now), waiting (for its condition) or stopped (the grant is no
    longer active), for a tranche carrying `paid` and `payable`."""
    if not tranche.live:
        return "withheld"
    if tranche.paid >= tranche.amount:
        return "paid"
    if tranche.payable > 0:
        return "payable"
    return "waiting" if tranche.grant.state == GrantState.ACTIVE else "stopped"


def project_tranches(project: Project, today: date) -> list[Tranche]:
    """The grant's tranches in order, each with `paid`, `payable` (today) and `status`."""
    tranches = grant_tranches(project.grant)
    for tranche in tranches:
        tranche.payable = payable_now(tranche, today)
        tranche.status = tranche_status(tranche)
    return tranches
