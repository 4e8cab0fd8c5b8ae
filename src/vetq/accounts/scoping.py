"""Every queryset a user sees comes through here (R23).

A school user sees its own school, a region officer its region's schools, the bureau and
read-only departments everything, a county finance officer its own region. Nothing here
ever widens a queryset; each function narrows one to what the user may reach, and an
object outside it is simply not found (404), never shown.
"""

from django.db.models import Q, QuerySet

from vetq.institutions.models import Institution, Major, Region

from .roles import Role

_SEE_ALL_INSTITUTIONS = {Role.BUREAU_ADMIN, Role.DEPARTMENT_VIEWER}


def memberships(user) -> list:
    """The user's memberships, read once per request object."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_vetq_memberships", None)
    if cached is None:
        cached = list(user.memberships.select_related("region", "institution", "department"))
        user._vetq_memberships = cached
    return cached


def roles_of(user) -> set[str]:
    return {m.role for m in memberships(user)}


def has_role(user, role: str) -> bool:
    return role in roles_of(user)


def institution_filter(user) -> Q | None:
    """A Q over Institution that the user may see, or None for nothing at all."""
    condition: Q | None = None

    def widen(q: Q) -> None:
        nonlocal condition
        condition = q if condition is None else condition | q

    for membership in memberships(user):
        role = membership.role
        if role in _SEE_ALL_INSTITUTIONS:
            return Q()
        if role == Role.FINANCE_OFFICER:
            if membership.region_id is None:
                return Q()
            widen(Q(region_id=membership.region_id))
        elif role == Role.REGION_OFFICER:
            widen(Q(region_id=membership.region_id))
        elif role == Role.SCHOOL_USER:
            widen(Q(pk=membership.institution_id))
    return condition


def institutions_for(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Institution.objects.all() if queryset is None else queryset
    condition = institution_filter(user)
    if condition is None:
        return queryset.none()
    return queryset.filter(condition)


def majors_for(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Major.objects.all() if queryset is None else queryset
    condition = institution_filter(user)
    if condition is None:
        return queryset.none()
    if not condition:
        return queryset
    return queryset.filter(institution__in=Institution.objects.filter(condition))


def regions_for(user, queryset: QuerySet | None = None) -> QuerySet:
    """Regions whose aggregate figures (surveys, dashboards) the user may read: every region for
    the bureau, department viewers and the city's finance officers; its own for a region
    officer or a county-level city's finance officer; none for a school (it reads its own
    school and the city's figures)."""
    queryset = Region.objects.all() if queryset is None else queryset
    condition: Q | None = None
    for membership in memberships(user):
        if membership.role in _SEE_ALL_INSTITUTIONS or (
                membership.role == Role.FINANCE_OFFICER and membership.region_id is None):
            return queryset
        if membership.role in (Role.REGION_OFFICER, Role.FINANCE_OFFICER):
            q = Q(pk=membership.region_id)
            condition = q if condition is None else condition | q
    if condition is None:
        return queryset.none()
    return queryset.filter(condition)


def own_institutions(user) -> list:
    """The schools a school user acts for (usually one)."""
    return [m.institution for m in memberships(user) if m.role == Role.SCHOOL_USER]


def own_regions(user) -> list:
    return [m.region for m in memberships(user) if m.role == Role.REGION_OFFICER]


def applications_for(user, queryset: QuerySet | None = None) -> QuerySet:
    """Applications the user may read.

    The bureau sees all; a region officer its region's schools' applications once they have
    been submitted (a draft never submitted is the school's own work); a school its own; an
    expert only those it has an active assignment for (a conflict found later deactivates
    the assignment, and the application is out of reach at once). Other roles see none.
    """
    from vetq.applications.models import Application

    queryset = Application.objects.all() if queryset is None else queryset
    condition: Q | None = None
    for membership in memberships(user):
        if membership.role == Role.BUREAU_ADMIN:
            return queryset
        if membership.role == Role.REGION_OFFICER:
            q = Q(institution__region_id=membership.region_id, submitted_at__isnull=False)
        elif membership.role == Role.SCHOOL_USER:
            q = Q(institution_id=membership.institution_id)
        elif membership.role == Role.EXPERT:
            q = Q(pk__in=_own_assignments(user).values("application_id"))
        else:
            continue
        condition = q if condition is None else condition | q
    if condition is None:
        return queryset.none()
    return queryset.filter(condition)


def _own_assignments(user) -> QuerySet:
    from vetq.reviews.models import Assignment

    return Assignment.objects.filter(expert__user_id=user.pk, active=True)


def assignments_for(user, queryset: QuerySet | None = None) -> QuerySet:
    """Assignments the user may read: the bureau all, an expert its own active ones, nobody
    else any (a school or region never learns who reviews its applications)."""
    from vetq.reviews.models import Assignment

    queryset = Assignment.objects.all() if queryset is None else queryset
    roles = roles_of(user)
    if Role.BUREAU_ADMIN in roles:
        return queryset
    if Role.EXPERT in roles:
        return queryset.filter(expert__user_id=user.pk, active=True)
    return queryset.none()


def reviewer_identities_hidden(user) -> bool:
    """Whether pages must hide who acted on an application (an expert reading one it
    reviews learns nothing of the other reviewers or the people around the decision)."""
    roles = roles_of(user)
    return Role.EXPERT in roles and not roles & {
        Role.BUREAU_ADMIN, Role.REGION_OFFICER, Role.SCHOOL_USER
    }


def grants_for(user, queryset: QuerySet | None = None) -> QuerySet:
    """Grants the user may read (R28: each payer manages its own).

    The bureau sees all; the city's finance officer (no region) the grants the city pays; a
    county-level city's finance officer the grants its city pays; a region officer its
    region's schools' grants; a school its own. Department viewers read dashboards only.
    """
    from vetq.funding.models import Grant

    queryset = Grant.objects.all() if queryset is None else queryset
    condition: Q | None = None
    for membership in memberships(user):
        role = membership.role
        if role == Role.BUREAU_ADMIN:
            return queryset
        if role == Role.FINANCE_OFFICER:
            q = (Q(payer_region__isnull=True) if membership.region_id is None
                 else Q(payer_region_id=membership.region_id))
        elif role == Role.REGION_OFFICER:
            q = Q(institution__region_id=membership.region_id)
        elif role == Role.SCHOOL_USER:
            q = Q(institution_id=membership.institution_id)
        else:
            continue
        condition = q if condition is None else condition | q
    if condition is None:
        return queryset.none()
    return queryset.filter(condition)


def pays_for(user, grant) -> bool:
    """Whether `user` is the finance officer of the grant's payer (may record its money)."""
    for membership in memberships(user):
        if membership.role == Role.FINANCE_OFFICER and membership.region_id == grant.payer_region_id:
            return True
    return False


def graduate_records_for(user, queryset: QuerySet | None = None) -> QuerySet:
    """Graduate records (R33) the user may read one by one: the bureau all, a school its own;
    everyone else reads only aggregates (surveys/employment_queries.py)."""
    from vetq.surveys.models import GraduateRecord

    queryset = GraduateRecord.objects.all() if queryset is None else queryset
    condition: Q | None = None
    for membership in memberships(user):
        if membership.role == Role.BUREAU_ADMIN:
            return queryset
        if membership.role == Role.SCHOOL_USER:
            q = Q(institution_id=membership.institution_id)
            condition = q if condition is None else condition | q
    if condition is None:
        return queryset.none()
    return queryset.filter(condition)
