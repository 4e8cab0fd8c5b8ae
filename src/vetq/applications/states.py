"""Application states (glossary.md). Stable English values; the Chinese is in the catalogue."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RECOMMENDED = "recommended", _("Recommended")
    ELIGIBLE = "eligible", _("Passed formal check")
    INELIGIBLE = "ineligible", _("Failed formal check")
    UNDER_REVIEW = "under_review", _("Under review")
    REVIEWED = "reviewed", _("Reviewed")
    SHORTLISTED = "shortlisted", _("Shortlisted")
    IN_PUBLICITY = "in_publicity", _("In publicity")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Not approved")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# States in which an application still competes (for the one-live-application rule).
LIVE_STATES = frozenset({
    ApplicationState.DRAFT, ApplicationState.SUBMITTED, ApplicationState.RECOMMENDED,
    ApplicationState.ELIGIBLE, ApplicationState.UNDER_REVIEW, ApplicationState.REVIEWED,
    ApplicationState.SHORTLISTED, ApplicationState.IN_PUBLICITY,
})
FUNDED_STATES = frozenset({ApplicationState.APPROVED})
# The school may still change the content only while it is a draft.
EDITABLE_STATES = frozenset({ApplicationState.DRAFT})
