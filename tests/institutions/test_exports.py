"""Exports write the import's own format: they open in Excel and re-import unchanged."""

import pytest

from tests.factories import InstitutionFactory, MajorFactory
from tests.institutions.sheets import (
    INSTITUTION_HEADER,
    MAJOR_HEADER,
    sheet_values,
    upload_of,
    xlsx_upload,
)
from vetq.institutions.exports import (
    institutions_export,
    institutions_template,
    majors_export,
    majors_template,
)
from vetq.institutions.imports import institutions_import, majors_import
from vetq.institutions.models import Industry, Institution, Major

pytestmark = pytest.mark.integration


def test_institutions_export_has_a_row_per_institution(regions):
    InstitutionFactory(code="4132010002", name="乙校", type="technical", region=regions["yixing"])
    InstitutionFactory(code="4132010001", name="甲校", name_en="School A")
    assert sheet_values(institutions_export(Institution.objects.all())) == [
        tuple(INSTITUTION_HEADER),
        ("4132010001", "甲校", "School A", "中等职业学校", "梁溪区", "市教育局"),
        ("4132010002", "乙校", None, "技工院校", "宜兴市", "市教育局"),
    ]


def test_majors_export_lists_industries_and_backbone(school):
    major = MajorFactory(institution=school, catalogue_code="660101", name="数控技术",
                         is_backbone=True)
    major.industries.set(Industry.objects.filter(code__in=["new_materials", "next_gen_it"]))
    MajorFactory(institution=school, catalogue_code="460104", name="机电一体化技术")
    assert sheet_values(majors_export(Major.objects.all())) == [
        tuple(MAJOR_HEADER),
        (school.code, "460104", "机电一体化技术", None, "否"),
        (school.code, "660101", "数控技术", "新一代信息技术、新材料", "是"),
    ]


def test_export_reimports_unchanged(bureau_user, regions):
    upload = xlsx_upload(
        INSTITUTION_HEADER,
        ["4132010001", "无锡机电高等职业技术学校", "Wuxi M&E", "高职院校", "梁溪区", "市教育局"],
        ["4132010002", "无锡旅游商贸学校", "", "技工院校", "江阴市", "市人社局"],
    )
    assert institutions_import(file=upload, by=bureau_user).created == 2
    majors = xlsx_upload(
        MAJOR_HEADER,
        ["4132010001", "460104", "机电一体化技术", "高端装备制造、新材料", "是"],
        ["4132010002", "640101", "旅游管理", "", "否"],
    )
    assert majors_import(file=majors, by=bureau_user).created == 2
    # Text a spreadsheet would run as a formula survives the escape and its undoing.
    InstitutionFactory(code="4132010003", name="=无锡(公式)学校", name_en="-dash")

    again = institutions_import(
        file=upload_of(institutions_export(Institution.objects.all())), by=bureau_user
    )
    majors_again = majors_import(file=upload_of(majors_export(Major.objects.all())), by=bureau_user)

    assert (again.ok, again.created, again.updated, again.unchanged) == (True, 0, 0, 3)
    assert (majors_again.created, majors_again.updated, majors_again.unchanged) == (0, 0, 2)


def test_export_escapes_formula_injection(regions):
    InstitutionFactory(code="1", name="=HYPERLINK(\"http://evil\",\"点我\")", name_en="@SUM(1)")
    rows = sheet_values(institutions_export(Institution.objects.all()))
    assert rows[1][1:3] == ("'=HYPERLINK(\"http://evil\",\"点我\")", "'@SUM(1)")


def test_templates_hold_headers_and_the_values_each_column_takes(program):
    institutions = institutions_template()
    assert sheet_values(institutions) == [tuple(INSTITUTION_HEADER)]
    values = sheet_values(institutions, sheet=1)
    assert values[0] == ("学校类型", "所属地区", "主管部门")
    assert values[1] == ("高职院校", "梁溪区", "市教育局")
    assert sheet_values(majors_template()) == [tuple(MAJOR_HEADER)]
    assert sheet_values(majors_template(), sheet=1)[1:3] == [("新一代信息技术", "是"),
                                                             ("高端装备制造", "否")]
