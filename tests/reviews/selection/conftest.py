"""Fixtures for selection and publicity: reviewed applications with a submitted review each,
so `ranking_for` scores them; the review stages themselves are other features' tests, so the
application is put in `reviewed` directly (as the funding tests do for `in_publicity`)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import InstitutionFactory, UserFactory, membership
from vetq.applications.models import Application
from vetq.applications.services import application_create
from vetq.applications.states import ApplicationState
from vetq.reviews.models import Assignment, Expert, Panel, PanelState, Review, ReviewState


@pytest.fixture(autouse=True)
def english(default_language):
    """Refusals are checked by their English wording."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def expert(db):
    return Expert.objects.create(code="E9001", name="评审专家")


@pytest.fixture
def reviewed(call_category, bureau_user, regions, expert):
    """An application of `code` by a new school of `region`, reviewed with `score` (None: no
    submitted review). `amount`: the municipal amount asked for in the budget plan."""
    panels: dict[int, Panel] = {}

    def make(code: str = "brand_major", region: str = "liangxi", score: str | None = "80", *,
             title: str | None = None, amount: str | None = None, state=ApplicationState.REVIEWED):
        school = InstitutionFactory(region=regions[region])
        user = UserFactory()
        membership(user, "school_user", institution=school)
        cc = call_category(code)
        application = application_create(call_category=cc, institution=school, by=user,
                                         title=title or f"{code} 项目 {school.code}")
        budget = [{"item": "equipment", "amount": amount or "80000.00", "school": "0.00",
                   "partner": "0.00"}]
        Application.objects.filter(pk=application.pk).update(state=state, budget=budget)
        panel = panels.get(cc.pk)
        if panel is None:
            panel = panels[cc.pk] = Panel.objects.create(
                call_category=cc, name=f"{code} 评审组", state=PanelState.CLOSED,
                review_deadline=timezone.now() + timedelta(days=1), created_by=bureau_user)
        panel.applications.add(application)
        if score is not None:
            assignment = Assignment.objects.create(panel=panel, application=application, expert=expert)
            Review.objects.create(assignment=assignment, state=ReviewState.SUBMITTED,
                                  total=Decimal(score), submitted_at=timezone.now())
        application.refresh_from_db()
        return application

    return make


@pytest.fixture
def set_quota(open_call):
    def set_(code: str, quota: int):
        open_call.call_categories.filter(category__code=code).update(quota=quota)

    return set_


@pytest.fixture
def school_member():
    """A signed-in school user of some other school: never the bureau."""
    user = UserFactory(username="some-school")
    membership(user, "school_user", institution=InstitutionFactory())
    return user
