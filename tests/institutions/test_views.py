"""Import and export pages: permissions, scoping, list filters, and query counts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import InstitutionFactory, MajorFactory
from tests.institutions.sheets import INSTITUTION_HEADER, MAJOR_HEADER, sheet_values, xlsx_upload
from vetq.institutions.models import Industry, Institution

pytestmark = pytest.mark.integration

GOOD_ROW = ["4132010001", "无锡机电高等职业技术学校", "", "高职院校", "梁溪区", "市教育局"]


def test_import_page_offers_upload_and_template(client, bureau_user):
    client.force_login(bureau_user)
    page = client.get(reverse("institutions:import")).content.decode()
    assert 'type="file"' in page
    assert reverse("institutions:import_template") in page
    template = client.get(reverse("institutions:import_template"))
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    assert sheet_values(template.content)[0] == tuple(INSTITUTION_HEADER)


def test_import_good_file_redirects_with_counts(client, bureau_user):
    client.force_login(bureau_user)
    upload = xlsx_upload(INSTITUTION_HEADER, GOOD_ROW)
    response = client.post(reverse("institutions:import"), {"file": upload}, follow=True)
    assert response.redirect_chain == [(reverse("institutions:list"), 302)]
    assert "Imported: 1 created, 0 updated, 0 unchanged." in response.content.decode()
    assert list(Institution.objects.values_list("code", flat=True)) == ["4132010001"]


def test_import_bad_file_shows_row_column_reason_and_writes_nothing(client, bureau_user):
    client.force_login(bureau_user)
    upload = xlsx_upload(INSTITUTION_HEADER, GOOD_ROW, [*GOOD_ROW[:4], "北京", "市教育局"])
    response = client.post(reverse("institutions:import"), {"file": upload})
    assert response.status_code == 200
    assert [(e.row, e.column, e.reason) for e in response.context["result"].errors] == [
        (3, "学校代码", "Repeated in this file: also on row 2."),
        (3, "学校名称", "Repeated in this file: also on row 2."),
        (3, "所属地区", "Unknown region “北京”."),
    ]
    assert "<td>所属地区</td><td>Unknown region “北京”.</td>" in response.content.decode()
    assert Institution.objects.count() == 0


def test_import_refuses_a_png_named_xlsx_with_a_message(client, bureau_user):
    client.force_login(bureau_user)
    png = SimpleUploadedFile("schools.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    response = client.post(reverse("institutions:import"), {"file": png})
    assert response.context["form"].errors == {
        "file": ["The file is not an Excel workbook (.xlsx)."]
    }
    assert Institution.objects.count() == 0


def test_majors_import_page_imports(client, bureau_user, school):
    client.force_login(bureau_user)
    upload = xlsx_upload(MAJOR_HEADER, [school.code, "660101", "数控技术", "新材料", "是"])
    response = client.post(reverse("institutions:majors_import"), {"file": upload})
    assert response.status_code == 302
    assert list(school.majors.values_list("catalogue_code", "is_backbone")) == [("660101", True)]


@pytest.mark.parametrize("name", ["institutions:import", "institutions:majors_import"])
def test_import_refused_for_a_school_user(client, school_user, school, name):
    client.force_login(school_user)
    assert client.get(reverse(name)).status_code == 403
    upload = xlsx_upload(INSTITUTION_HEADER, GOOD_ROW)
    assert client.post(reverse(name), {"file": upload}).status_code == 403
    assert list(Institution.objects.all()) == [school]
    assert client.get(reverse("institutions:import_template")).status_code == 403


def test_import_refused_for_a_region_officer(client, officer):
    client.force_login(officer)
    assert client.get(reverse("institutions:import")).status_code == 403


def _codes(response) -> list[str]:
    return [row[0] for row in sheet_values(response.content)[1:]]


def test_school_user_exports_only_its_own_school(client, school, other_school, school_user):
    MajorFactory(institution=school, catalogue_code="660101")
    MajorFactory(institution=other_school, catalogue_code="660102")
    client.force_login(school_user)
    assert _codes(client.get(reverse("institutions:export"))) == [school.code]
    assert _codes(client.get(reverse("institutions:majors_export"))) == [school.code]


def test_region_officer_exports_only_its_region(client, school, other_school, officer):
    MajorFactory(institution=school)
    MajorFactory(institution=other_school)
    client.force_login(officer)
    assert _codes(client.get(reverse("institutions:export"))) == [other_school.code]
    assert _codes(client.get(reverse("institutions:majors_export"))) == [other_school.code]


def test_export_honours_the_list_filters(client, bureau_user, school, other_school):
    technical = InstitutionFactory(type="technical", name="无锡技师学院")
    client.force_login(bureau_user)
    url = reverse("institutions:export")
    assert _codes(client.get(url, {"region": "yixing"})) == [other_school.code]
    assert _codes(client.get(url, {"type": "technical"})) == [technical.code]
    assert _codes(client.get(url, {"q": "技师"})) == [technical.code]
    assert sorted(_codes(client.get(url))) == sorted([school.code, other_school.code,
                                                      technical.code])


def test_list_shows_import_buttons_to_the_bureau_only(client, bureau_user, school_user):
    client.force_login(bureau_user)
    page = client.get(reverse("institutions:list"), {"region": "liangxi"}).content.decode()
    assert reverse("institutions:import") in page
    assert f'{reverse("institutions:export")}?region=liangxi' in page
    client.force_login(school_user)
    page = client.get(reverse("institutions:list")).content.decode()
    assert reverse("institutions:import") not in page
    assert reverse("institutions:export") in page


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["institutions:export", "institutions:majors_export"])
def test_export_query_count_does_not_grow_with_rows(client, bureau_user, program, name):
    industries = list(Industry.objects.all()[:2])

    def add_school():
        major = MajorFactory(institution=InstitutionFactory())
        major.industries.set(industries)

    client.force_login(bureau_user)
    add_school()
    at_one = _queries(client, reverse(name))
    for _ in range(19):
        add_school()
    at_twenty = _queries(client, reverse(name))
    assert len(_codes(client.get(reverse(name)))) == 20
    assert at_twenty == at_one
