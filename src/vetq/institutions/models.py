from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from .enums import InstitutionType, RegionKind


class Region(models.Model):
    """A district or county-level city (市（县）区). Loaded from the policy file."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=RegionKind.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name


class Industry(models.Model):
    """One of the policy's industry directions (产业领域); loaded from the policy file."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    is_pillar = models.BooleanField(_("pillar industry"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("industry")
        verbose_name_plural = _("industries")

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A government department that takes part in the program (R23)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class Institution(models.Model):
    """An applicant school (R26)."""

    code = models.CharField(
        _("institution code"), max_length=20, unique=True,
        help_text=_("The national school code (学校标识码) or another stable identifier."),
    )
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    type = models.CharField(_("type"), max_length=30, choices=InstitutionType.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="institutions", verbose_name=_("region")
    )
    supervising_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="institutions",
        verbose_name=_("supervising department"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["region__order", "code"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        constraints = [
            models.UniqueConstraint(Lower("name"), name="institution_name_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.name


class Major(models.Model):
    """A major taught by a school, with its national catalogue code (专业代码)."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="majors",
        verbose_name=_("institution"),
    )
    catalogue_code = models.CharField(_("catalogue code"), max_length=12)
    name = models.CharField(_("name"), max_length=100)
    industries = models.ManyToManyField(
        Industry, blank=True, related_name="majors", verbose_name=_("industries served")
    )
    is_backbone = models.BooleanField(_("backbone major"), default=False)  # R14
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["institution__code", "catalogue_code"]
        verbose_name = _("major")
        verbose_name_plural = _("majors")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "catalogue_code"], name="major_unique_per_institution"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.catalogue_code}）"


class Enterprise(models.Model):
    """An industry partner named on applications (R6, R23)."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, null=True, blank=True
    )
    region = models.ForeignKey(
        Region, on_delete=models.SET_NULL, null=True, blank=True, related_name="enterprises",
        verbose_name=_("region"),
    )
    industries = models.ManyToManyField(
        Industry, blank=True, related_name="enterprises", verbose_name=_("industries")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")

    def __str__(self) -> str:
        return self.name
