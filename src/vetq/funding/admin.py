"""Grants, tranches and the ledger in the admin: for reading only. Grants change through
`funding.grants`, money through `funding.ledger` (a mistake is a reversing entry, R29), so
nothing here can add, change or delete them."""

from django.contrib import admin

from .models import Grant, LedgerEntry, Tranche


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TrancheInline(ReadOnlyMixin, admin.TabularInline):
    model = Tranche
    extra = 0
    fields = ["seq", "amount", "due_date", "condition", "condition_met_at", "withheld_at",
              "withheld_reason"]
    readonly_fields = fields
    can_delete = False


class LedgerEntryInline(ReadOnlyMixin, admin.TabularInline):
    model = LedgerEntry
    extra = 0
    fields = ["paid_on", "kind", "tranche", "amount", "voucher_no", "payer_account", "reverses",
              "note", "recorded_by", "recorded_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(Grant)
class GrantAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "application", "category", "institution", "payer_region",
                    "commissioned", "year", "state"]
    list_filter = ["state", "year", "category", "payer_region", "commissioned"]
    search_fields = ["application__title", "institution__name"]
    list_select_related = ["application", "category", "institution", "payer_region"]
    inlines = [TrancheInline, LedgerEntryInline]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "paid_on", "kind", "grant", "tranche", "amount", "voucher_no",
                    "recorded_by", "recorded_at"]
    list_filter = ["kind"]
    search_fields = ["voucher_no", "grant__application__title"]
    list_select_related = ["grant__application", "tranche", "recorded_by"]
    date_hierarchy = "paid_on"
