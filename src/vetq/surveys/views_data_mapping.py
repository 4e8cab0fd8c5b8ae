"""The major–industry mapping pages (R32): the list by catalogue code for anyone reading
yearly data; editing a code's industries and weights, and the Excel import and export, for
the bureau."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from vetq.core.excel import XLSX_CONTENT_TYPE
from vetq.institutions.models import Industry

from .data import is_bureau, may_read
from .data_mapping import CATALOGUE_CODE, mapping_set, weight_parse
from .data_queries import mapping_rows
from .errors import SurveyRefused
from .forms_data import MappingImportForm, mapping_fields
from .imports_mapping import MAPPING_COLUMNS, mapping_import, mapping_workbook
from .imports_values import ValueRefused
from .models import MajorIndustryWeight


@require_GET
@login_required
def mapping_list(request):
    """Every catalogue code taught or mapped, with the names schools give it and its weights."""
    if not may_read(request.user):
        raise PermissionDenied
    query = request.GET.get("q", "").strip()
    rows = mapping_rows(query)
    return render(request, "surveys/data/mapping.html", {
        "rows": rows, "q": query, "bureau": is_bureau(request.user),
        "unmapped": sum(1 for row in rows if not row.weights),
    })


@require_http_methods(["GET", "POST"])
@login_required
def mapping_edit(request, code: str):
    """The industries and weights of one catalogue code; a blank weight removes the industry."""
    if not is_bureau(request.user) or not CATALOGUE_CODE.fullmatch(code):
        raise PermissionDenied
    industries = list(Industry.objects.all())
    weights = dict(MajorIndustryWeight.objects.filter(catalogue_code=code)
                   .values_list("industry_id", "weight"))
    data = request.POST if request.method == "POST" else None
    fields = mapping_fields(industries, weights, data)
    errors: dict[int, str] = {}
    refusal = ""
    if data is not None:
        chosen: dict[int, Decimal] = {}
        for industry, text in fields:
            if not text:
                continue
            try:
                chosen[industry.pk] = weight_parse(text)
            except ValueRefused as error:
                errors[industry.pk] = str(error)
        if not errors:
            try:
                mapping_set(catalogue_code=code, weights=chosen, by=request.user)
            except SurveyRefused as error:
                refusal = str(error)
            else:
                messages.success(request, _("The industries of %(code)s are saved.")
                                 % {"code": code})
                return redirect("surveys:data_mapping")
    names = next((row.names for row in mapping_rows(code) if row.catalogue_code == code), [])
    return render(request, "surveys/data/mapping_edit.html", {
        "code": code, "names": names, "refusal": refusal, "has_errors": bool(errors),
        "fields": [(industry, text, errors.get(industry.pk, "")) for industry, text in fields],
    })


@require_GET
@login_required
def mapping_export(request):
    if not may_read(request.user):
        raise PermissionDenied
    return HttpResponse(mapping_workbook(), content_type=XLSX_CONTENT_TYPE, headers={
        "Content-Disposition": content_disposition_header(True, "专业产业对应.xlsx")})


@require_http_methods(["GET", "POST"])
@login_required
def mapping_import_page(request):
    """Upload the mapping: the codes in the file get exactly its industries, all or nothing."""
    if not is_bureau(request.user):
        raise PermissionDenied
    form = MappingImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = mapping_import(file=form.cleaned_data["file"], by=request.user)
        if result.refused:
            form.add_error("file", result.refused)
        elif result.ok:
            messages.success(request, _("Imported: %(weights)d weights of %(codes)d catalogue "
                                        "codes.") % {"weights": result.weights,
                                                     "codes": result.codes})
            return redirect("surveys:data_mapping")
    return render(request, "surveys/data/mapping_import.html", {
        "form": form, "result": result, "columns": MAPPING_COLUMNS})


urlpatterns = [
    path("mapping/", mapping_list, name="data_mapping"),
    path("mapping/export.xlsx", mapping_export, name="data_mapping_export"),
    path("mapping/import/", mapping_import_page, name="data_mapping_import"),
    path("mapping/<str:code>/", mapping_edit, name="data_mapping_edit"),
]
