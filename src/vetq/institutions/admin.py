from django.contrib import admin

from .models import Department, Enterprise, Industry, Institution, Major, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "order"]


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_pillar", "order"]
    search_fields = ["code", "name"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "order"]


class MajorInline(admin.TabularInline):
    model = Major
    extra = 0
    filter_horizontal = ["industries"]


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "type", "region", "supervising_department", "active"]
    list_filter = ["type", "region", "active"]
    search_fields = ["code", "name"]
    inlines = [MajorInline]
    list_select_related = ["region", "supervising_department"]


@admin.register(Major)
class MajorAdmin(admin.ModelAdmin):
    list_display = ["catalogue_code", "name", "institution", "is_backbone", "active"]
    list_filter = ["is_backbone", "industries"]
    search_fields = ["catalogue_code", "name", "institution__name"]
    autocomplete_fields = ["institution"]
    filter_horizontal = ["industries"]
    list_select_related = ["institution"]


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "region"]
    search_fields = ["name", "credit_code"]
    filter_horizontal = ["industries"]
