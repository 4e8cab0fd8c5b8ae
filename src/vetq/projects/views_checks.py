"""The check round pages (中期检查, 验收): the list of rounds, opening one, a round with its
projects, their self-assessments, the expert panel's state, the scores and the results; one
project's entry, where its school files its self-assessment and rectification report and
the bureau records the result and the re-check; the evidence downloads; the round's Excel
sheet and results notice in Word.

Rounds and entries are found through `check_queries` (outside the user's scope: 404); an
action by someone who may read but not act is 403. Writes go through `checks` and
`check_results`; a refusal changes nothing and comes back with what was typed. The
experts' scoring itself happens on the review pages (reviews/views), on the round's panel.
"""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vetq.accounts import scoping
from vetq.accounts.roles import Role
from vetq.core.excel import XLSX_CONTENT_TYPE
from vetq.core.uploads import stored_file_response
from vetq.funding.notice import DOCX_TYPE

from . import check_queries, checks
from .acceptance_notice import results_docx
from .check_results import check_result_record, recheck_record, rectification_submit
from .checks_notice import round_export, round_file_name, round_notice_content
from .forms_checks import (
    CheckPanelForm,
    CheckRoundForm,
    RecheckForm,
    RectificationForm,
    ResultForm,
    SelfAssessmentForm,
)
from .models import (
    CheckEntry,
    CheckFile,
    CheckKind,
    CheckResult,
    CheckRound,
    CheckRoundState,
    ReportFile,
    ReportState,
)
from .queries import may_read_projects
from .services import ProjectRefused

FORM_REFUSED = gettext_lazy("Nothing was saved: please check the form below.")
RECORDED = {
    CheckResult.PASS: gettext_lazy("Recorded: pass."),
    CheckResult.RECTIFY: gettext_lazy("Recorded: rectification required, by %(date)s."),
    CheckResult.FAIL: gettext_lazy("Recorded: fail."),
    CheckResult.EXCELLENT: gettext_lazy("Recorded: excellent."),
}


def _is_bureau(user) -> bool:
    return scoping.has_role(user, Role.BUREAU_ADMIN)


def _require_bureau(user) -> None:
    if not _is_bureau(user):
        raise PermissionDenied


def _round(request, pk: int) -> CheckRound:
    try:
        return check_queries.round_get(request.user, pk)
    except CheckRound.DoesNotExist as missing:
        raise Http404 from missing


def _entry(request, pk: int, *, material: bool = False) -> CheckEntry:
    try:
        return check_queries.entry_get(request.user, pk, material=material)
    except CheckEntry.DoesNotExist as missing:
        raise Http404 from missing


def _acts_for_school(user, entry: CheckEntry) -> bool:
    return any(m.role == Role.SCHOOL_USER and m.institution_id == entry.project.institution_id
               for m in scoping.memberships(user))


# The rounds -----------------------------------------------------------------------------------

@require_GET
@login_required
def check_round_list(request):
    """The rounds holding a project the user may read, newest first, with their counts."""
    if not may_read_projects(request.user):
        raise PermissionDenied
    rounds = list(check_queries.rounds_listed(request.user))
    return render(request, "projects/checks/list.html",
                  {"rounds": rounds, "is_bureau": _is_bureau(request.user)})


@require_http_methods(["GET", "POST"])
@login_required
def check_round_create_view(request):
    """The bureau opens a mid-term check or an acceptance round over a cohort's projects."""
    _require_bureau(request.user)
    form = CheckRoundForm(request.POST or None,
                          initial={"kind": request.GET.get("kind", CheckKind.MIDTERM)})
    refusal = []
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = checks.check_round_create(
                    kind=data["kind"], call_category=data["call_category"], by=request.user,
                    projects=list(data["projects"]) or None,
                    self_assessment_due=data["self_assessment_due"], name=data["name"])
            except ProjectRefused as refused:
                refusal = [str(refused)]
            else:
                messages.success(request, _("The round is open: %(count)s project(s), "
                                            "self-assessments due on %(date)s.")
                                 % {"count": created.entries.count(),
                                    "date": f"{created.self_assessment_due:%Y-%m-%d}"})
                return redirect("projects:check_round_detail", pk=created.pk)
        else:
            refusal = [str(FORM_REFUSED)]
    return render(request, "projects/checks/create.html", {"form": form, "refusal": refusal},
                  status=400 if refusal else 200)


