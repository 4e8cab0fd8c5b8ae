import pytest

from vetq.applications.services import application_transition

pytestmark = pytest.mark.integration


def test_complete_draft_submits(draft, school_user):
    application = draft()
    submitted = application_transition(application=application, action="submit", by=school_user)
    assert submitted.state == "submitted"
