"""The demo's yearly data, 2015–2019 (R20, R32): enrolment of every major of the demo schools,
each school's resource figures, the industry structure of the city and its regions, exam and
skill-test results, and the major–industry mapping seeded from the majors' industries.

All made up, plausibly for Wuxi, and marked: every industry figure carries the source
DEMO_SOURCE ("demo data, not official statistics"), which makes the pages say so. The
numbers come from Randoms seeded per school and per industry, so every run gives the same
figures. Industry output is set so that some industries are under-served by enrolment
(biopharma, new materials, energy saving, textiles, rail transit) and some over-served
(e-commerce, tourism, cultural and creative, trade and logistics), so the alignment pages
have gaps to show. A second run adds nothing.
"""

import random
from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from vetq.institutions.models import Industry, Institution, Region
from vetq.surveys.data_mapping import mapping_seed_from_majors
from vetq.surveys.data_queries import DEMO_SOURCE
from vetq.surveys.models import Enrolment, ExamResult, IndustryFigure, SchoolResource

from .plan import SEED, demo_plan

YEARS = tuple(range(2015, 2020))
HIGHER, SECONDARY, TECHNICAL = "higher_vocational", "secondary_vocational", "technical"
CENT = Decimal("0.01")

# The city's output (亿元) and employment (persons) of each industry in 2015, and the yearly
# growth of each; the under- and over-served industries of the module docstring follow from
# these against the demo schools' majors.
INDUSTRIES: dict[str, tuple[int, int, float, float]] = {
    # code: (output 亿元, employed, output growth, employment growth)
    "next_gen_it": (2600, 260_000, 0.09, 0.04),
    "high_end_equipment": (3200, 420_000, 0.06, 0.01),
    "energy_saving": (1500, 140_000, 0.08, 0.03),
    "biopharma": (1100, 75_000, 0.11, 0.05),
    "new_energy_vehicles": (800, 70_000, 0.13, 0.08),
    "new_materials": (2000, 170_000, 0.05, 0.01),
    "textiles_apparel": (1500, 260_000, -0.01, -0.04),
    "rail_transit": (700, 45_000, 0.09, 0.06),
    "trade_logistics": (1100, 300_000, 0.06, 0.02),
    "service_outsourcing": (500, 90_000, 0.10, 0.06),
    "e_commerce": (260, 45_000, 0.15, 0.10),
    "financial_services": (700, 60_000, 0.07, 0.03),
    "cultural_creative": (200, 40_000, 0.08, 0.04),
    "tourism_leisure": (260, 90_000, 0.07, 0.03),
    "community_management": (80, 60_000, 0.05, 0.03),
    "elderly_care": (60, 40_000, 0.12, 0.09),
    "modern_agriculture": (250, 160_000, 0.03, -0.03),
}
# How the regions share the city's industry (relative sizes), and where an industry sits
# more than elsewhere.
REGION_SIZE = {"liangxi": 0.10, "xishan": 0.13, "huishan": 0.10, "binhu": 0.10, "xinwu": 0.17,
               "jiangyin": 0.25, "yixing": 0.15}
REGION_TILT = {
    "next_gen_it": {"xinwu": 2.5, "binhu": 1.3},
    "high_end_equipment": {"xishan": 1.3, "huishan": 1.3, "jiangyin": 1.3},
    "energy_saving": {"yixing": 2.0},
    "biopharma": {"xinwu": 1.5, "huishan": 1.3},
    "new_energy_vehicles": {"xishan": 1.8},
    "new_materials": {"jiangyin": 1.8, "yixing": 1.5},
    "textiles_apparel": {"jiangyin": 2.0},
    "rail_transit": {"huishan": 2.0, "xishan": 1.5},
    "trade_logistics": {"liangxi": 2.0},
    "service_outsourcing": {"xinwu": 2.0, "binhu": 1.5},
    "e_commerce": {"liangxi": 1.5},
    "financial_services": {"liangxi": 3.0, "binhu": 1.5},
    "cultural_creative": {"liangxi": 2.0, "binhu": 1.5},
    "tourism_leisure": {"binhu": 2.0, "yixing": 1.5, "liangxi": 1.5},
    "modern_agriculture": {"yixing": 2.0, "huishan": 1.5, "liangxi": 0.1, "xinwu": 0.3},
}
# New students of a major in 2015 by kind of school, and how enrolment of majors serving an
# industry moves each year.
INTAKE = {HIGHER: (80, 200), SECONDARY: (40, 150), TECHNICAL: (40, 120)}
INTAKE_TREND = {"new_energy_vehicles": 0.08, "elderly_care": 0.07, "next_gen_it": 0.04,
                "e_commerce": 0.05, "textiles_apparel": -0.06, "modern_agriculture": -0.05}
