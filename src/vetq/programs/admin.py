from django.contrib import admin

from .models import Category, Program, SubsidyRule


class ReadOnlyAdmin(admin.ModelAdmin):
    """Programs come from policy files (`python -m vetq policy load`); the admin only reads."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CategoryInline(admin.TabularInline):
    model = Category
    fields = ["requirement", "code", "name", "target", "construction_years", "active"]
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Program)
class ProgramAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "period_start", "period_end", "budget_yuan", "loaded_at"]
    exclude = ["policy"]
    inlines = [CategoryInline]


@admin.register(SubsidyRule)
class SubsidyRuleAdmin(ReadOnlyAdmin):
    list_display = ["category", "version", "kind", "created_at"]
    list_filter = ["kind"]
