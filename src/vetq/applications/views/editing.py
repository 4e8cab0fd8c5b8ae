"""The school's application pages: start, edit, see (with history and the actions the user
may take), move through the workflow, attach files. Every application is looked up through
`scoping.applications_for` (outside it: 404); writes go through the services, which check
who acts for the school."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from vetq.accounts import scoping
from vetq.accounts.roles import Role
from vetq.core.uploads import UploadRefused, stored_file_response
from vetq.institutions.models import Enterprise
from vetq.programs.models import CallCategory, CallState

from .. import forms
from ..editing import application_changes_clean, application_update, attachment_add, attachment_delete
from ..forms_spec import label
from ..models import EligibilityCheck
from ..services import Refused, acts_as, application_create, application_transition
from ..states import EDITABLE_STATES
from ..workflow import actions_from, transition_for


def _application(request, pk: int, *, full: bool = False):
    queryset = scoping.applications_for(request.user).select_related(
        "call_category__call__program", "call_category__category", "institution__region",
        "created_by",
    )
    if full:
        queryset = queryset.prefetch_related(
            "majors", "industries", "enterprises", "attachments__file", "events__by"
        )
    return get_object_or_404(queryset, pk=pk)


def _school_may_edit(request, application) -> bool:
    """Whether the user acts for the school; PermissionDenied for anyone else in scope."""
    if not acts_as(request.user, Role.SCHOOL_USER, application):
        raise PermissionDenied
    return application.state in EDITABLE_STATES


def _not_editable(request, application):
    messages.error(request, _("This application is %(state)s; only a draft can be changed.")
                   % {"state": application.get_state_display()})
    return redirect("applications:detail", pk=application.pk)


def _check_failures(check) -> list[str]:
    return [_(f["message"]) % f["params"] for f in check.failures] if check else []


def _actions(user, application) -> list:
    return [t for role in Role if acts_as(user, role, application)
            for t in actions_from(application.state, role)]


def _attachments_context(application, editable: bool) -> dict:
    slots = application.form.get("attachments", [])
    names = {s["code"]: label(s, "name") for s in slots}
    attachments = list(application.attachments.all())
    for attachment in attachments:
        attachment.slot_label = names.get(attachment.slot, attachment.slot)
    return {
        "attachments": attachments,
        "attachment_form": forms.AttachmentForm(slots=slots) if editable else None,
    }


def _detail(request, application, *, refusal: Refused | None = None, status: int = 200):
    editable = application.state in EDITABLE_STATES and acts_as(
        request.user, Role.SCHOOL_USER, application)
    checks = list(application.checks.select_related("by"))
    events = list(application.events.all())
    for event in events:
        move = transition_for(event.action)
        event.action_label = move.label if move else event.action
    automatic = next((c for c in checks if c.kind == EligibilityCheck.Kind.AUTOMATIC), None)
    context = {
        "application": application,
        "answers": forms.answers_shown(application),
        "budget": forms.budget_table(application),
        "events": events,
        "automatic_check": automatic,
        "automatic_failures": _check_failures(automatic),
        "formal_checks": [c for c in checks if c.kind == EligibilityCheck.Kind.FORMAL],
        "actions": _actions(request.user, application),
        "editable": editable,
        "refusal": refusal.messages() if refusal else [],
        "actors_hidden": scoping.reviewer_identities_hidden(request.user),
        **_attachments_context(application, editable),
    }
    return render(request, "applications/detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def application_create_view(request, call_category_pk: int):
    """Start a draft for one of the user's schools in an open category of a call."""
    call_category = get_object_or_404(
        CallCategory.objects.select_related("call__program", "category")
        .exclude(call__state=CallState.DRAFT),
        pk=call_category_pk,
    )
    eligible_types = call_category.category.eligible_types
    institutions = [i for i in scoping.own_institutions(request.user) if i.type in eligible_types]
    blocked = []
    if not scoping.own_institutions(request.user):
        blocked.append(_("Only a school's project administrator can start an application."))
    elif not institutions:
        blocked.append(_("Institutions of this type may not apply for this category."))
    if not call_category.call.is_open_for_submission(timezone.now()):
        blocked.append(_("The call is not open for applications."))
    form = forms.ApplicationCreateForm(request.POST or None, institutions=institutions)
    reasons = list(blocked)
    if request.method == "POST" and not blocked and form.is_valid():
        try:
            application = application_create(
                call_category=call_category, institution=form.cleaned_data["institution"],
                by=request.user, title=form.cleaned_data["title"],
            )
        except Refused as refusal:
            reasons = refusal.messages()
        else:
            messages.success(request, _("The draft is saved. Fill in the application."))
            return redirect("applications:edit", pk=application.pk)
    return render(request, "applications/create.html",
                  {"call_category": call_category, "form": form, "reasons": reasons,
                   "blocked": blocked})


@login_required
def application_detail(request, pk: int):
    """Everything about one application, its history, and the moves the user may make."""
    return _detail(request, _application(request, pk, full=True))