ACADEMIC_SUBJECTS = ("语文", "数学", "英语", "思想政治")


def _round(value: float) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _intakes(rng: random.Random, school_type: str, industries: list[str]) -> dict[int, int]:
    """New students of one major from 2012 (the cohort graduating in 2015) to 2019."""
    low, high = INTAKE[school_type]
    base = rng.randint(low, high)
    trend = sum(INTAKE_TREND.get(i, 0.0) for i in industries) / max(len(industries), 1)
    return {year: max(8, round(base * (1 + trend) ** (year - 2015) * rng.uniform(0.92, 1.08)))
            for year in range(YEARS[0] - 3, YEARS[-1] + 1)}


def _enrolments(schools: list[Institution], years: list[int], held: set) -> list[Enrolment]:
    rows = []
    for school in schools:
        rng = random.Random(f"{SEED}-enrolment-{school.code}")
        for major in sorted(school.majors.all(), key=lambda m: m.catalogue_code):
            intake = _intakes(rng, school.type, [i.code for i in major.industries.all()])
            for year in years:
                if (major.pk, year) in held:
                    continue
                students = round(intake[year] + intake[year - 1] * 0.97
                                 + intake[year - 2] * 0.95)
                graduates = round(intake[year - 3] * 0.94)
                rows.append(Enrolment(institution=school, major=major, year=year,
                                      enrolled=intake[year], students=students,
                                      graduates=graduates))
    return rows


def _resources(schools: list[Institution], years: list[int], students: dict,
               held: set) -> list[SchoolResource]:
    rows = []
    for school in schools:
        rng = random.Random(f"{SEED}-resources-{school.code}")
        ratio = rng.uniform(16, 22) if school.type == HIGHER else rng.uniform(13, 19)
        dual, senior = rng.uniform(52, 72), rng.uniform(18, 34)
        equipment, funding = rng.uniform(0.9, 1.5), rng.uniform(1.2, 2.0)  # 万元 per student
        floor, stations = rng.uniform(18, 30), rng.uniform(0.6, 1.1)
        bandwidth = rng.choice((1000, 2000, 5000))
        courses_per_major = rng.randint(24, 34)
        majors = school.majors.count()
        for step, year in enumerate(years):
            if (school.pk, year) in held or not students.get((school.pk, year)):
                continue
            count = students[(school.pk, year)]
            growth = 1.05 ** step
            courses = majors * courses_per_major + step * 3
            figures = {
                "students": count, "teachers": round(count / ratio),
                "dual_teacher_share": min(95.0, dual + 2.2 * step),
                "senior_teacher_share": min(45.0, senior + 0.8 * step),
                "courses": courses, "enterprise_courses": round(courses * (0.12 + 0.02 * step)),
                "equipment_value": count * equipment * growth,
                "public_funding": count * funding * 1.04 ** step,
                "floor_space": round(count * floor), "practice_stations": round(count * stations),
                "bandwidth": bandwidth * (2 if step >= 3 else 1),
                "enterprise_equipment_value": count * equipment * growth * rng.uniform(0.05, 0.12),
                "enterprise_teaching_hours": round(count * rng.uniform(1.0, 4.0)),
            }
            rows += [SchoolResource(institution=school, year=year, indicator=code,
                                    value=_round(value)) for code, value in figures.items()]
    return rows


