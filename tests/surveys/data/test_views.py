"""The yearly data pages: status with its completeness table, the school page and its forms
(the same check as an import), the two-step import, scoping (another school's data: 404)."""

import io

import pytest
from openpyxl import load_workbook

from tests.factories import InstitutionFactory, MajorFactory
from tests.surveys.data.conftest import ENROLMENT_HEADER, YEAR, workbook_upload
from vetq.surveys.data import year_lock
from vetq.surveys.data_queries import DEMO_SOURCE
from vetq.surveys.models import (
    DataImport,
    Enrolment,
    ExamResult,
    IndustryFigure,
    SchoolResource,
)

pytestmark = pytest.mark.integration


def test_status_page_shows_who_entered_what_and_the_locks(client, bureau_user, school,
                                                          other_school, majors):
    Enrolment.objects.create(institution=school, major=majors["660301"], year=YEAR, enrolled=1,
                             students=2, graduates=0)
    year_lock(dataset="resources", year=YEAR, by=bureau_user)
    client.force_login(bureau_user)
    page = client.get(f"/data/yearly/{YEAR}/").content.decode()
    assert f'data-school="{school.code}"' in page and f'data-school="{other_school.code}"' in page
    assert "Of 2 schools: 1 entered enrolment, 0 resources" in page
    assert 'data-dataset="resources"' in page and "Unlock" in page
    assert "Demo data, not official statistics" not in page


def test_status_page_of_a_school_lists_only_itself(client, school_user, school, other_school):
    client.force_login(school_user)
    page = client.get(f"/data/yearly/{YEAR}/").content.decode()
    assert f'data-school="{school.code}"' in page
    assert f'data-school="{other_school.code}"' not in page
    assert "Unlock" not in page and 'action="/data/yearly/2019/lock/"' not in page


@pytest.mark.parametrize("schools", [1, 20])
def test_status_page_queries_do_not_grow_with_schools(client, bureau_user, regions, schools,
                                                      django_assert_max_num_queries):
    for _ in range(schools):
        school = InstitutionFactory(region=regions["binhu"])
        major = MajorFactory(institution=school)
        Enrolment.objects.create(institution=school, major=major, year=YEAR, enrolled=1,
                                 students=2, graduates=0)
    client.force_login(bureau_user)
    client.get(f"/data/yearly/{YEAR}/")
    with django_assert_max_num_queries(20):
        assert client.get(f"/data/yearly/{YEAR}/").status_code == 200


def test_demo_figures_show_the_notice(client, bureau_user, program):
    from vetq.institutions.models import Industry

    IndustryFigure.objects.create(industry=Industry.objects.first(), year=YEAR,
                                  output_value=1, employment=1, source=DEMO_SOURCE)
    client.force_login(bureau_user)
    for url in (f"/data/yearly/{YEAR}/", f"/data/yearly/industry/{YEAR}/"):
        assert "Demo data, not official statistics" in client.get(url).content.decode()


def test_another_schools_raw_data_is_not_found(client, school_user, other_school, officer,
                                               school):
    client.force_login(school_user)
    for suffix in ("", "enrolment/", "resources/", "exams/"):
        assert client.get(f"/data/yearly/schools/{other_school.pk}/{YEAR}/{suffix}").status_code \
            == 404
    assert client.get(f"/data/yearly/schools/{school.pk}/{YEAR}/").status_code == 200
    client.force_login(officer)  # Liangxi's officer: its own region's school only
    assert client.get(f"/data/yearly/schools/{other_school.pk}/{YEAR}/").status_code == 404
    assert client.get(f"/data/yearly/schools/{school.pk}/{YEAR}/").status_code == 200
    assert client.get(f"/data/yearly/schools/{school.pk}/{YEAR}/enrolment/").status_code == 403


