"""The pool in the JSON API: the bureau reads it, an expert reads and changes its own profile,
nobody else gets either."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ExpertFactory
from tests.reviews.pool.conftest import close
from vetq.accounts.services import token_create
from vetq.institutions.models import Industry
from vetq.reviews.models import Declaration, ExpertRating

pytestmark = pytest.mark.integration


def _bearer(user) -> dict:
    _token, key = token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_experts_list_for_the_bureau_with_filters(client, bureau_user, expert, other_expert,
                                                  enterprise):
    expert.specialties.add(Industry.objects.get(code="biopharma"))
    ExpertFactory(code="E0003", employer_institution=None, employer_enterprise=enterprise,
                  active=False)
    client.force_login(bureau_user)
    body = client.get("/api/experts").json()
    assert body["count"] == 3
    first = body["items"][0]
    assert first == {
        "code": "E0001", "name": "王芳", "title": "高级讲师",
        "employer": {"kind": "institution", "code": expert.employer_institution.code,
                     "name": expert.employer_institution.name},
        "region": "liangxi", "specialties": ["biopharma"], "major_groups": ["46"],
        "phone": "0510-1234567", "email": "wang@example.org", "active": True,
        "has_account": False, "rating_average": None, "rating_count": 0, "panels": 0,
    }
    codes = lambda **params: [e["code"] for e in client.get("/api/experts", params).json()["items"]]  # noqa: E731
    assert codes(region="yixing") == ["E0002"]
    assert codes(kind="enterprise") == ["E0003"]
    assert codes(active="yes") == ["E0001", "E0002"]
    assert codes(industry="biopharma") == ["E0001"]
    assert codes(q="e0002") == ["E0002"]
    assert codes(limit=1, offset=1) == ["E0002"]


def test_experts_list_and_detail_refuse_everyone_but_the_bureau(client, school_user, expert_user,
                                                                expert):
    for user in (school_user, expert_user):
        headers = _bearer(user)
        listed = client.get("/api/experts", **headers)
        assert (listed.status_code, listed.json()) == (
            403, {"detail": ["Only the education bureau may read the expert pool."]})
        assert client.get("/api/experts/E0001", **headers).status_code == 403


def test_experts_api_refuses_anonymous_callers(client, expert):
    assert client.get("/api/experts").status_code == 401
    assert client.get("/api/me/expert").status_code == 401


def test_expert_detail_by_code(client, bureau_user, expert, assign, other_school):
    panel = close(assign(expert))
    ExpertRating.objects.create(expert=expert, panel=panel, score=4, comment="好", by=bureau_user)
    Declaration.objects.create(expert=expert, institution=other_school, reason="亲属")
    client.force_login(bureau_user)
    body = client.get("/api/experts/e0001").json()
    assert body["code"] == "E0001"
    assert body["rating_average"] == 4.0
    assert [(r["panel"], r["score"], r["comment"]) for r in body["ratings"]] == [(panel.pk, 4, "好")]
    assert [(d["institution"], d["reason"]) for d in body["declarations"]] == [
        (other_school.code, "亲属")]
    assert client.get("/api/experts/E9999").status_code == 404


def test_experts_list_query_count_does_not_grow(client, bureau_user, program):
    industries = list(Industry.objects.all()[:2])
    client.force_login(bureau_user)
    ExpertFactory(code="E0001").specialties.set(industries)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/experts").status_code == 200
        return len(queries)

    at_one = count()
    for n in range(2, 21):
        ExpertFactory(code=f"E{n:04d}").specialties.set(industries)
    assert count() == at_one


def test_me_expert_reads_and_updates_the_callers_profile(client, expert, expert_user):
    headers = _bearer(expert_user)
    body = client.get("/api/me/expert", **headers).json()
    assert (body["code"], body["employments"], body["declarations"]) == ("E0001", [], [])
    response = client.put("/api/me/expert", {"phone": "13700000000", "specialties": ["biopharma"],
                                             "major_groups": ["52", "51"]},
                          content_type="application/json", **headers)
    assert response.status_code == 200
    assert (response.json()["phone"], response.json()["specialties"],
            response.json()["major_groups"]) == ("13700000000", ["biopharma"], ["51", "52"])
    expert.refresh_from_db()
    assert (expert.phone, expert.email) == ("13700000000", "wang@example.org")


def test_me_expert_refuses_bad_values_and_ignores_bureau_fields(client, expert, expert_user):
    headers = _bearer(expert_user)
    put = lambda body: client.put("/api/me/expert", body, content_type="application/json",  # noqa: E731
                                  **headers)
    assert put({"major_groups": ["5"]}).json() == {
        "detail": ["A major group is a two-digit code of the catalogue, such as 46: “5” is not."]}
    assert put({"specialties": ["shipbuilding"]}).json() == {
        "detail": ["Unknown industry: shipbuilding."]}
    assert put({"email": "x"}).status_code == 400
    assert put({"name": "改名", "code": "E9"}).status_code == 200
    expert.refresh_from_db()
    assert (expert.name, expert.code, expert.major_groups, expert.email) == (
        "王芳", "E0001", ["46"], "wang@example.org")


def test_me_expert_is_404_for_users_who_are_not_experts(client, school_user, bureau_user):
    for user in (school_user, bureau_user):
        headers = _bearer(user)
        assert client.get("/api/me/expert", **headers).status_code == 404
        assert client.put("/api/me/expert", {"phone": "1"}, content_type="application/json",
                          **headers).status_code == 404
