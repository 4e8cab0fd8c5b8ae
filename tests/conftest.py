from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import (
    InstitutionFactory,
    MajorFactory,
    UserFactory,
    membership,
)

POLICY = Path(settings.VETQ_DEFAULT_POLICY)

# Calls, drafts and officers shared by the applications, funding and browser tests.
pytest_plugins = ["tests.fixtures_applications"]


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing():
    """Hash test passwords with a cheap hasher: the production one is slow on purpose (about
    half a second per password), and tests create thousands of users. Logins still check the
    hash as in production; only the cost differs."""
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the product's default language: a request made in English by an
    earlier test must not leave English active in the thread."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path_factory):
    """Uploads made by tests go to a temporary folder, never the project's var/media."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture
def program(db):
    """The Wuxi program loaded from its policy file."""
    from vetq.programs.policy.loader import policy_load

    return policy_load(path=POLICY).program


@pytest.fixture
def regions(program):
    from vetq.institutions.models import Region

    return {r.code: r for r in Region.objects.all()}


@pytest.fixture
def school(regions):
    return InstitutionFactory(region=regions["liangxi"])


@pytest.fixture
def other_school(regions):
    return InstitutionFactory(region=regions["yixing"])


@pytest.fixture
def school_user(school):
    user = UserFactory(username="school1")
    membership(user, "school_user", institution=school)
    return user


@pytest.fixture
def bureau_user(program):
    user = UserFactory(username="bureau")
    membership(user, "bureau_admin")
    return user


@pytest.fixture
def major(school):
    return MajorFactory(institution=school)
