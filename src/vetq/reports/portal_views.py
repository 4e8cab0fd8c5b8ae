"""The public portal's quality reports (R34): the published reports by year, each as a web
page with its Word and PDF files. No login; a report not published does not exist here."""

from itertools import groupby

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from vetq.core.uploads import stored_file_response

from .present import present
from .queries import LISTED, published_reports

FILE_KINDS = ("docx", "pdf")


@require_safe
def reports(request):
    """Published reports, newest year first: the city's, then the schools' by region."""
    listed = published_reports().select_related(*LISTED).order_by(
        "-year", "institution__region__order", "institution__code")
    years = [(year, sorted(group, key=lambda r: r.institution_id is not None))
             for year, group in groupby(listed, key=lambda r: r.year)]
    return render(request, "portal/reports.html", {"years": years})


@require_safe
def report_detail(request, pk: int):
    report = get_object_or_404(published_reports().select_related(*LISTED), pk=pk)
    view = present(report.content, get_language() or "zh-hans")
    return render(request, "portal/report_detail.html", {"report": report, "view": view})


@require_safe
def report_file(request, pk: int, kind: str):
    report = get_object_or_404(published_reports().select_related("docx", "pdf"), pk=pk)
    stored = getattr(report, kind) if kind in FILE_KINDS else None
    if stored is None:
        raise Http404
    return stored_file_response(stored)


# Included in the portal's urlpatterns (namespace "portal").
urlpatterns = [
    path("quality-reports/", reports, name="reports"),
    path("quality-reports/<int:pk>/", report_detail, name="report_detail"),
    path("quality-reports/<int:pk>/<str:kind>/", report_file, name="report_file"),
]
