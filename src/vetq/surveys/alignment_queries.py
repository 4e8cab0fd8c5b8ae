"""From the database to the alignment index (R32): the enrolment of the city, a region or a
school, split over the industries by the bureau's major–industry weights, against the
industry figures of the same year; the pure arithmetic is surveys/alignment.py.

Which industry figures a scope is compared with:
- the city: the whole-city rows (region empty) where the year has any, else the sum of the
  regions' rows;
- a region: its own rows where the year has any, else the city's;
- a school: its region's (as above).

`AlignmentData` reads everything some years need in a fixed number of queries (industries,
weights, enrolment, industry figures, regions, schools), however many schools there are; the
results of each scope, year and measure are then computed in memory.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Q
from django.utils.translation import gettext

from vetq.institutions.models import Industry, Institution, Region
from vetq.programs.policy.surveys_schema import SurveysSection
from vetq.programs.queries import current_program

from . import alignment
from .models import Enrolment, IndustryFigure, MajorIndustryWeight

MEASURES = ("output_value", "employment")
ENROLMENT_MEASURES = ("enrolled", "students", "graduates")


class Scope(StrEnum):
    CITY = "city"
    REGION = "region"
    SCHOOL = "school"


class Basis(StrEnum):
    """Where the industry figures of a result come from."""

    CITY = "city"  # the whole-city rows
    REGIONS_SUM = "regions_sum"  # the sum of the regions' rows (no whole-city rows that year)
    REGION = "region"  # the region's own rows
    CITY_FOR_REGION = "city_for_region"  # the region has none that year: the city's
    NONE = "none"  # no industry figures at all that year


class Problem(StrEnum):
    NO_ENROLMENT = "no_enrolment"  # no (mapped) students in the scope that year
    NO_INDUSTRY = "no_industry"  # no industry figures, or a zero total


def survey_rules(program=None) -> SurveysSection:
    """The `[surveys]` rules of the program (the current one by default), defaults filled in."""
    program = program if program is not None else current_program()
    policy = (program.policy or {}) if program is not None else {}
    return SurveysSection.model_validate(policy.get("surveys") or {})


@dataclass(frozen=True)
class UnmappedMajor:
    catalogue_code: str
    name: str
    students: int


@dataclass(frozen=True)
class ScopeAlignment:
    """The alignment of one scope (the city, a region or a school) in one year against one
    industry measure; `alignment` is None when `problem` says why nothing can be computed."""

    year: int
    scope: Scope
    code: str | None  # the region's or school's code; None for the city
    name: str
    measure: str  # output_value | employment
    enrolment_measure: str  # enrolled | students | graduates
    basis: Basis
    basis_region: str  # the region whose figures were used, if a region's
    students: int  # all students of the scope on the enrolment measure, mapped or not
    unmapped: tuple[UnmappedMajor, ...]
    alignment: alignment.Alignment | None
    problem: Problem | None
    local_target: float
    pillar_target: float
    region_name: str = ""  # a school's region

    @property
    def unmapped_students(self) -> int:
        return sum(major.students for major in self.unmapped)

    @property
    def meets_local_target(self) -> bool | None:
        if self.alignment is None:
            return None
        return self.alignment.coverage >= self.local_target - 1e-9

    @property
    def meets_pillar_target(self) -> bool | None:
        if self.alignment is None or self.alignment.pillar_coverage is None:
            return None
        return self.alignment.pillar_coverage >= self.pillar_target - 1e-9


class AlignmentData:
    """The inputs of the alignment index for some years (all years by default), read at once.

    `enrolment_measure` and `balanced_within` default to the policy's `[surveys]` rules."""

    def __init__(self, years: Iterable[int] | None = None, *, rules: SurveysSection | None = None,
                 enrolment_measure: str | None = None):
        self.rules = rules or survey_rules()
        self.enrolment_measure = enrolment_measure or self.rules.enrolment_measure
        if self.enrolment_measure not in ENROLMENT_MEASURES:
            raise ValueError(f"unknown enrolment measure {self.enrolment_measure!r}")
        year_filter = Q() if years is None else Q(year__in=list(years))
        industries = list(Industry.objects.order_by("order", "code").values_list(
            "code", "name", "is_pillar"))
        self.industry_codes = [code for code, _, _ in industries]
        self.labels = {code: name for code, name, _ in industries}
        self.pillars = frozenset(code for code, _, pillar in industries if pillar)
        self.weights: dict[str, dict[str, float]] = defaultdict(dict)
        for code, industry, weight in MajorIndustryWeight.objects.values_list(
                "catalogue_code", "industry__code", "weight"):
            self.weights[code][industry] = float(weight)
        self.regions = {pk: (code, name) for pk, code, name in
                        Region.objects.values_list("pk", "code", "name")}
        self.schools = {pk: (code, name, region) for pk, code, name, region in
                        Institution.objects.values_list("pk", "code", "name", "region_id")}
        # year → institution → [(catalogue code, major name, students)]
        self.enrolment: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
        for year, school, code, name, count in Enrolment.objects.filter(year_filter).values_list(
                "year", "institution_id", "major__catalogue_code", "major__name",
                self.enrolment_measure):
            self.enrolment[year][school].append((code, name, count))
        # year → measure → region id (None: the whole city) → {industry code: amount}
        self.figures: dict[int, dict[str, dict]] = defaultdict(
            lambda: {m: defaultdict(dict) for m in MEASURES})
        for year, region, code, output, employed in IndustryFigure.objects.filter(
                year_filter).values_list("year", "region_id", "industry__code", "output_value",
                                         "employment"):
            self.figures[year]["output_value"][region][code] = float(output)
            self.figures[year]["employment"][region][code] = float(employed)

    @property
    def years(self) -> list[int]:
        """Years with both enrolment and industry figures."""
        return sorted(set(self.enrolment) & set(self.figures))

    def region_pk(self, code: str) -> int:
        for pk, (region_code, _) in self.regions.items():
            if region_code == code:
                return pk
        raise LookupError(f"no region {code!r}")

    def school_pk(self, code: str) -> int:
        for pk, (school_code, _, _) in self.schools.items():
            if school_code == code:
                return pk
        raise LookupError(f"no school {code!r}")

    # --- industry vectors -------------------------------------------------------------

    def _city_vector(self, year: int, measure: str) -> tuple[dict, Basis]:
        rows = self.figures[year][measure] if year in self.figures else {}
        if rows.get(None):
            return dict(rows[None]), Basis.CITY
        total: dict[str, float] = {}
        for region, amounts in rows.items():
            if region is None:
                continue
            for code, amount in amounts.items():
                total[code] = total.get(code, 0.0) + amount
        return total, (Basis.REGIONS_SUM if total else Basis.NONE)

    def _region_vector(self, year: int, measure: str, region: int) -> tuple[dict, Basis]:
        rows = self.figures[year][measure] if year in self.figures else {}
        if rows.get(region):
            return dict(rows[region]), Basis.REGION
        amounts, basis = self._city_vector(year, measure)
        return amounts, (Basis.CITY_FOR_REGION if basis != Basis.NONE else Basis.NONE)

    # --- results ----------------------------------------------------------------------

    def _result(self, *, year: int, measure: str, scope: Scope, code: str | None, name: str,
                schools: Iterable[int], vector: tuple[dict, Basis], basis_region: str = "",
                region_name: str = "") -> ScopeAlignment:
        if measure not in MEASURES:
            raise ValueError(f"unknown industry measure {measure!r}")
        students: dict[str, int] = defaultdict(int)
        names: dict[str, str] = {}
        by_school = self.enrolment.get(year, {})
        for school in schools:
            for catalogue_code, major_name, count in by_school.get(school, ()):
                students[catalogue_code] += count
                names.setdefault(catalogue_code, major_name)
        split = alignment.enrolment_split(students, self.weights)
        unmapped = tuple(UnmappedMajor(c, names[c], n) for c, n in sorted(split.unmapped.items()))
        amounts, basis = vector
        industry = {key: amounts.get(key, 0.0) for key in self.industry_codes}
        for key, amount in amounts.items():  # an industry the policy no longer lists
            industry.setdefault(key, amount)
        result, problem = None, None
        try:
            result = alignment.align(split.by_industry, industry, pillars=self.pillars,
                                     labels=self.labels,
                                     balanced_within=float(self.rules.balanced_within))
        except alignment.ZeroTotal as zero:
            problem = Problem.NO_INDUSTRY if zero.side == "industry" else Problem.NO_ENROLMENT
        return ScopeAlignment(
            year=year, scope=scope, code=code, name=name, measure=measure,
            enrolment_measure=self.enrolment_measure,
            basis=basis,
            basis_region=basis_region if basis == Basis.REGION else "",
            students=sum(students.values()), unmapped=unmapped, alignment=result,
            problem=problem, local_target=float(self.rules.local_coverage_target),
            pillar_target=float(self.rules.pillar_coverage_target), region_name=region_name,
        )

    def city(self, year: int, measure: str) -> ScopeAlignment:
        return self._result(year=year, measure=measure, scope=Scope.CITY, code=None,
                            name=gettext("Whole city"),
                            schools=self.schools, vector=self._city_vector(year, measure))

    def region(self, year: int, measure: str, region: int) -> ScopeAlignment:
        code, name = self.regions[region]
        schools = [pk for pk, (_, _, r) in self.schools.items() if r == region]
        return self._result(year=year, measure=measure, scope=Scope.REGION, code=code,
                            name=name, schools=schools,
                            vector=self._region_vector(year, measure, region),
                            basis_region=name)

    def school(self, year: int, measure: str, school: int) -> ScopeAlignment:
        code, name, region = self.schools[school]
        region_name = self.regions[region][1]
        return self._result(year=year, measure=measure, scope=Scope.SCHOOL, code=code,
                            name=name, schools=[school],
                            vector=self._region_vector(year, measure, region),
                            basis_region=region_name, region_name=region_name)

    def scope(self, year: int, measure: str, scope: Scope | str,
              code: str | None = None) -> ScopeAlignment:
        if measure not in MEASURES:
            raise ValueError(f"unknown industry measure {measure!r}")
        scope = Scope(scope)
        if scope == Scope.CITY:
            return self.city(year, measure)
        if code is None:
            raise ValueError(f"a {scope} needs its code")
        if scope == Scope.REGION:
            return self.region(year, measure, self.region_pk(code))
        return self.school(year, measure, self.school_pk(code))

    def trend(self, measure: str, scope: Scope | str, code: str | None = None
              ) -> list[ScopeAlignment]:
        """The scope's result in every year with enrolment and industry figures."""
        return [self.scope(year, measure, scope, code) for year in self.years]

    def regions_of(self, year: int, measure: str, region_pks: Iterable[int]
                   ) -> list[ScopeAlignment]:
        """Regions with enrolment that year, in the policy's order."""
        present = {self.schools[pk][2] for pk in self.enrolment.get(year, {})}
        order = {pk: i for i, pk in enumerate(self.regions)}
        chosen = sorted((pk for pk in region_pks if pk in present), key=order.get)
        return [self.region(year, measure, pk) for pk in chosen]

    def schools_of(self, year: int, measure: str, school_pks: Iterable[int]
                   ) -> list[ScopeAlignment]:
        """Schools with enrolment that year, by region then code (as institutions list)."""
        present = self.enrolment.get(year, {})
        order = {pk: i for i, pk in enumerate(self.regions)}
        chosen = [pk for pk in school_pks if pk in present]
        chosen.sort(key=lambda pk: (order.get(self.schools[pk][2], 0), self.schools[pk][0]))
        return [self.school(year, measure, pk) for pk in chosen]


def alignment_years() -> list[int]:
    """Years with any enrolment or industry figures, newest first."""
    years = set(Enrolment.objects.values_list("year", flat=True).distinct())
    years |= set(IndustryFigure.objects.values_list("year", flat=True).distinct())
    return sorted(years, reverse=True)


def alignment_for(year: int, scope: Scope | str, code: str | None = None,
                  measure: str | None = None, *, rules: SurveysSection | None = None
                  ) -> ScopeAlignment:
    """The alignment of the city, a region (by code) or a school (by code) in one year, for
    the annual reports; `measure` defaults to the policy's first industry measure. Raises
    LookupError for an unknown region or school."""
    rules = rules or survey_rules()
    data = AlignmentData([year], rules=rules)
    return data.scope(year, measure or rules.industry_measures[0], scope, code)
