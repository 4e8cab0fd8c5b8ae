from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vetq.applications.models import Application
from vetq.institutions.models import Enterprise, Industry, Institution, Region
from vetq.programs.models import Call, CallCategory


class Expert(models.Model):
    """A member of the expert pool (专家库, R24)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="expert", verbose_name=_("account"),
    )
    code = models.CharField(
        _("expert code"), max_length=20, unique=True,
        help_text=_("A stable code (e.g. E0042); draws publish codes, not names."),
    )
    name = models.CharField(_("name"), max_length=60)
    title = models.CharField(_("professional title"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
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
    major_groups = models.JSONField(
        _("major groups"), default=list, blank=True,
        help_text=_("Two-digit major group codes (专业大类) of the catalogue, e.g. 46, 51."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
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


class Employment(models.Model):
    """A past (or current) job of an expert: the 3-year conflict rule reads these."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="employments",
                               verbose_name=_("expert"))
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("institution"))
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("enterprise"))
    position = models.CharField(_("position"), max_length=60, blank=True)
    started = models.DateField(_("employed from"), null=True, blank=True)
    ended = models.DateField(_("employed until"), null=True, blank=True, help_text=_("Empty: still there."))

    class Meta:
        ordering = ["expert", "-ended", "-started", "pk"]
        verbose_name = _("employment")
        verbose_name_plural = _("employment history")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(institution__isnull=False) & models.Q(enterprise__isnull=True))
                | (models.Q(institution__isnull=True) & models.Q(enterprise__isnull=False)),
                name="employment_one_employer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.expert}: {self.institution or self.enterprise}"


