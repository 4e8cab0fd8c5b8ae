"""The chapters read from the yearly data and evaluations (registered when their modules
exist): the 计分卡 and employment, the 资源表, exams and skill tests, the fit of majors and
industries. Assembled without files (assembly.build_content) and checked cell by cell against
figures worked out here by hand."""

from decimal import Decimal

import pytest
from django.utils import translation

from tests.factories import MajorFactory
from tests.reports.conftest import YEAR
from vetq.institutions.models import Industry
from vetq.reports.assembly import build_content
from vetq.reports.blocks import format_cell
from vetq.reports.models import QualityReport
from vetq.reports.sections import section
from vetq.surveys.models import (
    ExamResult,
    GraduateRecord,
    IndustryFigure,
    MajorIndustryWeight,
    SchoolResource,
)

pytestmark = pytest.mark.integration


def chapter(content: dict, code: str) -> dict:
    return next(c for c in content["chapters"] if c["code"] == code)


def tables(chapter_data: dict) -> list[dict]:
    return [b for b in chapter_data["blocks"] if b["type"] == "table"]


def cells(table: dict) -> list[list[str]]:
    """The rows as the reader sees them."""
    formats = [c["format"] for c in table["columns"]]
    return [[format_cell(v, f) for v, f in zip(row, formats, strict=True)]
            for row in table["rows"] + ([table["total"]] if table["total"] else [])]


def content_of(institution=None) -> dict:
    report, _ = QualityReport.objects.get_or_create(year=YEAR, institution=institution)
    with translation.override("zh-hans"):
        return build_content(report)


