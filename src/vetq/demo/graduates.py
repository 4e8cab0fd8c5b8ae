"""The demo's graduate employment records (R33): the 2015–2019 graduates of every demo school's
majors at each tracking point already reached on `today`. Demo figures, not official
statistics.

Plausible, deterministic patterns (a Random seeded by each school's code): secondary schools
send a third or more of their graduates on to further study, colleges about a tenth; a
graduate in work stays in work at the later points, and one in further study has mostly
found work three years on; employment, pay and the in-field share vary with the school and
the major group (equipment, transport and health above, tourism and the arts below), pay
rises over the cohorts and the years after graduation; fewer graduates answer at the later
points. Each graduate has a made-up identity number that goes through the real pseudonym, so
records of one person link across the points; the numbers themselves are never kept.
Groups already recorded are left alone, so a second run adds nothing.
"""

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from vetq.institutions.enums import InstitutionType
from vetq.institutions.models import Institution
from vetq.programs.models import Program
from vetq.surveys.employment import POINTS, point_reached
from vetq.surveys.employment_queries import major_group
from vetq.surveys.graduates_check import GoodRow
from vetq.surveys.graduates_import import records_insert
from vetq.surveys.models import GraduateRecord
from vetq.surveys.pseudonyms import check_character, pseudonym, pseudonym_key

from .names import ADMIN_CODE

COHORTS = range(2015, 2020)
GRADUATES_PER_MAJOR = (5, 11)  # each major's graduates in the survey, per cohort
FURTHER_STUDY = {InstitutionType.SECONDARY_VOCATIONAL: 0.38, InstitutionType.TECHNICAL: 0.12,
                 InstitutionType.HIGHER_VOCATIONAL: 0.10}
# Who answers at each point, and who has work by then (of those not in further study).
ANSWERS = {"graduation": 1.0, "half_year": 0.92, "one_year": 0.8, "three_years": 0.6}
WORKING_BY = {"graduation": 0.86, "half_year": 0.94, "one_year": 0.96, "three_years": 0.97}
PAY_RISE = {"graduation": 1.0, "half_year": 1.04, "one_year": 1.1, "three_years": 1.32}
# Major group → (employment bonus, in-field share, monthly pay at graduation in 2015).
GROUPS = {
    "46": (0.02, 0.80, 4300), "50": (0.015, 0.76, 4200), "51": (0.01, 0.70, 4700),
    "52": (0.02, 0.86, 3900), "53": (0.0, 0.60, 3700), "54": (-0.02, 0.55, 3400),
    "55": (-0.03, 0.50, 3500), "44": (0.01, 0.72, 4100), "48": (0.0, 0.62, 3600),
}
OTHER_GROUP = (0.0, 0.65, 3800)
SATISFACTION = (4, 3, 2, 1, None)
SATISFACTION_WEIGHTS = (34, 46, 8, 2, 10)


@dataclass
class _Graduate:
    person: str
    major_id: int
    further_study: bool
    readiness: float  # below WORKING_BY[point] means in work at that point
    self_employed: bool
    in_field: bool
    location: str
    contract: bool
    pay: float


def _identity(rng: random.Random, region: str, cohort: int, taken: set[str]) -> str:
    while True:
        born = date(cohort - 19, 1, 1).toordinal() + rng.randrange(730)
        first17 = f"{ADMIN_CODE[region]}{date.fromordinal(born):%Y%m%d}{rng.randrange(1000):03d}"
        number = first17 + check_character(first17)
        if number not in taken:
            taken.add(number)
            return number


def _location(rng: random.Random, region: str, higher: bool) -> str:
    places = ("local", "province", "elsewhere", "abroad")
    weights = (0.78 if region in ("jiangyin", "yixing") else 0.70, 0.2,
               0.06 if higher else 0.08, 0.02 if higher else 0.0)
    return rng.choices(places, weights)[0]


def _graduates(rng: random.Random, school: Institution, major, cohort: int, quality: float,
               key: bytes, taken: set[str]) -> list[_Graduate]:
    bonus, in_field, pay = GROUPS.get(major_group(major.catalogue_code), OTHER_GROUP)
    higher = school.type == InstitutionType.HIGHER_VOCATIONAL
    further = FURTHER_STUDY.get(school.type, 0.2)
    base_pay = pay * (1.04 ** (cohort - 2015)) * (1.08 if higher else 1.0) * (1 + quality / 10)
    people = []
    for _n in range(rng.randint(*GRADUATES_PER_MAJOR)):
        number = _identity(rng, school.region.code, cohort, taken)
        people.append(_Graduate(
            person=pseudonym(number, key), major_id=major.pk,
            further_study=rng.random() < further,
            readiness=rng.random() - bonus - quality / 25,
            self_employed=rng.random() < 0.04,
            in_field=rng.random() < in_field + quality / 20,
            location=_location(rng, school.region.code, higher),
            contract=rng.random() < 0.9 + quality / 20,
            pay=base_pay * rng.lognormvariate(0, 0.18),
        ))
    return people


def _record(rng: random.Random, graduate: _Graduate, school_id: int, cohort: int, point: str,
            quality: float) -> GoodRow:
    studying = graduate.further_study and (point != "three_years" or rng.random() < 0.4)
    working = not studying and graduate.readiness < WORKING_BY[point]
    destination = ("further_study" if studying else "not_employed" if not working
                   else "self_employed" if graduate.self_employed else "employed")
    employee = destination == "employed"
    if point == "three_years" and working and rng.random() < 0.15:
        graduate.in_field = not graduate.in_field  # some change field in three years
    weights = [w + (quality * 6 if answer in (4, 3) else 0)
               for answer, w in zip(SATISFACTION, SATISFACTION_WEIGHTS, strict=True)]
    satisfaction = rng.choices(SATISFACTION, weights)[0] if point != "graduation" else None
    employer = (rng.choices(SATISFACTION, (40, 45, 8, 1, 6))[0]
                if employee and point in ("one_year", "three_years") and rng.random() < 0.5
                else None)
    pay = (Decimal(round(graduate.pay * PAY_RISE[point] / 50) * 50) if working else None)
    return GoodRow(0, school_id, graduate.major_id, cohort, point, graduate.person, destination,
                   graduate.in_field if working else None,
                   graduate.location if working else "", graduate.contract if employee else None,
                   pay, satisfaction, employer)


def graduates_write(*, program: Program, today: date) -> int:
    """Write the demo graduate records of the 2015–2019 cohorts of every active school with
    majors, at each tracking point reached on `today`; return how many were written.
    `program` is the demo's program (its schools are the institutions loaded with it)."""
    del program  # the records belong to the schools, whatever program they take part in
    done = set(GraduateRecord.objects.values_list("institution_id", "cohort", "point").distinct())
    key = pseudonym_key()
    taken: set[str] = set()
    rows: list[GoodRow] = []
    schools = (Institution.objects.filter(active=True).select_related("region")
               .prefetch_related("majors").order_by("code"))
    for school in schools:
        rng = random.Random(f"demo-graduates:{school.code}")
        quality = rng.uniform(-1, 1)
        majors = [m for m in school.majors.all() if m.active]
        for cohort in COHORTS:
            points = [p for p in POINTS if point_reached(cohort, p, today)
                      and (school.pk, cohort, p) not in done]
            people = [g for major in majors
                      for g in _graduates(rng, school, major, cohort, quality, key, taken)]
            for point in points:
                rows.extend(_record(rng, g, school.pk, cohort, point, quality) for g in people
                            if rng.random() < ANSWERS[point])
    records_insert(rows)
    return len(rows)
