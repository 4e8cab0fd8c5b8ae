"""The expert pool pages (专家库, R24): the bureau's list, detail, forms, import and export and
its rating of experts after a panel's round; an expert's own profile (/reviews/me/).

Bureau pages refuse other users with 403. The small POST endpoints for employment and
declarations serve both the bureau and the expert itself; for anyone else the expert does not
exist (404). Writes go through `reviews.pool`; its refusals come back onto the form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vetq.accounts.models import User
from vetq.core.excel import XLSX_CONTENT_TYPE
from vetq.institutions.models import Industry, Region

from .. import pool, pool_excel, ratings
from ..forms_pool import (
    DeactivateForm,
    DeclarationForm,
    EmploymentEndForm,
    EmploymentForm,
    ExpertForm,
    ImportForm,
    LinkUserForm,
    ProfileForm,
    RatingForm,
)
from ..models import Declaration, Employment, Expert, Panel, PanelState, ReviewState
from ..pool_queries import (
    ACTIVE_CHOICES,
    EMPLOYER_KINDS,
    ExpertFilters,
    conflict_sources,
    expert_loaded,
    experts_listed,
    panels_served,
    ratings_of,
)

PAGE_SIZE = 50
IMPORT_HELP = {
    "code": gettext_lazy("The expert's code, such as E0042; an expert already listed is updated."),
    "name": gettext_lazy("The expert's name."),
    "title": gettext_lazy("Professional title. Optional."),
    "employer_kind": gettext_lazy("学校 (a school) or 企业 (an enterprise)."),
    "employer_code": gettext_lazy("The school code, or the enterprise's unified social credit "
                                  "code (or its exact name)."),
    "region": gettext_lazy("A region name such as 梁溪区, or its code; blank: the employer's."),
    "specialties": gettext_lazy("Industry names or codes, separated by 、 or commas. Optional."),
    "major_groups": gettext_lazy("Two-digit major group codes (专业大类), separated by 、 or "
                                 "commas. Optional."),
    "phone": gettext_lazy("Optional."),
    "email": gettext_lazy("Optional."),
    "active": gettext_lazy("是 or 否 (Y/N, 1/0); blank means 是."),
}


def _require_bureau(user) -> None:
    if not pool.is_bureau(user):
        raise PermissionDenied


def _refusal_to_form(form, refusal: pool.PoolRefused) -> None:
    form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)


def _xlsx_response(content: bytes, name: str) -> HttpResponse:
    filename = f"{name}-{timezone.localdate():%Y%m%d}.xlsx"
    return HttpResponse(content, content_type=XLSX_CONTENT_TYPE,
                        headers={"Content-Disposition": content_disposition_header(True, filename)})


# The bureau's list, export and import ----------------------------------------------------

@require_GET
@login_required
def expert_list(request):
    """The pool, searchable by name or code and filterable by region, industry, employer
    kind and whether the expert is in the pool; 50 to a page."""
    _require_bureau(request.user)
    filters = ExpertFilters.from_query(request.GET)
    page = Paginator(experts_listed(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page, "filters": filters, "regions": Region.objects.all(),
        "industries": Industry.objects.order_by("order", "code"),
        "kinds": EMPLOYER_KINDS.items(), "actives": ACTIVE_CHOICES.items(),
    }
    template = "reviews/pool/_results.html" if request.htmx else "reviews/pool/list.html"
    return render(request, template, context)


@require_GET
@login_required
def expert_export(request):
    """The experts of the list, with its filters, as .xlsx in the import's format."""
    _require_bureau(request.user)
    queryset = Expert.objects.filter(ExpertFilters.from_query(request.GET).condition()).distinct()
    return _xlsx_response(pool_excel.experts_export(queryset), "experts")


@require_GET
@login_required
def expert_template(request):
    _require_bureau(request.user)
    return _xlsx_response(pool_excel.experts_template(), "experts-template")


