"""Importing institutions and majors: all rows checked first, nothing written unless all good."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import InstitutionFactory, MajorFactory
from tests.institutions.sheets import INSTITUTION_HEADER, MAJOR_HEADER, xlsx_upload
from vetq.audit.models import AuditEntry
from vetq.core.excel import RowError
from vetq.institutions.imports import institutions_import, majors_import
from vetq.institutions.models import Institution, Major

pytestmark = pytest.mark.integration

GOOD_SCHOOL = ["4132010001", "无锡机电高等职业技术学校", "Wuxi M&E", "高职院校", "梁溪区", "市教育局"]


def _school(code="4132010002", name="无锡旅游商贸学校", kind="中等职业学校", region="宜兴市",
            department="市人社局"):
    return [code, name, "", kind, region, department]


def test_institutions_import_creates_every_good_row(bureau_user, regions):
    upload = xlsx_upload(INSTITUTION_HEADER, GOOD_SCHOOL, _school())
    result = institutions_import(file=upload, by=bureau_user)
    assert (result.ok, result.created, result.updated, result.unchanged) == (True, 2, 0, 0)
    first = Institution.objects.get(code="4132010001")
    assert (first.name, first.name_en, first.type, first.region.code) == (
        "无锡机电高等职业技术学校", "Wuxi M&E", "higher_vocational", "liangxi"
    )
    assert first.supervising_department.code == "education"
    second = Institution.objects.get(code="4132010002")
    assert (second.type, second.region.code, second.supervising_department.code) == (
        "secondary_vocational", "yixing", "human_resources"
    )
    entry = AuditEntry.objects.get(action="institutions.import")
    assert entry.actor == bureau_user
    assert entry.after == {
        "sheet": "institutions", "rows": 2, "created": 2, "updated": 0, "unchanged": 0
    }


def test_institutions_import_updates_by_code_and_accepts_codes_for_values(bureau_user, school):
    row = [school.code, "改名后的学校", "", "technical", "xinwu", "human_resources"]
    result = institutions_import(
        file=xlsx_upload(INSTITUTION_HEADER, row, GOOD_SCHOOL), by=bureau_user
    )
    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    school.refresh_from_db()
    assert (school.name, school.type, school.region.code) == ("改名后的学校", "technical", "xinwu")


def test_institutions_import_normalises_full_width_and_float_codes(bureau_user, regions):
    rows = [[4132010001.0, *GOOD_SCHOOL[1:]], _school(code="４１３２０１０００２")]
    result = institutions_import(file=xlsx_upload(INSTITUTION_HEADER, *rows), by=bureau_user)
    assert result.ok
    assert sorted(Institution.objects.values_list("code", flat=True)) == [
        "4132010001", "4132010002"
    ]


@pytest.mark.parametrize(
    ("bad_row", "error"),
    [
        (_school(kind="大学"), RowError(3, "学校类型", "Unknown institution type “大学”.")),
        (_school(region="北京"), RowError(3, "所属地区", "Unknown region “北京”.")),
        (_school(department="市体育局"), RowError(3, "主管部门", "Unknown department “市体育局”.")),
        (_school(name=""), RowError(3, "学校名称", "This column is required.")),
        (_school(code="4" * 21), RowError(3, "学校代码", "At most 20 characters.")),
        (_school(code="4132010001"), RowError(3, "学校代码", "Repeated in this file: also on row 2.")),
        (_school(name=GOOD_SCHOOL[1]), RowError(3, "学校名称", "Repeated in this file: also on row 2.")),
    ],
)
def test_institutions_import_reports_the_bad_row_and_writes_nothing(
    bureau_user, regions, bad_row, error
):
    result = institutions_import(
        file=xlsx_upload(INSTITUTION_HEADER, GOOD_SCHOOL, bad_row), by=bureau_user
    )
    assert (result.ok, result.errors) == (False, [error])
    assert Institution.objects.count() == 0
    assert AuditEntry.objects.filter(action="institutions.import").count() == 0


def test_institutions_import_refuses_a_name_another_school_holds(bureau_user, school):
    result = institutions_import(
        file=xlsx_upload(INSTITUTION_HEADER, _school(name=school.name.upper())), by=bureau_user
    )
    assert result.errors == [
        RowError(2, "学校名称", f"Institution {school.code} already has this name.")
    ]
    assert Institution.objects.count() == 1


def test_institutions_import_reports_every_bad_cell_of_a_row(bureau_user, regions):
    row = ["", "", "", "大学", "", "市教育局"]
    result = institutions_import(file=xlsx_upload(INSTITUTION_HEADER, row), by=bureau_user)
    assert result.errors == [
        RowError(2, "学校代码", "This column is required."),
        RowError(2, "学校名称", "This column is required."),
        RowError(2, "所属地区", "This column is required."),
        RowError(2, "学校类型", "Unknown institution type “大学”."),
    ]


def test_institutions_import_refuses_a_file_that_is_not_xlsx(bureau_user, regions):
    upload = SimpleUploadedFile("schools.xlsx", b"code,name\n1,a\n")
    result = institutions_import(file=upload, by=bureau_user)
    assert (result.ok, result.refused) == (False, "The file is not an Excel workbook (.xlsx).")
    assert Institution.objects.count() == 0


def test_institutions_import_refuses_a_school_user(school_user, school):
    with pytest.raises(PermissionDenied):
        institutions_import(file=xlsx_upload(INSTITUTION_HEADER, GOOD_SCHOOL), by=school_user)
    assert Institution.objects.count() == 1


def test_majors_import_creates_majors_with_industries_and_backbone(bureau_user, school):
    upload = xlsx_upload(
        MAJOR_HEADER,
        [school.code, 460104.0, "机电一体化技术", "新一代信息技术、high_end_equipment；电子商务", "是"],
        [school.code, "６６０１０１", "数控技术", "高端装备制造, 新材料", None],
        [school.code, "660102", "工业机器人技术", None, "y"],
    )
    result = majors_import(file=upload, by=bureau_user)
    assert (result.ok, result.created, result.updated) == (True, 3, 0)
    majors = {m.catalogue_code: m for m in Major.objects.prefetch_related("industries")}
    assert sorted(majors) == ["460104", "660101", "660102"]
    assert {i.code for i in majors["460104"].industries.all()} == {
        "next_gen_it", "high_end_equipment", "e_commerce"
    }
    assert {i.code for i in majors["660101"].industries.all()} == {
        "high_end_equipment", "new_materials"
    }
    assert [majors[c].is_backbone for c in ("460104", "660101", "660102")] == [True, False, True]
    assert AuditEntry.objects.get(action="institutions.import").after["sheet"] == "majors"


def test_majors_import_updates_by_school_and_catalogue_code(bureau_user, school):
    kept = MajorFactory(institution=school, catalogue_code="660101", name="数控技术")
    changed = MajorFactory(institution=school, catalogue_code="660102", name="旧名")
    upload = xlsx_upload(
        MAJOR_HEADER,
        [school.code, "660101", "数控技术", "", "否"],
        [school.code, "660102", "工业机器人技术", "新材料", "是"],
    )
    result = majors_import(file=upload, by=bureau_user)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    changed.refresh_from_db()
    assert (changed.name, changed.is_backbone) == ("工业机器人技术", True)
    assert [i.code for i in changed.industries.all()] == ["new_materials"]
    assert list(kept.industries.all()) == []


@pytest.mark.parametrize(
    ("bad_row", "error"),
    [
        (["9999", "660102", "数控技术", "", ""],
         RowError(3, "学校代码", "Unknown institution code “9999”.")),
        (["SCHOOL", "66A102", "数控技术", "", ""],
         RowError(3, "专业代码", "A catalogue code is 4 to 12 digits.")),
        (["SCHOOL", "660", "数控技术", "", ""],
         RowError(3, "专业代码", "A catalogue code is 4 to 12 digits.")),
        (["SCHOOL", "660102", "", "", ""], RowError(3, "专业名称", "This column is required.")),
        (["SCHOOL", "660102", "数控技术", "新材料；航天", ""],
         RowError(3, "服务产业", "Unknown industry: 航天.")),
        (["SCHOOL", "660102", "数控技术", "", "也许"],
         RowError(3, "骨干专业", "Write 是 or 否 (Y/N, 1/0 are also accepted).")),
        (["SCHOOL", "660101", "数控技术", "", ""],
         RowError(3, "专业代码", "Repeated in this file: also on row 2.")),
    ],
)
def test_majors_import_reports_the_bad_row_and_writes_nothing(bureau_user, school, bad_row, error):
    bad_row = [school.code if value == "SCHOOL" else value for value in bad_row]
    upload = xlsx_upload(MAJOR_HEADER, [school.code, "660101", "机电技术应用", "", ""], bad_row)
    result = majors_import(file=upload, by=bureau_user)
    assert (result.ok, result.errors) == (False, [error])
    assert Major.objects.count() == 0
    assert AuditEntry.objects.filter(action="institutions.import").count() == 0


def test_majors_import_keeps_existing_majors_when_a_row_is_bad(bureau_user, school):
    existing = MajorFactory(institution=school, catalogue_code="660101", name="数控技术")
    other = InstitutionFactory()
    upload = xlsx_upload(
        MAJOR_HEADER,
        [school.code, "660101", "新名字", "", ""],
        [other.code, "66", "数控技术", "", ""],
    )
    assert not majors_import(file=upload, by=bureau_user).ok
    existing.refresh_from_db()
    assert existing.name == "数控技术"
    assert Major.objects.count() == 1
