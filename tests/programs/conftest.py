import pytest

from tests.conftest import POLICY


@pytest.fixture
def policy_text() -> str:
    """The text of the Wuxi policy file, to edit into good and bad variants."""
    return POLICY.read_text(encoding="utf-8")


@pytest.fixture
def write_policy(tmp_path):
    """Write a policy text to tmp_path under a name and return the path."""

    def write(text: str, name: str = "bad.toml"):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