def _edit_context(application, form, values: dict) -> dict:
    need = application.form.get("category", {})
    return {
        "application": application,
        "form": form,
        "values": values,
        "need": need,
        "answer_widgets": forms.answer_widgets(application.form, values["answers"]),
        "budget_rows": forms.budget_rows(application.form, values["budget"]),
        "selected": {name: {str(v) for v in values.get(name, [])}
                     for name in ("majors", "industries", "enterprises")},
        "majors": application.institution.majors.filter(active=True).order_by("catalogue_code"),
        "industries": application.call_category.call.program.industries.all(),
        "enterprises": Enterprise.objects.only("pk", "name"),
        **_attachments_context(application, True),
    }


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request, pk: int):
    """The school edits its draft; any error shows every message and saves nothing."""
    application = _application(request, pk, full=True)
    if not _school_may_edit(request, application):
        return _not_editable(request, application)
    if request.method == "GET":
        initial = {k: getattr(application, k) for k in forms.ApplicationForm.base_fields}
        return render(request, "applications/edit.html", _edit_context(
            application, forms.ApplicationForm(initial=initial), forms.application_values(application)))
    form = forms.ApplicationForm(request.POST)
    values = forms.post_values(request.POST, application.form)
    errors: list[str] = []
    if form.is_valid():
        try:
            application_update(application=application, by=request.user,
                               data={**values, **form.cleaned_data})
        except Refused as refusal:
            if refusal.reasons and refusal.reasons[0].code == "refused":
                application.refresh_from_db()
                return _not_editable(request, application)
            errors = refusal.messages()
        else:
            messages.success(request, _("Saved."))
            return redirect("applications:edit", pk=application.pk)
    else:
        errors = [f"{form.fields[name].label}: {' '.join(e)}" for name, e in form.errors.items()]
        errors += Refused(application_changes_clean(application, values)[1]).messages()
    for error in errors:
        messages.error(request, error)
    return render(request, "applications/edit.html", _edit_context(application, form, values))


@login_required
@require_POST
def application_transition_view(request, pk: int, action: str):
    """One move of the workflow. Refused: the detail page with the reasons; a move already
    made (a second click on "submit") is said kindly, not as an error."""
    transition = transition_for(action)
    # Moves another service makes as part of its own work (approval with its grant, the
    # review round) are not open to a bare request.
    if transition is None or not transition.manual:
        raise Http404
    application = _application(request, pk)
    try:
        application_transition(application=application, action=action, by=request.user,
                               comment=request.POST.get("comment", ""))
    except Refused as refusal:
        application = _application(request, pk, full=True)
        last = application.events.order_by("at", "pk").last()
        if last is not None and last.action == action and application.state == transition.target:
            message = (_("This application has already been submitted.") if action == "submit"
                       else _("This has already been done: %(action)s.") % {"action": transition.label})
            messages.info(request, message)
            return redirect("applications:detail", pk=pk)
        return _detail(request, application, refusal=refusal)
    messages.success(request, _("Done: %(action)s.") % {"action": transition.label})
    return redirect("applications:detail", pk=pk)


def _back(request, application):
    target = "applications:edit" if request.POST.get("next") == "edit" else "applications:detail"
    return redirect(target, pk=application.pk)


@login_required
@require_POST
def application_attachment_upload(request, pk: int):
    """Attach a file to a draft under one of its form's slots."""
    application = _application(request, pk)
    if not _school_may_edit(request, application):
        return _not_editable(request, application)
    form = forms.AttachmentForm(request.POST, request.FILES,
                                slots=application.form.get("attachments", []))
    if not form.is_valid():
        for name, errors in form.errors.items():
            messages.error(request, f"{form.fields[name].label}: {' '.join(errors)}")
        return _back(request, application)
    upload = form.cleaned_data["file"]
    try:
        attachment_add(application=application, slot=form.cleaned_data["slot"], upload=upload,
                       by=request.user)
    except Refused as refusal:
        for message in refusal.messages():
            messages.error(request, message)
    except UploadRefused as refusal:
        messages.error(request, _("%(file)s was not attached: %(reason)s")
                       % {"file": upload.name, "reason": refusal})
    else:
        messages.success(request, _("%(file)s is attached.") % {"file": upload.name})
    return _back(request, application)


def _attachment(request, pk: int, attachment_pk: int):
    application = _application(request, pk)
    return application, get_object_or_404(
        application.attachments.select_related("file"), pk=attachment_pk
    )


@login_required
def application_attachment_download(request, pk: int, attachment_pk: int):
    """The file, to whoever may see the application (else 404), never shown inline."""
    return stored_file_response(_attachment(request, pk, attachment_pk)[1].file)


@login_required
@require_POST
def application_attachment_delete(request, pk: int, attachment_pk: int):
    application, attachment = _attachment(request, pk, attachment_pk)
    if not _school_may_edit(request, application):
        return _not_editable(request, application)
    try:
        attachment_delete(attachment=attachment, by=request.user)
    except Refused as refusal:
        for message in refusal.messages():
            messages.error(request, message)
    else:
        messages.success(request, _("%(file)s is removed.") % {"file": attachment.file.original_name})
    return _back(request, application)


urlpatterns = [
    path("new/<int:call_category_pk>/", application_create_view, name="create"),
    path("<int:pk>/", application_detail, name="detail"),
    path("<int:pk>/edit/", application_edit, name="edit"),
    path("<int:pk>/transition/<str:action>/", application_transition_view, name="transition"),
    path("<int:pk>/attachments/", application_attachment_upload, name="attachment_upload"),
    path("<int:pk>/attachments/<int:attachment_pk>/", application_attachment_download,
         name="attachment_download"),
    path("<int:pk>/attachments/<int:attachment_pk>/delete/", application_attachment_delete,
         name="attachment_delete"),
]

