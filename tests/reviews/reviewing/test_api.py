"""The experts' review API: list, read, save and submit its own reviews only; refusals as
400 (the rubric's checks) or 409 (the review or panel no longer allows it)."""

import json

import pytest

from vetq.reviews.models import Review, ReviewState

from .conftest import FULL, GOALS_COMMENT

pytestmark = pytest.mark.integration

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def put(client, url, body):
    return client.put(url, json.dumps(body), content_type="application/json", **EN)


def post(client, url, body=None):
    return client.post(url, json.dumps(body) if body is not None else "",
                       content_type="application/json", **EN)


def test_list_my_assignments(client, reviewing, expert):
    client.force_login(expert.user)
    data = client.get("/api/my/assignments").json()
    assert [(a["id"], a["title"], a["review_state"]) for a in data] == [
        (reviewing["mine"].pk, "数控技术品牌专业", "new"),
        (reviewing["mine2"].pk, "物联网品牌专业", "new"),
    ]
    assert set(data[0]) == {"id", "panel", "panel_name", "panel_state", "review_deadline",
                            "application", "title", "category", "institution", "review_state",
                            "total"}


def test_read_save_and_submit(client, reviewing, expert):
    client.force_login(expert.user)
    url = f"/api/my/assignments/{reviewing['mine'].pk}/review"
    empty = client.get(url).json()
    assert empty["state"] == "new"
    assert [c["code"] for c in empty["criteria"]] == ["basis", "goals", "industry", "measures",
                                                      "budget"]

    saved = put(client, url, {"scores": {"basis": 8.5, "industry": None}, "comment": "草稿"})
    assert saved.status_code == 200
    assert saved.json()["scores"] == {"basis": 8.5, "industry": None}
    assert saved.json()["state"] == "draft"

    done = post(client, f"{url}/submit", {"scores": FULL, "comments": GOALS_COMMENT})
    assert done.status_code == 200
    assert done.json()["state"] == "submitted"
    assert done.json()["total"] == "78.00"
    assert done.json()["comment"] == "草稿"  # not sent: the draft's stays


def test_submit_without_a_body_submits_the_draft(client, reviewing, expert):
    client.force_login(expert.user)
    url = f"/api/my/assignments/{reviewing['mine'].pk}/review"
    put(client, url, {"scores": FULL, "comments": GOALS_COMMENT})
    response = post(client, f"{url}/submit")
    assert response.status_code == 200, response.content
    assert response.json()["total"] == "78.00"


def test_save_refusals(client, reviewing, expert):
    client.force_login(expert.user)
    url = f"/api/my/assignments/{reviewing['mine'].pk}/review"
    response = put(client, url, {"scores": {"basis": 11, "measures": None}})
    assert response.status_code == 400
    assert response.json()["detail"] == ["Foundation: the score must be between 0 and 10.",
                                         "Safeguards may not be marked “not applicable”."]
    assert not Review.objects.exists()

    response = post(client, f"{url}/submit", {"scores": {**FULL, "goals": 9}})
    assert response.status_code == 400
    assert response.json()["detail"] == ["Goals and content: a comment is required."]


def test_submit_twice_and_edit_after_submit_conflict(client, reviewing, expert):
    client.force_login(expert.user)
    url = f"/api/my/assignments/{reviewing['mine'].pk}/review"
    assert post(client, f"{url}/submit", {"scores": FULL, "comments": GOALS_COMMENT}).status_code == 200
    again = post(client, f"{url}/submit")
    assert again.status_code == 409
    assert again.json()["detail"] == ["This review has already been submitted."]
    edit = put(client, url, {"scores": {"basis": 1}})
    assert edit.status_code == 409
    assert Review.objects.get().state == ReviewState.SUBMITTED


def test_another_experts_review_is_404(client, reviewing, expert, other_expert):
    client.force_login(other_expert.user)
    url = f"/api/my/assignments/{reviewing['mine'].pk}/review"
    assert client.get(url).status_code == 404
    assert put(client, url, {"scores": {"basis": 1}}).status_code == 404
    assert post(client, f"{url}/submit").status_code == 404
    assert not Review.objects.exists()


def test_bureau_has_no_assignments_of_its_own(client, reviewing, bureau_user):
    client.force_login(bureau_user)
    assert client.get("/api/my/assignments").status_code == 403
    assert client.get(f"/api/my/assignments/{reviewing['mine'].pk}/review").status_code == 403


def test_openapi_documents_the_review_endpoints(client, bureau_user):
    client.force_login(bureau_user)
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/my/assignments", "/api/my/assignments/{pk}/review",
            "/api/my/assignments/{pk}/review/submit",
            "/api/rankings/{call_category_id}"} <= set(paths)
    assert set(paths["/api/my/assignments/{pk}/review"]) == {"get", "put"}
