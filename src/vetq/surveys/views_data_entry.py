"""Entering a year's data by form: a school's enrolment by major, its resource figures and its
exam results, and the bureau's industry structure of a region (or the city). Each form saves
through data.yearly_rows_save, the service and check the Excel import uses; a school's page
shows its raw figures of the year (out of the user's scope: 404)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from vetq.accounts import scoping
from vetq.institutions.models import Region

from .data import (
    VIA_FORM,
    dataset_label,
    entry_refusal,
    is_bureau,
    may_enter,
    may_read,
    year_locked,
    yearly_rows_save,
)
from .data_queries import demo_figures_present, industry_table, school_year
from .errors import SurveyRefused
from .forms_data import (
    ENROLMENT_FIGURES,
    EXAM_FIELDS,
    INDUSTRY_FIGURES,
    enrolment_lines,
    errors_place,
    exam_lines,
    industry_lines,
    line_cells,
    lines_sheet,
    resource_line,
)
from .imports_specs import CITY_WORDS, EXAM_KIND_LABELS, SPECS
from .models import Dataset, IndustryFigure, SchoolResource
from .resource_table import INDICATORS


def _reader_check(user) -> None:
    if not may_read(user):
        raise PermissionDenied


def _school_or_404(user, pk: int):
    return get_object_or_404(scoping.institutions_for(user).select_related("region"), pk=pk)


@require_GET
@login_required
def data_school(request, pk: int, year: int):
    """One school's raw figures of a year: enrolment by major, the 资源表, exam results."""
    _reader_check(request.user)
    institution = _school_or_404(request.user, pk)
    return render(request, "surveys/data/school.html", {
        "data": school_year(institution, year), "year": year,
        "editable": {d: may_enter(request.user, d, institution) and not year_locked(d, year)
                     for d in (Dataset.ENROLMENT, Dataset.RESOURCES, Dataset.EXAMS)},
        "locked": {d: year_locked(d, year)
                   for d in (Dataset.ENROLMENT, Dataset.RESOURCES, Dataset.EXAMS)},
        "demo_data": demo_figures_present(),
    })


def _entry_page(request, pk: int, year: int, dataset: str, lines_of, template: str,
                extra=None):
    """The shared flow of the school forms: show the lines, or check and save them."""
    institution = _school_or_404(request.user, pk)
    if not may_enter(request.user, dataset, institution):
        raise PermissionDenied
    refusal = entry_refusal(request.user, dataset, year, institution)
    data = request.POST if request.method == "POST" else None
    lines = lines_of(institution, year, data)
    if data is not None and refusal is None:
        sheet = lines_sheet(dataset, lines)
        try:
            result = yearly_rows_save(dataset=dataset, year=year, sheet=sheet, by=request.user,
                                      institution=institution, whole_school=True, via=VIA_FORM)
        except SurveyRefused as refusal_now:
            refusal = refusal_now
        else:
            if result.ok:
                messages.success(request, _("Saved: %(count)d rows of %(dataset)s for "
                                            "%(year)d.") % {"count": result.written,
                                                            "dataset": dataset_label(dataset),
                                                            "year": year})
                return redirect("surveys:data_school", institution.pk, year)
            errors_place(dataset, lines, result.checked.errors)
    keys, prefix = _INPUTS[dataset]
    rows = [(line, line_cells(line, keys, prefix(line))) for line in lines]
    return render(request, template, {
        "institution": institution, "year": year, "refusal": refusal, "rows": rows,
        "pairs": list(zip(INDICATORS, rows[0][1], strict=True))
        if dataset == Dataset.RESOURCES else [],
        "label": dataset_label(dataset), "spec": SPECS[dataset],
        "has_errors": any(line.errors for line in lines), **(extra or {}),
    })


# The inputs of each form's lines, and the prefix of their names (forms_data reads them).
_INPUTS = {
    Dataset.ENROLMENT: (ENROLMENT_FIGURES, lambda line: f"m{line.ref}-"),
    Dataset.RESOURCES: (tuple(i.code for i in INDICATORS), lambda line: ""),
    Dataset.EXAMS: (EXAM_FIELDS, lambda line: f"{line.number}-"),
}


