"""R32: the alignment in the JSON API, scoped as the pages are."""

import pytest

from vetq.accounts.services import token_create

pytestmark = pytest.mark.integration

URL = "/api/surveys/alignment"


def get(client, user, **params):
    client.force_login(user)
    return client.get(URL, params)


def test_city_numbers_and_rows(client, users):
    body = get(client, users["bureau"], year=2019).json()
    assert (body["scope"], body["code"], body["measure"], body["enrolment_measure"],
            body["industry_basis"]) == ("city", None, "output_value", "students", "city")
    assert (body["similarity"], body["total_deviation"], body["coverage"],
            body["pillar_coverage"]) == (0.8, 0.4625, 0.75, 1.0)
    assert round(body["pearson"], 3) == 0.724
    assert (body["meets_local_target"], body["meets_pillar_target"]) == (False, True)
    assert (body["students"], body["unmapped_students"]) == (550, 50)
    assert body["unmapped"] == [{"catalogue_code": "750101", "name": "工艺美术", "students": 50}]
    rows = {row["industry"]: row for row in body["industries"]}
    assert len(rows) == 17
    assert rows["tourism_leisure"] == {
        "industry": "tourism_leisure", "name": "旅游休闲", "pillar": False, "students": 0.0,
        "amount": 200.0, "enrolment_share": 0.0, "industry_share": 0.2, "gap": -0.2,
        "deviation": -1.0, "status": "under"}
    assert rows["next_gen_it"]["pillar"] is True
    assert rows["elderly_care"]["deviation"] is None and rows["elderly_care"]["status"] == "absent"


def test_default_year_is_the_newest_with_figures(client, users):
    assert get(client, users["bureau"]).json()["year"] == 2019


def test_region_and_school_and_employment(client, users):
    region = get(client, users["bureau"], scope="region", code="yixing", year=2019).json()
    assert (region["industry_basis"], region["similarity"], region["coverage"]) == \
        ("city_for_region", 0.64, 0.5)
    school = get(client, users["bureau"], scope="school", code="B002", year=2019).json()
    assert (school["name"], school["similarity"], school["pearson"]) == ("梁溪乙校", 0.2, -0.5)
    employment = get(client, users["bureau"], measure="employment", year=2019).json()
    assert employment["similarity"] == 0.76


def test_scoped_like_the_pages(client, users):
    assert get(client, users["a"], scope="school", code="A001").status_code == 200
    assert get(client, users["a"], scope="school", code="B002").status_code == 404
    assert get(client, users["a"], scope="region", code="liangxi").status_code == 404
    assert get(client, users["a"]).status_code == 200  # the city's aggregate
    assert get(client, users["yixing"], scope="school", code="C003").status_code == 200
    assert get(client, users["yixing"], scope="school", code="A001").status_code == 404
    assert get(client, users["yixing"], scope="region", code="liangxi").status_code == 404
    assert get(client, users["expert"]).status_code == 403
    assert get(client, users["bureau"], scope="region", code="nowhere").status_code == 404


def test_bad_parameters_are_refused(client, users):
    assert get(client, users["bureau"], scope="country").status_code == 422
    assert get(client, users["bureau"], measure="profit").status_code == 422


def test_bearer_token(client, users):
    _, key = token_create(user=users["c"], name="reports")
    response = client.get(URL, {"scope": "school", "code": "C003"},
                          HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert response.json()["code"] == "C003"
    response = client.get(URL, {"scope": "school", "code": "A001"},
                          HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 404


def test_anonymous_is_refused(client, city):
    assert client.get(URL).status_code == 401
