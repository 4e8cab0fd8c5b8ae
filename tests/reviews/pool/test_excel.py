"""Importing and exporting the pool: every row checked first, nothing written unless all are
good, experts matched by code, and an export that re-imports unchanged."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import ExpertFactory
from tests.institutions.sheets import sheet_values, upload_of, xlsx_upload
from vetq.audit.models import AuditEntry
from vetq.core.excel import RowError
from vetq.institutions.models import Industry
from vetq.reviews.models import Employment, Expert
from vetq.reviews.pool_excel import experts_export, experts_import, experts_template

pytestmark = pytest.mark.integration

HEADER = ["专家编号", "姓名", "职称", "工作单位类型", "工作单位代码", "所在地区", "专长行业", "专业大类",
          "电话", "邮箱", "在库"]


@pytest.fixture
def rows(school, enterprise):
    return {
        "school": ["E0101", "赵敏", "教授", "学校", school.code, "", "新一代信息技术、high_end_equipment",
                   "51, 46", "0510-8888", "zhao@example.org", "是"],
        "enterprise": ["e0102", "钱进", "高级工程师", "企业", enterprise.credit_code, "宜兴市", "",
                       "", "", "", ""],
    }


def test_import_creates_every_good_row(bureau_user, rows, school, enterprise):
    result = experts_import(file=xlsx_upload(HEADER, rows["school"], rows["enterprise"]),
                            by=bureau_user)
    assert (result.ok, result.created, result.updated, result.unchanged) == (True, 2, 0, 0)
    zhao = Expert.objects.get(code="E0101")
    assert (zhao.name, zhao.title, zhao.employer, zhao.region.code, zhao.major_groups,
            zhao.phone, zhao.email, zhao.active) == (
        "赵敏", "教授", school, "liangxi", ["46", "51"], "0510-8888", "zhao@example.org", True)
    assert sorted(i.code for i in zhao.specialties.all()) == ["high_end_equipment", "next_gen_it"]
    qian = Expert.objects.get(code="E0102")
    assert (qian.employer, qian.region.code, qian.active) == (enterprise, "yixing", True)
    assert AuditEntry.objects.get(action="experts.import").after == {
        "rows": 2, "created": 2, "updated": 0, "unchanged": 0}
    assert AuditEntry.objects.filter(action="expert.create").count() == 2


def test_import_updates_by_code_and_records_a_new_employer(bureau_user, expert, enterprise, school):
    row = ["e0001", "王芳", "教授", "企业", enterprise.name, "", "", "46", "0510-1234567",
           "wang@example.org", "否"]
    result = experts_import(file=xlsx_upload(HEADER, row), by=bureau_user)
    assert (result.ok, result.created, result.updated, result.unchanged) == (True, 0, 1, 0)
    expert.refresh_from_db()
    assert (expert.title, expert.employer, expert.region.code, expert.active) == (
        "教授", enterprise, "xinwu", False)
    assert Employment.objects.get(expert=expert).institution == school


def test_import_of_the_same_rows_again_changes_nothing(bureau_user, rows):
    experts_import(file=xlsx_upload(HEADER, rows["school"], rows["enterprise"]), by=bureau_user)
    result = experts_import(file=xlsx_upload(HEADER, rows["school"], rows["enterprise"]),
                            by=bureau_user)
    assert (result.ok, result.created, result.updated, result.unchanged) == (True, 0, 0, 2)
    assert AuditEntry.objects.filter(action="expert.update").count() == 0


def test_import_reports_each_bad_row_and_writes_nothing(bureau_user, rows, school):
    bad = [
        ["E 9", "", "", "学院", school.code, "火星区", "造船", "4、abc", "", "nobody", "也许"],
        ["E0104", "孙丽", "", "学校", "9999999999", "", "", "", "", "", ""],
    ]
    result = experts_import(file=xlsx_upload(HEADER, rows["school"], *bad), by=bureau_user)
    assert not result.ok
    assert result.errors == [
        RowError(3, "姓名", "This column is required."),
        RowError(3, "专家编号",
                 "An expert code is 1 to 20 letters, digits, “-” or “_”, such as E0042."),
        RowError(3, "邮箱", "“nobody” is not an e-mail address."),
        RowError(3, "工作单位类型", "Write 学校 or 企业."),
        RowError(3, "所在地区", "Unknown region “火星区”."),
        RowError(3, "专长行业", "Unknown industry: 造船."),
        RowError(3, "专业大类", "A major group is a two-digit code of the catalogue, such as 46: "
                            "“4” is not."),
        RowError(3, "在库", "Write 是 or 否 (Y/N, 1/0 are also accepted)."),
        RowError(4, "工作单位代码", "Unknown school code “9999999999”."),
    ]
    assert not Expert.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="expert").exists()


def test_import_refuses_an_unknown_enterprise(bureau_user, rows):
    row = ["E0105", "周杰", "", "企业", "91320200NOTHERE000", "", "", "", "", "", ""]
    result = experts_import(file=xlsx_upload(HEADER, rows["school"], row), by=bureau_user)
    assert result.errors == [RowError(3, "工作单位代码", "Unknown enterprise “91320200NOTHERE000” "
                                                       "(write its credit code or name).")]
    assert not Expert.objects.exists()


def test_import_refuses_a_code_repeated_in_the_file(bureau_user, rows):
    repeat = ["E0101", "赵敏二", *rows["school"][2:]]
    result = experts_import(file=xlsx_upload(HEADER, rows["school"], rows["enterprise"], repeat),
                            by=bureau_user)
    assert result.errors == [RowError(4, "专家编号", "Repeated in this file: also on row 2.")]
    assert not Expert.objects.exists()


def test_import_refuses_a_value_too_long(bureau_user, rows):
    row = ["E0106", "名" * 61, *rows["school"][2:]]
    result = experts_import(file=xlsx_upload(HEADER, row), by=bureau_user)
    assert result.errors == [RowError(2, "姓名", "At most 60 characters.")]


def test_import_refuses_a_missing_column(bureau_user, rows):
    result = experts_import(file=xlsx_upload(HEADER[:4], rows["school"][:4]), by=bureau_user)
    assert result.refused == "No header row found; these columns are missing: 工作单位代码."


def test_import_refuses_a_file_that_is_not_a_workbook(bureau_user):
    upload = SimpleUploadedFile("experts.xlsx", "专家编号,姓名\nE1,张三\n".encode())
    result = experts_import(file=upload, by=bureau_user)
    assert (result.ok, result.refused) == (False, "The file is not an Excel workbook (.xlsx).")


def test_import_refuses_anyone_but_the_bureau(school_user, expert_user, rows):
    for user in (school_user, expert_user):
        with pytest.raises(PermissionDenied):
            experts_import(file=xlsx_upload(HEADER, rows["school"]), by=user)
    assert not Expert.objects.filter(code="E0101").exists()


def test_export_reimports_unchanged(bureau_user, expert, enterprise, regions):
    expert.specialties.set(Industry.objects.order_by("code")[:2])
    ExpertFactory(code="E0003", name="=HYPERLINK(\"x\")", employer_institution=None,
                  employer_enterprise=enterprise, active=False, major_groups=["51", "53"])
    content = experts_export(Expert.objects.all())
    values = sheet_values(content)
    assert values[0] == tuple(HEADER)
    industries = "、".join(Industry.objects.order_by("code")[:2].values_list("name", flat=True))
    assert values[1] == ("E0001", "王芳", "高级讲师", "学校", expert.employer_institution.code,
                         "梁溪区", industries, "46", "0510-1234567", "wang@example.org", "是")
    assert values[2] == ("E0003", "'=HYPERLINK(\"x\")", "高级讲师", "企业", "91320200MA1XXXXX01",
                         "新吴区", None, "51、53", None, None, "否")
    result = experts_import(file=upload_of(content), by=bureau_user)
    assert (result.ok, result.created, result.updated, result.unchanged) == (True, 0, 0, 2)
    assert Expert.objects.get(code="E0003").name == "=HYPERLINK(\"x\")"


def test_template_has_the_columns_and_the_values_sheet(program):
    content = experts_template()
    assert sheet_values(content)[0] == tuple(HEADER)
    listed = sheet_values(content, sheet=1)
    assert listed[0] == ("工作单位类型", "所在地区", "专长行业", "在库")
    assert listed[1][0] == "学校" and listed[2][0] == "企业"
    assert listed[1][3] == "是" and listed[2][3] == "否"