@require_http_methods(["GET", "POST"])
@login_required
def enrolment_form(request, pk: int, year: int):
    """New students, students on roll and graduates of each of the school's majors."""
    return _entry_page(request, pk, year, Dataset.ENROLMENT, enrolment_lines,
                       "surveys/data/enrolment_form.html", {"figures": ENROLMENT_FIGURES})


def _resource_lines(institution, year, data):
    figures = dict(SchoolResource.objects.filter(institution=institution, year=year)
                   .values_list("indicator", "value"))
    return [resource_line(figures, data)]


@require_http_methods(["GET", "POST"])
@login_required
def resources_form(request, pk: int, year: int):
    """The school's resource figures (资源表) of the year."""
    return _entry_page(request, pk, year, Dataset.RESOURCES, _resource_lines,
                       "surveys/data/resources_form.html", {"indicators": INDICATORS})


@require_http_methods(["GET", "POST"])
@login_required
def exams_form(request, pk: int, year: int):
    """The school's exam and skill-test results, a line each; blank lines add results, a
    line emptied removes one."""
    institution = _school_or_404(request.user, pk)
    return _entry_page(request, pk, year, Dataset.EXAMS, exam_lines,
                       "surveys/data/exams_form.html", {
                           "fields": EXAM_FIELDS, "kinds": list(EXAM_KIND_LABELS.values()),
                           "majors": list(institution.majors.order_by("catalogue_code")),
                       })


@require_GET
@login_required
def industry_page(request, year: int):
    """The industry structure of a year: output and employment per industry, for the city
    and each region."""
    _reader_check(request.user)
    regions, rows = industry_table(year)
    return render(request, "surveys/data/industry.html", {
        "year": year, "regions": regions, "rows": rows, "bureau": is_bureau(request.user),
        "locked": year_locked(Dataset.INDUSTRY, year), "demo_data": demo_figures_present(),
        "city_name": CITY_WORDS[0],
    })


@require_http_methods(["GET", "POST"])
@login_required
def industry_form(request, year: int):
    """The bureau enters one region's (or the city's) figures of every industry."""
    if not is_bureau(request.user):
        raise PermissionDenied
    code = request.GET.get("region", "")
    region = None
    if code:
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise Http404
    name = region.name if region else CITY_WORDS[0]
    held = {f.industry_id: f for f in IndustryFigure.objects.filter(year=year, region=region)}
    data = request.POST if request.method == "POST" else None
    lines = industry_lines(year, name, held, data)
    refusal = entry_refusal(request.user, Dataset.INDUSTRY, year, None)
    if data is not None and refusal is None:
        try:
            result = yearly_rows_save(dataset=Dataset.INDUSTRY, year=year,
                                      sheet=lines_sheet(Dataset.INDUSTRY, lines),
                                      by=request.user, via=VIA_FORM)
        except SurveyRefused as refusal_now:
            refusal = refusal_now
        else:
            if result.ok and result.written:
                messages.success(request, _("Saved: %(count)d industries of %(region)s for "
                                            "%(year)d.") % {"count": result.written,
                                                            "region": name, "year": year})
                return redirect("surveys:data_industry", year)
            if result.ok:
                refusal = SurveyRefused(_("Nothing to save: enter the figures of at least one "
                                          "industry."))
            errors_place(Dataset.INDUSTRY, lines, result.checked.errors)
    return render(request, "surveys/data/industry_form.html", {
        "year": year, "region": region, "region_name": name,
        "rows": [(line, line_cells(line, INDUSTRY_FIGURES, f"i{line.ref}-")) for line in lines],
        "regions": Region.objects.all(), "refusal": refusal, "figures": INDUSTRY_FIGURES,
        "has_errors": any(line.errors for line in lines), "city_name": CITY_WORDS[0],
    })


urlpatterns = [
    path("yearly/schools/<int:pk>/<int:year>/", data_school, name="data_school"),
    path("yearly/schools/<int:pk>/<int:year>/enrolment/", enrolment_form,
         name="data_enrolment_form"),
    path("yearly/schools/<int:pk>/<int:year>/resources/", resources_form,
         name="data_resources_form"),
    path("yearly/schools/<int:pk>/<int:year>/exams/", exams_form, name="data_exams_form"),
    path("yearly/industry/<int:year>/", industry_page, name="data_industry"),
    path("yearly/industry/<int:year>/edit/", industry_form, name="data_industry_form"),
]
