from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vetq.core.models import StoredFile
from vetq.institutions.models import Enterprise, Industry, Institution, Major
from vetq.programs.models import CallCategory

from .states import ApplicationState


class Application(models.Model):
    """A school's application (申报书) to one category of one call.

    `form` is the copy of the category's form the application was filled against, so a later
    policy change never corrupts it; `answers` holds the category-specific fields by key.
    The state changes only through `services.application_transition`.
    """

    call_category = models.ForeignKey(
        CallCategory, on_delete=models.PROTECT, related_name="applications",
        verbose_name=_("call category"),
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="applications",
        verbose_name=_("institution"),
    )
    state = models.CharField(
        _("state"), max_length=20, choices=ApplicationState.choices,
        default=ApplicationState.DRAFT, db_index=True,
    )
    title = models.CharField(_("project title"), max_length=150)
    lead_name = models.CharField(_("lead person"), max_length=60, blank=True)
    lead_title = models.CharField(_("lead person's title"), max_length=60, blank=True)
    lead_phone = models.CharField(_("lead person's phone"), max_length=30, blank=True)
    team = models.JSONField(_("team"), default=list, blank=True)
    goals = models.TextField(_("goals"), blank=True)
    milestones = models.JSONField(_("yearly milestones"), default=list, blank=True)
    budget = models.JSONField(_("budget plan"), default=list, blank=True)
    form = models.JSONField(_("form filled against"), default=dict)
    answers = models.JSONField(_("category answers"), default=dict, blank=True)
    majors = models.ManyToManyField(Major, blank=True, related_name="applications",
                                    verbose_name=_("majors"))
    industries = models.ManyToManyField(Industry, blank=True, related_name="applications",
                                        verbose_name=_("industries served"))
    enterprises = models.ManyToManyField(Enterprise, blank=True, related_name="applications",
                                         verbose_name=_("partner enterprises"))
    commissioned = models.BooleanField(_("commissioned by the city"), default=False)
    region_rank = models.PositiveSmallIntegerField(_("region's order"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        indexes = [models.Index(fields=["call_category", "state"])]

    def __str__(self) -> str:
        return self.title

    @property
    def call(self):
        return self.call_category.call

    @property
    def category(self):
        return self.call_category.category


class ApplicationEvent(models.Model):
    """One transition of an application: the history every page shows."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="events",
        verbose_name=_("application"),
    )
    action = models.CharField(_("action"), max_length=30)
    from_state = models.CharField(_("from"), max_length=20, choices=ApplicationState.choices)
    to_state = models.CharField(_("to"), max_length=20, choices=ApplicationState.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("application event")
        verbose_name_plural = _("application events")

    def __str__(self) -> str:
        return f"{self.application_id}: {self.from_state} → {self.to_state}"


class EligibilityCheck(models.Model):
    """A recorded eligibility check (形式审查): automatic on submission, or the bureau's."""

    class Kind(models.TextChoices):
        AUTOMATIC = "automatic", _("Automatic check")
        FORMAL = "formal", _("Formal check by the bureau")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="checks",
        verbose_name=_("application"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    passed = models.BooleanField(_("passed"))
    failures = models.JSONField(_("failures"), default=list, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("eligibility check")
        verbose_name_plural = _("eligibility checks")

    def __str__(self) -> str:
        return f"{self.application_id} {self.kind} {'✓' if self.passed else '✗'}"


class Attachment(models.Model):
    """A file attached to an application, under one of the form's attachment slots."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attachments",
        verbose_name=_("application"),
    )
    slot = models.CharField(_("attachment kind"), max_length=60)
    file = models.OneToOneField(
        StoredFile, on_delete=models.PROTECT, related_name="application_attachment",
        verbose_name=_("file"),
    )

    class Meta:
        ordering = ["slot", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return str(self.file)
