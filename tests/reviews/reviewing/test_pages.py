"""The expert's pages (my reviews, the review form, the home section) and the bureau's
progress page with reopen and close: what they show, what they refuse, fixed queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vetq.applications.states import ApplicationState
from vetq.reviews.models import Panel, PanelState, Review, ReviewState
from vetq.reviews.reviewing import review_submit

from .conftest import FULL, GOALS_COMMENT, assign, submitted_review

pytestmark = pytest.mark.integration

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def form(scores: dict, comments: dict | None = None, *, action="save", na=(), comment="") -> dict:
    data = {f"score-{code}": str(value) for code, value in scores.items()}
    data.update({f"comment-{code}": text for code, text in (comments or {}).items()})
    data.update({f"na-{code}": "1" for code in na})
    data.update({"action": action, "comment": comment})
    return data


def test_my_reviews_lists_panel_application_school_deadline_and_state(client, reviewing, expert,
                                                                      other_expert):
    submitted_review(reviewing["mine2"], 8)
    client.force_login(expert.user)
    response = client.get("/reviews/my/", **EN)
    html = response.content.decode()

    assert response.status_code == 200
    assert html.count("data-assignment=") == 2
    for text in ("品牌专业评审组", "数控技术品牌专业", "物联网品牌专业",
                 reviewing["first"].institution.name,
                 timezone.localtime(reviewing["panel"].review_deadline).strftime("%Y-%m-%d %H:%M"),
                 'data-status="new"', 'data-status="submitted"', "80.00"):
        assert text in html
    assert other_expert.name not in html


def test_my_reviews_refused_to_non_experts(client, bureau_user, school_user):
    for user in (bureau_user, school_user):
        client.force_login(user)
        assert client.get("/reviews/my/").status_code == 403


def test_review_form_shows_the_rubric_and_the_application(client, reviewing, expert):
    client.force_login(expert.user)
    html = client.get(f"/reviews/my/{reviewing['mine'].pk}/", **EN).content.decode()

    assert "Construction project rubric" in html
    for code in ("basis", "goals", "industry", "measures", "budget"):
        assert f'name="score-{code}"' in html
    assert 'name="na-industry"' in html  # the one criterion that allows it
    assert 'name="na-basis"' not in html
    assert 'max="10"' in html
    assert html.count("(required)") == 1  # the goals comment
    assert "data-running-total" in html
    assert f"/applications/{reviewing['first'].pk}/print.pdf" in html
    assert "数控技术品牌专业" in html


def test_review_form_save_then_submit_then_read_only(client, reviewing, expert):
    client.force_login(expert.user)
    url = f"/reviews/my/{reviewing['mine'].pk}/"
    response = client.post(url, form({"basis": 8}, na=("industry",)), **EN)
    assert response.status_code == 302
    review = Review.objects.get()
    assert review.scores == {"basis": 8, "industry": None}

    response = client.post(url, form(FULL, GOALS_COMMENT, action="submit", na=("industry",)), **EN)
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.state == ReviewState.SUBMITTED
    assert str(review.total) == "80.00"

    html = client.get(url, **EN).content.decode()
    assert 'id="review-form"' not in html
    assert "80.00" in html and "not applicable" in html
    response = client.post(url, form({"basis": 1}), **EN)
    assert response.status_code == 400
    assert "ask the bureau to reopen it" in response.content.decode()
    review.refresh_from_db()
    assert review.scores["basis"] == 8


def test_review_form_out_of_bounds_shows_every_reason_and_keeps_what_was_typed(client, reviewing,
                                                                              expert):
    client.force_login(expert.user)
    response = client.post(f"/reviews/my/{reviewing['mine'].pk}/",
                           form({"basis": 12, "goals": 9}, action="submit"), **EN)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Foundation: the score must be between 0 and 10." in html
    assert "Goals and content: a comment is required." in html
    assert "Budget: give a score." in html
    assert 'value="12"' in html
    assert not Review.objects.exists()


def test_review_form_after_the_deadline_is_closed_and_refuses(client, reviewing, expert):
    Panel.objects.filter(pk=reviewing["panel"].pk).update(
        review_deadline=timezone.now() - timedelta(hours=1))
    client.force_login(expert.user)
    url = f"/reviews/my/{reviewing['mine'].pk}/"
    assert "can no longer be changed" in client.get(url, **EN).content.decode()
    response = client.post(url, form({"basis": 8}), **EN)
    assert response.status_code == 400
    assert "The review deadline passed on" in response.content.decode()


def test_review_form_of_another_experts_assignment_is_404(client, reviewing, expert, bureau_user):
    client.force_login(expert.user)
    assert client.get(f"/reviews/my/{reviewing['theirs'].pk}/").status_code == 404
    assert client.post(f"/reviews/my/{reviewing['theirs'].pk}/", form({"basis": 1})).status_code == 404
    client.force_login(bureau_user)
    assert client.get(f"/reviews/my/{reviewing['mine'].pk}/").status_code == 403


def test_expert_home_lists_its_assignments(client, reviewing, expert):
    client.force_login(expert.user)
    html = client.get("/accounts/", **EN).content.decode()
    assert 'id="expert-assignments"' in html
    assert "数控技术品牌专业" in html and "物联网品牌专业" in html


def test_progress_page_counts_per_application_and_expert(client, reviewing, expert, other_expert,
                                                         bureau_user):
    submitted_review(reviewing["mine"], 9)
    submitted_review(reviewing["theirs"], 6)
    client.force_login(bureau_user)
    html = client.get(f"/reviews/panels/{reviewing['panel'].pk}/progress/", **EN).content.decode()

    assert "1 review is still missing." in html
    assert "2/2" in html and "0/1" in html  # applications
    assert "1/2" in html and "1/1" in html  # experts
    assert "90.00 · 60.00" in html
    assert html.count("data-disagreement") == 1  # spread 30 > 20
    assert other_expert.name in html  # the bureau sees who reviews
    assert html.count("/reopen/") == 2


def test_progress_page_refused_to_experts(client, reviewing, expert):
    client.force_login(expert.user)
    assert client.get(f"/reviews/panels/{reviewing['panel'].pk}/progress/").status_code == 403


def test_reopen_from_the_progress_page(client, reviewing, expert, bureau_user):
    review = review_submit(assignment=reviewing["mine"], by=expert.user, scores=FULL,
                           comments=GOALS_COMMENT)
    client.force_login(expert.user)
    assert client.post(f"/reviews/reviews/{review.pk}/reopen/", {"reason": "改"}).status_code == 403
    client.force_login(bureau_user)
    response = client.post(f"/reviews/reviews/{review.pk}/reopen/", {"reason": ""}, **EN)
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.state == ReviewState.SUBMITTED
    client.post(f"/reviews/reviews/{review.pk}/reopen/", {"reason": "评语需补充"}, **EN)
    review.refresh_from_db()
    assert review.state == ReviewState.DRAFT
    assert review.events.get(action="reopen").reason == "评语需补充"


def test_close_from_the_progress_page(client, reviewing, bureau_user):
    for key in ("mine", "theirs", "mine2"):
        submitted_review(reviewing[key], 8)
    client.force_login(bureau_user)
    response = client.post(f"/reviews/panels/{reviewing['panel'].pk}/close/", {}, **EN)
    assert response.status_code == 302
    assert response["Location"] == f"/reviews/ranking/{reviewing['panel'].call_category_id}/"
    reviewing["first"].refresh_from_db()
    assert reviewing["first"].state == ApplicationState.REVIEWED


def test_close_refused_shows_why(client, reviewing, bureau_user, expert):
    client.force_login(expert.user)
    assert client.post(f"/reviews/panels/{reviewing['panel'].pk}/close/").status_code == 403
    client.force_login(bureau_user)
    response = client.post(f"/reviews/panels/{reviewing['panel'].pk}/close/", {}, **EN)
    assert response.status_code == 400
    assert "3 review(s) are still missing" in response.content.decode()
    reviewing["panel"].refresh_from_db()
    assert reviewing["panel"].state == PanelState.REVIEWING


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_pages_queries_do_not_grow(client, application_make, panel_make, make_expert,
                                        bureau_user):
    experts = [make_expert(f"E07{i}") for i in range(3)]
    apps = [application_make(f"申报{n}") for n in range(20)]
    panel = panel_make(applications=apps[:1])
    for expert in experts:
        submitted_review(assign(panel, apps[0], expert), 8)

    def counts():
        client.force_login(experts[0].user)
        mine = [_count(client, "/reviews/my/"), _count(client, "/accounts/"),
                _count(client, "/api/my/assignments")]
        client.force_login(bureau_user)
        return mine + [_count(client, f"/reviews/panels/{panel.pk}/progress/")]

    one = counts()
    panel.applications.set(apps)
    for application in apps[1:]:
        for expert in experts:
            assignment = assign(panel, application, expert)
            if application.pk % 2:
                submitted_review(assignment, 7)
    assert counts() == one
