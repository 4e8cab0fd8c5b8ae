"""Pages of the quality reports (R34) for the bureau and the schools: the year's list (the
city's report and every school's), a report's page with its progress, narrative sections and
files, the web version and a live preview. Thin: reads come from queries.py, changes from
services.py and narratives.py; a report outside the user's reach is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vetq.accounts.roles import Role
from vetq.accounts.scoping import has_role, own_institutions
from vetq.core.uploads import stored_file_response
from vetq.institutions.models import Institution

from . import narratives as narrative_services
from .assembly import build_content, report_items
from .errors import ReportRefused
from .forms import NarrativeForm, UnpublishForm
from .generation import step_label
from .models import NarrativeSection, QualityReport, ReportState
from .present import present
from .queries import LISTED, default_year, report_years, reports_for
from .services import (
    may_manage,
    report_generate_request,
    report_open,
    report_publish,
    report_unpublish,
    reports_generate_all,
)

FILE_KINDS = ("docx", "pdf")


def _year(request, years: list[int]) -> int:
    value = request.GET.get("year", "")
    return int(value) if value.isdigit() and int(value) in years else default_year(years)


@require_GET
@login_required
def index(request):
    """The reports of a year: the bureau sees the city's and every active school's, a school its
    own, anyone else the published ones."""
    years = report_years()
    year = _year(request, years)
    bureau = has_role(request.user, Role.BUREAU_ADMIN)
    schools = own_institutions(request.user)
    reports = {r.institution_id: r for r in reports_for(request.user).filter(year=year)
               .select_related(*LISTED)}
    if bureau:
        institutions = list(Institution.objects.filter(active=True).select_related("region")
                            .order_by("region__order", "code"))
        rows = [(None, reports.get(None))] + [(i, reports.get(i.pk)) for i in institutions]
    elif schools:
        rows = [(i, reports.get(i.pk)) for i in schools]
        rows += [(r.institution, r) for key, r in reports.items()
                 if key not in {i.pk for i in schools}]
    else:
        rows = [(r.institution, r) for r in reports.values()]
    context = {
        "year": year, "years": years, "rows": rows, "bureau": bureau,
        "generating": any(r is not None and r.state == ReportState.GENERATING for _i, r in rows),
        "counts": [(state, label, sum(1 for _i, r in rows if r is not None and r.state == state))
                   for state, label in ReportState.choices],
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "reports/_index_rows.html", context)
    return render(request, "reports/index.html", context)


@require_GET
@login_required
def open_report(request, year: int, code: str):
    """The report of a year for the city ("city") or a school (its code), created as a draft
    for the bureau or the school itself; others are sent to a published one or get a 404."""
    institution = None if code == "city" else get_object_or_404(Institution, code=code)
    try:
        report = report_open(year=year, institution=institution, by=request.user)
    except ReportRefused:
        published = reports_for(request.user).filter(year=year, institution=institution,
                                                     state=ReportState.PUBLISHED).first()
        if published is None:
            raise Http404 from None
        return redirect("portal:report_detail", pk=published.pk)
    return redirect("reports:detail", pk=report.pk)


def _managed(request, pk: int) -> QualityReport:
    report = get_object_or_404(reports_for(request.user).select_related(*LISTED), pk=pk)
    if not may_manage(request.user, report):
        raise Http404
    return report


@require_GET
@login_required
def detail(request, pk: int):
    """A report's page: its state and progress, files, narrative sections and actions."""
    report = get_object_or_404(reports_for(request.user).select_related(*LISTED), pk=pk)
    if not may_manage(request.user, report):
        return redirect("portal:report_detail", pk=report.pk)
    return render(request, "reports/detail.html", {
        "report": report,
        "step": step_label(report.step) if report.step else "",
        "items": [(isinstance(item, NarrativeSection), item) for item in
                  report_items(report, narratives=report.narratives.select_related("author"))],
        "suggested": narrative_services.SUGGESTED,
        "may_write": narrative_services.may_write(request.user, report),
        "may_publish": has_role(request.user, Role.BUREAU_ADMIN),
        "unpublish_form": UnpublishForm(),
    })


@require_GET
@login_required
def progress(request, pk: int):
    """The progress bar, polled every second while the report is generated; when it is done
    the page reloads to show the files (HX-Refresh)."""
    report = _managed(request, pk)
    response = render(request, "reports/_progress.html", {
        "report": report, "step": step_label(report.step) if report.step else ""})
    if report.state != ReportState.GENERATING and request.GET.get("polling"):
        response["HX-Refresh"] = "true"
    return response


def _refusal(request, refusal: ReportRefused) -> None:
    messages.error(request, str(refusal))


@require_POST
@login_required
def generate(request, pk: int):
    report = _managed(request, pk)
    try:
        report_generate_request(report=report, by=request.user)
    except ReportRefused as refusal:
        _refusal(request, refusal)
    else:
        messages.success(request, _("The report is being generated; this page shows its "
                                    "progress."))
    return redirect("reports:detail", pk=report.pk)


