"""The 资源表 ratios, checked against figures worked out by hand (no database)."""

from decimal import Decimal

import pytest

from vetq.surveys.resource_table import (
    INDICATOR_BY_CODE,
    figures_sum,
    per_student,
    resource_ratios,
    resource_table,
    student_teacher_ratio,
)

pytestmark = pytest.mark.unit
D = Decimal

# A school of 2,400 students and 180 teachers, money in 万元.
FIGURES = {"students": D(2400), "teachers": D(180), "dual_teacher_share": D("85.00"),
           "courses": D(260), "enterprise_courses": D(48), "equipment_value": D("6800.50"),
           "public_funding": D(9200), "floor_space": D(68000), "practice_stations": D(2600),
           "bandwidth": D(10000), "enterprise_equipment_value": D(520),
           "enterprise_teaching_hours": D(6400)}


def test_resource_ratios_by_hand():
    assert resource_ratios(FIGURES) == {
        "student_teacher_ratio": D("13.33"),  # 2400 ÷ 180 = 13.333…
        "practice_stations_per_student": D("1.08"),  # 2600 ÷ 2400 = 1.0833…
        "equipment_per_student": D("28335.42"),  # 6800.5 × 10000 ÷ 2400 = 28335.416…
        "enterprise_equipment_per_student": D("2166.67"),  # 520 × 10000 ÷ 2400
        "enterprise_hours_per_student": D("2.67"),  # 6400 ÷ 2400
        "funding_per_student": D("38333.33"),  # 9200 × 10000 ÷ 2400
        "floor_space_per_student": D("28.33"),  # 68000 ÷ 2400
    }


def test_ratios_without_students_or_teachers_cannot_be_computed():
    assert student_teacher_ratio(D(100), D(0)) is None
    assert student_teacher_ratio(None, D(5)) is None
    assert per_student(D(10), 0) is None
    assert per_student(None, 10) is None
    assert set(resource_ratios({"teachers": D(10)}).values()) == {None}


def test_resource_table_is_in_the_national_order_with_units():
    rows = resource_table(FIGURES)
    assert [(r.code, r.unit, r.value) for r in rows[:4]] == [
        ("student_teacher_ratio", ": 1", D("13.33")), ("dual_teacher_share", "%", D("85.00")),
        ("senior_teacher_share", "%", None), ("courses", "门", D(260))]
    assert rows[6].name == "生均教学仪器设备值"
    assert INDICATOR_BY_CODE["equipment_value"].header == "教学仪器设备资产总值（万元）"


def test_figures_sum_adds_counts_and_weighs_shares_by_teachers():
    school_a = {"students": D(1000), "teachers": D(100), "dual_teacher_share": D(80)}
    school_b = {"students": D(500), "teachers": D(50), "dual_teacher_share": D(50),
                "bandwidth": D(1000)}
    total = figures_sum([school_a, school_b])
    # (80 × 100 + 50 × 50) ÷ 150 = 70
    assert total == {"students": D(1500), "teachers": D(150),
                     "dual_teacher_share": D("70.00"), "bandwidth": D(1000)}
