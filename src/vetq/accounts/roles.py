"""Roles are stable code constants (glossary.md), never translated group names."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    BUREAU_ADMIN = "bureau_admin", _("City education bureau administrator")
    REGION_OFFICER = "region_officer", _("Region education bureau officer")
    SCHOOL_USER = "school_user", _("School project administrator")
    EXPERT = "expert", _("Review expert")
    FINANCE_OFFICER = "finance_officer", _("Finance bureau officer")
    DEPARTMENT_VIEWER = "department_viewer", _("Department viewer")


# Which scope a membership of each role must carry; anything else is refused.
SCOPE_OF_ROLE = {
    Role.BUREAU_ADMIN: None,
    Role.REGION_OFFICER: "region",
    Role.SCHOOL_USER: "institution",
    Role.EXPERT: None,
    # A finance officer of a self-funded region manages that region's grants; without a
    # region it is the city's finance bureau.
    Role.FINANCE_OFFICER: "region_optional",
    Role.DEPARTMENT_VIEWER: "department",
}
