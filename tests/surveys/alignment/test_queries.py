"""R32: the alignment inputs assembled from the database for the city, a region and a school,
against hand-computed results (the small city of conftest.py)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import InstitutionFactory
from vetq.programs.policy.surveys_schema import SurveysSection
from vetq.surveys.alignment import Status
from vetq.surveys.alignment_queries import (
    AlignmentData,
    Basis,
    Problem,
    Scope,
    alignment_for,
    alignment_years,
    survey_rules,
)

from .conftest import EQUIPMENT, IT, LOGISTICS, TOURISM, enrol

pytestmark = pytest.mark.integration


def shares(result, attribute="enrolment_share"):
    return {row.industry: round(getattr(row, attribute), 6)
            for row in result.alignment.rows if row.local or row.served}


def test_city_is_the_worked_example(city):
    result = alignment_for(2019, "city", measure="output_value")
    assert (result.scope, result.code, result.basis) == (Scope.CITY, None, Basis.CITY)
    assert (result.students, result.unmapped_students) == (550, 50)
    assert [(m.catalogue_code, m.name, m.students) for m in result.unmapped] == \
        [("750101", "工艺美术", 50)]
    assert shares(result) == {IT: 0.44, EQUIPMENT: 0.36, LOGISTICS: 0.2, TOURISM: 0.0}
    assert shares(result, "industry_share") == {IT: 0.4, EQUIPMENT: 0.24, LOGISTICS: 0.16,
                                                TOURISM: 0.2}
    a = result.alignment
    assert round(a.similarity, 6) == 0.8
    assert round(a.total_deviation, 6) == 0.4625
    assert round(a.pearson, 3) == 0.724
    assert (a.local_served, a.local_industries, a.pillar_served, a.pillar_industries) == \
        (3, 4, 2, 2)
    assert (result.meets_local_target, result.meets_pillar_target) == (False, True)
    # every policy industry has a row; those with neither students nor output are absent
    assert len(a.rows) == 17
    assert sum(1 for row in a.rows if row.status == Status.ABSENT) == 13


def test_city_against_employment(city):
    result = alignment_for(2019, "city", measure="employment")
    assert shares(result, "industry_share") == {IT: 0.2, EQUIPMENT: 0.5, LOGISTICS: 0.3}
    # S = 1 − ½ (0.24 + 0.14 + 0.10) = 0.76; tourism employs nobody: not local
    assert round(result.alignment.similarity, 6) == 0.76
    assert result.alignment.coverage == 1.0


def test_region_with_its_own_figures(city, regions):
    result = alignment_for(2019, "region", "liangxi", "output_value")
    assert (result.name, result.basis, result.basis_region) == ("梁溪区", Basis.REGION, "梁溪区")
    assert shares(result) == {IT: 0.375, EQUIPMENT: 0.375, LOGISTICS: 0.25}
    assert shares(result, "industry_share") == {IT: 0.6, EQUIPMENT: 0.2, LOGISTICS: 0.2}
    a = result.alignment
    # S = 1 − ½ (0.225 + 0.175 + 0.05); D = (0.375 + 0.875 + 0.25) ÷ 3
    assert (round(a.similarity, 6), round(a.total_deviation, 6)) == (0.775, 0.5)
    assert a.coverage == 1.0 and result.unmapped_students == 50


def test_region_without_figures_uses_the_citys(city):
    result = alignment_for(2019, "region", "yixing", "output_value")
    assert result.basis == Basis.CITY_FOR_REGION
    assert shares(result) == {IT: 0.7, EQUIPMENT: 0.3, LOGISTICS: 0.0, TOURISM: 0.0}
    a = result.alignment
    assert (round(a.similarity, 6), round(a.total_deviation, 6)) == (0.64, 0.75)
    assert (a.local_served, a.local_industries, a.coverage) == (2, 4, 0.5)


def test_school_is_compared_with_its_regions_figures(city):
    result = alignment_for(2019, "school", "B002", "output_value")
    assert (result.name, result.region_name, result.basis) == ("梁溪乙校", "梁溪区", Basis.REGION)
    a = result.alignment
    assert round(a.similarity, 6) == 0.2
    assert a.pearson == pytest.approx(-0.5)
    assert (a.local_served, a.local_industries, a.pillar_served) == (1, 3, 0)
    assert result.meets_pillar_target is False
    assert [row.industry for row in a.under_served] == [IT, EQUIPMENT]


def test_city_without_whole_city_rows_sums_the_regions(year_2020):
    result = alignment_for(2020, "city", measure="output_value")
    assert result.basis == Basis.REGIONS_SUM
    # IT 100 + 50, equipment 50 + 100 → q = ½, ½; only A's 100 IT students that year
    assert shares(result, "industry_share") == {IT: 0.5, EQUIPMENT: 0.5}
    assert round(result.alignment.similarity, 6) == 0.5


def test_no_industry_figures_is_reported_not_divided(city):
    enrol(city["a"], "710201", "计算机应用", 10, year=2018)
    result = alignment_for(2018, "city", measure="output_value")
    assert (result.alignment, result.problem, result.basis) == (None, Problem.NO_INDUSTRY,
                                                                Basis.NONE)
    assert result.students == 10


def test_no_mapped_students_is_reported(city):
    result = alignment_for(2019, "school", "B002", "output_value")
    assert result.alignment is not None
    only_unmapped = InstitutionFactory(code="D004", region=city["a"].region)
    enrol(only_unmapped, "750101", "工艺美术", 30)
    result = alignment_for(2019, "school", "D004", "output_value")
    assert (result.alignment, result.problem, result.unmapped_students) == \
        (None, Problem.NO_ENROLMENT, 30)


def test_enrolment_measure_comes_from_the_rules(city):
    # graduates: a quarter of the students, rounded down: A 25 + 50, B 25 (+12 unmapped), C 15 + 10
    rules = SurveysSection(enrolment_measure="graduates")
    result = alignment_for(2019, "city", measure="output_value", rules=rules)
    assert result.enrolment_measure == "graduates"
    assert result.students == 25 + 50 + 25 + 12 + 15 + 10
    assert result.unmapped_students == 12


def test_policy_rules_are_read_from_the_program(program):
    rules = survey_rules(program)
    assert (rules.local_coverage_target, rules.pillar_coverage_target) == (Decimal("0.8"),
                                                                           Decimal(1))
    assert rules.balanced_within == Decimal("0.01")
    assert rules.enrolment_measure == "students"
    assert rules.industry_measures == ["output_value", "employment"]


def test_unknown_codes_and_measures_are_refused(city):
    with pytest.raises(LookupError):
        alignment_for(2019, "region", "nowhere")
    with pytest.raises(LookupError):
        alignment_for(2019, "school", "X999")
    with pytest.raises(ValueError):
        alignment_for(2019, "city", measure="profit")


def test_trend_and_years(year_2020):
    assert alignment_years() == [2020, 2019]
    data = AlignmentData()
    trend = data.trend("output_value", "city")
    assert [(t.year, round(t.alignment.similarity, 6)) for t in trend] == [(2019, 0.8),
                                                                          (2020, 0.5)]


def test_a_fixed_number_of_queries_however_many_schools(city, regions):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            data = AlignmentData()
            data.city(2019, "output_value")
            data.regions_of(2019, "output_value", data.regions)
            data.schools_of(2019, "output_value", data.schools)
        return len(queries)

    few = count()
    for n in range(20):
        school = InstitutionFactory(code=f"Z{n:03d}", region=regions["binhu"])
        enrol(school, "710201", "计算机应用", 10 + n)
    assert count() == few
