"""Reads of performance evaluations (绩效评价, R29): which evaluations a user may read, the
filtered list, one evaluation as its three-level table, and the year's submitted evaluations
for the annual reports.

A submitted evaluation is read by whoever reads its subject: a project's by whoever reads the
project (`queries.projects_for`), a school's year by the bureau, the school, its region's
officer and the finance officer of the school's payer. A draft is read only by its own
evaluator's side (the school's by the school, the bureau's by the bureau, the finance
bureau's by that payer's officers).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy

from vetq.accounts import scoping
from vetq.accounts.roles import Role
from vetq.applications.forms_spec import choice_label
from vetq.institutions.models import Institution
from vetq.programs.models import Program

from .evaluation_access import (
    evaluator_of,
    may_change_evaluation,
    may_evaluate_project,
    paid_regions,
)
from .evaluations import evaluation_rules, grade_name
from .grading import GRADES, indicators_of, subtotals_of
from .models import EvaluationScore, EvaluationState, EvaluatorRole, PerformanceEvaluation
from .queries import projects_for

SUBJECTS = ("project", "school_year")
# The project history's labels of what `projects.evaluations` writes.
EVENT_LABELS = {
    "evaluation_created": gettext_lazy("Performance evaluation begun"),
    "evaluation_scored": gettext_lazy("Performance evaluation scores saved"),
    "evaluated": gettext_lazy("Performance evaluation submitted"),
}


def _school_year_scope(user) -> Q | None:
    """The schools whose year evaluations the user may read, as a Q over PerformanceEvaluation."""
    self_funded = Program.self_funded_regions.through.objects.values("region_id")
    condition: Q | None = None
    for membership in scoping.memberships(user):
        role = membership.role
        if role == Role.SCHOOL_USER:
            q = Q(institution_id=membership.institution_id)
        elif role == Role.REGION_OFFICER:
            q = Q(institution__region_id=membership.region_id)
        elif role == Role.FINANCE_OFFICER:
            q = (~Q(institution__region_id__in=self_funded) if membership.region_id is None
                 else Q(institution__region_id=membership.region_id))
        else:
            continue
        condition = q if condition is None else condition | q
    return condition


def evaluations_for(user, queryset: QuerySet | None = None) -> QuerySet:
    """Evaluations the user may read (see the module's docstring); anything else is a 404."""
    queryset = PerformanceEvaluation.objects.all() if queryset is None else queryset
    roles = scoping.roles_of(user)
    evaluator = evaluator_of(user)
    visible = Q(state=EvaluationState.SUBMITTED)
    if evaluator is not None:
        visible |= Q(evaluator=evaluator)
    if Role.BUREAU_ADMIN in roles:
        return queryset.filter(visible)
    years = _school_year_scope(user)
    if years is None:
        return queryset.none()
    reach = Q(project__in=projects_for(user)) | (Q(project__isnull=True) & years)
    return queryset.filter(reach & visible)


def _year(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else None


@dataclass(frozen=True)
class EvaluationFilters:
    """The list's filters as the query string gives them; anything malformed is ignored.
    `school` and `region` are codes; `subject` is project or school_year."""

    year: int | None = None
    evaluator: str = ""
    grade: str = ""
    school: str = ""
    region: str = ""
    subject: str = ""
    state: str = ""

    @classmethod
    def from_query(cls, query: QueryDict | dict) -> "EvaluationFilters":
        def pick(key, allowed):
            value = str(query.get(key, "") or "")
            return value if value in allowed else ""

        return cls(
            year=_year(str(query.get("year", "") or "")),
            evaluator=pick("evaluator", EvaluatorRole.values),
            grade=pick("grade", GRADES),
            school=str(query.get("school", "") or "").strip()[:40],
            region=str(query.get("region", "") or "").strip()[:40],
            subject=pick("subject", SUBJECTS),
            state=pick("state", EvaluationState.values),
        )

    def condition(self) -> Q:
        condition = Q()
        if self.year:
            condition &= Q(year=self.year)
        if self.evaluator:
            condition &= Q(evaluator=self.evaluator)
        if self.grade:
            condition &= Q(grade=self.grade)
        if self.school:
            condition &= Q(institution__code=self.school)
        if self.region:
            condition &= Q(institution__region__code=self.region)
        if self.subject:
            condition &= Q(project__isnull=self.subject == "school_year")
        if self.state:
            condition &= Q(state=self.state)
        return condition

    def query(self) -> dict:
        """The filters as query parameters, blanks left out (for the export link)."""
        return {key: value for key, value in self.__dict__.items() if value}


def evaluations_listed(evaluations: QuerySet, filters: EvaluationFilters) -> QuerySet:
    """The evaluations that pass the filters, latest year first, with what the list shows."""
    return (
        evaluations.filter(filters.condition())
        .select_related("project__category", "institution__region", "created_by")
        .order_by("-year", "institution__region__order", "institution__code", "project_id",
                  "evaluator", "pk")
    )


def evaluation_years(evaluations: QuerySet) -> list[int]:
    return list(evaluations.order_by("-year").values_list("year", flat=True).distinct())


def schools_evaluated(evaluations: QuerySet) -> QuerySet:
    return Institution.objects.filter(pk__in=evaluations.values("institution_id")) \
        .order_by("code")


def evaluations_for_year(year: int, institution: Institution | None = None) -> QuerySet:
    """The submitted evaluations of `year` (of `institution` only, if given: its projects'
    and its own year's), with their subject and scores loaded, for the annual reports (R34).
    Unscoped: the reports are the bureau's and the school's own."""
    evaluations = PerformanceEvaluation.objects.filter(year=year, state=EvaluationState.SUBMITTED)
    if institution is not None:
        evaluations = evaluations.filter(institution=institution)
    return (evaluations.select_related("project__category", "institution__region")
            .prefetch_related(Prefetch("scores", queryset=EvaluationScore.objects.order_by("pk")))
            .order_by("institution__region__order", "institution__code", "project_id",
                      "evaluator", "pk"))


def grade_counts(evaluations: Iterable[PerformanceEvaluation]) -> dict[str, int]:
    """How many of the evaluations got each grade, in order 优 良 中 差."""
    counts = dict.fromkeys(GRADES, 0)
    for evaluation in evaluations:
        if evaluation.grade in counts:
            counts[evaluation.grade] += 1
    return counts


@dataclass
class IndicatorRow:
    code: str
    name: str
    help: str
    points: Decimal
    score: EvaluationScore | None


@dataclass
class SecondRow:
    code: str
    name: str
    indicators: list[IndicatorRow]


@dataclass
class FirstRow:
    code: str
    name: str
    weight: Decimal
    subtotal: Decimal
    groups: list[SecondRow]

    @property
    def rows(self) -> int:
        return sum(len(group.indicators) for group in self.groups)


def evaluation_table(evaluation: PerformanceEvaluation, scores: Iterable[EvaluationScore] | None = None
                     ) -> list[FirstRow]:
    """The evaluation's indicator set as a three-level table: first-level indicators with
    their weight and subtotal, their second-level groups, and each third-level indicator
    with its points and its score row (or None), names in the active language."""
    copy = evaluation.indicator_set
    by_code = {row.indicator: row for row in
               (evaluation.scores.all() if scores is None else scores)}
    subtotals = subtotals_of(copy, {code: row.score for code, row in by_code.items()})
    indicators = indicators_of(copy)
    table = []
    for first in copy.get("first", []):
        groups = []
        for second in copy.get("second", []):
            if second["parent"] != first["code"]:
                continue
            groups.append(SecondRow(code=second["code"], name=choice_label(second), indicators=[
                IndicatorRow(code=i.code, name=choice_label({"name": i.name,
                                                             "name_en": i.name_en}),
                             help=choice_label({"name": i.help, "name_en": i.help_en})
                             if i.help else "",
                             points=i.points, score=by_code.get(i.code))
                for i in indicators if i.second == second["code"]]))
        table.append(FirstRow(code=first["code"], name=choice_label(first),
                              weight=Decimal(str(first["weight"])),
                              subtotal=subtotals.get(first["code"], Decimal(0)), groups=groups))
    return table


def grade_label(evaluation: PerformanceEvaluation) -> str:
    """The evaluation's grade by the policy's name in the active language, or ""."""
    return grade_name(evaluation.indicator_set, evaluation.grade) if evaluation.grade else ""


def grade_choices(program: Program | None) -> list[tuple[str, str]]:
    """The grades with the program's names, for filters."""
    if program is None:
        return [(code, code) for code in GRADES]
    names = {g.code: choice_label(g.model_dump()) for g in evaluation_rules(program).grades}
    return [(code, names.get(code, code)) for code in GRADES]


def schools_to_evaluate(user, program: Program) -> QuerySet:
    """The schools whose year the user may evaluate: its own (a school), those its payer pays
    (a finance officer), all (the bureau)."""
    evaluator = evaluator_of(user)
    schools = Institution.objects.select_related("region").order_by("region__order", "code")
    if evaluator is None:
        return schools.none()
    if evaluator == EvaluatorRole.BUREAU:
        return schools
    if evaluator == EvaluatorRole.SCHOOL:
        return schools.filter(pk__in=[m.institution_id for m in scoping.memberships(user)
                                      if m.role == Role.SCHOOL_USER])
    return schools.filter(region_id__in=paid_regions(user, program))


def years_to_evaluate(program: Program, today: date) -> list[int]:
    """The program's years up to this one, latest first."""
    return [year for year in reversed(program.years) if year <= today.year]


def project_years(project, today: date) -> list[int]:
    """The years a project may be evaluated for: from its start to this year, latest first."""
    return list(range(today.year, project.starts_on.year - 1, -1))


def evaluations_section(user, project, today: date) -> dict:
    """What the project page's evaluation section shows: the project's evaluations the user
    may read, each with its three-level table and grade, and whether (and for which years)
    the user may begin one."""
    evaluations = list(
        evaluations_for(user, project.evaluations.all())
        .select_related("created_by", "institution", "project__category__program",
                        "project__grant")
        .prefetch_related(Prefetch("scores", queryset=EvaluationScore.objects.order_by("pk")))
        .order_by("-year", "evaluator", "pk"))
    for evaluation in evaluations:
        evaluation.grade_label = grade_label(evaluation)
        evaluation.table = evaluation_table(evaluation, evaluation.scores.all())
        evaluation.editable = may_change_evaluation(user, evaluation)
    may_start = may_evaluate_project(user, project)
    return {
        "evaluations": evaluations,
        "evaluation_years": project_years(project, today) if may_start else [],
        "evaluator": evaluator_of(user),
    }

