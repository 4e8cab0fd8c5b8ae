import pytest
from django.utils import translation

from tests.factories import UserFactory, membership


@pytest.fixture(autouse=True)
def english(settings):
    """These tests check messages by their English wording; test_messages_zh checks the Chinese."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def officer(regions):
    user = UserFactory(username="yixing-officer")
    membership(user, "region_officer", region=regions["yixing"])
    return user
