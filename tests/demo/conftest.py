import pytest
from django.conf import settings
from django.utils import translation


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """The demo's applications store their implementation plans: keep them out of var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def default_language():
    """The default language, whatever an earlier module's English request left active in
    this thread (LocaleMiddleware activates a language and never deactivates it)."""
    with translation.override(settings.LANGUAGE_CODE):
        yield
