"""Fixtures for funding: applications waiting for approval, grants, finance officers."""

import pytest

from tests.factories import InstitutionFactory, MajorFactory, UserFactory, membership
from vetq.applications.models import Application
from vetq.applications.services import application_create
from vetq.applications.states import ApplicationState
from vetq.funding.grants import application_approve


@pytest.fixture(autouse=True)
def english(default_language):
    """Funding tests check refusals by their English wording (the services speak the active
    language; the Chinese catalogue is checked by the pages' own tests)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def in_publicity(call_category, bureau_user):
    """An application of `code` by a new school of `region`, arranged in publicity: the review
    stages belong to a later feature, so the test puts it there directly."""

    def make(code: str = "brand_major", region=None, *, institution=None, title=None):
        school = institution or InstitutionFactory(region=region)
        user = UserFactory()
        membership(user, "school_user", institution=school)
        application = application_create(
            call_category=call_category(code), institution=school, by=user,
            title=title or f"{code} 项目 {school.code}",
        )
        application.majors.add(MajorFactory(institution=school))
        Application.objects.filter(pk=application.pk).update(state=ApplicationState.IN_PUBLICITY)
        application.refresh_from_db()
        return application

    return make


@pytest.fixture
def approve(in_publicity, bureau_user):
    def make(code: str = "brand_major", region=None, **kwargs):
        application = in_publicity(code, region)
        return application_approve(application=application, by=bureau_user, **kwargs)

    return make


@pytest.fixture
def finance_city(program):
    user = UserFactory(username="finance-city")
    membership(user, "finance_officer")
    return user


@pytest.fixture
def finance_yixing(regions):
    user = UserFactory(username="finance-yixing")
    membership(user, "finance_officer", region=regions["yixing"])
    return user


@pytest.fixture
def finance_jiangyin(regions):
    user = UserFactory(username="finance-jiangyin")
    membership(user, "finance_officer", region=regions["jiangyin"])
    return user
