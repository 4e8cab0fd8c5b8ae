"""Performance evaluation (绩效评价, R29): an evaluation of a project, or of a school's year,
by the school itself, the education bureau or the finance bureau, scored per third-level
indicator of the policy's indicator set (copied onto the evaluation with the grade bands, so
a later policy changes no evaluation already begun), then submitted with its total and grade
(grading.py). A submitted evaluation is final.

Who evaluates what follows from the user's role (`evaluation_access`).

Every function checks the actor, locks the evaluation, writes the audit log and, for a
project, a ProjectEvent; a refusal (ProjectRefused) changes nothing.
"""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vetq.accounts.roles import Role
from vetq.applications.forms_spec import choice_label
from vetq.audit.services import audit_log
from vetq.core.uploads import UploadRefused, stored_file_create
from vetq.notices.services import notice_send
from vetq.programs.models import Program
from vetq.programs.policy.evaluation_schema import DEFAULT_INDICATOR_SETS, EvaluationSection

from .evaluation_access import (
    evaluator_of,
    may_change_evaluation,
    may_evaluate,
    program_of_year,
)
from .grading import evaluation_grade, indicators_of, score_problems, score_text
from .models import (
    EvaluationScore,
    EvaluationState,
    EvaluatorRole,
    PerformanceEvaluation,
    Project,
    ProjectEvent,
    ProjectState,
)
from .services import ProjectRefused

CENT = Decimal("0.01")
EVIDENCE_MAX = 5_000
CONCLUSION_MAX = 20_000
class ScoresRefused(ProjectRefused):
    """Scores that cannot be saved, with the message for each indicator (`problems`, by
    third-level code) besides the whole message."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__(" ".join(problems.values()))


def evaluation_rules(program: Program) -> EvaluationSection:
    """The program's [evaluation] bands, grade names and set codes, defaults filled in."""
    return EvaluationSection.model_validate((program.policy or {}).get("evaluation") or {})


def indicator_set_copy(program: Program, *, for_project: bool) -> dict:
    """The indicator set a project (or a school's year) is evaluated with, as the evaluation
    keeps it: the set with the grade bands and names under `grading`."""
    rules = evaluation_rules(program)
    code = rules.project_set if for_project else rules.school_year_set
    sets = (program.policy or {}).get("indicator_sets") or [
        entry.model_dump(mode="json") for entry in DEFAULT_INDICATOR_SETS]
    chosen = next((entry for entry in sets if entry["code"] == code), None)
    if chosen is None:
        raise ProjectRefused(_("The policy defines no indicator set “%(code)s”.")
                             % {"code": code})
    return {**chosen, "program": program.code,
            "grading": rules.model_dump(mode="json", exclude={"project_set",
                                                              "school_year_set"})}


def _subject(evaluation: PerformanceEvaluation) -> str:
    """What was evaluated, for a notice (data, in no particular language)."""
    if evaluation.project_id:
        return evaluation.project.title
    return f"{evaluation.institution.name}（{evaluation.year}）"


def _url(evaluation: PerformanceEvaluation) -> str:
    try:
        return reverse("projects:evaluation_detail", args=[evaluation.pk])
    except NoReverseMatch:
        return ""


def _event(evaluation: PerformanceEvaluation, action: str, by, *, before=None, after=None) -> None:
    if evaluation.project_id:
        ProjectEvent.objects.create(project_id=evaluation.project_id, action=action,
                                    before=before or {}, after=after or {}, by=by)


def evaluation_create(*, by, project: Project | None = None, institution=None,
                      year: int | None = None, program: Program | None = None,
                      today: date | None = None) -> PerformanceEvaluation:
    """Begin a draft evaluation of `project`, or of `institution`'s year `year`, by the
    evaluator the user's role makes it (school, bureau or finance), with the policy's
    indicator set and grade bands copied onto it.

    Refuses a user who evaluates nothing (region officers, experts, viewers), a project or
    school outside the evaluator's reach, a withdrawn project, a year before the project
    started (or outside the program's years for a school) or still to come, and a second
    evaluation of the same subject, year and evaluator.
    """
    today = today or timezone.localdate()
    evaluator = evaluator_of(by)
    if evaluator is None:
        raise ProjectRefused(_("Performance evaluations are made by a school (of itself), the "
                               "education bureau or the finance bureau."))
    if (project is None) == (institution is None):
        raise ProjectRefused(_("Choose a project, or a school and a year, to evaluate."))
    with transaction.atomic():
        if project is not None:
            project = Project.objects.select_for_update(of=("self",)).select_related(
                "grant", "institution", "category__program").get(pk=project.pk)
            institution = project.institution
            program = project.category.program
            year = year or today.year
            if project.state == ProjectState.WITHDRAWN:
                raise ProjectRefused(_("A withdrawn project is not evaluated."))
            first_year = project.starts_on.year
        else:
            if year is None:
                raise ProjectRefused(_("Choose the year to evaluate."))
            program = program or program_of_year(year)
            if program is None or year not in program.years:
                raise ProjectRefused(_("No program covers the year %(year)s.") % {"year": year})
            first_year = program.period_start
        if year < first_year or year > today.year:
            raise ProjectRefused(_("Choose a year from %(first)s to %(last)s.")
                                 % {"first": first_year, "last": today.year})
        if not may_evaluate(by, evaluator, project=project, institution=institution,
                             program=program):
            raise ProjectRefused(_("You may not evaluate this %(what)s.")
                                 % {"what": _("project") if project else _("school")})
        same = PerformanceEvaluation.objects.filter(institution=institution, project=project, year=year,
                                         evaluator=evaluator)
        if same.exists():
            raise ProjectRefused(
                _("There is already an evaluation of this %(what)s for %(year)s by the same "
                  "evaluator; continue that one.")
                % {"what": _("project") if project else _("school"), "year": year})
        evaluation = PerformanceEvaluation.objects.create(
            project=project, institution=institution, year=year, evaluator=evaluator,
            indicator_set=indicator_set_copy(program, for_project=project is not None),
            created_by=by)
        after = {"evaluation": evaluation.pk, "year": year, "evaluator": evaluator,
                 "set": evaluation.indicator_set["code"]}
        _event(evaluation, "evaluation_created", by, after=after)
        audit_log(action="evaluation.create", actor=by, obj=evaluation, after=after)
    return evaluation


