from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vetq.institutions.models import Enterprise, Industry, Institution, Region


class Expert(models.Model):
    """A member of the expert pool (专家库, R24)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="expert", verbose_name=_("account"),
    )
    name = models.CharField(_("name"), max_length=60)
    title = models.CharField(_("professional title"), max_length=60, blank=True)
    employer_institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="experts",
        verbose_name=_("employer (institution)"),
    )
    employer_enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, null=True, blank=True, related_name="experts",
        verbose_name=_("employer (enterprise)"),
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="experts",
        verbose_name=_("region"),
    )
    specialties = models.ManyToManyField(
        Industry, blank=True, related_name="experts", verbose_name=_("specialties")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("expert")
        verbose_name_plural = _("experts")
        constraints = [
            models.CheckConstraint(
                condition=~(
                    models.Q(employer_institution__isnull=False)
                    & models.Q(employer_enterprise__isnull=False)
                ),
                name="expert_one_employer",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def employer(self):
        return self.employer_institution or self.employer_enterprise