def round_page(request, check_round: CheckRound, *, refusal: list[str] | None = None,
               panel_form: CheckPanelForm | None = None, status: int = 200):
    """The round page; a refused action comes back with its message."""
    today = timezone.localdate()
    is_bureau = _is_bureau(request.user)
    entries = check_queries.round_entries(check_round, request.user, today)
    panel = check_queries.round_panel(check_round) if is_bureau else None
    context = {
        "check_round": check_round,
        "entries": entries,
        "is_bureau": is_bureau,
        "panel": panel,
        "refusal": refusal or [],
        "today": today,
        "missing": [e for e in entries if e.submitted_at is None],
        "waiting": [e for e in entries if not e.final],
        # Scores still to collect: an entry without a result has none (a panel just closed).
        "collectable": any(e.score is None and not e.result and not e.final for e in entries),
        "states": CheckRoundState,
    }
    if is_bureau and check_round.state == CheckRoundState.OPEN:
        context["panel_form"] = panel_form or CheckPanelForm()
    return render(request, "projects/checks/detail.html", context, status=status)


@require_GET
@login_required
def check_round_detail(request, pk: int):
    return round_page(request, _round(request, pk))


@require_POST
@login_required
def check_panel_create_view(request, pk: int):
    """Set up the round's expert panel; the draw and scoring go on on the panel pages."""
    check_round = _round(request, pk)
    _require_bureau(request.user)
    form = CheckPanelForm(request.POST)
    if not form.is_valid():
        return round_page(request, check_round, refusal=[str(FORM_REFUSED)], panel_form=form,
                          status=400)
    try:
        panel = checks.check_panel_create(check_round=check_round, by=request.user,
                                          review_deadline=form.cleaned_data["review_deadline"])
    except ProjectRefused as refused:
        return round_page(request, check_round, refusal=[str(refused)], panel_form=form,
                          status=400)
    messages.success(request, _("The expert panel is set up; announce its draw on the panel's "
                                "page."))
    return redirect("reviews:panel_detail", pk=panel.pk)


def _round_action(request, pk: int, action, success: str):
    check_round = _round(request, pk)
    _require_bureau(request.user)
    try:
        action(check_round=check_round, by=request.user)
    except ProjectRefused as refused:
        return round_page(request, _round(request, pk), refusal=[str(refused)], status=400)
    messages.success(request, success)
    return redirect("projects:check_round_detail", pk=check_round.pk)


@require_POST
@login_required
def check_scores_collect_view(request, pk: int):
    """Give each project the closed panel's score."""
    return _round_action(request, pk, checks.check_scores_collect,
                         _("The experts' scores are collected; record each project's result."))


@require_POST
@login_required
def check_round_close_view(request, pk: int):
    return _round_action(request, pk, checks.check_round_close, _("The round is closed."))


@require_GET
@login_required
def check_round_export(request, pk: int):
    """The round's projects (those the user may read) as Excel."""
    check_round = _round(request, pk)
    entries = check_queries.round_entries(check_round, request.user, timezone.localdate())
    return HttpResponse(round_export(entries), content_type=XLSX_CONTENT_TYPE, headers={
        "Content-Disposition": content_disposition_header(
            True, round_file_name(check_round, "xlsx"))})


