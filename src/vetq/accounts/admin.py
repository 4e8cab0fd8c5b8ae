from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError

from .models import ApiToken, Membership, User
from .services import membership_grant, membership_revoke


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["institution"]
    readonly_fields = ["role", "region", "institution", "department", "created_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        ("vetq", {"fields": ["full_name", "phone"]}),
    ]
    list_display = ["username", "full_name", "email", "is_active", "last_login"]
    search_fields = ["username", "full_name", "email"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Grants and revocations go through the audited services, never a bare save."""

    list_display = ["user", "role", "region", "institution", "department", "created_at"]
    list_filter = ["role", "region"]
    search_fields = ["user__username", "user__full_name", "institution__name"]
    autocomplete_fields = ["user", "institution"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        try:
            saved = membership_grant(
                user=obj.user, role=obj.role, by=request.user, region=obj.region,
                institution=obj.institution, department=obj.department,
            )
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
            return
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        membership_revoke(membership=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for membership in queryset:
            membership_revoke(membership=membership, by=request.user)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    search_fields = ["user__username", "name"]

    def has_add_permission(self, request):
        return False