@require_http_methods(["GET", "POST"])
@login_required
def expert_import(request):
    """Upload the pool; show each bad row, or import them all and say how many."""
    _require_bureau(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = pool_excel.experts_import(file=form.cleaned_data["file"], by=request.user)
        if result.refused:
            form.add_error("file", result.refused)
        elif result.ok:
            messages.success(request, _("Imported: %(created)d created, %(updated)d updated, "
                                        "%(unchanged)d unchanged.")
                             % {"created": result.created, "updated": result.updated,
                                "unchanged": result.unchanged})
            return redirect("reviews:expert_list")
    columns = [(column, IMPORT_HELP[column.key]) for column in pool_excel.EXPERT_COLUMNS]
    return render(request, "reviews/pool/import.html",
                  {"form": form, "result": result, "columns": columns})


# One expert, for the bureau ---------------------------------------------------------------

def _detail_page(request, expert: Expert, status: int = 200, **forms):
    expert = expert_loaded().get(pk=expert.pk)
    ratings, average = ratings_of(expert)
    context = {
        "expert": expert,
        "sources": conflict_sources(expert, on=timezone.localdate()),
        "panels": panels_served(expert),
        "ratings": ratings, "rating_average": average,
        "employment_form": forms.get("employment_form") or EmploymentForm(),
        "end_form": EmploymentEndForm(initial={"ended": timezone.localdate()}),
        "declaration_form": forms.get("declaration_form") or DeclarationForm(),
        "link_form": forms.get("link_form") or LinkUserForm(),
        "deactivate_form": DeactivateForm(),
        "back": "detail",
    }
    return render(request, "reviews/pool/detail.html", context, status=status)


@require_GET
@login_required
def expert_detail(request, pk: int):
    """One expert: profile, employment history, declared conflicts, what it would conflict
    with, panels served and its rating history."""
    _require_bureau(request.user)
    return _detail_page(request, get_object_or_404(Expert, pk=pk))


@require_http_methods(["GET", "POST"])
@login_required
def expert_create(request):
    _require_bureau(request.user)
    form = ExpertForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            expert = pool.expert_create(by=request.user, **form.cleaned_data)
        except pool.PoolRefused as refusal:
            _refusal_to_form(form, refusal)
        else:
            messages.success(request, _("Expert %(code)s added to the pool.") % {"code": expert.code})
            return redirect("reviews:expert_detail", expert.pk)
    return render(request, "reviews/pool/form.html", {"form": form, "expert": None})


@require_http_methods(["GET", "POST"])
@login_required
def expert_edit(request, pk: int):
    _require_bureau(request.user)
    expert = get_object_or_404(Expert.objects.prefetch_related("specialties"), pk=pk)
    form = ExpertForm(request.POST or None, initial=ExpertForm.initial_of(expert))
    if request.method == "POST" and form.is_valid():
        try:
            pool.expert_update(expert=expert, by=request.user, **form.cleaned_data)
        except pool.PoolRefused as refusal:
            _refusal_to_form(form, refusal)
        else:
            messages.success(request, _("Saved."))
            return redirect("reviews:expert_detail", expert.pk)
    return render(request, "reviews/pool/form.html", {"form": form, "expert": expert})


@require_POST
@login_required
def expert_deactivate(request, pk: int):
    _require_bureau(request.user)
    expert = get_object_or_404(Expert, pk=pk)
    form = DeactivateForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        pool.expert_deactivate(expert=expert, by=request.user, reason=reason)
        messages.success(request, _("The expert is out of the pool: no new draws."))
    except pool.PoolRefused as refusal:
        messages.error(request, refusal.message)
    return redirect("reviews:expert_detail", expert.pk)


@require_POST
@login_required
def expert_activate(request, pk: int):
    _require_bureau(request.user)
    expert = get_object_or_404(Expert, pk=pk)
    try:
        pool.expert_activate(expert=expert, by=request.user)
        messages.success(request, _("The expert is back in the pool."))
    except pool.PoolRefused as refusal:
        messages.error(request, refusal.message)
    return redirect("reviews:expert_detail", expert.pk)


@require_POST
@login_required
def expert_link_user(request, pk: int):
    """Give the expert its account: an existing one by username, or a new one."""
    _require_bureau(request.user)
    expert = get_object_or_404(Expert, pk=pk)
    form = LinkUserForm(request.POST)
    if form.is_valid():
        username = form.cleaned_data["username"].strip()
        user = User.objects.filter(username__iexact=username).first()
        try:
            pool.expert_link_user(expert=expert, by=request.user, user=user, username=username)
        except pool.PoolRefused as refusal:
            _refusal_to_form(form, refusal)
        else:
            messages.success(request, _("The expert can sign in as %(username)s.")
                             % {"username": username})
            return redirect("reviews:expert_detail", expert.pk)
    return _detail_page(request, expert, link_form=form)


# Employment and declarations: the bureau or the expert itself ----------------------------

def _own_or_bureau(request, expert: Expert) -> None:
    """The bureau and the expert itself may change these; for anyone else it is not there."""
    if not (pool.is_bureau(request.user) or pool.is_self(request.user, expert)):
        raise Http404


def _to_profile(request, expert: Expert) -> bool:
    if not pool.is_self(request.user, expert):
        return False
    return request.POST.get("back") == "profile" or not pool.is_bureau(request.user)


def _after(request, expert: Expert, **forms):
    """Back to the page the form was on: re-rendered with `forms` when they hold errors."""
    to_profile = _to_profile(request, expert)
    if forms:
        if to_profile:
            return _profile_page(request, expert, **forms)
        return _detail_page(request, expert, **forms)
    if to_profile:
        return redirect("reviews:my_profile")
    return redirect("reviews:expert_detail", expert.pk)


@require_POST
@login_required
def employment_add(request, pk: int):
    expert = get_object_or_404(Expert, pk=pk)
    _own_or_bureau(request, expert)
    form = EmploymentForm(request.POST)
    if form.is_valid():
        try:
            pool.employment_add(expert=expert, by=request.user, **form.cleaned_data)
        except pool.PoolRefused as refusal:
            _refusal_to_form(form, refusal)
        else:
            messages.success(request, _("The job is recorded."))
            return _after(request, expert)
    return _after(request, expert, employment_form=form)


@require_POST
@login_required
def employment_end(request, pk: int):
    employment = get_object_or_404(Employment.objects.select_related("expert"), pk=pk)
    expert = employment.expert
    _own_or_bureau(request, expert)
    form = EmploymentEndForm(request.POST)
    if form.is_valid():
        try:
            pool.employment_end(employment=employment, by=request.user,
                                ended=form.cleaned_data["ended"])
        except pool.PoolRefused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, _("The end of the job is recorded."))
    else:
        messages.error(request, "; ".join(e for errors in form.errors.values() for e in errors))
    return _after(request, expert)


