"""The progress report pages: one report, which its school writes, files evidence for and
submits while it is not yet filed or returned, and the bureau accepts or returns; its
evidence downloads; and the list of outstanding reports overdue or due soon, with its Excel
export.

Reports are found through `report_queries.reports_for` (the projects the user may read;
outside them: 404); an action by someone who may read but not act is 403. Writes go
through `projects.reports`; a refusal changes nothing and comes back with what was typed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET, require_POST

from vetq.accounts import scoping
from vetq.accounts.roles import Role
from vetq.core.excel import XLSX_CONTENT_TYPE
from vetq.core.uploads import UploadRefused, stored_file_response
from vetq.institutions.models import Region
from vetq.programs.models import Category

from . import queries, report_queries
from .check_queries import overdue_check_items
from .forms_reports import DecisionForm, EvidenceForm, ReportForm
from .models import ProgressReport, ProjectState, ReportFile, ReportState
from .report_exports import pending_export
from .reports import (
    EDITABLE,
    ReportRefused,
    acts_for_school,
    budget_items,
    report_accept,
    report_file_add,
    report_file_remove,
    report_return,
    report_save,
    report_submit,
    year_milestones,
)
from .services import project_rules

PAGE_SIZE = 50
FORM_REFUSED = gettext_lazy("Nothing was saved: please check the form below.")
EVENT_LABELS = {
    "saved": gettext_lazy("Report saved"),
    "file_added": gettext_lazy("Evidence file added"),
    "file_removed": gettext_lazy("Evidence file removed"),
    "submitted": gettext_lazy("Submitted to the bureau"),
    "resubmitted": gettext_lazy("Revised and submitted again"),
    "accepted": gettext_lazy("Accepted by the bureau"),
    "returned": gettext_lazy("Returned for revision"),
    "reminded": gettext_lazy("School reminded"),
}
REMINDERS = {"due_soon": gettext_lazy("due soon"), "overdue": gettext_lazy("overdue")}


def _report(request, pk: int) -> ProgressReport:
    try:
        return report_queries.report_page_get(request.user, pk)
    except ProgressReport.DoesNotExist as missing:
        raise Http404 from missing


def _events(report) -> list:
    events = list(report.events.select_related("by"))
    for event in events:
        event.label = EVENT_LABELS.get(event.action, event.action)
        if event.action == "reminded":
            event.comment = REMINDERS.get(event.comment, event.comment)
    return events


def _form(report, data=None) -> ReportForm:
    kwargs = {"milestones": year_milestones(report), "items": budget_items(report.project),
              "auto_id": "report-%s"}
    if data is not None:
        return ReportForm(data, **kwargs)
    return ReportForm(initial=ReportForm.initial_of(report), **kwargs)


def _page(request, report, *, form: ReportForm | None = None, refusal: list[str] | None = None,
          status: int = 200):
    """The report page; a refused change comes back with its form as typed."""
    project = report.project
    today = timezone.localdate()
    report_queries.report_flags(report, today,
                                project_rules(project.grant.program).remind_days_before)
    may_edit = (acts_for_school(request.user, project) and report.state in EDITABLE
                and project.state == ProjectState.ACTIVE)
    may_decide = (scoping.has_role(request.user, Role.BUREAU_ADMIN)
                  and report.state == ReportState.SUBMITTED)
    labels = {item["code"]: item["label"] for item in budget_items(project)}
    context = {
        "report": report,
        "project": project,
        "milestones": year_milestones(report),
        "spending_items": [{"label": labels.get(line["item"], line["item"]),
                            "amount": line["amount"]} for line in report.spending_items],
        "files": list(report.files.select_related("file")),
        "events": _events(report),
        "form": (form or _form(report)) if may_edit else None,
        "evidence_form": EvidenceForm(auto_id="evidence-%s") if may_edit else None,
        "decision_form": DecisionForm(auto_id="decision-%s") if may_decide else None,
        "refusal": refusal or [],
    }
    return render(request, "projects/reports/detail.html", context, status=status)


@require_GET
@login_required
def report_detail(request, pk: int):
    """One progress report: what the school filed, its evidence and history; the school's
    form while it may change it, the bureau's decision while it is submitted."""
    return _page(request, _report(request, pk))


def _school_report(request, pk: int) -> ProgressReport:
    report = _report(request, pk)
    if not acts_for_school(request.user, report.project):
        raise PermissionDenied
    return report


def _bureau_report(request, pk: int) -> ProgressReport:
    report = _report(request, pk)
    if not scoping.has_role(request.user, Role.BUREAU_ADMIN):
        raise PermissionDenied
    return report


def _back(report):
    return redirect("projects:report_detail", pk=report.pk)


@require_POST
@login_required
def report_save_view(request, pk: int):
    """The school saves its report, and with `action=submit` submits it: both or neither."""
    report = _school_report(request, pk)
    form = _form(report, request.POST)
    if not form.is_valid():
        return _page(request, report, form=form, refusal=[str(FORM_REFUSED)], status=400)
    submit = request.POST.get("action") == "submit"
    try:
        with transaction.atomic():
            report_save(report=report, by=request.user, **form.service_arguments())
            if submit:
                report_submit(report=report, by=request.user)
    except ReportRefused as refusal:
        return _page(request, report, form=form, refusal=refusal.messages, status=400)
    if submit:
        messages.success(request, _("The report is submitted to the education bureau."))
    else:
        messages.success(request, _("The report is saved; submit it when it is complete."))
    return _back(report)


