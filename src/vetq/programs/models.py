from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from vetq.core.money import MoneyField
from vetq.institutions.models import Industry, Region

from . import subsidy


class Program(models.Model):
    """One funding program (职业教育质量提升工程), loaded from its policy file."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=120)
    title_en = models.CharField(_("English title"), max_length=200, blank=True)
    document = models.CharField(_("policy document"), max_length=60, blank=True)
    period_start = models.PositiveSmallIntegerField(_("first year"))
    period_end = models.PositiveSmallIntegerField(_("last year"))
    budget_yuan = MoneyField(_("municipal budget (yuan)"))
    self_funded_regions = models.ManyToManyField(
        Region, blank=True, related_name="+", verbose_name=_("self-funded regions")
    )
    commissioned_paid_by_city = models.BooleanField(
        _("city pays commissioned projects"), default=True
    )
    industries = models.ManyToManyField(
        Industry, blank=True, related_name="programs", verbose_name=_("industries")
    )
    policy_file = models.CharField(_("policy file"), max_length=200)
    policy_sha256 = models.CharField(_("policy file SHA-256"), max_length=64)
    policy = models.JSONField(_("validated policy"), default=dict)
    loaded_at = models.DateTimeField(_("loaded at"))

    class Meta:
        ordering = ["-period_start", "code"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")

    def __str__(self) -> str:
        return f"{self.title}（{self.period_start}–{self.period_end}）"

    @property
    def years(self) -> range:
        return range(self.period_start, self.period_end + 1)

    def payer_for(self, region: Region, *, commissioned: bool = False) -> str:
        """R28: "city" or the code of the self-funded region that pays."""
        return subsidy.payer_for(
            region_code=region.code,
            self_funded_regions=[r.code for r in self.self_funded_regions.all()],
            commissioned=commissioned,
            commissioned_paid_by_city=self.commissioned_paid_by_city,
        )


class SubsidyKind(models.TextChoices):
    FIXED = "fixed", _("Fixed amount")
    RANGE = "range", _("Amount within a range")
    PER_YEAR_PLUS_BONUS = "per_year_plus_bonus", _("Per year plus completion bonus")
    TOTAL_IN_TRANCHES = "total_in_tranches", _("Total paid in tranches")


class Category(models.Model):
    """A kind of fundable project (项目类别) with its target and eligibility."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="categories", verbose_name=_("program")
    )
    code = models.SlugField(_("code"), max_length=60)
    requirement = models.CharField(_("requirement id"), max_length=10, blank=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    target = models.PositiveIntegerField(
        _("target"), null=True, blank=True,
        help_text=_("Projects to fund over the program period; empty means as approved."),
    )
    eligible_types = models.JSONField(_("eligible institution types"), default=list)
    construction_years = models.PositiveSmallIntegerField(
        _("construction years"), null=True, blank=True
    )
    form = models.JSONField(
        _("application form"), default=dict, blank=True,
        help_text=_("The category's application form as in the policy file."),
    )
    is_award = models.BooleanField(
        _("award"), default=False, help_text=_("A reward decided each year, not a project.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["program", "order", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(fields=["program", "code"], name="category_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def current_rule(self) -> "SubsidyRule | None":
        rules = getattr(self, "_prefetched_objects_cache", {}).get("subsidy_rules")
        if rules is not None:
            return max(rules, key=lambda r: r.version, default=None)
        return self.subsidy_rules.order_by("-version").first()


class SubsidyRule(models.Model):
    """One version of a category's subsidy rule (补助标准). A changed policy adds a version."""

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="subsidy_rules",
        verbose_name=_("category"),
    )
    version = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=30, choices=SubsidyKind.choices)
    amount_yuan = MoneyField(_("amount (yuan)"), null=True, blank=True)
    min_yuan = MoneyField(_("minimum (yuan)"), null=True, blank=True)
    max_yuan = MoneyField(_("maximum (yuan)"), null=True, blank=True)
    per_year_yuan = MoneyField(_("per year (yuan)"), null=True, blank=True)
    bonus_yuan = MoneyField(_("bonus (yuan)"), null=True, blank=True)
    bonus_if = models.CharField(_("bonus if rated"), max_length=20, blank=True)
    total_yuan = MoneyField(_("total (yuan)"), null=True, blank=True)
    tranches = models.PositiveSmallIntegerField(_("tranches"), null=True, blank=True)
    policy_sha256 = models.CharField(_("policy file SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["category", "-version"]
        verbose_name = _("subsidy rule")
        verbose_name_plural = _("subsidy rules")
        constraints = [
            models.UniqueConstraint(fields=["category", "version"], name="subsidy_rule_version"),
        ]

    def __str__(self) -> str:
        return f"{self.category} v{self.version}"

    def as_mapping(self) -> dict:
        """The rule as in the policy file (only the keys its kind uses)."""
        fields = {
            "fixed": ["amount_yuan"],
            "range": ["min_yuan", "max_yuan"],
            "per_year_plus_bonus": ["per_year_yuan", "bonus_yuan", "bonus_if"],
            "total_in_tranches": ["total_yuan", "tranches"],
        }[self.kind]
        data: dict = {"kind": self.kind}
        for name in fields:
            value = getattr(self, name)
            data[name] = int(value) if isinstance(value, Decimal) and value == value.to_integral() else value
        return data

    @property
    def rule(self) -> subsidy.Rule:
        return subsidy.rule_from_mapping(self.as_mapping())

    @property
    def municipal_amount_at_target_rate(self) -> Decimal | None:
        """The amount one project costs the city, where the rule fixes it without a rating."""
        if self.kind == SubsidyKind.FIXED:
            return self.amount_yuan
        if self.kind == SubsidyKind.TOTAL_IN_TRANCHES:
            return self.total_yuan
        return None


class CallState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Open")
    CLOSED = "closed", _("Closed")


class Call(models.Model):
    """One yearly round of applications (申报通知): open categories, quotas, deadlines."""

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="calls", verbose_name=_("program")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=150)
    notice = models.TextField(_("notice text"), blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=CallState.choices, default=CallState.DRAFT
    )
    submission_deadline = models.DateTimeField(_("submission deadline"))
    recommendation_deadline = models.DateTimeField(_("recommendation deadline"))
    formal_check_deadline = models.DateTimeField(_("formal check deadline"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "-pk"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.UniqueConstraint(fields=["program", "year"], name="call_one_per_program_year"),
            models.CheckConstraint(
                condition=models.Q(submission_deadline__lte=models.F("recommendation_deadline"))
                & models.Q(recommendation_deadline__lte=models.F("formal_check_deadline")),
                name="call_deadlines_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_open_for_submission(self, now) -> bool:
        return self.state == CallState.PUBLISHED and now <= self.submission_deadline


class CallCategory(models.Model):
    """A category open in a call, with its quota (年度名额) and caps."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="call_categories", verbose_name=_("call")
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="call_categories",
        verbose_name=_("category"),
    )
    quota = models.PositiveIntegerField(_("quota"))
    per_school_cap = models.PositiveSmallIntegerField(
        _("applications per school"), null=True, blank=True,
        help_text=_("Empty means no cap."),
    )
    per_region_cap = models.PositiveSmallIntegerField(
        _("recommendations per region"), null=True, blank=True,
        help_text=_("Empty means no cap."),
    )

    class Meta:
        ordering = ["call", "category__order"]
        verbose_name = _("call category")
        verbose_name_plural = _("call categories")
        constraints = [
            models.UniqueConstraint(fields=["call", "category"], name="call_category_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.call} · {self.category}"


class CallAttachment(models.Model):
    """A file published with a call's notice (templates, the full notice as PDF)."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("call")
    )
    file = models.ForeignKey(
        "core.StoredFile", on_delete=models.PROTECT, related_name="+", verbose_name=_("file")
    )

    class Meta:
        verbose_name = _("call attachment")
        verbose_name_plural = _("call attachments")

    def __str__(self) -> str:
        return str(self.file)
