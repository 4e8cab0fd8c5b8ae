"""Fixtures for the expert pool: experts with and without accounts, an enterprise, and a
closed panel in which experts reviewed (the panel services are another feature's, so the
rows are written directly)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import ExpertFactory, UserFactory, membership
from vetq.institutions.models import Enterprise
from vetq.reviews.models import Assignment, Panel, PanelState


@pytest.fixture(autouse=True)
def english(default_language, settings):
    """Pool tests check refusals and pages by their English wording."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def enterprise(regions):
    return Enterprise.objects.create(name="无锡示范机械有限公司", credit_code="91320200MA1XXXXX01",
                                     region=regions["xinwu"])


@pytest.fixture
def expert(school):
    return ExpertFactory(code="E0001", name="王芳", employer_institution=school,
                         phone="0510-1234567", email="wang@example.org", major_groups=["46"])


@pytest.fixture
def expert_user(expert):
    user = UserFactory(username="expert1")
    membership(user, "expert")
    expert.user = user
    expert.save(update_fields=["user"])
    return user


@pytest.fixture
def other_expert(other_school):
    return ExpertFactory(code="E0002", name="李强", employer_institution=other_school)


@pytest.fixture
def other_expert_user(other_expert):
    user = UserFactory(username="expert2")
    membership(user, "expert")
    other_expert.user = user
    other_expert.save(update_fields=["user"])
    return user


@pytest.fixture
def panel(call_category, bureau_user):
    """A panel of the brand-major category, still under review, with no assignments yet."""
    return Panel.objects.create(
        call_category=call_category("brand_major"), name="2020 品牌专业评审组",
        state=PanelState.REVIEWING, review_deadline=timezone.now() + timedelta(days=14),
        created_by=bureau_user,
    )


@pytest.fixture
def assign(panel, draft):
    """Give experts an assignment in the panel (on one draft application)."""
    application = draft()

    def make(*experts):
        for expert in experts:
            Assignment.objects.create(panel=panel, application=application, expert=expert)
        return panel

    return make


def close(panel: Panel) -> Panel:
    panel.state = PanelState.CLOSED
    panel.closed_at = timezone.now()
    panel.save(update_fields=["state", "closed_at"])
    return panel
