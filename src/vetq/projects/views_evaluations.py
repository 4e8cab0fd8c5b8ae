"""Performance evaluation pages (绩效评价, R29): the list in the user's scope with its filters
and Excel export, beginning an evaluation of a project or of a school's year, and one
evaluation as its three-level table: a form of scores with their evidence while it is a
draft of the user's own side, the scores, subtotals, total and grade once submitted.

Evaluations are found through `evaluation_queries.evaluations_for` and projects through
`views.project_get` (outside the scope: 404); writes go through `projects.evaluations`, and
a refused form comes back with what was typed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vetq.core.excel import XLSX_CONTENT_TYPE
from vetq.core.uploads import stored_file_response
from vetq.institutions.models import Region
from vetq.programs.models import Program

from . import evaluation_queries as queries
from .evaluation_access import evaluator_of, may_change_evaluation
from .evaluation_exports import evaluations_export
from .evaluations import (
    ScoresRefused,
    evaluation_create,
    evaluation_score_set,
    evaluation_submit,
)
from .forms_evaluations import (
    EvaluationStartForm,
    ProjectEvaluationStartForm,
    conclusion_post,
    files_post,
    scores_post,
)
from .grading import indicators_of, score_text
from .models import EvaluationState, EvaluatorRole
from .queries import may_read_projects
from .services import ProjectRefused
from .views import project_get

PAGE_SIZE = 50


def _require_reader(user) -> None:
    if not may_read_projects(user):
        raise PermissionDenied


def _evaluation_get(request, pk: int):
    return get_object_or_404(
        queries.evaluations_for(request.user).select_related(
            "project__category__program", "project__grant", "institution__region",
            "created_by"),
        pk=pk)


def _program() -> Program | None:
    return Program.objects.first()


@require_GET
@login_required
def evaluation_list(request):
    """Evaluations in the user's scope; filterable by year, evaluator, grade, school, region,
    subject and state. Evaluators find the form to evaluate a school's year here."""
    _require_reader(request.user)
    evaluations = queries.evaluations_for(request.user)
    filters = queries.EvaluationFilters.from_query(request.GET)
    listed = queries.evaluations_listed(evaluations, filters)
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    for evaluation in page:
        evaluation.grade_label = queries.grade_label(evaluation)
    context = {"page": page, "filters": filters, "export_query": urlencode(filters.query())}
    if request.htmx:
        return render(request, "projects/evaluations/_results.html", context)
    program = _program()
    return render(request, "projects/evaluations/list.html", {
        **context,
        "start_form": _start_form(request.user, program),
        "years": queries.evaluation_years(evaluations),
        "evaluators": EvaluatorRole.choices,
        "grades": queries.grade_choices(program),
        "states": EvaluationState.choices,
        "regions": Region.objects.all(),
        "schools": queries.schools_evaluated(evaluations),
    })


def _start_form(user, program, data=None) -> EvaluationStartForm | None:
    if program is None or evaluator_of(user) is None:
        return None
    institutions = queries.schools_to_evaluate(user, program)
    years = queries.years_to_evaluate(program, timezone.localdate())
    if not years or not institutions.exists():
        return None
    return EvaluationStartForm(data, institutions=institutions, years=years,
                               initial={"year": years[0]}, auto_id="start-%s")


@require_GET
@login_required
def evaluation_export(request):
    """The listed evaluations as Excel, with the list's filters."""
    _require_reader(request.user)
    content = evaluations_export(queries.evaluations_for(request.user),
                                 queries.EvaluationFilters.from_query(request.GET))
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = \
        f'attachment; filename="evaluations-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


@require_POST
@login_required
def school_evaluation_start(request):
    """Begin the evaluation of a school's year, by the user's side."""
    _require_reader(request.user)
    form = _start_form(request.user, _program(), request.POST)
    if form is None:
        raise PermissionDenied
    if not form.is_valid():
        messages.error(request, _("Choose a school and a year to evaluate."))
        return redirect("projects:evaluation_list")
    try:
        evaluation = evaluation_create(by=request.user,
                                       institution=form.cleaned_data["institution"],
                                       year=form.cleaned_data["year"], program=_program())
    except ProjectRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("projects:evaluation_list")
    messages.success(request, _("Evaluation begun: score each indicator with its evidence."))
    return redirect("projects:evaluation_detail", pk=evaluation.pk)


