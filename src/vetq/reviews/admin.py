from django.contrib import admin

from .models import Expert


@admin.register(Expert)
class ExpertAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "employer_institution", "employer_enterprise", "region", "active"]
    list_filter = ["active", "region"]
    search_fields = ["name"]
    autocomplete_fields = ["employer_institution", "employer_enterprise"]
    filter_horizontal = ["specialties"]
    list_select_related = ["employer_institution", "employer_enterprise", "region"]
