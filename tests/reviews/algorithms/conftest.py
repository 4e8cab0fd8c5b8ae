import pytest


@pytest.fixture(autouse=True)
def english(default_language):
    """Messages of the pure modules are checked by their English wording; the Chinese ones
    are checked where a user reads them (the command line test, the verify page)."""
    from django.utils import translation

    with translation.override("en"):
        yield
