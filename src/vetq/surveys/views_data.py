"""Pages of the yearly data (R20, R32): the status of a year (who submitted what, the locks),
the bureau's locks, Excel templates, and the two-step import (upload and check, then import
the good rows). Thin: services in data.py and imports.py, reads in data_queries.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vetq.accounts import scoping
from vetq.core.excel import XLSX_CONTENT_TYPE
from vetq.core.uploads import stored_file_response

from . import views_data_entry, views_data_mapping
from .data import (
    YEARLY_DATASETS,
    dataset_label,
    is_bureau,
    may_enter,
    may_read,
    year_lock,
    year_locked,
    year_unlock,
)
from .data_queries import data_years, demo_figures_present, year_status
from .errors import SurveyRefused
from .forms_data import ImportForm, LockForm, UnlockForm
from .imports import data_import_check, data_import_confirm, data_import_upload, data_imports_for
from .imports_specs import SPECS
from .models import Dataset
from .templates_xlsx import COLUMN_HELP, template_workbook


def reader_check(user) -> None:
    if not may_read(user):
        raise PermissionDenied


def dataset_or_404(dataset: str) -> str:
    if dataset not in YEARLY_DATASETS:
        raise Http404
    return dataset


def xlsx_response(content: bytes, name: str) -> HttpResponse:
    return HttpResponse(content, content_type=XLSX_CONTENT_TYPE, headers={
        "Content-Disposition": content_disposition_header(True, f"{name}.xlsx")})


@require_GET
@login_required
def data_index(request):
    """The latest year's status."""
    reader_check(request.user)
    return redirect("surveys:data_status", data_years()[0])


@require_GET
@login_required
def data_status(request, year: int):
    """Which schools hold which data of the year, the industry structure, the locks."""
    reader_check(request.user)
    status = year_status(request.user, year)
    bureau = is_bureau(request.user)
    own = scoping.own_institutions(request.user)
    return render(request, "surveys/data/status.html", {
        "status": status, "years": data_years(), "bureau": bureau, "own": own,
        "datasets": [(d, dataset_label(d), status.locks.get(d)) for d in Dataset.values],
        "importable": [(d, dataset_label(d)) for d in YEARLY_DATASETS
                       if may_enter(request.user, d)],
        "demo_data": demo_figures_present(), "lock_form": LockForm(),
        "unlock_form": UnlockForm(),
    })


@require_POST
@login_required
def data_lock(request, year: int):
    form = LockForm(request.POST)
    if form.is_valid():
        dataset = form.cleaned_data["dataset"]
        try:
            year_lock(dataset=dataset, year=year, by=request.user)
            messages.success(request, _("The %(year)d data of “%(dataset)s” are locked.")
                             % {"year": year, "dataset": dataset_label(dataset)})
        except SurveyRefused as refusal:
            messages.error(request, str(refusal))
    return redirect("surveys:data_status", year)


@require_POST
@login_required
def data_unlock(request, year: int):
    form = UnlockForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the year is unlocked."))
        return redirect("surveys:data_status", year)
    dataset = form.cleaned_data["dataset"]
    try:
        year_unlock(dataset=dataset, year=year, by=request.user,
                    reason=form.cleaned_data["reason"])
        messages.success(request, _("The %(year)d data of “%(dataset)s” are unlocked.")
                         % {"year": year, "dataset": dataset_label(dataset)})
    except SurveyRefused as refusal:
        messages.error(request, str(refusal))
    return redirect("surveys:data_status", year)


def _schools_to_enter(user):
    """The schools whose data the user may enter: the bureau every active one, a school its
    own."""
    if is_bureau(user):
        return scoping.institutions_for(user).filter(active=True).order_by("code")
    return scoping.institutions_for(user).filter(
        pk__in=[s.pk for s in scoping.own_institutions(user)])


@require_GET
@login_required
def data_template(request, dataset: str):
    """The import workbook of a dataset for a year: a school's pre-filled with its majors (and
    with what the year holds); the bureau's with every school, or the one asked for."""
    dataset = dataset_or_404(dataset)
    if not may_enter(request.user, dataset):
        raise PermissionDenied
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError as error:
        raise Http404 from error
    schools = _schools_to_enter(request.user)
    if request.GET.get("school"):
        schools = schools.filter(pk=request.GET["school"]) if request.GET["school"].isdigit() \
            else schools.none()
        if not schools:
            raise Http404
    name = f"{SPECS[dataset].sheet_title}-{year}"
    if dataset == Dataset.INDUSTRY:
        schools = schools.none()
    elif len(schools) == 1:
        name = f"{name}-{schools[0].code}"
    return xlsx_response(template_workbook(dataset, year=year, schools=list(schools)), name)


