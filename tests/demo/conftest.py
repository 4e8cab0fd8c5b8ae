import pytest


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """The demo's applications store their implementation plans: keep them out of var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