@require_POST
@login_required
def generate_all(request):
    """The bureau queues every active school's report of the year (one task each)."""
    if not has_role(request.user, Role.BUREAU_ADMIN):
        raise PermissionDenied
    years = report_years()
    value = request.POST.get("year", "")
    if not value.isdigit() or int(value) not in years:
        raise Http404
    year = int(value)
    try:
        queued, left = reports_generate_all(year=year, by=request.user)
    except ReportRefused as refusal:
        _refusal(request, refusal)
    else:
        messages.success(request, _("%(queued)s school reports of %(year)s are being generated; "
                                    "%(left)s published or already running were left alone.")
                         % {"queued": queued, "left": left, "year": year})
    return redirect(f"{reverse('reports:index')}?year={year}")


@require_POST
@login_required
def publish(request, pk: int):
    report = _managed(request, pk)
    if not has_role(request.user, Role.BUREAU_ADMIN):
        raise PermissionDenied
    try:
        report_publish(report=report, by=request.user)
    except ReportRefused as refusal:
        _refusal(request, refusal)
    else:
        messages.success(request, _("The report is published on the portal."))
    if request.POST.get("next") == "index":
        return redirect(f"{reverse('reports:index')}?year={report.year}")
    return redirect("reports:detail", pk=report.pk)


@require_POST
@login_required
def unpublish(request, pk: int):
    report = _managed(request, pk)
    if not has_role(request.user, Role.BUREAU_ADMIN):
        raise PermissionDenied
    form = UnpublishForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        report_unpublish(report=report, by=request.user, reason=reason)
    except ReportRefused as refusal:
        _refusal(request, refusal)
    else:
        messages.success(request, _("The report is no longer on the portal."))
    return redirect("reports:detail", pk=report.pk)


def _render_report(request, report: QualityReport, content: dict, *, template: str,
                   preview: bool = False):
    language = get_language() or "zh-hans"
    return render(request, template, {"report": report, "view": present(content, language),
                                      "preview": preview})


@require_GET
@login_required
def web(request, pk: int):
    """The generated report as a web page (what its files hold)."""
    report = get_object_or_404(reports_for(request.user).select_related(*LISTED), pk=pk)
    if not report.content:
        messages.info(request, _("The report has not been generated yet."))
        return redirect("reports:detail", pk=report.pk)
    return _render_report(request, report, report.content, template="reports/web.html")


@require_GET
@login_required
def preview(request, pk: int):
    """The report assembled now from the current data and narrative sections, without files."""
    report = _managed(request, pk)
    return _render_report(request, report, build_content(report), template="reports/web.html",
                          preview=True)


@require_GET
@login_required
def download(request, pk: int, kind: str):
    report = get_object_or_404(reports_for(request.user).select_related("docx", "pdf"), pk=pk)
    stored = getattr(report, kind, None) if kind in FILE_KINDS else None
    if stored is None:
        raise Http404
    return stored_file_response(stored)


@require_http_methods(["GET", "POST"])
@login_required
def narrative_edit(request, pk: int, nid: int | None = None):
    """Add or change a narrative section (the school for its report, the bureau for the
    city's), re-shown with what was typed when refused."""
    report = _managed(request, pk)
    narrative = get_object_or_404(report.narratives, pk=nid) if nid else None
    if not narrative_services.may_write(request.user, report):
        raise PermissionDenied
    if report.is_published:
        messages.error(request, _("The report is published: its sections change only after the "
                                  "bureau takes it off the portal."))
        return redirect("reports:detail", pk=report.pk)
    if request.method == "POST":
        form = NarrativeForm(request.POST, scope=report.scope)
        if form.is_valid():
            data = form.cleaned_data
            try:
                narrative_services.narrative_save(
                    report=report, by=request.user, title=data["title"], text=data["text"],
                    order=data["order"], code=data["code"], narrative=narrative)
            except ReportRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, _("The section is saved; generate the report again to "
                                            "see it in the files."))
                return redirect("reports:detail", pk=report.pk)
    elif narrative is not None:
        form = NarrativeForm(scope=report.scope, initial={
            "code": narrative.code, "title": narrative.title, "text": narrative.text,
            "order": narrative.order})
    else:
        code = request.GET.get("code", "")
        suggestion = narrative_services.SUGGESTED_BY_CODE.get(code)
        form = NarrativeForm(scope=report.scope, initial={
            "code": code if suggestion else "", "title": suggestion.title if suggestion else "",
            "order": narrative_services.default_order(code, report.scope)})
    return render(request, "reports/narrative_form.html",
                  {"report": report, "form": form, "narrative": narrative})


@require_POST
@login_required
def narrative_delete(request, pk: int, nid: int):
    report = _managed(request, pk)
    narrative = get_object_or_404(NarrativeSection, pk=nid, report=report)
    try:
        narrative_services.narrative_delete(narrative=narrative, by=request.user)
    except ReportRefused as refusal:
        _refusal(request, refusal)
    else:
        messages.success(request, _("The section is removed."))
    return redirect("reports:detail", pk=report.pk)