def _industry(years: list[int], held: set) -> list[IndustryFigure]:
    regions = list(Region.objects.filter(code__in=REGION_SIZE))
    rows = []
    for industry in Industry.objects.filter(code__in=INDUSTRIES):
        output, employed, output_growth, employed_growth = INDUSTRIES[industry.code]
        rng = random.Random(f"{SEED}-industry-{industry.code}")
        tilt = REGION_TILT.get(industry.code, {})
        weights = {r.pk: REGION_SIZE[r.code] * tilt.get(r.code, 1.0) for r in regions}
        total_weight = sum(weights.values())
        for step, year in enumerate(years):
            city_output = output * 10_000 * (1 + output_growth) ** step  # 亿元 → 万元
            city_employed = employed * (1 + employed_growth) ** step
            sums = [Decimal(0), 0]
            for region in regions:
                share = weights[region.pk] / total_weight * rng.uniform(0.95, 1.05)
                value, people = _round(round(city_output * share)), round(city_employed * share)
                sums[0] += value
                sums[1] += people
                if (region.pk, industry.pk, year) not in held:
                    rows.append(IndustryFigure(region=region, industry=industry, year=year,
                                               output_value=value, employment=people,
                                               source=DEMO_SOURCE))
            if (None, industry.pk, year) not in held:
                rows.append(IndustryFigure(region=None, industry=industry, year=year,
                                           output_value=sums[0], employment=sums[1],
                                           source=DEMO_SOURCE))
    return rows


def _exams(schools: list[Institution], years: list[int], students: dict,
           held: set) -> list[ExamResult]:
    """学业水平考试 for the secondary schools' second-year students (whole school), 技能抽测
    of a sample of each major's students at secondary and technical schools."""
    rows = []
    for school in schools:
        if school.type == HIGHER:
            continue
        rng = random.Random(f"{SEED}-exams-{school.code}")
        quality = rng.uniform(-0.04, 0.03)
        for year in years:
            if (school.pk, year) in held or not students.get((school.pk, year)):
                continue
            if school.type == SECONDARY:
                candidates = round(students[(school.pk, year)] / 3)
                for subject in ACADEMIC_SUBJECTS:
                    passed = round(candidates * min(0.995, rng.uniform(0.88, 0.97) + quality))
                    rows.append(ExamResult(institution=school, year=year, kind="academic",
                                           subject=subject, candidates=candidates, passed=passed,
                                           excellent=round(passed * rng.uniform(0.15, 0.35))))
            for major in sorted(school.majors.all(), key=lambda m: m.catalogue_code):
                candidates = rng.randint(10, 40)
                passed = round(candidates * min(1.0, rng.uniform(0.82, 0.99) + quality))
                rows.append(ExamResult(institution=school, major=major, year=year, kind="skill",
                                       subject=f"{major.name}专业技能", candidates=candidates,
                                       passed=passed,
                                       excellent=round(passed * rng.uniform(0.1, 0.4))))
    return rows


def yearly_data_write(*, program, today: date) -> dict:
    """Write the demo's yearly data of 2015–2019 (the years up to `today`) that is not there
    yet, in bulk, and seed the mapping. Returns how many rows of each kind were added."""
    years = [year for year in YEARS if year <= today.year]
    codes = [school.code for school in demo_plan().schools]
    schools = list(Institution.objects.filter(code__in=codes).order_by("code")
                   .prefetch_related("majors__industries"))
    ids = [school.pk for school in schools]
    held_enrolment = set(Enrolment.objects.filter(institution_id__in=ids)
                         .values_list("major_id", "year"))
    enrolments = _enrolments(schools, years, held_enrolment)
    Enrolment.objects.bulk_create(enrolments, batch_size=2000)
    students: dict[tuple[int, int], int] = defaultdict(int)
    for institution, year, count in Enrolment.objects.filter(
            institution_id__in=ids, year__in=years).values_list("institution_id", "year",
                                                               "students"):
        students[(institution, year)] += count
    held_resources = set(SchoolResource.objects.filter(institution_id__in=ids)
                         .values_list("institution_id", "year"))
    resources = _resources(schools, years, students, held_resources)
    SchoolResource.objects.bulk_create(resources, batch_size=2000)
    held_figures = set(IndustryFigure.objects.values_list("region_id", "industry_id", "year"))
    figures = _industry(years, held_figures)
    IndustryFigure.objects.bulk_create(figures, batch_size=2000)
    held_exams = set(ExamResult.objects.filter(institution_id__in=ids)
                     .values_list("institution_id", "year"))
    exams = _exams(schools, years, students, held_exams)
    ExamResult.objects.bulk_create(exams, batch_size=2000)
    weights = mapping_seed_from_majors()
    return {"enrolments": len(enrolments), "resource_figures": len(resources),
            "industry_figures": len(figures), "exam_results": len(exams),
            "mapping_weights": weights}