def _lock(evaluation: PerformanceEvaluation, by) -> PerformanceEvaluation:
    """The evaluation locked for a change by `by`: refused unless `by` evaluates as its
    evaluator, reaches its subject, and the evaluation is still a draft."""
    locked = PerformanceEvaluation.objects.select_for_update(of=("self",)).select_related(
        "project__grant", "project__category__program", "institution").get(pk=evaluation.pk)
    if locked.state != EvaluationState.DRAFT:
        raise ProjectRefused(_("This evaluation was submitted and is final."))
    if not may_change_evaluation(by, locked):
        raise ProjectRefused(_("Only the evaluator who began this evaluation may change it."))
    return locked


def _name(indicator) -> str:
    return choice_label({"name": indicator.name, "name_en": indicator.name_en})


def _no_score(indicator) -> str:
    return _("“%(name)s”: enter a score to go with the evidence.") % {"name": _name(indicator)}


def _score(text, indicator) -> tuple[Decimal | None, str | None]:
    """The score as a Decimal (None when blank), or the problem with it."""
    text = str(text if text is not None else "").strip()
    if not text:
        return None, None
    name = _name(indicator)
    points = score_text(indicator.points)
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite() or not Decimal(0) <= value <= indicator.points:
        return None, _("“%(name)s”: enter a score from 0 to %(points)s.") % {
            "name": name, "points": points}
    if value != value.quantize(CENT):
        return None, _("“%(name)s”: enter the score with at most two decimals.") % {
            "name": name}
    return value.quantize(CENT), None


def evaluation_score_set(*, evaluation: PerformanceEvaluation, scores: Mapping[str, tuple], by,
                         files: Mapping | None = None,
                         conclusion: str | None = None) -> PerformanceEvaluation:
    """Save scores of a draft evaluation: `scores` maps third-level indicator codes to
    (score, evidence) — a blank score with no evidence and no file clears the indicator —
    `files` maps codes to evidence uploads, and `conclusion` (if given) replaces the
    conclusion.

    Refuses anyone but its evaluator, a submitted evaluation, codes the set does not have,
    scores outside 0..the indicator's points or with more than two decimals, evidence
    without a score, over-long text, and evidence files that fail the upload checks
    (ScoresRefused names each indicator at fault).
    """
    files = files or {}
    with transaction.atomic():
        locked = _lock(evaluation, by)
        indicators = {i.code: i for i in indicators_of(locked.indicator_set)}
        problems: dict[str, str] = {}
        unknown = [code for code in [*scores, *files] if code not in indicators]
        if unknown:
            raise ProjectRefused(_("“%(code)s” is not an indicator of this evaluation.")
                                 % {"code": unknown[0]})
        existing = {row.indicator: row for row in locked.scores.all()}
        wanted: dict[str, tuple[Decimal | None, str]] = {}
        for code, (text, evidence) in scores.items():
            value, problem = _score(text, indicators[code])
            evidence = (evidence or "").strip()
            if problem is None and len(evidence) > EVIDENCE_MAX:
                problem = _("“%(name)s”: the evidence may have at most %(count)d characters.") \
                    % {"name": _name(indicators[code]), "count": EVIDENCE_MAX}
            if problem is None and value is None and (evidence or code in files):
                problem = _no_score(indicators[code])
            if problem:
                problems[code] = problem
            else:
                wanted[code] = (value, evidence)
        for code in files:
            if code not in scores and code not in existing:
                problems[code] = _no_score(indicators[code])
        if conclusion is not None and len(conclusion.strip()) > CONCLUSION_MAX:
            problems[""] = _("The conclusion may have at most %(count)d characters.") % {
                "count": CONCLUSION_MAX}
        if problems:
            raise ScoresRefused(problems)
        stored = {}
        for code, upload in files.items():
            try:
                stored[code] = stored_file_create(upload=upload, by=by)
            except UploadRefused as refusal:
                problems[code] = _("“%(name)s”: %(reason)s") % {
                    "name": _name(indicators[code]), "reason": str(refusal)}
        if problems:
            raise ScoresRefused(problems)
        before = {code: str(row.score) for code, row in existing.items()}
        for code, (value, evidence) in wanted.items():
            row = existing.get(code)
            if value is None:
                if row is not None:
                    row.delete()
                continue
            if row is None:
                row = EvaluationScore(evaluation=locked, indicator=code)
            row.score, row.evidence = value, evidence
            if code in stored:
                row.file = stored[code]
            row.save()
        for code, file in stored.items():
            if code not in wanted:
                EvaluationScore.objects.filter(evaluation=locked, indicator=code) \
                    .update(file=file)
        if conclusion is not None:
            locked.conclusion = conclusion.strip()
            locked.save(update_fields=["conclusion"])
        after = {code: str(score) for code, score in
                 locked.scores.values_list("indicator", "score")}
        _event(locked, "evaluation_scored", by, before={"scores": before},
               after={"evaluation": locked.pk, "scores": after})
        audit_log(action="evaluation.score", actor=by, obj=locked, before=before,
                  after={**after, "files": sorted(stored)})
    return locked


