"""Demo schools and their majors: planned from a seeded Random, written idempotently.

A school's code depends only on its place in LAYOUT, never on the Random, so it is a stable
key: a second run finds every school by its code and adds nothing.
"""

import random
from dataclasses import dataclass

from vetq.institutions.enums import InstitutionType
from vetq.institutions.models import Department, Industry, Institution, Major, Region

from .catalogue import COMMON_MAJORS, DOMAINS, DOMAINS_OF_TYPE, MAJORS, REGION_DOMAINS, major_entry
from .names import ADMIN_CODE, CITY_PREFIX, PLACES, SCHOOL_SUFFIXES

HIGHER = InstitutionType.HIGHER_VOCATIONAL.value
SECONDARY = InstitutionType.SECONDARY_VOCATIONAL.value
TECHNICAL = InstitutionType.TECHNICAL.value
H, S, T = HIGHER, SECONDARY, TECHNICAL

# The kinds of school in each region, in code order: 9 colleges, 20 secondary, 11 technical.
LAYOUT = {
    "liangxi": (S, S, H, T, S, H, S),
    "xishan": (S, T, S, H, S),
    "huishan": (S, T, H, S, T),
    "binhu": (H, S, T, S, H, S),
    "xinwu": (T, S, H, S, T),
    "jiangyin": (S, S, T, H, S, T),
    "yixing": (S, H, T, S, S, T),
}

# Technical schools answer to the human resources bureau (市人社局), the rest to education.
SUPERVISOR = {H: "education", S: "education", T: "human_resources"}


@dataclass(frozen=True)
class MajorSpec:
    catalogue_code: str
    name: str
    industries: tuple[str, ...]
    is_backbone: bool


@dataclass(frozen=True)
class SchoolSpec:
    code: str
    name: str
    type: str
    region: str
    supervisor: str
    majors: tuple[MajorSpec, ...]

    @property
    def industries(self) -> tuple[str, ...]:
        """The industries its majors serve, in first-seen order."""
        return tuple(dict.fromkeys(i for m in self.majors for i in m.industries))


def school_code(region: str, institution_type: str, serial: int) -> str:
    """A 10-digit code shaped like a 学校标识码; the 9x/5xx/9xx serials keep it made up."""
    admin = ADMIN_CODE[region]
    if institution_type == H:
        return f"41{admin}{90 + serial:02d}"
    block = 500 if institution_type == T else 900
    return f"3{admin}{block + serial:03d}"


def _school_name(rng: random.Random, region: str, place: str, institution_type: str,
                 domain: str) -> str:
    word = DOMAINS[domain].word
    if institution_type == H and not word:
        word = "科技"
    return f"{CITY_PREFIX[region]}{place}{word}{rng.choice(SCHOOL_SUFFIXES[institution_type])}"


def _plan_majors(rng: random.Random, institution_type: str, domain: str) -> tuple[MajorSpec, ...]:
    count = rng.randint(4, 10)
    own = [k for k in DOMAINS[domain].majors if major_entry(MAJORS[k], institution_type)]
    rng.shuffle(own)
    extra = [k for k in COMMON_MAJORS if k not in own]
    rng.shuffle(extra)
    keys = (own + extra)[:count]
    backbone = set(rng.sample(keys[: len(own)] or keys, k=max(1, len(keys) // 3)))
    specs = []
    for key in keys:
        code, name = major_entry(MAJORS[key], institution_type)
        specs.append(MajorSpec(code, name, MAJORS[key].industries, key in backbone))
    return tuple(sorted(specs, key=lambda m: m.catalogue_code))


def plan_schools(rng: random.Random) -> list[SchoolSpec]:
    """About 40 fictional schools over the 7 regions; the same Random gives the same schools."""
    schools: list[SchoolSpec] = []
    for region, types in LAYOUT.items():
        serials = dict.fromkeys((H, S, T), 0)
        # Each school of a region is named after its own place, and one trade per kind of
        # school is enough for a region (except the general schools).
        places = rng.sample(PLACES[region], k=len(types))
        used: set[tuple[str, str]] = set()
        for institution_type, place in zip(types, places, strict=True):
            serials[institution_type] += 1
            domains = [
                d for d in DOMAINS_OF_TYPE[institution_type] + REGION_DOMAINS.get(region, ())
                if d == "general" or (institution_type, d) not in used
            ]
            domain = rng.choice(domains)
            used.add((institution_type, domain))
            name = _school_name(rng, region, place, institution_type, domain)
            schools.append(SchoolSpec(
                code=school_code(region, institution_type, serials[institution_type]),
                name=name,
                type=institution_type,
                region=region,
                supervisor=SUPERVISOR[institution_type],
                majors=_plan_majors(rng, institution_type, domain),
            ))
    return schools


def first_school(schools: list[SchoolSpec], *, region: str, type: str | None = None) -> SchoolSpec:
    """The first planned school of a region (and type): the one a demo account belongs to."""
    return next(s for s in schools if s.region == region and (type is None or s.type == type))


def institutions_write(
    schools: list[SchoolSpec], *, regions: dict[str, Region], departments: dict[str, Department],
    industries: dict[str, Industry],
) -> tuple[dict[str, Institution], int, int]:
    """Create the schools and majors not yet there; return the schools by code and how many
    schools and majors were added. Existing rows are left as they are."""
    codes = [s.code for s in schools]
    existing = set(Institution.objects.filter(code__in=codes).values_list("code", flat=True))
    Institution.objects.bulk_create([
        Institution(
            code=s.code, name=s.name, type=s.type, region=regions[s.region],
            supervising_department=departments[s.supervisor],
        )
        for s in schools if s.code not in existing
    ])
    by_code = Institution.objects.in_bulk(codes, field_name="code")

    have = set(
        Major.objects.filter(institution__code__in=codes)
        .values_list("institution__code", "catalogue_code")
    )
    new_majors: list[tuple[Major, MajorSpec]] = [
        (Major(institution=by_code[s.code], catalogue_code=m.catalogue_code, name=m.name,
               is_backbone=m.is_backbone), m)
        for s in schools for m in s.majors if (s.code, m.catalogue_code) not in have
    ]
    Major.objects.bulk_create([major for major, _ in new_majors])
    Through = Major.industries.through
    Through.objects.bulk_create([
        Through(major_id=major.pk, industry_id=industries[code].pk)
        for major, spec in new_majors for code in spec.industries
    ])
    return by_code, len(codes) - len(existing), len(new_majors)
