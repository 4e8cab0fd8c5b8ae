"""Excel imports of yearly data as people really make them (the issue's "Bad input"): each
messy case gives the right (row, column, reason), nothing is written at upload or check, and
the import writes only the good rows."""

import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.surveys.data.conftest import ENROLMENT_HEADER, YEAR, workbook_upload
from vetq.core.excel import RowError
from vetq.surveys.errors import SurveyRefused
from vetq.surveys.imports import data_import_check, data_import_confirm, data_import_upload
from vetq.surveys.models import (
    DataImport,
    Enrolment,
    ExamResult,
    IndustryFigure,
    SchoolResource,
)

pytestmark = pytest.mark.integration
COUNT_COLUMN_PERCENT = ("A number of people or things is expected here, not a percentage "
                        "(“85%”).")


def upload(user, file, dataset="enrolment", school=None):
    return data_import_upload(dataset=dataset, year=YEAR, file=file, by=user, institution=school)


def test_merged_two_row_header_is_read_and_nothing_written_until_import(
        school, school_user, majors):
    file = workbook_upload(
        ["学校代码", "专业代码", "学生数", None, None],
        [None, None, "招生数", "在校生数", "毕业生数"],
        [school.code, "660301", 120, 350, 110],
        [school.code, "710201", 80, 240, 70],
        merges=("A1:A2", "B1:B2", "C1:E1"),
    )
    data_import = upload(school_user, file, school=school)
    check = data_import_check(data_import)
    assert check.checked.errors == []
    assert [v["row"] for v in check.checked.good] == [3, 4]
    assert Enrolment.objects.count() == 0
    result = data_import_confirm(data_import=data_import, by=school_user)
    assert result.written == 2
    assert sorted(Enrolment.objects.values_list("major__catalogue_code", "enrolled", "students",
                                                "graduates")) == [
        ("660301", 120, 350, 110), ("710201", 80, 240, 70)]
    data_import.refresh_from_db()
    assert (data_import.rows_written, data_import.rows_refused) == (2, 0)


def test_full_width_digits_and_thousands_separators_are_numbers(school, school_user, majors):
    file = workbook_upload(ENROLMENT_HEADER, [school.code, "６６０３０１", "１２０", "1,350", "１１０"])
    check = data_import_check(upload(school_user, file, school=school))
    assert check.checked.errors == []
    assert check.checked.good[0]["enrolled"] == 120
    assert check.checked.good[0]["students"] == 1350


def test_a_percentage_in_a_count_column_is_a_row_error_and_only_good_rows_import(
        school, school_user, majors):
    file = workbook_upload(ENROLMENT_HEADER,
                           [school.code, "660301", "85%", 350, 110],
                           [school.code, "710201", 80, 240, 70])
    data_import = upload(school_user, file, school=school)
    check = data_import_check(data_import)
    assert check.checked.errors == [RowError(2, "招生数（人）", COUNT_COLUMN_PERCENT)]
    assert data_import.rows_refused == 1
    assert Enrolment.objects.count() == 0
    result = data_import_confirm(data_import=data_import, by=school_user)
    assert (result.written, result.checked.refused_rows) == (1, 1)
    assert list(Enrolment.objects.values_list("major__catalogue_code", flat=True)) == ["710201"]


def test_blank_rows_and_rows_without_figures_are_skipped_with_excel_row_numbers(
        school, school_user, majors):
    file = workbook_upload(
        ["无锡市职业学校招生情况统计表"],
        ENROLMENT_HEADER,
        [school.code, "660301", 120, 350, 110],
        [None, None, None, None, None],
        [school.code, "710201", None, None, None],
        [school.code, "710201", -5, 240, 70],
    )
    check = data_import_check(upload(school_user, file, school=school))
    assert check.checked.skipped == 1
    assert check.checked.errors == [RowError(6, "招生数（人）", "Cannot be negative.")]
    assert [v["row"] for v in check.checked.good] == [3]


