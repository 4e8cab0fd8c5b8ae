from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vetq.applications.models import Application
from vetq.core.money import MoneyField
from vetq.funding.models import Grant, LedgerEntry
from vetq.institutions.models import Institution
from vetq.programs.models import Category


class ProjectState(models.TextChoices):
    ACTIVE = "active", _("Under construction")
    CLOSED = "closed", pgettext_lazy("project", "Closed")
    FAILED = "failed", _("Failed acceptance")
    WITHDRAWN = "withdrawn", pgettext_lazy("project", "Withdrawn")


class Rating(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")


class Project(models.Model):
    """An approved application under construction (立项项目), with its construction period,
    the plan copied from the application, and its grant. Its state changes only through
    `projects.services`; every change writes a ProjectEvent."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT,
                                       related_name="project", verbose_name=_("application"))
    grant = models.OneToOneField(Grant, on_delete=models.PROTECT, related_name="project",
                                 verbose_name=_("grant"))
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="projects",
                                 verbose_name=_("category"))
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT,
                                    related_name="projects", verbose_name=_("institution"))
    title = models.CharField(_("project title"), max_length=150)
    lead_name = models.CharField(_("lead person"), max_length=60, blank=True)
    goals = models.TextField(_("goals"), blank=True)
    milestones = models.JSONField(_("yearly milestones"), default=list, blank=True)
    team = models.JSONField(_("team"), default=list, blank=True)
    budget = models.JSONField(_("budget plan"), default=list, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=ProjectState.choices,
                             default=ProjectState.ACTIVE, db_index=True)
    starts_on = models.DateField(_("construction starts"))
    ends_on = models.DateField(_("construction ends"))
    extended_to = models.DateField(_("extended to"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    rating = models.CharField(_("acceptance rating"), max_length=10, choices=Rating.choices,
                              blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(condition=models.Q(starts_on__lt=models.F("ends_on")),
                                   name="project_period_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def due_on(self):
        """When construction must be finished: the extended date if one was granted."""
        return self.extended_to or self.ends_on


class ProjectEvent(models.Model):
    """History of a project: created, extended, rated, closed, failed, changed."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events",
                                verbose_name=_("project"))
    action = models.CharField(_("action"), max_length=30)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                           verbose_name=_("by"))
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("project event")
        verbose_name_plural = _("project events")

    def __str__(self) -> str:
        return f"{self.project_id} {self.action}"


class Acceptance(models.Model):
    """The final acceptance (验收, R18 R31) of a project: the school's summary and
    self-assessment, the score, and the rating the score bands of the policy give."""

    project = models.OneToOneField(Project, on_delete=models.PROTECT, related_name="acceptance",
                                   verbose_name=_("project"))
    summary = models.TextField(_("summary report"), blank=True)
    self_assessment = models.TextField(_("self-assessment"), blank=True)
    score = models.DecimalField(_("acceptance score"), max_digits=5, decimal_places=2)
    rating = models.CharField(_("rating"), max_length=10, choices=Rating.choices)
    comment = models.TextField(_("comment"), blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("rated by"))
    rated_at = models.DateTimeField(_("rated at"), auto_now_add=True)

    class Meta:
        ordering = ["-rated_at", "-pk"]
        verbose_name = _("acceptance")
        verbose_name_plural = _("acceptances")

    def __str__(self) -> str:
        return f"{self.project} · {self.rating}"


class RecoveryCase(models.Model):
    """Money to take back after a failed acceptance, opened by the rating and decided by the
    bureau: the amount (0 to what was paid) and the reason, and the ledger's recovery entry."""

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("recovery", "Open")
        DECIDED = "decided", _("Decided")

    project = models.OneToOneField(Project, on_delete=models.PROTECT,
                                   related_name="recovery_case", verbose_name=_("project"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices,
                             default=State.OPEN)
    paid_when_opened = MoneyField(_("paid when opened"))
    amount = MoneyField(_("amount to recover"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("ledger entry"))
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("recovery case")
        verbose_name_plural = _("recovery cases")

    def __str__(self) -> str:
        return f"{self.project} · {self.state}"
