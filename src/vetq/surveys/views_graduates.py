"""The graduate import pages (R33): upload → check (every problem, by row and column, with
identity numbers masked) → import the good rows or cancel. Thin: graduates_import does the
work; a pending upload is only ever seen by the person who made it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vetq.accounts.roles import Role
from vetq.accounts.scoping import has_role
from vetq.core.excel import XLSX_CONTENT_TYPE

from .errors import SurveyRefused
from .forms_employment import GraduateUploadForm
from .graduates_format import (
    COLUMNS,
    DESTINATION_WORDS,
    LOCATION_WORDS,
    POINT_WORDS,
    word_list,
)
from .graduates_import import (
    graduates_cancel,
    graduates_confirm,
    graduates_file_check,
    graduates_template,
    graduates_upload,
    pending_imports,
)
from .models import DataImport, Dataset, TrackingPoint

ERRORS_SHOWN = 500  # a page lists this many problems; the summary counts them all
RECENT_IMPORTS = 10


def _importer(user) -> bool:
    return has_role(user, Role.BUREAU_ADMIN) or has_role(user, Role.SCHOOL_USER)


def _column_help(bureau: bool) -> list[tuple]:
    texts = {
        "school": (_("The school code; required when the bureau imports.") if bureau
                   else _("Your school's code, or leave it blank.")),
        "major": _("The catalogue code of one of the school's majors."),
        "cohort": _("The year of graduation, like 2018."),
        "point": word_list(POINT_WORDS),
        "identity_number": _("18 characters, the column formatted as text. It is turned into "
                             "a pseudonym on import and never stored."),
        "destination": word_list(DESTINATION_WORDS),
        "in_field": _("是 or 否; only for graduates in work."),
        "location": word_list(LOCATION_WORDS) + _("; only for graduates in work."),
        "contract": _("是 or 否; only for employees."),
        "pay": _("Yuan a month, like 4500; only for graduates in work."),
        "satisfaction": _("很满意, 满意, 不满意, 很不满意 or 无法评价 (or 4–1); blank: not asked."),
        "employer_satisfaction": _("The employer's answer, on the same scale."),
    }
    return [(column, column.required or (bureau and column.key == "school"), texts[column.key])
            for column in COLUMNS]


def _recent(user):
    imports = DataImport.objects.filter(dataset=Dataset.GRADUATES, file__isnull=True)
    if not has_role(user, Role.BUREAU_ADMIN):
        imports = imports.filter(by=user)
    return imports.select_related("institution", "by")[:RECENT_IMPORTS]


@require_http_methods(["GET", "POST"])
@login_required
def graduate_import(request):
    """Upload a workbook of graduate records; it is checked on the next page."""
    user = request.user
    if not _importer(user):
        raise PermissionDenied
    form = GraduateUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            pending = graduates_upload(file=form.cleaned_data["file"], by=user)
        except SurveyRefused as refusal:
            form.add_error("file", str(refusal))
        else:
            return redirect("surveys:graduate_import_check", pk=pending.pk)
    return render(request, "surveys/employment/import.html", {
        "form": form, "columns": _column_help(has_role(user, Role.BUREAU_ADMIN)),
        "pending": pending_imports(user).select_related("file"),
        "recent": _recent(user),
    })


def _pending(request, pk: int) -> DataImport:
    data_import = pending_imports(request.user).select_related("file").filter(pk=pk).first()
    if data_import is None:
        raise Http404
    return data_import


@require_GET
@login_required
def graduate_import_check(request, pk: int):
    """What importing the upload would do: each school's cohort and point it replaces, and
    every problem by row and column."""
    data_import = _pending(request, pk)
    check, refused = None, ""
    try:
        check = graduates_file_check(data_import=data_import, by=request.user,
                                     today=timezone.localdate())
    except SurveyRefused as refusal:
        refused = str(refusal)
    return render(request, "surveys/employment/import_check.html", {
        "data_import": data_import, "check": check, "refused": refused,
        "errors": check.errors[:ERRORS_SHOWN] if check else [],
        "summary": check.problem_summary() if check else [],
        "errors_shown": ERRORS_SHOWN, "points": TrackingPoint.choices,
    })


@require_POST
@login_required
def graduate_import_confirm(request, pk: int):
    data_import = _pending(request, pk)
    try:
        done = graduates_confirm(data_import=data_import, by=request.user,
                                 today=timezone.localdate())
    except SurveyRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("surveys:graduate_import_check", pk=pk)
    messages.success(request, _("Imported %(written)d graduate records; %(refused)d rows with "
                                "problems were left out. The uploaded file has been deleted.")
                     % {"written": done.rows_written, "refused": done.rows_refused})
    return redirect("surveys:graduate_import")


@require_POST
@login_required
def graduate_import_cancel(request, pk: int):
    data_import = _pending(request, pk)
    try:
        graduates_cancel(data_import=data_import, by=request.user)
    except SurveyRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.info(request, _("The upload was cancelled and its file deleted; nothing was "
                                 "imported."))
    return redirect("surveys:graduate_import")


@require_GET
@login_required
def graduate_import_template(request):
    if not _importer(request.user):
        raise PermissionDenied
    filename = f"graduates-template-{timezone.localdate():%Y%m%d}.xlsx"
    return HttpResponse(graduates_template(), content_type=XLSX_CONTENT_TYPE, headers={
        "Content-Disposition": content_disposition_header(True, filename)})


urlpatterns = [
    path("graduates/import/", graduate_import, name="graduate_import"),
    path("graduates/import/template.xlsx", graduate_import_template,
         name="graduate_import_template"),
    path("graduates/import/<int:pk>/", graduate_import_check, name="graduate_import_check"),
    path("graduates/import/<int:pk>/confirm/", graduate_import_confirm,
         name="graduate_import_confirm"),
    path("graduates/import/<int:pk>/cancel/", graduate_import_cancel,
         name="graduate_import_cancel"),
]
