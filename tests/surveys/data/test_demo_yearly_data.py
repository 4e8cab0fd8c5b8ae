"""The demo's yearly data (yearly_data_write) on the demo schools and majors: five years,
plausible and consistent, marked as demo figures, deterministic, added only once."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import F, Sum

from vetq.demo.institutions import institutions_write
from vetq.demo.plan import demo_plan
from vetq.demo.yearly_data import yearly_data_write
from vetq.institutions.models import Department, Industry, Region
from vetq.surveys.data_queries import DEMO_SOURCE
from vetq.surveys.models import (
    Enrolment,
    ExamResult,
    IndustryFigure,
    MajorIndustryWeight,
    SchoolResource,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def demo_schools(program):
    by_code = lambda model: {o.code: o for o in model.objects.all()}  # noqa: E731
    institutions_write(demo_plan().schools, regions=by_code(Region),
                       departments=by_code(Department), industries=by_code(Industry))


def _sorted(rows) -> list:
    return sorted(rows, key=lambda row: tuple("" if v is None else str(v) for v in row))


def snapshot() -> list:
    return [_sorted(Enrolment.objects.values_list("institution__code", "major__catalogue_code",
                                                 "year", "enrolled", "students", "graduates")),
            _sorted(SchoolResource.objects.values_list("institution__code", "year", "indicator",
                                                      "value")),
            _sorted(IndustryFigure.objects.values_list("region__code", "industry__code", "year",
                                                      "output_value", "employment")),
            _sorted(ExamResult.objects.values_list("institution__code", "subject", "year",
                                                  "candidates", "passed", "excellent"))]


def test_demo_yearly_data_is_complete_marked_and_written_once(demo_schools, program):
    result = yearly_data_write(program=program, today=date(2025, 3, 1))
    assert result == {"enrolments": 268 * 5, "resource_figures": 40 * 5 * 13,
                      "industry_figures": 17 * 8 * 5, "exam_results": result["exam_results"],
                      "mapping_weights": MajorIndustryWeight.objects.count()}
    assert result["exam_results"] > 500
    assert list(Enrolment.objects.order_by("year").values_list("year", flat=True).distinct()) == [
        2015, 2016, 2017, 2018, 2019]
    assert set(IndustryFigure.objects.values_list("source", flat=True)) == {DEMO_SOURCE}
    assert yearly_data_write(program=program, today=date(2025, 3, 1)) == dict.fromkeys(
        result, 0)


def test_demo_figures_hold_together(demo_schools, program):
    yearly_data_write(program=program, today=date(2025, 3, 1))
    assert not Enrolment.objects.filter(enrolled__gt=F("students")).exists()
    # A school's 全日制在校生数 is the sum of its majors' students on roll.
    enrolled = {(i, y): n for i, y, n in Enrolment.objects.values_list(
        "institution", "year").annotate(n=Sum("students"))}
    for school, year, value in SchoolResource.objects.filter(indicator="students")\
            .values_list("institution", "year", "value"):
        assert value == enrolled[(school, year)]
    # The city's figures are its regions' added up.
    for year in (2015, 2019):
        for industry in Industry.objects.all():
            rows = IndustryFigure.objects.filter(year=year, industry=industry)
            city = rows.get(region__isnull=True)
            regions = rows.filter(region__isnull=False).aggregate(
                output=Sum("output_value"), employment=Sum("employment"))
            assert (city.output_value, city.employment) == (regions["output"],
                                                            regions["employment"])
    city = IndustryFigure.objects.filter(region__isnull=True)
    total = lambda year: city.filter(year=year).aggregate(s=Sum("output_value"))["s"]  # noqa: E731
    assert total(2019) > total(2015) > Decimal(100_000_000)  # above 1 万亿 (in 万元), growing
    shares = SchoolResource.objects.filter(indicator="dual_teacher_share")
    assert shares.filter(value__gt=100).count() == 0


def test_some_industries_are_under_served_by_enrolment(demo_schools, program):
    yearly_data_write(program=program, today=date(2025, 3, 1))
    weights = {}
    for row in MajorIndustryWeight.objects.select_related("industry"):
        weights.setdefault(row.catalogue_code, []).append(row.industry.code)
    students = {}
    for code, count in Enrolment.objects.filter(year=2019).values_list(
            "major__catalogue_code", "students"):
        for industry in weights.get(code, []):
            students[industry] = students.get(industry, 0) + count / len(weights[code])
    output = dict(IndustryFigure.objects.filter(year=2019, region__isnull=True)
                  .values_list("industry__code", "output_value"))
    enrolment_share = {k: v / sum(students.values()) for k, v in students.items()}
    output_share = {k: float(v / sum(output.values())) for k, v in output.items()}
    for industry in ("biopharma", "new_materials", "energy_saving"):
        assert enrolment_share[industry] < output_share[industry] / 2
    for industry in ("e_commerce", "cultural_creative", "tourism_leisure"):
        assert enrolment_share[industry] > output_share[industry] * 2


def test_demo_yearly_data_is_the_same_on_every_run(demo_schools, program):
    yearly_data_write(program=program, today=date(2025, 3, 1))
    first = snapshot()
    for model in (Enrolment, SchoolResource, IndustryFigure, ExamResult):
        model.objects.all().delete()
    yearly_data_write(program=program, today=date(2025, 3, 1))
    assert snapshot() == first
