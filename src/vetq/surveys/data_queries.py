"""Reading yearly data for pages and the API, scoped: a school reads its own school's raw
figures, a region officer its region's schools', the bureau and department viewers every
school's (accounts/scoping.institution_filter); the industry structure and the mapping are
read by anyone with a role. Counts are grouped in the database, a few queries a page."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, QuerySet
from django.utils import timezone

from vetq.accounts import scoping
from vetq.institutions.models import Industry, Institution, Major, Region

from .imports import data_imports_for
from .imports_specs import CITY_WORDS
from .models import (
    DataImport,
    Dataset,
    Enrolment,
    ExamResult,
    GraduateRecord,
    IndustryFigure,
    MajorIndustryWeight,
    SchoolResource,
    YearLock,
)
from .resource_table import INDICATORS, TableRow, resource_table

# The `source` of every demo industry figure: pages show a "demo data, not official
# statistics" notice while any are held.
DEMO_SOURCE = "演示数据（非官方统计）"
SCHOOL_COLUMNS = (Dataset.ENROLMENT, Dataset.RESOURCES, Dataset.EXAMS, Dataset.GRADUATES)


def demo_figures_present() -> bool:
    """Whether the industry structure held is the demo's (made up, not official)."""
    return IndustryFigure.objects.filter(source=DEMO_SOURCE).exists()


def data_years(today: date | None = None) -> list[int]:
    """Years with any yearly data, and the current year, newest first."""
    today = today or timezone.localdate()
    years = {today.year}
    for model, name in ((Enrolment, "year"), (SchoolResource, "year"),
                        (IndustryFigure, "year"), (ExamResult, "year"),
                        (GraduateRecord, "cohort"), (YearLock, "year")):
        years |= set(model.objects.values_list(name, flat=True).distinct())
    return sorted(years, reverse=True)


def scoped(user, queryset: QuerySet) -> QuerySet:
    """A queryset of school-level rows narrowed to the schools the user may read."""
    condition = scoping.institution_filter(user)
    if condition is None:
        return queryset.none()
    if not condition:
        return queryset
    return queryset.filter(institution__in=Institution.objects.filter(condition))


def enrolments_for(user) -> QuerySet:
    return scoped(user, Enrolment.objects.select_related("institution", "major"))


def resources_for(user) -> QuerySet:
    return scoped(user, SchoolResource.objects.select_related("institution"))


def exams_for(user) -> QuerySet:
    return scoped(user, ExamResult.objects.select_related("institution", "major"))


def industry_figures() -> QuerySet:
    return IndustryFigure.objects.select_related("region", "industry")


@dataclass
class SchoolStatus:
    institution: Institution
    counts: dict[str, int] = field(default_factory=dict)  # dataset → rows held

    @property
    def cells(self) -> list[int]:
        """Rows held of each dataset, in SCHOOL_COLUMNS order."""
        return [self.counts.get(d, 0) for d in SCHOOL_COLUMNS]


@dataclass
class YearStatus:
    year: int
    schools: list[SchoolStatus]
    locks: dict[str, YearLock]
    industry: list[tuple[str, int]]  # (city or region name, industries with figures)
    submitted: dict[str, int]  # dataset → schools with rows
    last_imports: list[DataImport]


def year_status(user, year: int) -> YearStatus:
    """Which of the schools the user may read hold which data of `year`, the locks, and
    how complete the industry structure is (city and each region)."""
    schools = list(scoping.institutions_for(user).filter(active=True).select_related("region")
                   .order_by("region__order", "code"))
    ids = [s.pk for s in schools]
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for dataset, model, year_field in ((Dataset.ENROLMENT, Enrolment, "year"),
                                       (Dataset.RESOURCES, SchoolResource, "year"),
                                       (Dataset.EXAMS, ExamResult, "year"),
                                       (Dataset.GRADUATES, GraduateRecord, "cohort")):
        rows = (model.objects.filter(**{year_field: year}, institution_id__in=ids)
                .values_list("institution_id").annotate(n=Count("pk")))
        for school, n in rows:
            counts[school][dataset] = n
    statuses = [SchoolStatus(s, counts.get(s.pk, {})) for s in schools]
    submitted = {d: sum(1 for s in statuses if s.counts.get(d)) for d in SCHOOL_COLUMNS}
    held = dict(IndustryFigure.objects.filter(year=year).values_list("region_id")
                .annotate(n=Count("pk")))
    industry = [(CITY_WORDS[0], held.get(None, 0))] + [
        (region.name, held.get(region.pk, 0)) for region in Region.objects.all()]
    return YearStatus(
        year=year, schools=statuses,
        locks={lock.dataset: lock
               for lock in YearLock.objects.filter(year=year).select_related("locked_by")},
        industry=industry, submitted=submitted,
        last_imports=list(data_imports_for(user).filter(year=year)[:10]))


@dataclass
class SchoolYear:
    institution: Institution
    year: int
    enrolments: list[Enrolment]
    resources: list[TableRow]  # the 资源表 with its ratios
    figures: dict[str, object]  # indicator code → value as entered
    exams: list[ExamResult]


def school_year(institution: Institution, year: int) -> SchoolYear:
    """One school's raw figures of a year (the caller has checked the user may read them)."""
    figures = dict(SchoolResource.objects.filter(institution=institution, year=year)
                   .values_list("indicator", "value"))
    return SchoolYear(
        institution=institution, year=year,
        enrolments=list(Enrolment.objects.filter(institution=institution, year=year)
                        .select_related("major").order_by("major__catalogue_code")),
        resources=resource_table(figures) if figures else [],
        figures={i.code: figures.get(i.code) for i in INDICATORS},
        exams=list(ExamResult.objects.filter(institution=institution, year=year)
                   .select_related("major").order_by("kind", "major__catalogue_code",
                                                     "subject")),
    )


@dataclass
class IndustryRow:
    industry: Industry
    cells: list[IndustryFigure | None]  # the city's, then each region's


def industry_table(year: int) -> tuple[list[Region | None], list[IndustryRow]]:
    """The industry structure of a year: one row per industry, one column for the city and
    one per region."""
    regions: list[Region | None] = [None, *Region.objects.all()]
    held = {(f.region_id, f.industry_id): f for f in IndustryFigure.objects.filter(year=year)}
    rows = [IndustryRow(industry, [held.get((r.pk if r else None, industry.pk)) for r in regions])
            for industry in Industry.objects.all()]
    return regions, rows


@dataclass
class MappingRow:
    catalogue_code: str
    names: list[str]  # the names schools give the major, most common first
    schools: int
    weights: list[MajorIndustryWeight]


def mapping_rows(query: str = "") -> list[MappingRow]:
    """Every catalogue code that a school teaches or the mapping holds, with its weights."""
    names: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    schools: dict[str, set[int]] = defaultdict(set)
    for code, name, school in Major.objects.values_list("catalogue_code", "name",
                                                        "institution_id"):
        names[code][name] += 1
        schools[code].add(school)
    weights: dict[str, list[MajorIndustryWeight]] = defaultdict(list)
    for weight in MajorIndustryWeight.objects.select_related("industry").order_by(
            "catalogue_code", "industry__order", "industry__code"):
        weights[weight.catalogue_code].append(weight)
    rows = []
    for code in sorted(set(names) | set(weights)):
        ordered = sorted(names.get(code, {}).items(), key=lambda item: (-item[1], item[0]))
        row = MappingRow(code, [name for name, _ in ordered], len(schools.get(code, ())),
                         weights.get(code, []))
        if query and query not in code and not any(query in name for name in row.names):
            continue
        rows.append(row)
    return rows
