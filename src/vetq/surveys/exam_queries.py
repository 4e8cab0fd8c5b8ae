"""From the database to the exam and skill-test rates (R20): by school, region, major group
(the first two digits of the catalogue code) and year, each with the city's rate beside. The
arithmetic is surveys/exam_metrics.py.

`ExamData` reads the results of some years in three queries (the grouped sums, the regions,
the schools), however many schools there are.
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.db.models import Q, Sum
from django.utils.translation import gettext

from vetq.institutions.models import Institution, Region

from . import exam_metrics as metrics
from .exam_metrics import Counts, Rates
from .models import ExamKind, ExamResult


@dataclass(frozen=True)
class _Row:
    year: int
    school: int
    region: int
    group: str
    kind: str
    counts: Counts


@dataclass(frozen=True)
class ExamRates:
    """One year's rates (of one kind of exam, or both): the city's, and by region, school,
    major group and kind, each with the city's rate beside. For one school (`institution`),
    its major groups carry the city's rate of the same group beside."""

    year: int
    kind: str | None
    city: Rates
    regions: list[Rates]
    schools: list[Rates]
    groups: list[Rates]
    kinds: list[Rates]
    institution: Rates | None = None


@dataclass(frozen=True)
class TrendPoint:
    year: int
    city: Rates
    own: Rates | None  # the school's or region's, where the trend is of one


class ExamData:
    """The exam results of some years (all by default), of one kind or both."""

    def __init__(self, years: Iterable[int] | None = None, *, kind: str | None = None):
        if kind is not None and kind not in ExamKind.values:
            raise ValueError(f"unknown exam kind {kind!r}")
        self.kind = kind
        condition = Q() if years is None else Q(year__in=list(years))
        if kind is not None:
            condition &= Q(kind=kind)
        sums = (ExamResult.objects.filter(condition).order_by()
                .values_list("year", "institution_id", "institution__region_id",
                             "major__catalogue_code", "kind")
                .annotate(c=Sum("candidates"), p=Sum("passed"), e=Sum("excellent")))
        self.rows = [_Row(year, school, region, metrics.major_group(code), exam_kind,
                          Counts(c, p, e))
                     for year, school, region, code, exam_kind, c, p, e in sums]
        self.regions = {pk: (code, name) for pk, code, name in
                        Region.objects.values_list("pk", "code", "name")}
        self.region_order = list(self.regions)
        self.schools = {pk: (code, name, region) for pk, code, name, region in
                        Institution.objects.values_list("pk", "code", "name", "region_id")}

    @property
    def years(self) -> list[int]:
        return sorted({row.year for row in self.rows})

    def _of(self, year: int, schools: Collection[int] | None = None) -> list[_Row]:
        return [row for row in self.rows if row.year == year
                and (schools is None or row.school in schools)]

    def city(self, year: int) -> Counts:
        return metrics.total(row.counts for row in self._of(year))

    def rates_for(self, year: int, *, schools: Collection[int] | None = None,
                  regions: Collection[int] | None = None,
                  institution: int | None = None) -> ExamRates:
        """The year's rates. `schools` and `regions` (primary keys; None: all) limit the rows
        listed, never the city's figures; with `institution`, the major groups and kinds are
        that school's."""
        everything = self._of(year)
        city = metrics.total(row.counts for row in everything)
        city_rates = metrics.beside(None, gettext("Whole city"), city, city)
        by_school = metrics.grouped(((row.school, row.counts) for row in everything),
                                    key=lambda pk: pk)
        by_region = metrics.grouped(((row.region, row.counts) for row in everything),
                                    key=lambda pk: pk)
        city_groups = metrics.grouped(((row.group, row.counts) for row in everything),
                                      key=lambda group: group)
        city_kinds = metrics.grouped(((row.kind, row.counts) for row in everything),
                                     key=lambda kind: kind)
        listed_schools = [pk for pk in by_school if schools is None or pk in schools]
        listed_schools.sort(key=lambda pk: (self._region_rank(self.schools[pk][2]),
                                            self.schools[pk][0]))
        listed_regions = [pk for pk in self.region_order if pk in by_region
                          and (regions is None or pk in regions)]
        own = None
        if institution is not None:
            mine = [row for row in everything if row.school == institution]
            groups = metrics.grouped(((row.group, row.counts) for row in mine), key=lambda g: g)
            kinds = metrics.grouped(((row.kind, row.counts) for row in mine), key=lambda k: k)
            code, name, region = self.schools[institution]
            own = metrics.beside(code, name, metrics.total(r.counts for r in mine), city,
                                 note=self._region_name(region))
            group_rows = [metrics.beside(g, _group_label(g), counts, city_groups.get(g))
                          for g, counts in sorted(groups.items())]
            kind_rows = [metrics.beside(k, str(ExamKind(k).label), counts, city_kinds.get(k))
                         for k, counts in sorted(kinds.items())]
        else:
            group_rows = [metrics.beside(g, _group_label(g), counts, city)
                          for g, counts in sorted(city_groups.items())]
            kind_rows = [metrics.beside(k, str(ExamKind(k).label), counts, city)
                         for k, counts in sorted(city_kinds.items())]
        return ExamRates(
            year=year, kind=self.kind, city=city_rates,
            regions=[metrics.beside(self.regions[pk][0], self.regions[pk][1], by_region[pk], city)
                     for pk in listed_regions],
            schools=[metrics.beside(self.schools[pk][0], self.schools[pk][1], by_school[pk], city,
                                    note=self._region_name(self.schools[pk][2]))
                     for pk in listed_schools],
            groups=group_rows, kinds=kind_rows, institution=own,
        )

    def trend(self, *, school: int | None = None, region: int | None = None) -> list[TrendPoint]:
        """The city's rates each year, and a school's or region's beside."""
        points = []
        for year in self.years:
            rows = self._of(year)
            city = metrics.total(row.counts for row in rows)
            own = None
            if school is not None or region is not None:
                counts = metrics.total(row.counts for row in rows
                                       if (school is None or row.school == school)
                                       and (region is None or row.region == region))
                own = metrics.beside(school or region, "", counts, city)
            points.append(TrendPoint(year, metrics.beside(None, "", city, city), own))
        return points

    def _region_name(self, region: int) -> str:
        return self.regions[region][1] if region in self.regions else ""

    def _region_rank(self, region: int) -> int:
        return self.region_order.index(region) if region in self.region_order else 0


def _group_label(group: str) -> str:
    return metrics.major_group_label(group) if group else gettext("Whole school (no major)")


def exam_years() -> list[int]:
    """Years with exam results, newest first."""
    return sorted(set(ExamResult.objects.values_list("year", flat=True).distinct()),
                  reverse=True)


def exam_rates_for(year: int, institution: Institution | None = None, *,
                   kind: str | None = None) -> ExamRates:
    """The year's exam rates for the annual reports: the city's by region, school, major group
    and kind; or, given a school, that school's by major group and kind with the city's rates
    of the same group and kind beside."""
    data = ExamData([year], kind=kind)
    if institution is None:
        return data.rates_for(year)
    return data.rates_for(year, schools={institution.pk}, regions=(),
                          institution=institution.pk)
