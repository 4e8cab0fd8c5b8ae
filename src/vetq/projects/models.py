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


# --- Progress reports (年度进展报告) ---------------------------------------------------


class ReportState(models.TextChoices):
    DUE = "due", _("Not yet filed")
    SUBMITTED = "submitted", pgettext_lazy("report", "Submitted")
    ACCEPTED = "accepted", pgettext_lazy("report", "Accepted")
    RETURNED = "returned", pgettext_lazy("report", "Returned")


class ProgressReport(models.Model):
    """The yearly progress report of one construction year: what was done against that
    year's milestones, indicators reached, evidence files and spending. Scheduled when the
    project is created (one per construction year but the last, whose report is the
    acceptance summary); filed by the school, accepted or returned by the bureau."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reports",
                                verbose_name=_("project"))
    year = models.PositiveSmallIntegerField(_("construction year"))
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    due_on = models.DateField(_("due on"), db_index=True)
    state = models.CharField(_("state"), max_length=10, choices=ReportState.choices,
                             default=ReportState.DUE, db_index=True)
    text = models.TextField(_("progress"), blank=True)
    indicators = models.JSONField(
        _("milestones reached"), default=list, blank=True,
        help_text=_("Per milestone of the year: reached or not, the figure reached, a note."),
    )
    spending = MoneyField(_("spent in the period"), null=True, blank=True)
    spending_items = models.JSONField(_("spending by budget item"), default=list, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+",
                                     verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("bureau's comment"), blank=True)
    reminded_on = models.DateField(_("last reminded on"), null=True, blank=True)

    class Meta:
        ordering = ["project", "year"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="report_once_a_year"),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.year}"


class ReportFile(models.Model):
    """An evidence file of a progress report."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="files",
                               verbose_name=_("progress report"))
    file = models.OneToOneField("core.StoredFile", on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("file"))

    class Meta:
        ordering = ["pk"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return str(self.file)


class ReportEvent(models.Model):
    """History of a progress report: filed, returned, accepted, reminded."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="events",
                               verbose_name=_("progress report"))
    action = models.CharField(_("action"), max_length=30)
    comment = models.TextField(_("comment"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                           blank=True, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("report event")
        verbose_name_plural = _("report events")

    def __str__(self) -> str:
        return f"{self.report_id} {self.action}"


# --- Check rounds: mid-term check (中期检查) and acceptance (验收) ------------------------


class CheckKind(models.TextChoices):
    MIDTERM = "midterm", _("Mid-term check")
    ACCEPTANCE = "acceptance", _("Acceptance")


class CheckRoundState(models.TextChoices):
    OPEN = "open", _("Collecting self-assessments")
    REVIEWING = "reviewing", _("Expert scoring")
    CLOSED = "closed", pgettext_lazy("check round", "Closed")


class CheckRound(models.Model):
    """A check round over projects of one cohort (a call category): the schools file their
    self-assessment (and, at acceptance, their summary report) by a date, experts drawn and
    assigned as in the review (a reviews.Panel whose `check_round` is this round) score them
    with the policy's rubric, and the bureau records each project's result."""

    kind = models.CharField(_("kind"), max_length=12, choices=CheckKind.choices, db_index=True)
    name = models.CharField(_("name"), max_length=100)
    call_category = models.ForeignKey("programs.CallCategory", on_delete=models.PROTECT,
                                      related_name="check_rounds",
                                      verbose_name=_("cohort (call category)"))
    state = models.CharField(_("state"), max_length=12, choices=CheckRoundState.choices,
                             default=CheckRoundState.OPEN, db_index=True)
    self_assessment_due = models.DateField(_("self-assessments due"))
    rubric = models.JSONField(_("rubric"), default=dict)
    rules = models.JSONField(_("rules"), default=dict,
                             help_text=_("The policy's score bands and deadlines as they were "
                                         "when the round was set up."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("check round")
        verbose_name_plural = _("check rounds")

    def __str__(self) -> str:
        return self.name


class CheckResult(models.TextChoices):
    PASS = "pass", _("Pass")
    RECTIFY = "rectify", _("Rectification required")
    FAIL = "fail", _("Fail")
    EXCELLENT = "excellent", _("Excellent")


class CheckEntry(models.Model):
    """One project in a check round: the school's self-assessment (and summary report), the
    experts' mean score, the result, and for a mid-term rectification (整改) its deadline,
    the school's rectification report and the re-check."""

    round = models.ForeignKey(CheckRound, on_delete=models.CASCADE, related_name="entries",
                              verbose_name=_("check round"))
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="checks",
                                verbose_name=_("project"))
    self_assessment = models.TextField(_("self-assessment"), blank=True)
    self_score = models.DecimalField(_("self-assessed score"), max_digits=5, decimal_places=2,
                                     null=True, blank=True)
    summary = models.TextField(_("summary report"), blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+",
                                     verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    score = models.DecimalField(_("expert score"), max_digits=5, decimal_places=2, null=True,
                                blank=True)
    result = models.CharField(_("result"), max_length=10, choices=CheckResult.choices,
                              blank=True)
    comment = models.TextField(_("comment"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    rectification_due = models.DateField(_("rectification due"), null=True, blank=True)
    rectification_report = models.TextField(_("rectification report"), blank=True)
    rectified_at = models.DateTimeField(_("rectification filed at"), null=True, blank=True)
    recheck_result = models.CharField(_("re-check result"), max_length=10,
                                      choices=CheckResult.choices, blank=True)
    recheck_comment = models.TextField(_("re-check comment"), blank=True)
    rechecked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+",
                                     verbose_name=_("re-checked by"))
    rechecked_at = models.DateTimeField(_("re-checked at"), null=True, blank=True)

    class Meta:
        ordering = ["round", "project"]
        verbose_name = _("checked project")
        verbose_name_plural = _("checked projects")
        constraints = [
            models.UniqueConstraint(fields=["round", "project"], name="check_entry_once"),
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.project}"


class CheckFile(models.Model):
    """An evidence file of a self-assessment, summary or rectification report."""

    entry = models.ForeignKey(CheckEntry, on_delete=models.CASCADE, related_name="files",
                              verbose_name=_("checked project"))
    purpose = models.CharField(_("for"), max_length=20, default="self_assessment")
    file = models.OneToOneField("core.StoredFile", on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("file"))

    class Meta:
        ordering = ["pk"]
        verbose_name = _("check file")
        verbose_name_plural = _("check files")

    def __str__(self) -> str:
        return str(self.file)


# --- Changes to a project (项目变更) --------------------------------------------------


class ChangeKind(models.TextChoices):
    LEAD = "lead", _("Lead person")
    GOALS = "goals", _("Goals")
    BUDGET = "budget", _("Budget items")


class ChangeState(models.TextChoices):
    PENDING = "pending", _("Waiting for the bureau")
    APPROVED = "approved", pgettext_lazy("change", "Approved")
    REJECTED = "rejected", pgettext_lazy("change", "Rejected")
    WITHDRAWN = "withdrawn", pgettext_lazy("change", "Withdrawn")


class ChangeRequest(models.Model):
    """A change of lead person, goals or budget items asked by the school and decided by the
    bureau; `before` and `after` keep both versions, and an approval writes `after` onto the
    project (with a ProjectEvent)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="changes",
                                verbose_name=_("project"))
    kind = models.CharField(_("what changes"), max_length=10, choices=ChangeKind.choices)
    before = models.JSONField(_("before"), default=dict)
    after = models.JSONField(_("after"), default=dict)
    reason = models.TextField(_("reason"))
    state = models.CharField(_("state"), max_length=10, choices=ChangeState.choices,
                             default=ChangeState.PENDING, db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("bureau's comment"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")

    def __str__(self) -> str:
        return f"{self.project} · {self.kind}"


# --- Performance evaluation (绩效评价, R29) ---------------------------------------------


class EvaluatorRole(models.TextChoices):
    SCHOOL = "school", _("Self-evaluation by the school")
    BUREAU = "bureau", _("Education bureau")
    FINANCE = "finance", _("Finance bureau")


class EvaluationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", pgettext_lazy("evaluation", "Submitted")


class PerformanceEvaluation(models.Model):
    """A performance evaluation (绩效评价) of a project, or of a school's year, by the school
    itself, the education bureau or the finance bureau, against an indicator set of the policy
    (copied here): a score per third-level indicator with its evidence, a weighted total on
    0–100 and the grade the policy's bands give."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="evaluations", verbose_name=_("project"))
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT,
                                    related_name="evaluations", verbose_name=_("institution"))
    year = models.PositiveSmallIntegerField(_("year"))
    evaluator = models.CharField(_("evaluated by"), max_length=10,
                                 choices=EvaluatorRole.choices)
    indicator_set = models.JSONField(_("indicator set"), default=dict)
    state = models.CharField(_("state"), max_length=10, choices=EvaluationState.choices,
                             default=EvaluationState.DRAFT, db_index=True)
    total = models.DecimalField(_("total score"), max_digits=5, decimal_places=2, null=True,
                                blank=True)
    grade = models.CharField(_("grade"), max_length=10, blank=True)
    conclusion = models.TextField(_("conclusion"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "-created_at", "-pk"]
        verbose_name = _("performance evaluation")
        verbose_name_plural = _("performance evaluations")

    def __str__(self) -> str:
        return f"{self.project or self.institution} · {self.year} · {self.evaluator}"


class EvaluationScore(models.Model):
    """The score of one third-level indicator in an evaluation, with its evidence."""

    evaluation = models.ForeignKey(PerformanceEvaluation, on_delete=models.CASCADE,
                                   related_name="scores",
                                   verbose_name=_("performance evaluation"))
    indicator = models.CharField(_("indicator"), max_length=40)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    evidence = models.TextField(_("evidence"), blank=True)
    file = models.OneToOneField("core.StoredFile", on_delete=models.PROTECT, null=True,
                                blank=True, related_name="+", verbose_name=_("evidence file"))

    class Meta:
        ordering = ["evaluation", "pk"]
        verbose_name = _("indicator score")
        verbose_name_plural = _("indicator scores")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "indicator"],
                                    name="evaluation_indicator_once"),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation_id} {self.indicator}"
