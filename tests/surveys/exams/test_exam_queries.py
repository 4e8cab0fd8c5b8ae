"""R20: exam rates assembled from the database by region, school, major group, kind and year,
with the city's rates beside (hand-computed from conftest.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import InstitutionFactory
from vetq.surveys.exam_queries import ExamData, exam_rates_for, exam_years

from .conftest import result

pytestmark = pytest.mark.integration


def table(rows):
    return [(r.key, r.candidates, r.passed, r.excellent, r.pass_rate, r.city_pass_rate)
            for r in rows]


def test_city_regions_schools_groups_and_kinds(exams):
    rates = exam_rates_for(2019)
    assert (rates.city.candidates, rates.city.passed, rates.city.excellent) == (200, 171, 47)
    assert (rates.city.pass_rate, rates.city.excellent_rate) == (0.855, 0.235)
    assert table(rates.regions) == [("liangxi", 100, 81, 22, 0.81, 0.855),
                                    ("yixing", 100, 90, 25, 0.9, 0.855)]
    assert table(rates.schools) == [("X001", 40, 36, 10, 0.9, 0.855),
                                    ("Y002", 60, 45, 12, 0.75, 0.855),
                                    ("Z003", 100, 90, 25, 0.9, 0.855)]
    assert [r.note for r in rates.schools] == ["梁溪区", "梁溪区", "宜兴市"]
    assert table(rates.groups) == [("", 50, 50, 20, 1.0, 0.855),
                                   ("66", 90, 76, 15, 76 / 90, 0.855),
                                   ("73", 60, 45, 12, 0.75, 0.855)]
    assert [r.label for r in rates.groups][1:] == ["66 装备制造类", "73 财经商贸类"]
    assert table(rates.kinds) == [("academic", 150, 131, 42, 131 / 150, 0.855),
                                  ("skill", 50, 40, 5, 0.8, 0.855)]


def test_one_kind_only(exams):
    rates = exam_rates_for(2019, kind="skill")
    assert (rates.city.candidates, rates.city.pass_rate) == (50, 0.8)
    assert table(rates.schools) == [("Z003", 50, 40, 5, 0.8, 0.8)]


def test_one_school_beside_the_citys_same_group(exams):
    rates = exam_rates_for(2019, exams["x"])
    assert [r.key for r in rates.schools] == ["X001"] and rates.regions == []
    assert (rates.institution.key, rates.institution.pass_rate, rates.institution.city_pass_rate) \
        == ("X001", 0.9, 0.855)
    assert table(rates.groups) == [("66", 40, 36, 10, 0.9, 76 / 90)]
    assert table(rates.kinds) == [("academic", 40, 36, 10, 0.9, 131 / 150)]


def test_a_school_without_results_has_no_rate(exams, regions):
    quiet = InstitutionFactory(code="Q001", region=regions["binhu"])
    rates = exam_rates_for(2019, quiet)
    assert (rates.institution.candidates, rates.institution.pass_rate) == (0, None)
    assert rates.groups == []


def test_trend_of_the_city_and_a_school(exams):
    data = ExamData()
    assert exam_years() == [2019, 2018]
    points = data.trend(school=exams["y"].pk)
    assert [(p.year, p.city.pass_rate, p.own.pass_rate) for p in points] == \
        [(2018, 0.75, None), (2019, 0.855, 0.75)]
    assert [p.own for p in data.trend()] == [None, None]


def test_scoped_rows_never_change_the_citys_figures(exams):
    data = ExamData([2019])
    rates = data.rates_for(2019, schools={exams["z"].pk}, regions={exams["z"].region_id})
    assert table(rates.schools) == [("Z003", 100, 90, 25, 0.9, 0.855)]
    assert [r.key for r in rates.regions] == ["yixing"]
    assert rates.city.candidates == 200


def test_a_fixed_number_of_queries_however_many_schools(exams, regions):
    def count():
        with CaptureQueriesContext(connection) as queries:
            ExamData().rates_for(2019)
        return len(queries)

    few = count()
    for n in range(20):
        result(InstitutionFactory(code=f"N{n:03d}", region=regions["binhu"]), "710201",
               "skill", "编程", 10, 5, 1)
    assert count() == few