def _recipients(evaluation: PerformanceEvaluation) -> list:
    users = get_user_model().objects.filter(is_active=True)
    wanted = Q(pk__in=[])
    if evaluation.evaluator != EvaluatorRole.SCHOOL:
        wanted |= Q(memberships__role=Role.SCHOOL_USER,
                    memberships__institution_id=evaluation.institution_id)
    if evaluation.evaluator != EvaluatorRole.BUREAU:
        wanted |= Q(memberships__role=Role.BUREAU_ADMIN)
    return list(users.filter(wanted).distinct())


def grade_name(indicator_set: Mapping, grade: str, *, english: bool | None = None) -> str:
    """The policy's name of a grade (优, 良, 中, 差): in the active language, or the file's
    own name when `english` is False (for data such as a notice's parameters)."""
    for entry in indicator_set.get("grading", {}).get("grades", []):
        if entry["code"] == grade:
            return entry["name"] if english is False else choice_label(entry)
    return grade


def evaluation_submit(*, evaluation: PerformanceEvaluation, by,
                      conclusion: str | None = None) -> PerformanceEvaluation:
    """Submit a draft evaluation: its total (the sum of the scores, 0–100) and the grade the
    copied bands give it are computed and kept, and it is final. Writes a ProjectEvent for a
    project and notifies the school (unless it evaluated itself) and the bureau (unless it
    evaluated).

    Refuses anyone but its evaluator, a submitted evaluation, an indicator left without a
    score or scored outside its range, and no conclusion.
    """
    with transaction.atomic():
        locked = _lock(evaluation, by)
        if conclusion is not None:
            locked.conclusion = conclusion.strip()
        if not locked.conclusion:
            raise ProjectRefused(_("Please write the evaluation's conclusion before "
                                   "submitting it."))
        scores = dict(locked.scores.values_list("indicator", "score"))
        problem = score_problems(locked.indicator_set, scores)
        if problem is not None:
            names = {i.code: _name(i) for i in indicators_of(locked.indicator_set)}
            codes = problem.missing or problem.out_of_range or problem.unknown
            raise ProjectRefused(
                _("Every indicator needs a score within its points before the evaluation is "
                  "submitted; still to score: %(names)s.")
                % {"names": "、".join(names.get(code, code) for code in codes)})
        graded = evaluation_grade(locked.indicator_set, scores, locked.indicator_set["grading"])
        locked.state = EvaluationState.SUBMITTED
        locked.total = graded.total
        locked.grade = graded.grade
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["state", "total", "grade", "conclusion", "submitted_at"])
        after = {"evaluation": locked.pk, "evaluation_state": locked.state,
                 "total": str(graded.total),
                 "grade": graded.grade, "evaluator": locked.evaluator, "year": locked.year,
                 "subtotals": {code: str(v) for code, v in graded.subtotals.items()}}
        before = {"evaluation": locked.pk, "evaluation_state": EvaluationState.DRAFT}
        _event(locked, "evaluated", by, before=before, after=after)
        audit_log(action="evaluation.submit", actor=by, obj=locked, before=before, after=after)
        notice_send(users=_recipients(locked), kind=f"evaluation.submitted_{locked.evaluator}",
                    params={"year": locked.year, "subject": _subject(locked),
                            "total": score_text(graded.total),
                            "grade": grade_name(locked.indicator_set, graded.grade,
                                                english=False)},
                    url=_url(locked))
    return locked
