"""Yearly data in the JSON API: imports with a bearer token through the same check as Excel
(all or nothing, or partial), and reads scoped like the pages."""

import json

import pytest

from tests.surveys.data.conftest import YEAR
from vetq.accounts.services import token_create
from vetq.surveys.data import year_lock
from vetq.surveys.models import DataImport, Enrolment, IndustryFigure, SchoolResource

pytestmark = pytest.mark.integration


def bearer(user) -> dict:
    _token, key = token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def post(client, user, path, body):
    return client.post(path, json.dumps(body), content_type="application/json", **bearer(user))


GOOD = {"catalogue_code": "660301", "enrolled": 120, "students": "350", "graduates": "１１０"}
BAD = {"catalogue_code": "710201", "enrolled": "85%", "students": 240, "graduates": 70}


def test_a_school_imports_its_enrolment_with_a_token(client, school_user, school, majors):
    response = post(client, school_user, f"/api/data/enrolment/{YEAR}", {"rows": [GOOD]})
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("written", "replaced", "refused", "skipped", "errors")} == {
        "written": 1, "replaced": 0, "refused": 0, "skipped": 0, "errors": []}
    assert DataImport.objects.get(pk=body["data_import"]).rows_written == 1
    assert list(Enrolment.objects.values_list("institution", "enrolled", "graduates")) == [
        (school.pk, 120, 110)]


def test_a_bad_row_writes_nothing_unless_partial(client, school_user, majors):
    response = post(client, school_user, f"/api/data/enrolment/{YEAR}", {"rows": [GOOD, BAD]})
    assert response.status_code == 400
    assert response.json()["errors"] == [{
        "row": 2, "column": "招生数（人）",
        "reason": "A number of people or things is expected here, not a percentage (“85%”)."}]
    assert response.json()["written"] == 0
    assert not Enrolment.objects.exists() and not DataImport.objects.exists()
    response = post(client, school_user, f"/api/data/enrolment/{YEAR}",
                    {"rows": [GOOD, BAD], "partial": True})
    assert response.status_code == 200
    assert (response.json()["written"], response.json()["refused"]) == (1, 1)
    assert Enrolment.objects.count() == 1


def test_rows_may_use_the_chinese_headers_and_unknown_keys_are_errors(client, school_user,
                                                                      majors):
    row = {"专业代码": "660301", "招生数": 1, "在校生数": 2, "毕业生数": 0, "remark": "x"}
    response = post(client, school_user, f"/api/data/enrolment/{YEAR}", {"rows": [row]})
    assert response.json()["errors"] == [{"row": 1, "column": "remark",
                                          "reason": "Unknown column."}]


def test_a_school_cannot_import_for_another_school_or_the_industry(client, school_user,
                                                                  other_school, regions):
    response = post(client, school_user, f"/api/data/enrolment/{YEAR}",
                    {"rows": [GOOD], "school": other_school.code})
    assert (response.status_code, response.json()) == (
        403, {"detail": ["You may enter only your own school's data."]})
    row = {**GOOD, "institution_code": other_school.code}
    response = post(client, school_user, f"/api/data/enrolment/{YEAR}", {"rows": [row]})
    assert response.status_code == 400
    assert response.json()["errors"][0]["reason"].startswith("This row is for another school")
    response = post(client, school_user, f"/api/data/industry/{YEAR}", {"rows": []})
    assert (response.status_code, response.json()) == (
        403, {"detail": ["Only the education bureau enters the industry structure."]})
    assert not Enrolment.objects.exists()


def test_a_locked_year_is_refused_with_409(client, bureau_user, school_user, majors):
    year_lock(dataset="enrolment", year=YEAR, by=bureau_user)
    response = post(client, school_user, f"/api/data/enrolment/{YEAR}", {"rows": [GOOD]})
    assert response.status_code == 409
    assert "are locked" in response.json()["detail"][0]


def test_the_bureau_imports_industry_and_resources(client, bureau_user, school, regions):
    response = post(client, bureau_user, f"/api/data/industry/{YEAR}", {"rows": [
        {"region": "", "industry": "next_gen_it", "output_value": 8000000.5,
         "employment": 90000},
        {"region": "jiangyin", "industry": "高端装备制造", "output_value": "1,000",
         "employment": 10}]})
    assert response.status_code == 200 and response.json()["written"] == 2
    response = post(client, bureau_user, f"/api/data/resources/{YEAR}", {
        "school": school.code,
        "rows": [{"students": 2400, "teachers": 180, "dual_teacher_share": "85%"}]})
    assert response.json()["written"] == 1
    assert SchoolResource.objects.get(indicator="dual_teacher_share").value == 85
    listed = client.get(f"/api/data/industry/{YEAR}", {"region": "city"},
                        **bearer(bureau_user)).json()
    assert listed["items"] == [{"region": None, "industry": "next_gen_it",
                                "industry_name": "新一代信息技术", "year": YEAR,
                                "output_value": "8000000.50", "employment": 90000,
                                "source": ""}]
    assert IndustryFigure.objects.count() == 2


def test_reads_are_scoped_to_the_callers_schools(client, school_user, bureau_user, school,
                                                 other_school, majors, other_major):
    Enrolment.objects.create(institution=school, major=majors["660301"], year=YEAR,
                             enrolled=1, students=2, graduates=0)
    Enrolment.objects.create(institution=other_school, major=other_major, year=YEAR,
                             enrolled=3, students=4, graduates=0)
    SchoolResource.objects.create(institution=school, year=YEAR, indicator="students", value=2400)
    SchoolResource.objects.create(institution=school, year=YEAR, indicator="teachers", value=180)
    headers = bearer(school_user)
    body = client.get(f"/api/data/enrolment/{YEAR}", **headers).json()
    assert [item["school"] for item in body["items"]] == [school.code]
    assert body["items"][0] == {"school": school.code, "school_name": school.name,
                                "catalogue_code": "660301", "major": "机电技术应用",
                                "year": YEAR, "enrolled": 1, "students": 2, "graduates": 0}
    assert client.get(f"/api/data/enrolment/{YEAR}", {"school": other_school.code},
                      **headers).status_code == 404
    assert client.get(f"/api/data/exams/{YEAR}", {"school": other_school.code},
                      **headers).status_code == 404
    resources = client.get(f"/api/data/resources/{YEAR}", **headers).json()
    assert resources == [{"school": school.code, "school_name": school.name, "year": YEAR,
                          "figures": {"students": "2400.00", "teachers": "180.00"},
                          "ratios": {**dict.fromkeys(
                              ["practice_stations_per_student", "equipment_per_student",
                               "enterprise_equipment_per_student",
                               "enterprise_hours_per_student", "funding_per_student",
                               "floor_space_per_student"]),
                              "student_teacher_ratio": "13.33"}}]
    everyone = client.get(f"/api/data/enrolment/{YEAR}", **bearer(bureau_user)).json()
    assert everyone["count"] == 2


def test_anonymous_callers_are_refused(client):
    assert client.get(f"/api/data/enrolment/{YEAR}").status_code == 401
    response = client.post(f"/api/data/enrolment/{YEAR}", json.dumps({"rows": []}),
                           content_type="application/json")
    assert response.status_code in (401, 403)