def zh(text: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(text)


@pytest.fixture
def graduates(funded, school, major, other_school):
    """Ten 2020 graduates of `school` half a year on (8 employed, 1 further study, 1 not
    employed; pay 4,000 × 4 and 5,000 × 4; satisfaction 4 × 6, 2 × 3, one cannot judge) and
    five of another school, all employed."""
    other_major = MajorFactory(institution=other_school)
    rows = []
    for n in range(10):
        destination = "employed" if n < 8 else ("further_study" if n == 8 else "not_employed")
        rows.append(GraduateRecord(
            institution=school, major=major, cohort=YEAR, point="half_year", person=f"p{n}",
            destination=destination, in_field=(n < 6) if n < 8 else None,
            location="local" if n < 8 else "", contract=True if n < 8 else None,
            starting_pay=Decimal(4000 if n < 4 else 5000) if n < 8 else None,
            satisfaction=(4 if n < 6 else 2) if n < 9 else None))
    rows += [GraduateRecord(institution=other_school, major=other_major, cohort=YEAR,
                            point="half_year", person=f"q{n}", destination="employed",
                            in_field=True, location="province", contract=True,
                            starting_pay=Decimal(6000), satisfaction=4) for n in range(5)]
    GraduateRecord.objects.bulk_create(rows)


def test_the_scorecard_of_a_school_beside_the_city(graduates, school):
    content = content_of(school)

    scorecard = cells(tables(chapter(content, "employment"))[0])
    assert [row[0] for row in scorecard] == [zh("Employment rate"), zh("Mean monthly income"),
                                             zh("Share self-employed"),
                                             zh("Share employed in the field studied"),
                                             zh("Satisfied with the school")]
    # Employment: 8 of the 9 needing work; the city: 13 of 14.
    assert scorecard[0][2:] == ["88.89", "92.86"]
    # Pay: (4 × 4,000 + 4 × 5,000) ÷ 8; the city adds 5 × 6,000.
    assert scorecard[1][2:] == ["4,500.00", "5,076.92"]
    # In the field: 6 of the 8 working. Satisfied (3 or 4): 6 of 9 answers.
    assert scorecard[3][2:] == ["75.00", "84.62"]
    assert scorecard[4][2:] == ["66.67", "78.57"]


def test_the_city_report_has_employment_by_region(graduates, school):
    content = content_of()

    by_region = cells(tables(chapter(content, "employment"))[1])
    assert by_region[0][:3] == ["梁溪区", "10", "88.9%"]
    assert by_region[1][:3] == ["宜兴市", "5", "100.0%"]


@pytest.fixture
def exams(funded, school, major, other_school):
    ExamResult.objects.create(institution=school, major=major, year=YEAR, kind="skill",
                              subject="数控车", candidates=40, passed=30, excellent=10)
    ExamResult.objects.create(institution=other_school, major=None, year=YEAR, kind="skill",
                              subject="数控车", candidates=60, passed=57, excellent=20)


def test_exam_rates_of_a_school_beside_the_city(exams, school):
    by_kind = cells(tables(chapter(content_of(school), "exams"))[0])

    # The school: 30 of 40 pass, 10 excellent; the city: 87 of 100, 30 excellent.
    assert by_kind[0][1:] == ["40", "30", "75.0%", "10", "25.0%", "87.0%", "30.0%"]


@pytest.fixture
def resources(funded, school, other_school):
    figures = {school: {"students": 1000, "teachers": 50, "dual_teacher_share": "80",
                        "equipment_value": "2000"},
               other_school: {"students": 500, "teachers": 50, "dual_teacher_share": "60",
                              "equipment_value": "500"}}
    SchoolResource.objects.bulk_create(
        SchoolResource(institution=s, year=YEAR, indicator=code, value=Decimal(str(value)))
        for s, values in figures.items() for code, value in values.items())


def test_the_resource_table_of_a_school_beside_all_schools(resources, school):
    table = cells(tables(chapter(content_of(school), "resources"))[0])
    rows = {row[0]: row for row in table}

    assert rows["生师比"][2:] == ["20", "15"]
    assert rows["双师素质专任教师比例"][2:] == ["80", "70"]
    # 2,000万元 ÷ 1,000 students; all schools: 2,500万元 ÷ 1,500.
    assert rows["生均教学仪器设备值"][2:] == ["20,000", "16,666.67"]


def test_the_city_resource_table_adds_the_schools_up(resources):
    content = content_of()
    rows = {row[0]: row for row in cells(tables(chapter(content, "resources"))[0])}

    assert rows["全日制在校生数"][2] == "1,500" and rows["专任教师数"][2] == "100"


def test_the_fit_of_majors_and_industries(funded, school, major):
    industries = list(Industry.objects.order_by("order")[:2])
    MajorIndustryWeight.objects.create(catalogue_code=major.catalogue_code,
                                       industry=industries[0], weight=1)
    for industry, output in zip(industries, (Decimal(300), Decimal(100)), strict=True):
        IndustryFigure.objects.create(industry=industry, year=YEAR, output_value=output,
                                      employment=1000)

    fit = chapter(content_of(school), "alignment")

    # All students in the first industry (p = 1, 0) against output shares q = 0.75, 0.25:
    # similarity 1 − ½(0.25 + 0.25) = 0.75.
    assert "0.750" in fit["blocks"][0]["text"]
    rows = {row[0].rstrip("★"): row for row in cells(tables(fit)[0])}
    assert rows[industries[0].name][1:4] == ["100.0%", "75.0%", "25.0%"]
    assert rows[industries[1].name][1:4] == ["0.0%", "25.0%", "-25.0%"]


def test_chapters_without_data_are_left_out(funded):
    content = content_of()
    codes = [c["code"] for c in content["chapters"]]

    # No graduates, resources, exams or evaluations; enrolment without industry figures: the
    # fit chapter says why it cannot be computed.
    assert codes == ["overview", "program_progress", "funding", "projects", "alignment"]
    assert [b["type"] for b in chapter(content, "alignment")["blocks"]] == ["paragraph"]
    assert all(section(code) is not None for code in ("employment", "resources", "exams",
                                                      "alignment", "evaluations"))
