"""From the database to the pure facts the review algorithms read (conflicts.py,
assignment.py): who an expert works and worked for, what it declared, who and what an
application names, and the expertise tags on both sides.

Employers are compared by key: ``inst:<institution code>`` and ``ent:<credit code>`` (an
enterprise without a credit code is keyed by its unique name, as pool.py does). People are
compared by name (conflicts.py normalises them). Each reader here runs a fixed handful of
queries whatever the number of rows.
"""

from collections.abc import Iterable
from datetime import date

from django.db.models import Prefetch, QuerySet

from vetq.applications.models import Application
from vetq.institutions.models import Enterprise, Institution

from . import assignment, conflicts
from .models import Declaration, Employment, Expert, Panel


def institution_key(institution: Institution) -> str:
    return f"inst:{institution.code}"


def enterprise_key(enterprise: Enterprise) -> str:
    return f"ent:{enterprise.credit_code or enterprise.name}"


def _employer_key(*, institution, enterprise) -> str | None:
    if institution is not None:
        return institution_key(institution)
    if enterprise is not None:
        return enterprise_key(enterprise)
    return None


def experts_loaded(queryset: QuerySet | None = None) -> QuerySet:
    """Experts with everything their facts and tags need, in four queries."""
    queryset = Expert.objects.all() if queryset is None else queryset
    return queryset.select_related(
        "employer_institution", "employer_enterprise", "region",
    ).prefetch_related(
        Prefetch("employments", queryset=Employment.objects.select_related("institution", "enterprise")),
        Prefetch("declarations",
                 queryset=Declaration.objects.filter(withdrawn_at__isnull=True)
                 .select_related("institution", "enterprise"),
                 to_attr="live_declarations"),
        "specialties",
    ).order_by("code")


def applications_loaded(queryset: QuerySet | None = None) -> QuerySet:
    """Applications with everything their facts and tags need, in four queries."""
    queryset = Application.objects.all() if queryset is None else queryset
    return queryset.select_related(
        "institution__region", "call_category__category",
    ).prefetch_related("enterprises", "industries", "majors").order_by("pk")


def expert_facts(expert: Expert) -> conflicts.ExpertFacts:
    """An expert loaded by `experts_loaded` as conflict facts. Past jobs are every recorded
    employment (an open one, with no end, counts as current); declarations withdrawn are
    left out."""
    past = tuple(
        conflicts.PastJob(employer=key, ended=job.ended)
        for job in expert.employments.all()
        if (key := _employer_key(institution=job.institution, enterprise=job.enterprise))
    )
    declared: list[str] = []
    declarations = getattr(expert, "live_declarations", None)
    if declarations is None:
        declarations = [d for d in expert.declarations.all() if d.withdrawn_at is None]
    for declaration in declarations:
        if declaration.institution is not None:
            declared.append(institution_key(declaration.institution))
        if declaration.enterprise is not None:
            declared.append(enterprise_key(declaration.enterprise))
        if declaration.person.strip():
            declared.append(f"person:{declaration.person.strip()}")
    return conflicts.ExpertFacts(
        code=expert.code,
        name=expert.name,
        region=expert.region.code if expert.region_id else None,
        employer=_employer_key(institution=expert.employer_institution,
                               enterprise=expert.employer_enterprise),
        past=past,
        declared=tuple(sorted(set(declared))),
    )


def application_people(application: Application) -> tuple[str, ...]:
    """Everyone the application names: its lead person and its team members."""
    names = [application.lead_name]
    for member in application.team or []:
        if isinstance(member, dict):
            names.append(str(member.get("name") or ""))
    return tuple(sorted({name.strip() for name in names if name and name.strip()}))


def application_facts(application: Application) -> conflicts.ApplicationFacts:
    """An application loaded by `applications_loaded` as conflict facts."""
    return conflicts.ApplicationFacts(
        id=application.pk,
        category=application.call_category.category.code,
        institution=institution_key(application.institution),
        region=application.institution.region.code,
        enterprises=tuple(sorted(enterprise_key(e) for e in application.enterprises.all())),
        people=application_people(application),
    )


def application_tags(application: Application) -> tuple[frozenset[str], frozenset[str]]:
    """(industry codes, major groups) of an application: the industries it serves and the
    two-digit catalogue groups of its majors."""
    industries = frozenset(i.code for i in application.industries.all())
    groups = frozenset(m.catalogue_code[:2] for m in application.majors.all() if m.catalogue_code)
    return industries, groups


def expert_tags(expert: Expert) -> tuple[frozenset[str], frozenset[str]]:
    """(industry codes, major groups) of an expert: its specialties and its major groups."""
    industries = frozenset(i.code for i in expert.specialties.all())
    groups = frozenset(str(g) for g in (expert.major_groups or []) if str(g).strip())
    return industries, groups


def subject(application: Application) -> assignment.Subject:
    industries, groups = application_tags(application)
    return assignment.Subject(id=application.pk, industries=industries, major_groups=groups)


def reviewer(expert: Expert) -> assignment.Reviewer:
    industries, groups = expert_tags(expert)
    return assignment.Reviewer(code=expert.code, industries=industries, major_groups=groups)


def conflicts_between(experts: Iterable[Expert], applications: Iterable[Application], *,
                      on: date, review: dict) -> dict[tuple[str, int], tuple[str, ...]]:
    """Conflict pairs (expert code, application id) → reason codes, under the review rules
    `review` (a policy's [review] section as stored: past_employer_years, conflict_rules).
    Experts and applications must come from `experts_loaded` / `applications_loaded`."""
    return conflicts.conflicts(
        [expert_facts(e) for e in experts],
        [application_facts(a) for a in applications],
        on=on,
        past_employer_years=int(review.get("past_employer_years", 3)),
        rules=list(review.get("conflict_rules", [])),
    )


def panel_conflicts(panel: Panel, *, on: date, experts: QuerySet | None = None
                    ) -> dict[tuple[str, int], tuple[str, ...]]:
    """The conflicts between the panel's applications and `experts` (by default every active
    expert of the pool), under the rules the panel copied from the policy."""
    experts = Expert.objects.filter(active=True) if experts is None else experts
    return conflicts_between(
        experts_loaded(experts),
        applications_loaded(panel.applications.all()),
        on=on,
        review=panel.rules,
    )
