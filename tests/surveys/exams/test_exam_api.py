"""R20: exam rates in the JSON API, scoped as the page is."""

import pytest

pytestmark = pytest.mark.integration

URL = "/api/surveys/exams"


def get(client, user, **params):
    client.force_login(user)
    return client.get(URL, params)


def test_rates_for_the_bureau(client, users):
    body = get(client, users["bureau"], year=2019).json()
    assert body["city"] == {
        "key": None, "label": body["city"]["label"], "note": "", "candidates": 200,
        "passed": 171, "excellent": 47, "pass_rate": 0.855, "excellent_rate": 0.235,
        "city_pass_rate": 0.855, "city_excellent_rate": 0.235}
    assert [(r["key"], r["pass_rate"]) for r in body["regions"]] == [("liangxi", 0.81),
                                                                    ("yixing", 0.9)]
    assert [r["key"] for r in body["schools"]] == ["X001", "Y002", "Z003"]
    assert [(r["key"], r["candidates"]) for r in body["major_groups"]] == \
        [("", 50), ("66", 90), ("73", 60)]
    assert body["institution"] is None


def test_default_year_and_kind(client, users):
    body = get(client, users["bureau"], kind="skill").json()
    assert (body["year"], body["kind"], body["city"]["candidates"]) == (2019, "skill", 50)


def test_school_scope(client, users):
    body = get(client, users["x"], school="X001").json()
    assert body["institution"]["pass_rate"] == 0.9
    assert [r["key"] for r in body["schools"]] == ["X001"] and body["regions"] == []
    assert body["major_groups"][0]["city_pass_rate"] == round(76 / 90, 6)
    assert get(client, users["x"], school="Y002").status_code == 404
    assert get(client, users["x"]).json()["city"]["candidates"] == 200
    assert get(client, users["liangxi"], school="Z003").status_code == 404
    assert get(client, users["expert"]).status_code == 403
    assert get(client, users["bureau"], kind="oral").status_code == 422