@require_POST
@login_required
def declaration_add(request, pk: int):
    expert = get_object_or_404(Expert, pk=pk)
    _own_or_bureau(request, expert)
    form = DeclarationForm(request.POST)
    if form.is_valid():
        try:
            pool.declaration_add(expert=expert, by=request.user, **form.cleaned_data)
        except pool.PoolRefused as refusal:
            _refusal_to_form(form, refusal)
        else:
            messages.success(request, _("The conflict is declared: you will not be drawn for "
                                        "applications it concerns."))
            return _after(request, expert)
    return _after(request, expert, declaration_form=form)


@require_POST
@login_required
def declaration_withdraw(request, pk: int):
    declaration = get_object_or_404(Declaration.objects.select_related("expert"), pk=pk)
    expert = declaration.expert
    _own_or_bureau(request, expert)
    try:
        pool.declaration_withdraw(declaration=declaration, by=request.user)
        messages.success(request, _("The declaration is withdrawn."))
    except pool.PoolRefused as refusal:
        messages.error(request, refusal.message)
    return _after(request, expert)


# The expert's own profile -----------------------------------------------------------------

def _own_expert(request) -> Expert:
    expert = getattr(request.user, "expert", None)
    if expert is None or not pool.is_self(request.user, expert):
        raise Http404
    return expert


