"""Employment in the JSON API: the metrics scoped as the dashboard, and the graduate import with
the Excel import's checks, by token."""

import pytest

from tests.surveys.employment.conftest import identities
from vetq.accounts.services import token_create
from vetq.surveys.models import DataImport, GraduateRecord
from vetq.surveys.pseudonyms import pseudonym

pytestmark = pytest.mark.integration

A, B = "3202130901", "3202820901"


def _bearer(user) -> dict:
    _token, key = token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_city_metrics_with_a_breakdown_by_school(client, bureau_user, outcomes):
    body = client.get("/api/surveys/employment", {"cohort": 2018, "by": "school"},
                      **_bearer(bureau_user)).json()
    assert (body["cohort"], body["point"], body["scope"], body["min_cell"]) == (
        2018, "half_year", "city", 5)
    assert body["metrics"]["graduates"] == 16
    assert body["metrics"]["employment_rate"] == 0.9286
    assert body["metrics"]["pay_median"] == "4400.00"
    assert body["metrics"]["grade"] == "good"
    assert body["cohorts"] == [2018, 2017]
    assert [(g["key"], g["metrics"]["employment_rate"]) for g in body["groups"]] == [
        (f"school:{A}", 1.0), (f"school:{B}", 0.875)]


def test_by_cohort_gives_the_trend_and_small_groups_are_null(client, bureau_user, outcomes):
    client.force_login(bureau_user)
    body = client.get("/api/surveys/employment",
                      {"scope": "school", "code": B, "by": "major"}).json()
    majors = {g["key"]: g["metrics"] for g in body["groups"]}
    assert majors["major:710201"]["suppressed"] is True
    assert majors["major:710201"]["employment_rate"] is None
    assert majors["major:660101"]["employment_rate"] == 0.8  # 4 of 5
    trend = client.get("/api/surveys/employment", {"by": "cohort"}).json()
    assert [(g["label"], g["metrics"]["employment_rate"]) for g in trend["groups"]] == [
        ("2017", 1.0), ("2018", 0.9286)]


def test_a_school_reads_its_own_school_and_the_city_only(client, school_a_user, outcomes):
    headers = _bearer(school_a_user)
    own = client.get("/api/surveys/employment", {"scope": "school", "code": A}, **headers)
    assert own.json()["metrics"]["employment_rate"] == 1.0
    for query in ({"scope": "school", "code": B}, {"scope": "region", "code": "yixing"},
                  {"scope": "region", "code": "liangxi"}):
        assert client.get("/api/surveys/employment", query, **headers).status_code == 404
    city = client.get("/api/surveys/employment", {"by": "school"}, **headers).json()
    assert [g["key"] for g in city["groups"]] == [f"school:{A}"]


def test_only_survey_roles_read_and_only_with_a_login(client, expert_user, outcomes):
    assert client.get("/api/surveys/employment").status_code == 401
    assert client.get("/api/surveys/employment", **_bearer(expert_user)).status_code == 403


def _rows(numbers, **extra):
    return [{"major": "660101", "cohort": 2018, "point": "half_year", "identity_number": n,
             "destination": "employed", "in_field": True, "location": "local", "pay": 5200,
             "satisfaction": 4, **extra} for n in numbers]


def test_a_school_imports_rows_by_token(client, school_a_user, schools):
    numbers = identities(2)
    response = client.post("/api/data/graduates", {"rows": _rows(numbers)},
                           content_type="application/json", **_bearer(school_a_user))
    body = response.json()
    assert response.status_code == 200
    assert (body["written"], body["replaced"], body["refused"], body["errors"]) == (2, 0, 0, [])
    record = GraduateRecord.objects.get(person=pseudonym(numbers[0]))
    assert (record.institution.code, record.point, record.in_field, record.satisfaction) == (
        A, "half_year", True, 4)
    assert DataImport.objects.get(pk=body["data_import"]).rows_written == 2


def test_a_bad_row_stops_the_import_unless_partial(client, school_a_user, schools):
    numbers = identities(3)
    rows = _rows(numbers[:2]) + [{**_rows(numbers[2:])[0], "pay": "85%"}]
    headers = _bearer(school_a_user)
    response = client.post("/api/data/graduates", {"rows": rows},
                           content_type="application/json", **headers)
    assert response.status_code == 400
    assert response.json()["errors"] == [{"row": 3, "column": "pay", "reason":
                                          "Write the monthly pay in yuan, like 4500, not a "
                                          "percentage."}]
    assert GraduateRecord.objects.count() == 0
    dry = client.post("/api/data/graduates", {"rows": rows[:2], "dry_run": True},
                      content_type="application/json", **headers)
    assert (dry.status_code, dry.json()["written"], GraduateRecord.objects.count()) == (200, 0, 0)
    partial = client.post("/api/data/graduates", {"rows": rows, "partial": True},
                          content_type="application/json", **headers)
    assert (partial.status_code, partial.json()["written"], partial.json()["refused"]) == (200, 2, 1)


def test_a_school_may_not_import_for_another_and_others_not_at_all(client, school_a_user,
                                                                   region_officer, schools):
    numbers = identities(1)
    response = client.post("/api/data/graduates", {"rows": _rows(numbers, school=B)},
                           content_type="application/json", **_bearer(school_a_user))
    assert response.status_code == 400
    assert response.json()["errors"][0]["reason"] == ("You may import only your own school's "
                                                      "graduates.")
    refused = client.post("/api/data/graduates", {"rows": _rows(numbers)},
                          content_type="application/json", **_bearer(region_officer))
    assert refused.status_code == 403
    assert GraduateRecord.objects.count() == 0


def test_an_unknown_field_is_refused_before_any_check(client, school_a_user, schools):
    response = client.post("/api/data/graduates", {"rows": [{"identity": "x"}]},
                           content_type="application/json", **_bearer(school_a_user))
    assert response.status_code == 422
    assert "x" not in str(response.json()["detail"][0].get("input", ""))
