"""Grants, their tranches, the append-only payment ledger, budget allocations and
expenditure reports (R27–R30). Balances are always sums of the ledger, never stored totals."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vetq.applications.models import Application
from vetq.core.money import MoneyField
from vetq.institutions.models import Institution, Region
from vetq.programs.models import Category, Program, SubsidyRule


class AppendOnlyError(RuntimeError):
    """Ledger rows are never changed or deleted; a mistake is corrected by a reversing entry."""


class GrantState(models.TextChoices):
    ACTIVE = "active", _("Active")
    CLOSED = "closed", pgettext_lazy("grant", "Closed")
    FAILED = "failed", _("Failed acceptance")
    WITHDRAWN = "withdrawn", pgettext_lazy("grant", "Withdrawn")


class Grant(models.Model):
    """Money promised to an approved project (补助经费), with the payer of R28.

    `payer_region` is empty when the city pays; otherwise it is the self-funded region
    (Jiangyin, Yixing) that pays its own school. The amount promised is the sum of the live
    tranches; `municipal` says whether it counts against the program's budget (R27).
    """

    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="grant", verbose_name=_("application")
    )
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="grants",
                                verbose_name=_("program"))
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="grants",
                                 verbose_name=_("category"))
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="grants",
                                    verbose_name=_("institution"))
    subsidy_rule = models.ForeignKey(SubsidyRule, on_delete=models.PROTECT, related_name="grants",
                                     verbose_name=_("subsidy rule version"))
    payer_region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="paid_grants",
        verbose_name=_("paying region"), help_text=_("Empty: the city pays."),
    )
    commissioned = models.BooleanField(_("commissioned by the city"), default=False)
    municipal_rate = MoneyField(_("amount at the municipal rate (yuan)"))
    year = models.PositiveSmallIntegerField(_("year of approval"))
    construction_years = models.PositiveSmallIntegerField(
        _("construction years"), null=True, blank=True
    )
    state = models.CharField(_("state"), max_length=20, choices=GrantState.choices,
                             default=GrantState.ACTIVE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "pk"]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")

    def __str__(self) -> str:
        return f"{self.application.title}"

    @property
    def municipal(self) -> bool:
        return self.payer_region_id is None


class TrancheCondition(models.TextChoices):
    ON_APPROVAL = "on_approval", _("On approval")
    CONSTRUCTION_YEAR = "construction_year", _("Yearly during construction")
    MIDTERM_PASSED = "midterm_passed", _("On passing the mid-term check")
    ACCEPTANCE_PASSED = "acceptance_passed", _("On passing acceptance")
    EXCELLENT = "excellent", _("On an excellent rating")


class Tranche(models.Model):
    """One planned payment of a grant (拨付批次), payable when its condition holds."""

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="tranches",
                              verbose_name=_("grant"))
    seq = models.PositiveSmallIntegerField(_("number"))
    amount = MoneyField(_("amount (yuan)"))
    due_date = models.DateField(_("due date"))
    condition = models.CharField(_("condition"), max_length=30, choices=TrancheCondition.choices)
    condition_met_at = models.DateTimeField(_("condition met at"), null=True, blank=True)
    withheld_at = models.DateTimeField(_("withheld at"), null=True, blank=True)
    withheld_reason = models.TextField(_("reason withheld"), blank=True)

    class Meta:
        ordering = ["grant", "seq"]
        verbose_name = _("tranche")
        verbose_name_plural = _("tranches")
        constraints = [
            models.UniqueConstraint(fields=["grant", "seq"], name="tranche_seq_unique"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="tranche_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.grant_id}#{self.seq}"

    @property
    def live(self) -> bool:
        return self.withheld_at is None


class EntryKind(models.TextChoices):
    PAYMENT = "payment", _("Payment")
    REVERSAL = "reversal", _("Reversal")
    RECOVERY = "recovery", _("Recovery")


class LedgerEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("ledger entries cannot be changed")

    def delete(self):
        raise AppendOnlyError("ledger entries cannot be deleted")


class LedgerEntry(models.Model):
    """One movement of money on a grant (R29). Append-only.

    A payment is positive; a reversal carries the negative of the payment it corrects; a
    recovery (收回) is money taken back, recorded as a positive amount of kind recovery.
    """

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="entries",
                              verbose_name=_("grant"))
    tranche = models.ForeignKey(Tranche, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="entries", verbose_name=_("tranche"))
    kind = models.CharField(_("kind"), max_length=20, choices=EntryKind.choices)
    amount = MoneyField(_("amount (yuan)"))
    voucher_no = models.CharField(_("voucher number"), max_length=60, blank=True)
    paid_on = models.DateField(_("date"))
    payer_account = models.CharField(_("payer account"), max_length=100, blank=True)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        ordering = ["recorded_at", "pk"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} ({self.voucher_no})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("ledger entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("ledger entries cannot be deleted")


class BudgetAllocation(models.Model):
    """An optional yearly allocation of the program's municipal budget (R27)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="allocations",
                                verbose_name=_("program"))
    year = models.PositiveSmallIntegerField(_("year"))
    amount = MoneyField(_("amount (yuan)"))

    class Meta:
        ordering = ["program", "year"]
        verbose_name = _("budget allocation")
        verbose_name_plural = _("budget allocations")
        constraints = [
            models.UniqueConstraint(fields=["program", "year"], name="allocation_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.program} {self.year}"


class Expenditure(models.Model):
    """A school's report of spending on one budget item of a grant (R29), with the co-funding
    received from the school and its partners (R30)."""

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="expenditures",
                              verbose_name=_("grant"))
    year = models.PositiveSmallIntegerField(_("year"))
    item = models.CharField(_("budget item"), max_length=60)
    spent = MoneyField(_("spent from the grant (yuan)"), default=0)
    school_cofunding = MoneyField(_("school co-funding received (yuan)"), default=0)
    partner_cofunding = MoneyField(_("partner co-funding received (yuan)"), default=0)
    note = models.TextField(_("note"), blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("reported by"))
    reported_at = models.DateTimeField(_("reported at"), auto_now=True)

    class Meta:
        ordering = ["grant", "year", "item"]
        verbose_name = _("expenditure")
        verbose_name_plural = _("expenditures")
        constraints = [
            models.UniqueConstraint(fields=["grant", "year", "item"], name="expenditure_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.grant_id} {self.year} {self.item}"