def _profile_page(request, expert: Expert, **forms):
    expert = expert_loaded().get(pk=expert.pk)
    context = {
        "expert": expert,
        "form": forms.get("form") or ProfileForm(initial=ProfileForm.initial_of(expert)),
        "sources": conflict_sources(expert, on=timezone.localdate()),
        "employment_form": forms.get("employment_form") or EmploymentForm(),
        "end_form": EmploymentEndForm(initial={"ended": timezone.localdate()}),
        "declaration_form": forms.get("declaration_form") or DeclarationForm(),
        "back": "profile",
    }
    return render(request, "reviews/pool/my_profile.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def my_profile(request):
    """An expert keeps its own title, contacts, specialties and major groups, its employment
    history and its declared conflicts up to date."""
    expert = _own_expert(request)
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                pool.expert_update(expert=expert, by=request.user, **form.cleaned_data)
            except pool.PoolRefused as refusal:
                _refusal_to_form(form, refusal)
            else:
                messages.success(request, _("Your profile is saved."))
                return redirect("reviews:my_profile")
        return _profile_page(request, expert, form=form)
    return _profile_page(request, expert)


# Rating the experts of a closed panel ------------------------------------------------------

@require_http_methods(["GET", "POST"])
@login_required
def panel_ratings(request, pk: int):
    """The bureau rates each expert who reviewed in a closed panel, 1–5 with a comment; a
    rating once given stays. Before the panel closes the page only says so."""
    _require_bureau(request.user)
    panel = get_object_or_404(
        Panel.objects.select_related("call_category__call", "call_category__category"), pk=pk)
    experts = list(
        ratings.panel_rated_experts(panel).select_related("employer_institution",
                                                       "employer_enterprise")
        .annotate(
            assigned=Count("assignments", filter=Q(assignments__panel=panel), distinct=True),
            submitted=Count("assignments", filter=Q(assignments__panel=panel,
                                                    assignments__review__state=ReviewState.SUBMITTED),
                            distinct=True),
        )
    )
    rated = {r.expert_id: r for r in panel.ratings.select_related("by")}
    closed = panel.state == PanelState.CLOSED
    data = request.POST if request.method == "POST" and closed else None
    rows = [(expert, rated.get(expert.pk),
             None if expert.pk in rated else RatingForm(data, prefix=f"e{expert.pk}"))
            for expert in experts]
    errors = []
    if request.method == "POST":
        if not closed:
            errors.append(_("Experts are rated after the panel's review round is closed."))
        else:
            saved = _ratings_save(request, panel, rows, errors)
            if saved is not None:
                messages.success(request, _("%(count)d ratings saved.") % {"count": saved})
                return redirect("reviews:panel_ratings", panel.pk)
    return render(request, "reviews/pool/panel_ratings.html",
                  {"panel": panel, "rows": rows, "closed": closed, "errors": errors})


def _ratings_save(request, panel: Panel, rows, errors: list) -> int | None:
    """Record every rating given on the page, or none if any is refused (None)."""
    forms = [(expert, form) for expert, _rating, form in rows if form is not None]
    if not all(form.is_valid() for _expert, form in forms):
        return None
    saved = 0
    try:
        with transaction.atomic():
            for expert, form in forms:
                if not form.cleaned_data["score"]:
                    continue
                try:
                    ratings.rating_record(expert=expert, panel=panel, by=request.user,
                                       score=form.cleaned_data["score"],
                                       comment=form.cleaned_data["comment"])
                except pool.PoolRefused as refusal:
                    form.add_error("score", refusal.message)
                    errors.append(f"{expert.code} {expert.name}: {refusal.message}")
                    raise
                saved += 1
    except pool.PoolRefused:
        return None
    if not saved:
        errors.append(_("Choose a rating for at least one expert."))
        return None
    return saved


urlpatterns = [
    path("experts/", expert_list, name="expert_list"),
    path("experts/new/", expert_create, name="expert_create"),
    path("experts/import/", expert_import, name="expert_import"),
    path("experts/import/template.xlsx", expert_template, name="expert_template"),
    path("experts/export.xlsx", expert_export, name="expert_export"),
    path("experts/<int:pk>/", expert_detail, name="expert_detail"),
    path("experts/<int:pk>/edit/", expert_edit, name="expert_edit"),
    path("experts/<int:pk>/deactivate/", expert_deactivate, name="expert_deactivate"),
    path("experts/<int:pk>/activate/", expert_activate, name="expert_activate"),
    path("experts/<int:pk>/account/", expert_link_user, name="expert_link_user"),
    path("experts/<int:pk>/employment/", employment_add, name="employment_add"),
    path("employment/<int:pk>/end/", employment_end, name="employment_end"),
    path("experts/<int:pk>/declarations/", declaration_add, name="declaration_add"),
    path("declarations/<int:pk>/withdraw/", declaration_withdraw, name="declaration_withdraw"),
    path("me/", my_profile, name="my_profile"),
    path("panels/<int:pk>/ratings/", panel_ratings, name="panel_ratings"),
]