@require_GET
@login_required
def check_round_notice(request, pk: int):
    """The round's results notice in Word, for the bureau."""
    check_round = _round(request, pk)
    _require_bureau(request.user)
    content = results_docx(round_notice_content(check_round, today=timezone.localdate()))
    return FileResponse(io.BytesIO(content), as_attachment=True, content_type=DOCX_TYPE,
                        filename=round_file_name(check_round, "docx"))


# One project in a round ---------------------------------------------------------------------

def entry_page(request, entry: CheckEntry, *, refusal: list[str] | None = None,
               forms: dict | None = None, status: int = 200):
    """A project's entry in its round; a refused form comes back as typed."""
    forms = forms or {}
    today = timezone.localdate()
    check_queries.entry_flags(entry, today)
    is_bureau = _is_bureau(request.user)
    school = _acts_for_school(request.user, entry)
    check_round = entry.round
    files = list(entry.files.all())
    context = {
        "entry": entry, "check_round": check_round, "project": entry.project,
        "is_bureau": is_bureau, "refusal": refusal or [], "today": today,
        "self_files": [f for f in files if f.purpose == check_queries.SELF_ASSESSMENT],
        "rectification_files": [f for f in files if f.purpose == check_queries.RECTIFICATION],
        "acceptance": check_round.kind == CheckKind.ACCEPTANCE,
    }
    if school and checks.self_assessment_open(entry) and today <= check_round.self_assessment_due:
        context["self_form"] = forms.get("self") or SelfAssessmentForm(initial={
            "text": entry.self_assessment, "summary": entry.summary,
            "self_score": entry.self_score if entry.self_score is not None else ""})
    if (school and entry.result == CheckResult.RECTIFY and not entry.recheck_result
            and today <= entry.rectification_due):
        context["rectification_form"] = forms.get("rectification") or RectificationForm(
            initial={"report": entry.rectification_report})
    if is_bureau and check_round.state == CheckRoundState.REVIEWING and not entry.result \
            and entry.score is not None:
        context["result_form"] = forms.get("result") or ResultForm(
            kind=check_round.kind, initial={"result": entry.suggested})
    if is_bureau and entry.result == CheckResult.RECTIFY and not entry.recheck_result:
        context["recheck_form"] = forms.get("recheck") or RecheckForm()
    return render(request, "projects/checks/entry.html", context, status=status)


@require_GET
@login_required
def check_entry(request, pk: int):
    return entry_page(request, _entry(request, pk))


def _school_action(request, pk: int, form_class, key: str, act):
    entry = _entry(request, pk)
    if not _acts_for_school(request.user, entry):
        raise PermissionDenied
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        return entry_page(request, entry, refusal=[str(FORM_REFUSED)], forms={key: form},
                          status=400)
    try:
        act(entry, form.cleaned_data)
    except ProjectRefused as refused:
        return entry_page(request, _entry(request, pk), refusal=[str(refused)],
                          forms={key: form}, status=400)
    return None


@require_POST
@login_required
def check_self_assessment(request, pk: int):
    """The school files its self-assessment (and, at acceptance, its summary report)."""
    def act(entry, data):
        checks.self_assessment_submit(entry=entry, text=data["text"], by=request.user,
                                      self_score=data["self_score"], summary=data["summary"],
                                      files=data["files"])

    refused = _school_action(request, pk, SelfAssessmentForm, "self", act)
    if refused is not None:
        return refused
    messages.success(request, _("The self-assessment is filed; the bureau has been told."))
    return redirect("projects:check_entry", pk=pk)


@require_POST
@login_required
def check_rectification(request, pk: int):
    """The school files its rectification report."""
    def act(entry, data):
        rectification_submit(entry=entry, report=data["report"], by=request.user,
                             files=data["files"])

    refused = _school_action(request, pk, RectificationForm, "rectification", act)
    if refused is not None:
        return refused
    messages.success(request, _("The rectification report is filed; the bureau will re-check "
                                "the project."))
    return redirect("projects:check_entry", pk=pk)


