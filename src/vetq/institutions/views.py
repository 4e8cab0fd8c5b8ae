from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from rules.contrib.views import permission_required

from vetq.accounts import scoping
from vetq.core.excel import XLSX_CONTENT_TYPE

from . import exports, imports
from .enums import InstitutionType
from .models import Region

# An export holds exactly the rows the list shows (scoping narrows both), so whoever may
# see the list may take it away as a file; a school gets its own school, no more.
EXPORT_PERMISSION = "institutions.view_list"


def _filters(request) -> dict[str, str]:
    return {
        "region": request.GET.get("region", ""),
        "type": request.GET.get("type", ""),
        "q": request.GET.get("q", "").strip(),
    }


def _filter_condition(filters: dict[str, str], prefix: str = "") -> Q:
    """The list filters as a Q over Institution, or over a model reaching it via `prefix`."""
    condition = Q()
    if filters["region"]:
        condition &= Q(**{f"{prefix}region__code": filters["region"]})
    if filters["type"]:
        condition &= Q(**{f"{prefix}type": filters["type"]})
    if filters["q"]:
        condition &= Q(**{f"{prefix}name__icontains": filters["q"]}) | Q(
            **{f"{prefix}code__icontains": filters["q"]}
        )
    return condition


@permission_required("institutions.view_list", raise_exception=True)
def institution_list(request):
    """Institutions the user may see, filterable by region and type, searchable by name."""
    filters = _filters(request)
    institutions = (
        scoping.institutions_for(request.user)
        .filter(_filter_condition(filters))
        .select_related("region", "supervising_department")
        .annotate(major_count=Count("majors"))
    )
    page = Paginator(institutions.order_by("region__order", "code"), 50).get_page(
        request.GET.get("page")
    )
    template = "institutions/_results.html" if request.htmx else "institutions/list.html"
    return render(
        request,
        template,
        {
            "page": page,
            "regions": Region.objects.all(),
            "types": InstitutionType.choices,
            "filters": filters,
        },
    )


@permission_required("institutions.view_list", raise_exception=True)
def institution_detail(request, pk: int):
    """One institution with its majors; outside the user's scope it does not exist (404)."""
    institution = get_object_or_404(
        scoping.institutions_for(request.user).select_related("region", "supervising_department"),
        pk=pk,
    )
    majors = institution.majors.prefetch_related("industries").order_by("catalogue_code")
    return render(
        request, "institutions/detail.html", {"institution": institution, "majors": majors}
    )


def _xlsx_response(content: bytes, name: str) -> HttpResponse:
    filename = f"{name}-{timezone.localdate():%Y%m%d}.xlsx"
    return HttpResponse(
        content,
        content_type=XLSX_CONTENT_TYPE,
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )


@require_GET
@permission_required(EXPORT_PERMISSION, raise_exception=True)
def institution_export(request):
    """The institutions of the list, with its filters, as .xlsx."""
    queryset = scoping.institutions_for(request.user).filter(_filter_condition(_filters(request)))
    return _xlsx_response(exports.institutions_export(queryset), "institutions")


@require_GET
@permission_required(EXPORT_PERMISSION, raise_exception=True)
def major_export(request):
    """The majors of the institutions the list shows, with its filters, as .xlsx."""
    condition = _filter_condition(_filters(request), prefix="institution__")
    queryset = scoping.majors_for(request.user).filter(condition)
    return _xlsx_response(exports.majors_export(queryset), "majors")


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx", "class": "form-control"}),
    )


# What each import page shows and calls; the page itself is one template.
_IMPORTS = {
    "institutions": {
        "title": gettext_lazy("Import institutions"),
        "columns": imports.INSTITUTION_COLUMNS,
        "perform": imports.institutions_import,
        "template_url": "institutions:import_template",
        "help": {
            "code": gettext_lazy("The school code; a school already listed is updated."),
            "name": gettext_lazy("The full name; two schools cannot share a name."),
            "name_en": gettext_lazy("Optional."),
            "type": gettext_lazy("高职院校, 中等职业学校 or 技工院校 (or the type code)."),
            "region": gettext_lazy("A region name such as 梁溪区, or its code."),
            "supervising_department": gettext_lazy(
                "A department name such as 市教育局, or its code."
            ),
        },
    },
    "majors": {
        "title": gettext_lazy("Import majors"),
        "columns": imports.MAJOR_COLUMNS,
        "perform": imports.majors_import,
        "template_url": "institutions:majors_import_template",
        "help": {
            "institution_code": gettext_lazy("The code of a school already imported."),
            "catalogue_code": gettext_lazy(
                "4 to 12 digits; a major the school already has is updated."
            ),
            "name": gettext_lazy("The major's name."),
            "industries": gettext_lazy(
                "Industry names or codes, separated by 、 , or ;. Optional."
            ),
            "is_backbone": gettext_lazy("是 or 否 (Y/N, 1/0); blank means 否."),
        },
    },
}


def _import_page(request, kind: str):
    spec = _IMPORTS[kind]
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = spec["perform"](file=form.cleaned_data["file"], by=request.user)
        if result.refused:
            form.add_error("file", result.refused)
        elif result.ok:
            messages.success(
                request,
                _("Imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
                % {
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
            return redirect("institutions:list")
    return render(
        request,
        "institutions/import.html",
        {
            "spec": spec,
            "columns": [(column, spec["help"][column.key]) for column in spec["columns"]],
            "form": form,
            "result": result,
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("institutions.import", raise_exception=True)
def institution_import(request):
    """Upload institutions; show each bad row, or import them all and say how many."""
    return _import_page(request, "institutions")


@require_http_methods(["GET", "POST"])
@permission_required("institutions.import", raise_exception=True)
def major_import(request):
    """Upload majors; show each bad row, or import them all and say how many."""
    return _import_page(request, "majors")


@require_GET
@permission_required("institutions.import", raise_exception=True)
def institution_import_template(request):
    return _xlsx_response(exports.institutions_template(), "institutions-template")


@require_GET
@permission_required("institutions.import", raise_exception=True)
def major_import_template(request):
    return _xlsx_response(exports.majors_template(), "majors-template")
