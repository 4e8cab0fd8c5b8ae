from django.db import models
from django.utils.translation import gettext_lazy as _


class InstitutionType(models.TextChoices):
    """R26: the kinds of school the program funds."""

    HIGHER_VOCATIONAL = "higher_vocational", _("Higher vocational college")
    SECONDARY_VOCATIONAL = "secondary_vocational", _("Secondary vocational school")
    TECHNICAL = "technical", _("Technical school")


class RegionKind(models.TextChoices):
    DISTRICT = "district", _("District")
    COUNTY_CITY = "county_city", _("County-level city")
