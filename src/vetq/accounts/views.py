from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils import timezone

from vetq.institutions.models import Institution, Major
from vetq.programs.queries import current_program, program_budget, program_progress

from . import scoping
from .roles import Role

HOME_ASSIGNMENTS = 10  # the expert's nearest review deadlines on its home page


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


@login_required
def home(request):
    """The signed-in user's workspace: one section per role it holds, with real figures."""
    user = request.user
    roles = scoping.roles_of(user)
    program = current_program()
    context = {
        "program": program,
        "roles": [Role(r) for r in Role.values if r in roles],
        "progress": program_progress(program) if program else [],
        "budget": program_budget(program) if program else None,
    }
    if roles & {Role.BUREAU_ADMIN, Role.DEPARTMENT_VIEWER, Role.FINANCE_OFFICER}:
        institutions = scoping.institutions_for(user)
        context["by_region"] = (
            institutions.values("region__name", "region__code")
            .annotate(count=Count("id"))
            .order_by("region__order")
        )
        context["institution_count"] = institutions.count()
        context["major_count"] = scoping.majors_for(user).count()
    if Role.REGION_OFFICER in roles:
        context["region_schools"] = (
            scoping.institutions_for(user)
            .filter(region__in=scoping.own_regions(user))
            .select_related("region")
            .annotate(major_count=Count("majors"))
        )
        context["own_regions"] = scoping.own_regions(user)
    if Role.SCHOOL_USER in roles:
        schools = scoping.own_institutions(user)
        context["own_schools"] = schools
        context["own_majors"] = (
            Major.objects.filter(institution__in=schools)
            .select_related("institution")
            .prefetch_related("industries")
        )
        types = {s.type for s in schools}
        context["open_categories"] = [
            p for p in context["progress"] if types & set(p.category.eligible_types)
        ]
    if Role.EXPERT in roles:
        context["expert_profile"] = getattr(user, "expert", None)
        if context["expert_profile"] is not None:
            context["expert_declared"] = context["expert_profile"].declarations.filter(
                withdrawn_at__isnull=True).count()
        from vetq.reviews.progress import my_assignments

        context["home_assignments"] = list(my_assignments(user)[:HOME_ASSIGNMENTS])
        context["home_now"] = timezone.now()
    context["finance_regions"] = [
        m.region for m in scoping.memberships(user) if m.role == Role.FINANCE_OFFICER
    ]
    context["institution_total"] = Institution.objects.count()
    return render(request, "accounts/home.html", context)
