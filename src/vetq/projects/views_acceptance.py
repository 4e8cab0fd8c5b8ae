"""The bureau's acceptance actions on a project page (R18, R31): recording the rating with its
money consequences, deciding a failed project's recovery, and the acceptance results notice
in Word.

Each action finds the project through `queries.projects_for` (outside it: 404), requires the
bureau (403), calls `projects.acceptance` and goes back to the project page with the outcome
or the refusal as a message; a refusal changes nothing."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_POST

from vetq.accounts import scoping
from vetq.accounts.roles import Role
from vetq.core.money import format_yuan
from vetq.funding.notice import DOCX_TYPE

from .acceptance import AcceptanceRefused, acceptance_record, recovery_decide, score_text
from .acceptance_notice import acceptances_rated, results_content, results_docx, results_file_name
from .forms_acceptance import AcceptanceForm, RecoveryDecisionForm
from .models import Acceptance, Rating, RecoveryCase
from .queries import projects_for

RATED = {
    Rating.EXCELLENT: gettext_noop("Rated excellent with %(score)s points: the project is closed "
                                   "and its acceptance and excellent-rating tranches are payable."),
    Rating.PASS: gettext_noop("Rated pass with %(score)s points: the project is closed and its "
                              "acceptance tranches are payable; tranches reserved for an "
                              "excellent rating are withheld."),
    Rating.FAIL: gettext_noop("Rated fail with %(score)s points: unpaid tranches are withheld, "
                              "the grant has failed, and a recovery is open for the bureau to "
                              "decide."),
}


def _project_for_bureau(request, pk: int):
    project = get_object_or_404(projects_for(request.user), pk=pk)
    if not scoping.has_role(request.user, Role.BUREAU_ADMIN):
        raise PermissionDenied
    return project


def _back(project):
    return redirect("projects:detail", pk=project.pk)


def _form_refused(request, form) -> None:
    problems = [f"{form.fields[name].label}: {error}" if name in form.fields else str(error)
                for name, errors in form.errors.items() for error in errors]
    messages.error(request, _("Nothing was recorded: %(problems)s")
                   % {"problems": "; ".join(problems)})


@require_POST
@login_required
def acceptance_record_view(request, pk: int):
    """The bureau records the acceptance score and rating of a project under construction."""
    project = _project_for_bureau(request, pk)
    form = AcceptanceForm(request.POST)
    if not form.is_valid():
        _form_refused(request, form)
        return _back(project)
    data = form.cleaned_data
    try:
        acceptance = acceptance_record(
            project=project, score=data["score"], rating=data["rating"], summary=data["summary"],
            self_assessment=data["self_assessment"], comment=data["comment"], by=request.user)
    except AcceptanceRefused as refusal:
        messages.error(request, str(refusal))
        return _back(project)
    messages.success(request, _(RATED[acceptance.rating]) % {"score": score_text(acceptance.score)})
    return _back(project)


@require_POST
@login_required
def recovery_decide_view(request, pk: int):
    """The bureau decides how much of a failed project's money is recovered, and why."""
    project = _project_for_bureau(request, pk)
    case = get_object_or_404(RecoveryCase, project=project)
    form = RecoveryDecisionForm(request.POST)
    if not form.is_valid():
        _form_refused(request, form)
        return _back(project)
    data = form.cleaned_data
    try:
        decided = recovery_decide(case=case, amount=data["amount"], reason=data["reason"],
                                  voucher_no=data["voucher_no"], on=data["on"], by=request.user)
    except AcceptanceRefused as refusal:
        messages.error(request, str(refusal))
        return _back(project)
    if decided.amount:
        messages.success(request, _("Recovery of %(amount)s yuan decided and recorded in the "
                                    "ledger.") % {"amount": format_yuan(decided.amount)})
    else:
        messages.success(request, _("Decided: nothing is recovered."))
    return _back(project)


def _year(value: str) -> int | None:
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else None


@require_GET
@login_required
def acceptance_results(request):
    """The acceptance results notice in Word, for the bureau: GET `year` (when rated) and
    `category` (a code) narrow it."""
    if not scoping.has_role(request.user, Role.BUREAU_ADMIN):
        raise PermissionDenied
    today = timezone.localdate()
    year = _year(request.GET.get("year", ""))
    rated = acceptances_rated(
        Acceptance.objects.filter(project__in=projects_for(request.user)), year=year,
        category=request.GET.get("category", "").strip()[:60])
    content = results_docx(results_content(rated, year=year, today=today))
    return FileResponse(io.BytesIO(content), as_attachment=True,
                        filename=results_file_name(year, today), content_type=DOCX_TYPE)


urlpatterns = [
    path("<int:pk>/acceptance/", acceptance_record_view, name="acceptance_record"),
    path("<int:pk>/recovery/", recovery_decide_view, name="recovery_decide"),
    path("acceptance/results.docx", acceptance_results, name="acceptance_results"),
]