@require_POST
@login_required
def check_result(request, pk: int):
    """The bureau records the project's result in its round."""
    entry = _entry(request, pk)
    _require_bureau(request.user)
    form = ResultForm(request.POST, kind=entry.round.kind)
    if not form.is_valid():
        return entry_page(request, entry, refusal=[str(FORM_REFUSED)], forms={"result": form},
                          status=400)
    try:
        decided = check_result_record(entry=entry, result=form.cleaned_data["result"],
                                      comment=form.cleaned_data["comment"], by=request.user)
    except ProjectRefused as refused:
        return entry_page(request, _entry(request, pk), refusal=[str(refused)],
                          forms={"result": form}, status=400)
    due = decided.rectification_due
    messages.success(request, str(RECORDED[decided.result])
                     % {"date": f"{due:%Y-%m-%d}" if due else ""})
    return redirect("projects:check_round_detail", pk=decided.round_id)


@require_POST
@login_required
def check_recheck(request, pk: int):
    """The bureau records the re-check of a rectification."""
    entry = _entry(request, pk)
    _require_bureau(request.user)
    form = RecheckForm(request.POST)
    if not form.is_valid():
        return entry_page(request, entry, refusal=[str(FORM_REFUSED)], forms={"recheck": form},
                          status=400)
    try:
        recheck_record(entry=entry, result=form.cleaned_data["result"],
                       comment=form.cleaned_data["comment"], by=request.user)
    except ProjectRefused as refused:
        return entry_page(request, _entry(request, pk), refusal=[str(refused)],
                          forms={"recheck": form}, status=400)
    messages.success(request, _("The re-check is recorded."))
    return redirect("projects:check_entry", pk=pk)


# Evidence ------------------------------------------------------------------------------------

@require_GET
@login_required
def check_file_download(request, pk: int):
    """An evidence file of a self-assessment or rectification, for those who may read the
    entry's material (its project's readers, an expert assigned to it on the round's
    panel)."""
    check_file = get_object_or_404(
        CheckFile.objects.select_related("file")
        .filter(entry__in=check_queries.material_entries_for(request.user)), pk=pk)
    return stored_file_response(check_file.file)


@require_GET
@login_required
def check_report_file(request, pk: int, file_pk: int):
    """An evidence file of one of the project's filed progress reports, for an expert (or
    anyone) who may read the entry's material."""
    entry = _entry(request, pk, material=True)
    report_file = get_object_or_404(
        ReportFile.objects.select_related("file").exclude(report__state=ReportState.DUE),
        report__project=entry.project_id, pk=file_pk)
    return stored_file_response(report_file.file)


urlpatterns = [
    path("checks/", check_round_list, name="check_round_list"),
    path("checks/new/", check_round_create_view, name="check_round_create"),
    path("checks/<int:pk>/", check_round_detail, name="check_round_detail"),
    path("checks/<int:pk>/panel/", check_panel_create_view, name="check_panel_create"),
    path("checks/<int:pk>/collect/", check_scores_collect_view, name="check_scores_collect"),
    path("checks/<int:pk>/close/", check_round_close_view, name="check_round_close"),
    path("checks/<int:pk>/export.xlsx", check_round_export, name="check_round_export"),
    path("checks/<int:pk>/results.docx", check_round_notice, name="check_round_notice"),
    path("checks/entries/<int:pk>/", check_entry, name="check_entry"),
    path("checks/entries/<int:pk>/self-assessment/", check_self_assessment,
         name="check_self_assessment"),
    path("checks/entries/<int:pk>/rectification/", check_rectification,
         name="check_rectification"),
    path("checks/entries/<int:pk>/result/", check_result, name="check_result"),
    path("checks/entries/<int:pk>/recheck/", check_recheck, name="check_recheck"),
    path("checks/entries/<int:pk>/report-files/<int:file_pk>/", check_report_file,
         name="check_report_file"),
    path("checks/files/<int:pk>/", check_file_download, name="check_file"),
]