@require_POST
@login_required
def report_file_add_view(request, pk: int):
    """The school adds an evidence file (checked by content)."""
    report = _school_report(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, report, refusal=[e for errors in form.errors.values()
                                               for e in errors], status=400)
    try:
        added = report_file_add(report=report, upload=form.cleaned_data["file"], by=request.user)
    except ReportRefused as refusal:
        return _page(request, report, refusal=refusal.messages, status=400)
    except UploadRefused as refusal:
        return _page(request, report, refusal=[str(refusal)], status=400)
    messages.success(request, _("Evidence file added: %(name)s") % {"name": added.file})
    return _back(report)


@require_POST
@login_required
def report_file_remove_view(request, pk: int, file_pk: int):
    report = _school_report(request, pk)
    evidence = get_object_or_404(ReportFile.objects.select_related("file"), report=report,
                                 pk=file_pk)
    try:
        report_file_remove(file=evidence, by=request.user)
    except ReportRefused as refusal:
        return _page(request, report, refusal=refusal.messages, status=400)
    messages.success(request, _("Evidence file removed: %(name)s") % {"name": evidence.file})
    return _back(report)


@require_GET
@login_required
def report_file_download(request, pk: int, file_pk: int):
    """An evidence file, for whoever may read the report."""
    report = _report(request, pk)
    evidence = get_object_or_404(ReportFile.objects.select_related("file"), report=report,
                                 pk=file_pk)
    return stored_file_response(evidence.file)


@require_POST
@login_required
def report_accept_view(request, pk: int):
    report = _bureau_report(request, pk)
    form = DecisionForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        report_accept(report=report, comment=comment, by=request.user)
    except ReportRefused as refusal:
        return _page(request, report, refusal=refusal.messages, status=400)
    messages.success(request, _("The report is accepted; the school is notified."))
    return _back(report)


@require_POST
@login_required
def report_return_view(request, pk: int):
    report = _bureau_report(request, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _page(request, report, refusal=[e for errors in form.errors.values()
                                               for e in errors], status=400)
    try:
        report_return(report=report, comment=form.cleaned_data["comment"], by=request.user)
    except ReportRefused as refusal:
        return _page(request, report, refusal=refusal.messages, status=400)
    messages.success(request, _("The report is returned to the school for revision."))
    return _back(report)


# --- outstanding reports ---------------------------------------------------------------------


def _require_reader(user) -> None:
    if not queries.may_read_projects(user):
        raise PermissionDenied


@require_GET
@login_required
def reports_pending_list(request):
    """Reports not filed yet or returned, overdue or due soon, in the user's scope;
    filterable by category, region, school and overdue / due soon."""
    _require_reader(request.user)
    today = timezone.localdate()
    filters = report_queries.PendingFilters.from_query(request.GET)
    listed = report_queries.reports_pending(report_queries.reports_for(request.user), filters,
                                            today)
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = report_queries.pending_flagged(page.object_list, today)
    context = {"page": page, "filters": filters, "export_query": urlencode(filters.query())}
    if request.htmx:
        return render(request, "projects/reports/_pending_results.html", context)
    return render(request, "projects/reports/pending.html", {
        **context,
        # Self-assessments and rectification reports of the check rounds past their dates.
        "check_items": overdue_check_items(queries.projects_for(request.user), today),
        "categories": Category.objects.filter(active=True).order_by("order", "code"),
        "regions": Region.objects.all(),
        "schools": queries.schools_listed(queries.projects_for(request.user)),
        "states": [(report_queries.OVERDUE, pgettext("deadline", "Overdue")),
                   (report_queries.DUE_SOON, _("Due soon"))],
    })


@require_GET
@login_required
def reports_pending_export(request):
    """The listed outstanding reports as Excel, with the list's filters."""
    _require_reader(request.user)
    today = timezone.localdate()
    content = pending_export(report_queries.reports_for(request.user),
                             report_queries.PendingFilters.from_query(request.GET), today)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="reports-due-{today:%Y%m%d}.xlsx"'
    return response


urlpatterns = [
    path("reports/", reports_pending_list, name="reports_pending"),
    path("reports/export.xlsx", reports_pending_export, name="reports_pending_export"),
    path("reports/<int:pk>/", report_detail, name="report_detail"),
    path("reports/<int:pk>/save/", report_save_view, name="report_save"),
    path("reports/<int:pk>/files/", report_file_add_view, name="report_file_add"),
    path("reports/<int:pk>/files/<int:file_pk>/", report_file_download, name="report_file"),
    path("reports/<int:pk>/files/<int:file_pk>/remove/", report_file_remove_view,
         name="report_file_remove"),
    path("reports/<int:pk>/accept/", report_accept_view, name="report_accept"),
    path("reports/<int:pk>/return/", report_return_view, name="report_return"),
]