class Declaration(models.Model):
    """A conflict the expert declares (申报回避): an institution, an enterprise or a person."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="declarations",
                               verbose_name=_("expert"))
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("institution"))
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("enterprise"))
    person = models.CharField(_("person"), max_length=60, blank=True)
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("declared at"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        ordering = ["expert", "-created_at", "-pk"]
        verbose_name = _("declared conflict")
        verbose_name_plural = _("declared conflicts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(institution__isnull=False) | models.Q(enterprise__isnull=False)
                | ~models.Q(person=""),
                name="declaration_names_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.expert}: {self.institution or self.enterprise or self.person}"


class PanelState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ANNOUNCED = "announced", _("Draw announced")
    REVIEWING = "reviewing", _("Under review")
    CLOSED = "closed", _("Review finished")


class Panel(models.Model):
    """A review panel (评审组): the applications of one call category, the rules of its draw,
    its rubric (a copy from the policy file) and, once drawn, its experts and assignments."""

    call_category = models.ForeignKey(CallCategory, on_delete=models.PROTECT,
                                      related_name="panels", verbose_name=_("call category"))
    name = models.CharField(_("name"), max_length=100)
    state = models.CharField(_("state"), max_length=20, choices=PanelState.choices,
                             default=PanelState.DRAFT, db_index=True)
    applications = models.ManyToManyField(Application, related_name="panels", blank=True,
                                          verbose_name=_("applications"))
    rules = models.JSONField(_("panel rules"), default=dict,
                             help_text=_("The policy's review rules as they were when the panel "
                                         "was set up."))
    rubric = models.JSONField(_("rubric"), default=dict)
    # Set for the expert scoring of a project check round (mid-term check or acceptance): the
    # panel's applications are then the checked projects' applications, which keep their
    # state; the experts score the projects' reports (projects/checks.py).
    check_round = models.OneToOneField(
        "projects.CheckRound", on_delete=models.PROTECT, null=True, blank=True,
        related_name="panel", verbose_name=_("check round"),
    )
    review_deadline = models.DateTimeField(_("review deadline"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("review finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("panel")
        verbose_name_plural = _("panels")

    def __str__(self) -> str:
        return self.name


class Draw(models.Model):
    """A committed, then revealed random draw (专家抽取; fair-review.md §2).

    `inputs` is frozen when the notice is published and its SHA-256 (`inputs_digest`, over
    the canonical JSON) is published with the name of a future public value. When the value
    exists it is entered; `seed` = SHA-256(digest ‖ value ‖ algorithm version) and `result`
    is a pure function of (inputs, seed).
    """

    panel = models.OneToOneField(Panel, on_delete=models.PROTECT, related_name="draw",
                                 verbose_name=_("panel"))
    algorithm_version = models.CharField(_("algorithm version"), max_length=40)
    inputs = models.JSONField(_("inputs"))
    inputs_digest = models.CharField(_("inputs digest"), max_length=64)
    public_value_source = models.TextField(
        _("public value"),
        help_text=_("Which future public random value fixes the draw, named precisely "
                    "(e.g. a lottery draw's winning numbers on a named date)."))
    public_value_expected = models.DateTimeField(_("public value expected on"))
    announced_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("announced by"))
    announced_at = models.DateTimeField(_("announced at"), auto_now_add=True)
    public_value = models.CharField(_("public value as published"), max_length=200, blank=True)
    seed = models.CharField(_("seed"), max_length=64, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    performed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+",
                                     verbose_name=_("performed by"))
    performed_at = models.DateTimeField(_("performed at"), null=True, blank=True)

    class Meta:
        ordering = ["-announced_at", "-pk"]
        verbose_name = _("draw")
        verbose_name_plural = _("draws")

    def __str__(self) -> str:
        return f"{self.panel} · {self.inputs_digest[:12]}"

    @property
    def performed(self) -> bool:
        return self.result is not None


class MemberRole(models.TextChoices):
    MEMBER = "member", _("Panel member")
    RESERVE = "reserve", _("Reserve")


class PanelMember(models.Model):
    """An expert drawn for a panel, as a member or as a reserve (候补) at a position."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="members",
                              verbose_name=_("panel"))
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="panel_seats",
                               verbose_name=_("expert"))
    role = models.CharField(_("role"), max_length=10, choices=MemberRole.choices)
    position = models.PositiveIntegerField(_("position in the draw"))
    added_by_hand = models.BooleanField(_("added by hand"), default=False)
    reason = models.TextField(_("reason"), blank=True)
    declined_at = models.DateTimeField(_("declined at"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)

    class Meta:
        ordering = ["panel", "role", "position"]
        verbose_name = _("panel member")
        verbose_name_plural = _("panel members")
        constraints = [
            models.UniqueConstraint(fields=["panel", "expert"], name="panel_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.panel}: {self.expert} ({self.role} {self.position})"


class AssignmentSource(models.TextChoices):
    DRAW = "draw", _("Draw")
    RESERVE = "reserve", _("Reserve replacing a decline")
    MANUAL = "manual", _("Added by the bureau")


class Assignment(models.Model):
    """One expert to one application (评审分配)."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="assignments",
                              verbose_name=_("panel"))
    application = models.ForeignKey(Application, on_delete=models.PROTECT,
                                    related_name="assignments", verbose_name=_("application"))
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="assignments",
                               verbose_name=_("expert"))
    source = models.CharField(_("source"), max_length=10, choices=AssignmentSource.choices,
                              default=AssignmentSource.DRAW)
    match = models.DecimalField(_("expertise match"), max_digits=4, decimal_places=3, default=0)
    active = models.BooleanField(_("active"), default=True)
    replaces = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="replaced_by", verbose_name=_("replaces"))
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["panel", "application", "pk"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(fields=["application", "expert"],
                                    condition=models.Q(active=True),
                                    name="assignment_active_once"),
        ]
        indexes = [models.Index(fields=["expert", "active"])]

    def __str__(self) -> str:
        return f"{self.application_id} ← {self.expert}"


class ReviewState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class Review(models.Model):
    """One expert's scores and comments on one application (评分).

    `scores` maps criterion code to the score given, or null for "not applicable";
    `total` is the weighted total on 0–100, computed by `scoring.weighted_total`.
    """

    assignment = models.OneToOneField(Assignment, on_delete=models.PROTECT,
                                      related_name="review", verbose_name=_("assignment"))
    state = models.CharField(_("state"), max_length=10, choices=ReviewState.choices,
                             default=ReviewState.DRAFT)
    scores = models.JSONField(_("scores"), default=dict, blank=True)
    comments = models.JSONField(_("comments per criterion"), default=dict, blank=True)
    comment = models.TextField(_("overall comment"), blank=True)
    total = models.DecimalField(_("total"), max_digits=6, decimal_places=2, null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        ordering = ["assignment"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self) -> str:
        return f"{self.assignment} {self.total}"


class ReviewEvent(models.Model):
    """History of a review: saved, submitted, reopened by the bureau (with the reason)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="events",
                               verbose_name=_("review"))
    action = models.CharField(_("action"), max_length=20)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                           verbose_name=_("by"))
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("review event")
        verbose_name_plural = _("review events")

    def __str__(self) -> str:
        return f"{self.review_id} {self.action}"


class ExpertRating(models.Model):
    """The bureau's rating of an expert's work in one panel (1–5)."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="ratings",
                               verbose_name=_("expert"))
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="ratings",
                              verbose_name=_("panel"))
    score = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                           verbose_name=_("by"))
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("expert rating")
        verbose_name_plural = _("expert ratings")
        constraints = [
            models.UniqueConstraint(fields=["expert", "panel"], name="rating_once_per_panel"),
            models.CheckConstraint(condition=models.Q(score__gte=1) & models.Q(score__lte=5),
                                   name="rating_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.expert} {self.score}"


class SelectionState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    PUBLISHED = "published", _("In publicity")
    SUPERSEDED = "superseded", _("Superseded")


class Selection(models.Model):
    """The exact selection of a call's winners (立项遴选) under quota, target, budget and the
    minimum score, with the seeded lottery that orders ties; `inputs` and `result` are kept
    so anyone can re-run it."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="selections",
                             verbose_name=_("call"))
    state = models.CharField(_("state"), max_length=12, choices=SelectionState.choices,
                             default=SelectionState.PROPOSED)
    algorithm_version = models.CharField(_("algorithm version"), max_length=40)
    inputs = models.JSONField(_("inputs"))
    inputs_digest = models.CharField(_("inputs digest"), max_length=64)
    seed = models.CharField(_("tie-break seed"), max_length=64)
    result = models.JSONField(_("result"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("selection")
        verbose_name_plural = _("selections")

    def __str__(self) -> str:
        return f"{self.call} · {self.inputs_digest[:12]}"


class Override(models.Model):
    """A bureau decision against the computed selection, with its written reason; shown in
    publicity and in the audit log."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="overrides",
                                  verbose_name=_("selection"))
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("application"))
    include = models.BooleanField(_("include"))
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                           verbose_name=_("by"))
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("override")
        verbose_name_plural = _("overrides")
        constraints = [
            models.UniqueConstraint(fields=["selection", "application"], name="override_once"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {'+' if self.include else '−'}"


class Publicity(models.Model):
    """A publicity period (公示) of a call's shortlist on the portal."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="publicities",
                             verbose_name=_("call"))
    selection = models.OneToOneField(Selection, on_delete=models.PROTECT,
                                     related_name="publicity", verbose_name=_("selection"))
    title = models.CharField(_("title"), max_length=150)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("published by"))
    closed_at = models.DateTimeField(_("publicity closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("publicity")
        verbose_name_plural = _("publicities")
        constraints = [
            models.CheckConstraint(condition=models.Q(starts_at__lt=models.F("ends_at")),
                                   name="publicity_period_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    def is_open(self, now) -> bool:
        return self.starts_at <= now <= self.ends_at


class ObjectionState(models.TextChoices):
    OPEN = "open", pgettext_lazy("objection", "Open")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


class Objection(models.Model):
    """An objection (异议) lodged during publicity, under a real name with a contact."""

    class Effect(models.TextChoices):
        NONE = "", _("None")
        REMOVE = "remove", _("Removed from the list")
        RERANK = "rerank", _("Re-ranked")

    publicity = models.ForeignKey(Publicity, on_delete=models.PROTECT, related_name="objections",
                                  verbose_name=_("publicity"))
    application = models.ForeignKey(Application, on_delete=models.PROTECT,
                                    related_name="objections", verbose_name=_("application"))
    name = models.CharField(_("name"), max_length=60)
    organisation = models.CharField(_("organisation"), max_length=120, blank=True)
    contact = models.CharField(_("phone or e-mail"), max_length=120)
    grounds = models.TextField(_("grounds"))
    lodged_at = models.DateTimeField(_("lodged at"), auto_now_add=True)
    client_digest = models.CharField(_("client digest"), max_length=64, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=ObjectionState.choices,
                             default=ObjectionState.OPEN, db_index=True)
    effect = models.CharField(_("effect"), max_length=10, choices=Effect.choices, blank=True)
    decision = models.TextField(_("decision"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-lodged_at", "-pk"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self) -> str:
        return f"{self.application_id}: {self.name}"