@require_http_methods(["GET", "POST"])
@login_required
def data_import(request, dataset: str):
    """Upload a workbook of one dataset for a year; it is checked and kept, nothing else is
    written until the check page's import button."""
    dataset = dataset_or_404(dataset)
    if not may_enter(request.user, dataset):
        raise PermissionDenied
    schools = _schools_to_enter(request.user)
    bureau = is_bureau(request.user)
    # The bureau may import any school's file (or one naming many schools); a school user
    # imports its own school's, and chooses only if it acts for several.
    choice = bureau or len(schools) > 1
    form = ImportForm(request.POST or None, request.FILES or None, dataset=dataset,
                      schools=schools, school_choice=choice,
                      initial={"year": request.GET.get("year"),
                               "school": request.GET.get("school")})
    if not bureau and "school" in form.fields:
        form.fields["school"].required = True
    if request.method == "POST" and form.is_valid():
        school = form.cleaned_data.get("school")
        if not choice and SPECS[dataset].school_level:
            school = schools.first()
        try:
            data_import = data_import_upload(
                dataset=dataset, year=form.cleaned_data["year"], file=form.cleaned_data["file"],
                by=request.user, institution=school)
        except SurveyRefused as refusal:
            form.add_error("file", str(refusal))
        else:
            return redirect("surveys:data_import_check", data_import.pk)
    spec = SPECS[dataset]
    return render(request, "surveys/data/import.html", {
        "dataset": dataset, "label": dataset_label(dataset), "form": form, "bureau": bureau,
        "columns": [(c, COLUMN_HELP[dataset].get(c.key, "")) for c in spec.columns],
        "sheet_title": spec.sheet_title, "own": None if choice else schools.first(),
    })


def _import_or_404(user, pk: int):
    return get_object_or_404(data_imports_for(user), pk=pk)


@require_GET
@login_required
def data_import_check_page(request, pk: int):
    """What importing the upload would do: the row errors, the good rows, what they replace."""
    data_import = _import_or_404(request.user, pk)
    try:
        check = data_import_check(data_import)
    except SurveyRefused as refusal:
        check, refused = None, str(refusal)
    else:
        refused = ""
    return render(request, "surveys/data/import_check.html", {
        "data_import": data_import, "check": check, "refused": refused,
        "label": dataset_label(data_import.dataset),
        "locked": year_locked(data_import.dataset, data_import.year),
        "mine": data_import.by_id == request.user.pk,
    })


@require_POST
@login_required
def data_import_confirm_page(request, pk: int):
    """Import the good rows of a checked upload."""
    data_import = _import_or_404(request.user, pk)
    try:
        result = data_import_confirm(data_import=data_import, by=request.user)
    except SurveyRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("surveys:data_import_check", pk)
    messages.success(request, _(
        "Imported %(written)d rows of %(dataset)s for %(year)d (%(replaced)d rows held before "
        "were replaced; %(refused)d rows with problems were left out).") % {
        "written": result.written, "dataset": dataset_label(data_import.dataset),
        "year": data_import.year, "replaced": result.replaced,
        "refused": result.checked.refused_rows})
    return redirect("surveys:data_status", data_import.year)


@require_GET
@login_required
def data_import_file(request, pk: int):
    """The uploaded workbook, for whoever may open the upload."""
    data_import = _import_or_404(request.user, pk)
    if data_import.file is None:
        raise Http404
    return stored_file_response(data_import.file)


urlpatterns = [
    path("yearly/", data_index, name="data_index"),
    path("yearly/<int:year>/", data_status, name="data_status"),
    path("yearly/<int:year>/lock/", data_lock, name="data_lock"),
    path("yearly/<int:year>/unlock/", data_unlock, name="data_unlock"),
    path("yearly/template/<slug:dataset>.xlsx", data_template, name="data_template"),
    path("yearly/import/<slug:dataset>/", data_import, name="data_import"),
    path("yearly/imports/<int:pk>/", data_import_check_page, name="data_import_check"),
    path("yearly/imports/<int:pk>/import/", data_import_confirm_page,
         name="data_import_confirm"),
    path("yearly/imports/<int:pk>/file/", data_import_file, name="data_import_file"),
    *views_data_entry.urlpatterns,
    *views_data_mapping.urlpatterns,
]