@require_POST
@login_required
def project_evaluation_start(request, pk: int):
    """Begin the evaluation of a project, by the user's side."""
    project = project_get(request, pk)
    form = ProjectEvaluationStartForm(request.POST, years=queries.project_years(
        project, timezone.localdate()))
    if not form.is_valid():
        messages.error(request, _("Choose the year to evaluate."))
        return redirect("projects:detail", pk=project.pk)
    try:
        evaluation = evaluation_create(by=request.user, project=project,
                                       year=form.cleaned_data["year"])
    except ProjectRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("projects:detail", pk=project.pk)
    messages.success(request, _("Evaluation begun: score each indicator with its evidence."))
    return redirect("projects:evaluation_detail", pk=evaluation.pk)


def _page(request, evaluation, *, typed=None, conclusion=None, refusal=None, problems=None,
          status=200):
    editable = may_change_evaluation(request.user, evaluation)
    scores = list(evaluation.scores.select_related("file"))
    table = queries.evaluation_table(evaluation, scores)
    problems = problems or {}
    for first in table:
        for group in first.groups:
            for row in group.indicators:
                saved = row.score
                value, evidence = (typed or {}).get(row.code, (
                    "" if saved is None else score_text(saved.score),
                    "" if saved is None else saved.evidence))
                row.value, row.evidence, row.error = value, evidence, problems.get(row.code, "")
    return render(request, "projects/evaluations/detail.html", {
        "evaluation": evaluation,
        "project": evaluation.project,
        "table": table,
        "editable": editable,
        "grade_label": queries.grade_label(evaluation),
        "conclusion": evaluation.conclusion if conclusion is None else conclusion,
        "refusal": refusal or [],
        "conclusion_error": problems.get("", ""),
    }, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def evaluation_detail(request, pk: int):
    """One evaluation: its form while a draft of the user's side (POST `action` save or
    submit), else its scores, subtotals, total and grade."""
    evaluation = _evaluation_get(request, pk)
    if request.method == "GET":
        return _page(request, evaluation)
    if not may_change_evaluation(request.user, evaluation):
        raise PermissionDenied
    codes = [i.code for i in indicators_of(evaluation.indicator_set)]
    typed = scores_post(request.POST, codes)
    conclusion = conclusion_post(request.POST)
    submit = request.POST.get("action") == "submit"
    try:
        with transaction.atomic():
            evaluation_score_set(evaluation=evaluation, scores=typed, by=request.user,
                                 files=files_post(request.FILES, codes), conclusion=conclusion)
            if submit:
                evaluation_submit(evaluation=evaluation, by=request.user)
    except ProjectRefused as refusal:
        problems = refusal.problems if isinstance(refusal, ScoresRefused) else {}
        return _page(request, evaluation, typed=typed, conclusion=conclusion,
                     refusal=[str(refusal)], problems=problems)
    if submit:
        messages.success(request, _("The evaluation was submitted; it is final."))
    else:
        messages.success(request, _("Scores saved. Submit the evaluation once every indicator "
                                    "is scored."))
    return redirect("projects:evaluation_detail", pk=evaluation.pk)


@require_GET
@login_required
def evaluation_file(request, pk: int, score_pk: int):
    """An evidence file of an evaluation the user may read."""
    evaluation = _evaluation_get(request, pk)
    score = get_object_or_404(evaluation.scores.select_related("file"), pk=score_pk,
                              file__isnull=False)
    return stored_file_response(score.file)


urlpatterns = [
    path("evaluations/", evaluation_list, name="evaluation_list"),
    path("evaluations/export.xlsx", evaluation_export, name="evaluation_export"),
    path("evaluations/new/", school_evaluation_start, name="evaluation_start"),
    path("evaluations/<int:pk>/", evaluation_detail, name="evaluation_detail"),
    path("evaluations/<int:pk>/files/<int:score_pk>/", evaluation_file,
         name="evaluation_file"),
    path("<int:pk>/evaluations/new/", project_evaluation_start,
         name="project_evaluation_start"),
]