def test_enrolment_form_reshows_what_was_typed_with_the_imports_errors(client, school_user,
                                                                       school, majors):
    client.force_login(school_user)
    m1, m2 = majors["660301"].pk, majors["710201"].pk
    page = client.get(f"/data/yearly/schools/{school.pk}/{YEAR}/enrolment/").content.decode()
    assert "机电技术应用（660301）" in page and f'name="m{m1}-enrolled"' in page
    response = client.post(f"/data/yearly/schools/{school.pk}/{YEAR}/enrolment/", {
        f"m{m1}-enrolled": "85%", f"m{m1}-students": "350", f"m{m1}-graduates": "110",
        f"m{m2}-enrolled": "", f"m{m2}-students": "", f"m{m2}-graduates": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert "A number of people or things is expected here, not a percentage" in page
    assert 'value="85%"' in page and 'value="350"' in page
    assert not Enrolment.objects.exists()
    response = client.post(f"/data/yearly/schools/{school.pk}/{YEAR}/enrolment/", {
        f"m{m1}-enrolled": "１２０", f"m{m1}-students": "350", f"m{m1}-graduates": "110"})
    assert response.status_code == 302
    assert list(Enrolment.objects.values_list("major_id", "enrolled")) == [(m1, 120)]


def test_resources_form_reads_shares_and_shows_the_ratios(client, school_user, school):
    client.force_login(school_user)
    url = f"/data/yearly/schools/{school.pk}/{YEAR}/resources/"
    response = client.post(url, {"students": "2400", "teachers": "180",
                                 "dual_teacher_share": "0.85", "equipment_value": "6800.5"})
    assert response.status_code == 302
    assert dict(SchoolResource.objects.values_list("indicator", "value")) == {
        "students": 2400, "teachers": 180, "dual_teacher_share": 85,
        "equipment_value": 6800.5}
    page = client.get(f"/data/yearly/schools/{school.pk}/{YEAR}/").content.decode()
    assert "生均教学仪器设备值" in page and "28335.42" in page and "13.33" in page


def test_exams_form_adds_and_removes_lines(client, school_user, school, majors):
    ExamResult.objects.create(institution=school, year=YEAR, kind="academic", subject="语文",
                              candidates=10, passed=9, excellent=1)
    client.force_login(school_user)
    url = f"/data/yearly/schools/{school.pk}/{YEAR}/exams/"
    assert 'value="语文"' in client.get(url).content.decode()
    response = client.post(url, {
        "lines": "2",
        "1-kind": "", "1-catalogue_code": "", "1-subject": "", "1-candidates": "",
        "1-passed": "", "1-excellent": "",
        "2-kind": "技能抽测", "2-catalogue_code": "660301", "2-subject": "钳工",
        "2-candidates": "20", "2-passed": "25", "2-excellent": "1"})
    assert "Passed (25) cannot be more than the candidates (20)." in response.content.decode()
    response = client.post(url, {
        "lines": "1", "1-kind": "技能抽测", "1-catalogue_code": "660301", "1-subject": "钳工",
        "1-candidates": "20", "1-passed": "18", "1-excellent": "2"})
    assert response.status_code == 302
    assert list(ExamResult.objects.values_list("kind", "subject", "major__catalogue_code")) == [
        ("skill", "钳工", "660301")]


def test_a_locked_year_shows_the_form_refusal_and_saves_nothing(client, bureau_user,
                                                                school_user, school, majors):
    year_lock(dataset="enrolment", year=YEAR, by=bureau_user)
    client.force_login(school_user)
    m1 = majors["660301"].pk
    response = client.post(f"/data/yearly/schools/{school.pk}/{YEAR}/enrolment/", {
        f"m{m1}-enrolled": "1", f"m{m1}-students": "2", f"m{m1}-graduates": "0"})
    assert "are locked: the education bureau has checked them" in response.content.decode()
    assert not Enrolment.objects.exists()


def test_industry_form_of_a_region_for_the_bureau_only(client, bureau_user, school_user,
                                                       regions):
    from vetq.institutions.models import Industry

    client.force_login(school_user)
    assert client.get(f"/data/yearly/industry/{YEAR}/edit/").status_code == 403
    client.force_login(bureau_user)
    it = Industry.objects.get(code="next_gen_it")
    response = client.post(f"/data/yearly/industry/{YEAR}/edit/?region=jiangyin", {
        f"i{it.pk}-output_value": "1,200.5", f"i{it.pk}-employment": "300",
        f"i{it.pk}-source": "年鉴"})
    assert response.status_code == 302
    figure = IndustryFigure.objects.get()
    assert (figure.region.code, figure.output_value, figure.employment) == ("jiangyin", 1200.5,
                                                                          300)
    page = client.get(f"/data/yearly/industry/{YEAR}/").content.decode()
    assert "1200.5" in page


def test_import_pages_upload_check_then_import(client, school_user, school, majors):
    client.force_login(school_user)
    page = client.get("/data/yearly/import/enrolment/").content.decode()
    assert "招生数（人）" in page and 'name="school"' not in page
    file = workbook_upload(ENROLMENT_HEADER, [school.code, "660301", "85%", 350, 110],
                           [school.code, "710201", 80, 240, 70])
    response = client.post("/data/yearly/import/enrolment/", {"year": YEAR, "file": file})
    data_import = DataImport.objects.get()
    assert response.url == f"/data/yearly/imports/{data_import.pk}/"
    assert data_import.institution == school and data_import.file is not None
    page = client.get(response.url).content.decode()
    assert 'id="import-errors"' in page and "Import the 1 good row" in page
    assert not Enrolment.objects.exists()
    response = client.post(f"/data/yearly/imports/{data_import.pk}/import/")
    assert response.status_code == 302
    assert Enrolment.objects.count() == 1
    assert 'id="imported"' in client.get(f"/data/yearly/imports/{data_import.pk}/")\
        .content.decode()


def test_import_page_shows_an_unreadable_file_and_keeps_nothing(client, school_user, school):
    client.force_login(school_user)
    file = workbook_upload(["学校", "人数"], ["x", 1], title="Sheet1")
    response = client.post("/data/yearly/import/enrolment/", {"year": YEAR, "file": file})
    assert response.status_code == 200
    assert "no other sheet has its header row" in response.content.decode()
    assert not DataImport.objects.exists()


def test_an_upload_is_reachable_by_its_uploader_and_the_bureau_only(
        client, school_user, other_school_user, bureau_user, school, majors):
    client.force_login(school_user)
    file = workbook_upload(ENROLMENT_HEADER, [school.code, "660301", 1, 2, 0])
    client.post("/data/yearly/import/enrolment/", {"year": YEAR, "file": file})
    pk = DataImport.objects.get().pk
    client.force_login(other_school_user)
    assert client.get(f"/data/yearly/imports/{pk}/").status_code == 404
    assert client.get(f"/data/yearly/imports/{pk}/file/").status_code == 404
    assert client.post(f"/data/yearly/imports/{pk}/import/").status_code == 404
    client.force_login(bureau_user)
    page = client.get(f"/data/yearly/imports/{pk}/").content.decode()
    assert "Import 1 row" not in page  # only the uploader imports
    assert client.get(f"/data/yearly/imports/{pk}/file/").status_code == 200
    assert not Enrolment.objects.exists()


def test_template_round_trip_download_fill_import(client, school_user, school, majors):
    Enrolment.objects.create(institution=school, major=majors["710201"], year=YEAR, enrolled=7,
                             students=20, graduates=5)
    client.force_login(school_user)
    response = client.get(f"/data/yearly/template/enrolment.xlsx?year={YEAR}")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["招生与在校生", "填写说明", "可选值"]
    sheet = workbook["招生与在校生"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["学校代码", "学校名称", "专业代码", "专业名称", "招生数（人）", "在校生数（人）",
                       "毕业生数（人）", "年份"]
    assert rows[1:] == [[school.code, school.name, "660301", "机电技术应用", None, None, None, YEAR],
                        [school.code, school.name, "710201", "计算机应用", 7, 20, 5, YEAR]]
    assert any(v.sqref and "C2" in str(v.sqref) for v in sheet.data_validations.dataValidation)
    sheet["E2"], sheet["F2"], sheet["G2"] = 120, 350, 110
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.name = "filled.xlsx"
    from django.core.files.uploadedfile import SimpleUploadedFile

    file = SimpleUploadedFile("filled.xlsx", buffer.getvalue())
    response = client.post("/data/yearly/import/enrolment/", {"year": YEAR, "file": file})
    client.post(f"{response.url}import/")
    assert sorted(Enrolment.objects.values_list("major__catalogue_code", "enrolled",
                                                "students", "graduates")) == [
        ("660301", 120, 350, 110), ("710201", 7, 20, 5)]


def test_resource_template_keeps_small_shares_as_percentages(client, school_user, school):
    SchoolResource.objects.create(institution=school, year=YEAR, indicator="students", value=100)
    SchoolResource.objects.create(institution=school, year=YEAR, indicator="teachers", value=10)
    SchoolResource.objects.create(institution=school, year=YEAR,
                                  indicator="senior_teacher_share", value=1)
    client.force_login(school_user)
    content = client.get(f"/data/yearly/template/resources.xlsx?year={YEAR}").content
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post("/data/yearly/import/resources/",
                           {"year": YEAR, "file": SimpleUploadedFile("r.xlsx", content)})
    client.post(f"{response.url}import/")
    assert SchoolResource.objects.get(indicator="senior_teacher_share").value == 1


def test_templates_are_for_those_who_may_enter_and_their_schools(client, school_user,
                                                                 other_school, officer):
    client.force_login(school_user)
    assert client.get("/data/yearly/template/industry.xlsx").status_code == 403
    assert client.get(f"/data/yearly/template/enrolment.xlsx?school={other_school.pk}")\
        .status_code == 404
    assert client.get("/data/yearly/template/graduates.xlsx").status_code == 404
    client.force_login(officer)
    assert client.get("/data/yearly/template/enrolment.xlsx").status_code == 403
    assert client.get("/data/yearly/import/enrolment/").status_code == 403


def test_the_bureau_locks_from_the_status_page(client, bureau_user, school_user):
    client.force_login(school_user)
    client.post(f"/data/yearly/{YEAR}/lock/", {"dataset": "exams"})
    from vetq.surveys.models import YearLock

    assert not YearLock.objects.exists()
    client.force_login(bureau_user)
    client.post(f"/data/yearly/{YEAR}/lock/", {"dataset": "exams"})
    assert YearLock.objects.get().dataset == "exams"
    client.post(f"/data/yearly/{YEAR}/unlock/", {"dataset": "exams", "reason": "更正"})
    assert not YearLock.objects.exists()