def _with_cached_value(upload_file, cell: str, value: str) -> SimpleUploadedFile:
    """The workbook as Excel saves it: the formula in `cell` with its calculated value."""
    source = zipfile.ZipFile(io.BytesIO(upload_file.read()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rf'(<c r="{cell}"[^>]*><f>[^<]*</f>)<v\s*/?>(</v>)?'.encode(),
                              rf"\1<v>{value}</v>".encode(), data)
            target.writestr(item, data)
    return SimpleUploadedFile("data.xlsx", buffer.getvalue())


def test_formulas_read_their_calculated_value_and_an_uncalculated_one_is_an_error(
        school, school_user, majors):
    rows = (ENROLMENT_HEADER, [school.code, "660301", 120, "=C2*3", 110],
            [school.code, "710201", 80, "=C3*3", 70])
    calculated = _with_cached_value(workbook_upload(*rows), "D2", "360")
    check = data_import_check(upload(school_user, calculated, school=school))
    assert check.checked.errors == [RowError(
        3, "在校生数（人）", "This cell holds a formula Excel has not calculated; open the file "
        "in Excel or WPS, save it and upload it again.")]
    assert check.checked.good[0]["students"] == 360


def test_the_sheet_is_found_by_name_else_by_its_header_else_refused(school, school_user,
                                                                    majors):
    notes = ("说明", [["请在第二张表填写"], ["学校代码", "备注"]])
    by_name = workbook_upload(ENROLMENT_HEADER, [school.code, "660301", 1, 2, 0],
                              extra_sheets=[notes])
    assert data_import_check(upload(school_user, by_name, school=school)).sheet == "招生与在校生"
    by_header = workbook_upload(ENROLMENT_HEADER, [school.code, "660301", 1, 2, 0],
                                title="Sheet3", extra_sheets=[notes])
    assert data_import_check(upload(school_user, by_header, school=school)).sheet == "Sheet3"
    wrong = workbook_upload(["学校", "专业", "人数"], [school.code, "660301", 1], title="Sheet1")
    with pytest.raises(SurveyRefused) as refusal:
        upload(school_user, wrong, school=school)
    assert str(refusal.value) == (
        "The workbook has no sheet named “招生与在校生”, and no other sheet has its header row "
        "(专业代码、招生数（人）、在校生数（人）、毕业生数（人）).")
    assert DataImport.objects.count() == 2


def test_unknown_school_and_major_codes_and_another_schools_row(
        school, other_school, bureau_user, school_user, majors, other_major):
    file = workbook_upload(ENROLMENT_HEADER,
                           ["9999999999", "660301", 1, 2, 0],
                           [school.code, "123456", 1, 2, 0],
                           [other_school.code, "660301", 1, 2, 0],
                           ["", "660301", 1, 2, 0])
    check = data_import_check(upload(school_user, file, school=school))
    assert check.checked.errors == [
        RowError(2, "学校代码", "Unknown school code “9999999999”."),
        RowError(3, "专业代码", f"{school.name} has no major with the catalogue code “123456”."),
        RowError(4, "学校代码", f"This row is for another school ({other_school.name}); this "
                 f"import is for {school.name} only."),
    ]
    assert [v["major_id"] for v in check.checked.good] == [majors["660301"].pk]
    bureau_check = data_import_check(upload(bureau_user, file))
    assert [e.row for e in bureau_check.checked.errors] == [2, 3, 5]
    assert bureau_check.checked.errors[-1] == RowError(5, "学校代码", "This column is required.")


def test_a_school_cannot_import_for_another_school(school_user, other_school):
    file = workbook_upload(ENROLMENT_HEADER, [other_school.code, "660301", 1, 2, 0])
    with pytest.raises(SurveyRefused) as refusal:
        upload(school_user, file, school=other_school)
    assert str(refusal.value) == "You may enter only your own school's data."
    with pytest.raises(SurveyRefused):
        upload(school_user, file, dataset="industry")
    assert DataImport.objects.count() == 0


def test_counts_that_do_not_add_up_and_repeated_rows(school, school_user, majors):
    file = workbook_upload(ENROLMENT_HEADER,
                           [school.code, "660301", 400, 350, 110],
                           [school.code, "710201", 80, 240, 70],
                           [school.code, "710201", 80, 240, 70],
                           [school.code, "660301", 12.5, 350, 110, ])
    check = data_import_check(upload(school_user, file, school=school))
    assert check.checked.errors == [
        RowError(2, "招生数（人）", "New students (400) cannot be more than the students on roll "
                 "(350), who include them."),
        RowError(4, "专业代码", "Repeated in this file: also on row 3."),
        RowError(5, "专业代码", "Repeated in this file: also on row 2."),
        RowError(5, "招生数（人）", "A whole number is expected (“12.5”)."),
    ]


def test_a_year_column_must_match_the_year_imported(school, school_user, majors):
    file = workbook_upload([*ENROLMENT_HEADER, "年份"], [school.code, "660301", 1, 2, 0, 2018])
    check = data_import_check(upload(school_user, file, school=school))
    assert check.checked.errors == [
        RowError(2, "年份", "This row is for 2018, but the import is for 2019.")]


RESOURCE_HEADER = ["学校代码", "全日制在校生数", "专任教师数", "双师素质专任教师比例（%）",
                   "教学计划内课程总数", "其中：校企合作开发课程数"]


@pytest.mark.parametrize("share", ["85%", "0.85", "85", 0.85, "８５％"])
def test_a_percentage_column_accepts_85_percent_written_any_way(school, school_user, share):
    file = workbook_upload(RESOURCE_HEADER, [school.code, 2400, 180, share, 260, 48],
                           title="资源表")
    check = data_import_check(upload(school_user, file, dataset="resources", school=school))
    assert check.checked.errors == []
    assert check.checked.good[0]["figures"]["dual_teacher_share"] == Decimal("85.00")


def test_a_share_over_100_percent_and_a_part_above_its_whole_are_refused(school, school_user):
    file = workbook_upload(RESOURCE_HEADER, [school.code, 2400, 180, "120%", 260, 300],
                           [school.code, 2400, None, "85%", 260, 48], title="资源表")
    data_import = upload(school_user, file, dataset="resources", school=school)
    check = data_import_check(data_import)
    assert check.checked.errors == [
        RowError(2, "双师素质专任教师比例（%）", "A share cannot be more than 100% (“120%”)."),
        RowError(2, "其中：校企合作开发课程数",
                 "Cannot be more than 教学计划内课程总数（门） (260)."),
        RowError(3, "学校代码", "Repeated in this file: also on row 2."),
        RowError(3, "专任教师数", "This column is required."),
    ]
    with pytest.raises(SurveyRefused) as refusal:
        data_import_confirm(data_import=data_import, by=school_user)
    assert str(refusal.value) == ("No row of this file can be imported; correct the file and "
                                  "upload it again.")
    assert SchoolResource.objects.count() == 0


EXAM_HEADER = ["学校代码", "专业代码", "考试类别", "科目", "参考人数", "合格人数", "优秀人数"]


def test_exam_rows_passed_above_candidates_and_unknown_kind(school, school_user, majors):
    file = workbook_upload(EXAM_HEADER,
                           [school.code, "", "学业水平考试", "语文", 400, 380, 96],
                           [school.code, "660301", "技能抽测", "机电设备安装", 100, 120, 10],
                           [school.code, "660301", "期末考试", "数学", 100, 90, 95],
                           [school.code, "660301", "skill", "钳工", 100, 90, None],
                           title="考试与技能抽测")
    data_import = upload(school_user, file, dataset="exams", school=school)
    check = data_import_check(data_import)
    assert check.checked.errors == [
        RowError(3, "合格人数", "Passed (120) cannot be more than the candidates (100)."),
        RowError(4, "考试类别", "Write 学业水平考试 or 技能抽测."),
        RowError(4, "优秀人数", "Excellent (95) cannot be more than those who passed (90)."),
    ]
    data_import_confirm(data_import=data_import, by=school_user)
    assert sorted(ExamResult.objects.values_list("kind", "subject", "major__catalogue_code",
                                                 "excellent")) == [
        ("academic", "语文", None, 96), ("skill", "钳工", "660301", 0)]


INDUSTRY_HEADER = ["地区", "产业", "产值（万元）", "从业人数（人）", "数据来源"]


def test_industry_rows_by_region_and_city_with_a_zero_total_refused(bureau_user, regions):
    file = workbook_upload(INDUSTRY_HEADER,
                           ["全市", "高端装备制造", "12,500,000.5", "185000", "年鉴"],
                           ["", "新一代信息技术", 8000000, 90000],
                           ["江阴市", "高端装备制造", 0, 0],
                           ["江阴市", "新一代信息技术", 0, 0],
                           ["火星区", "新一代信息技术", 1, 1],
                           ["宜兴市", "量子计算", 1, 1],
                           title="产业结构")
    data_import = upload(bureau_user, file, dataset="industry")
    check = data_import_check(data_import)
    zero_output = ("The output values of 江阴市 add up to zero; the industry structure needs "
                   "at least one industry above zero.")
    zero_employment = ("The employed persons of 江阴市 add up to zero; the industry structure "
                       "needs at least one industry above zero.")
    assert check.checked.errors == [
        RowError(4, "产值（万元）", zero_output), RowError(4, "从业人数（人）", zero_employment),
        RowError(5, "产值（万元）", zero_output), RowError(5, "从业人数（人）", zero_employment),
        RowError(6, "地区", "Unknown region “火星区”; write a region's name, or 全市 (or leave it "
                 "blank) for the whole city."),
        RowError(7, "产业", "Unknown industry “量子计算”; write one of the program's industries."),
    ]
    data_import_confirm(data_import=data_import, by=bureau_user)
    assert sorted(IndustryFigure.objects.values_list("region", "industry__code", "output_value",
                                                     "source")) == [
        (None, "high_end_equipment", Decimal("12500000.50"), "年鉴"),
        (None, "next_gen_it", Decimal("8000000.00"), "")]


def test_reimporting_a_year_replaces_the_schools_rows_and_says_so_first(
        school, school_user, majors):
    for major in majors.values():
        Enrolment.objects.create(institution=school, major=major, year=YEAR, enrolled=1,
                                 students=2, graduates=0)
    Enrolment.objects.create(institution=school, major=majors["660301"], year=2018, enrolled=5,
                             students=9, graduates=1)
    file = workbook_upload(ENROLMENT_HEADER, [school.code, "660301", 10, 30, 8])
    data_import = upload(school_user, file, school=school)
    check = data_import_check(data_import)
    assert check.replaced == [(school.name, 2)]
    result = data_import_confirm(data_import=data_import, by=school_user)
    assert (result.written, result.replaced) == (1, 2)
    assert sorted(Enrolment.objects.values_list("year", "major__catalogue_code", "enrolled")) == [
        (2018, "660301", 5), (2019, "660301", 10)]
    with pytest.raises(SurveyRefused) as refusal:
        data_import_confirm(data_import=data_import, by=school_user)
    assert str(refusal.value) == "This file has already been imported."


def test_a_school_code_merged_down_its_rows_counts_for_each_row(bureau_user, school, majors):
    file = workbook_upload(ENROLMENT_HEADER,
                           [school.code, "660301", 120, 350, 110],
                           [None, "710201", 80, 240, 70],
                           merges=("A2:A3",))
    check = data_import_check(upload(bureau_user, file))
    assert check.checked.errors == []
    assert [v["institution_id"] for v in check.checked.good] == [school.pk, school.pk]


def test_the_named_sheet_without_its_header_names_the_missing_columns(school, school_user):
    file = workbook_upload(["学校代码", "专业代码", "招生数"], [school.code, "660301", 1])
    with pytest.raises(SurveyRefused) as refusal:
        upload(school_user, file, school=school)
    assert str(refusal.value) == ("No header row found; these columns are missing: "
                                  "在校生数（人）、毕业生数（人）.")
