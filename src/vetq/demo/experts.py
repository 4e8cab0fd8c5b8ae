"""The demo expert pool (专家库): 150 fictional experts from the demo schools and enterprises.

Each planned expert gets the code E0001, E0002, … in plan order; the demo finds its experts
again by code.
"""

import random
from dataclasses import dataclass

from vetq.institutions.models import Enterprise, Industry, Institution
from vetq.reviews.models import Expert

from .enterprises import EnterpriseSpec
from .institutions import SchoolSpec
from .names import GIVEN_FEMALE, GIVEN_MALE, SERVICE_INDUSTRIES, SURNAMES, TITLES

EXPERT_COUNT = 150
# About two in three experts teach; the rest come from industry partners.
SCHOOL_SHARE = 0.65


@dataclass(frozen=True)
class ExpertSpec:
    code: str
    name: str
    title: str
    region: str
    specialties: tuple[str, ...]
    school: str | None = None  # institution code
    enterprise: str | None = None  # enterprise credit code

    @property
    def employer_key(self) -> str:
        return self.school or self.enterprise or ""


def _person_name(rng: random.Random) -> str:
    chars = GIVEN_MALE if rng.random() < 0.55 else GIVEN_FEMALE
    given = "".join(rng.sample(chars, k=1 if rng.random() < 0.2 else 2))
    return rng.choice(SURNAMES) + given


def _title(rng: random.Random, kind: str) -> str:
    titles, weights = zip(*TITLES[kind], strict=True)
    return rng.choices(titles, weights=weights)[0]


def _specialties(rng: random.Random, own: tuple[str, ...]) -> tuple[str, ...]:
    """1–3 of the industries the employer works in."""
    return tuple(rng.sample(own, k=min(rng.choice((1, 2, 2, 3)), len(own))))


def plan_experts(
    rng: random.Random, schools: list[SchoolSpec], enterprises: list[EnterpriseSpec]
) -> list[ExpertSpec]:
    """EXPERT_COUNT experts with distinct names, each employed by one demo school or enterprise."""
    experts: list[ExpertSpec] = []
    taken: set[str] = set()
    while len(experts) < EXPERT_COUNT:
        name = _person_name(rng)
        if name in taken:
            continue
        taken.add(name)
        if rng.random() < SCHOOL_SHARE:
            school = rng.choice(schools)
            experts.append(ExpertSpec(
                code=f"E{len(experts) + 1:04d}", name=name, title=_title(rng, school.type),
                region=school.region,
                specialties=_specialties(rng, school.industries), school=school.code,
            ))
        else:
            company = rng.choice(enterprises)
            kind = ("enterprise_services" if company.industries[0] in SERVICE_INDUSTRIES
                    else "enterprise")
            experts.append(ExpertSpec(
                code=f"E{len(experts) + 1:04d}", name=name, title=_title(rng, kind),
                region=company.region,
                specialties=_specialties(rng, company.industries), enterprise=company.credit_code,
            ))
    return experts


def experts_write(
    experts: list[ExpertSpec], *, schools: dict[str, Institution],
    enterprises: dict[str, Enterprise], industries: dict[str, Industry],
) -> int:
    """Create the planned experts not yet in the pool (by code); return how many were added."""
    existing = set(
        Expert.objects.filter(code__in=[e.code for e in experts]).values_list("code", flat=True)
    )
    new = []
    for spec in experts:
        if spec.code in existing:
            continue
        school = schools[spec.school] if spec.school else None
        company = enterprises[spec.enterprise] if spec.enterprise else None
        new.append((Expert(
            code=spec.code, name=spec.name, title=spec.title, employer_institution=school,
            employer_enterprise=company, region_id=(school or company).region_id,
        ), spec))
    Expert.objects.bulk_create([expert for expert, _ in new])
    Through = Expert.specialties.through
    Through.objects.bulk_create([
        Through(expert_id=expert.pk, industry_id=industries[code].pk)
        for expert, spec in new for code in spec.specialties
    ])
    return len(new)
