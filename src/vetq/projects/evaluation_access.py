"""Who evaluates what (绩效评价, R29): the evaluator a user acts as follows from its role — a
school user evaluates its own school's projects and years (self-evaluation), the education
bureau any, a finance officer those its payer pays (the city's officer the projects and
schools the city pays, a county-level city's its own, R28) — and a draft is changed only by
its own evaluator's side. Reads only; `projects.evaluations` refuses what these deny."""

from vetq.accounts import scoping
from vetq.accounts.roles import Role
from vetq.institutions.models import Region
from vetq.programs.models import Program

from .models import EvaluationState, EvaluatorRole, PerformanceEvaluation, Project, ProjectState

# The role a user evaluates as, the first that applies.
EVALUATOR_OF_ROLE = ((Role.BUREAU_ADMIN, EvaluatorRole.BUREAU),
                     (Role.FINANCE_OFFICER, EvaluatorRole.FINANCE),
                     (Role.SCHOOL_USER, EvaluatorRole.SCHOOL))


def evaluator_of(user) -> str | None:
    """The evaluator role the user acts as (bureau, finance or school), or None."""
    roles = scoping.roles_of(user)
    for role, evaluator in EVALUATOR_OF_ROLE:
        if role in roles:
            return evaluator.value
    return None


def paid_regions(user, program: Program) -> set[int]:
    """The regions whose schools' subsidies the user's finance bureau pays (R28): the city's
    officer every region that does not pay its own, a county-level city's officer its own."""
    self_funded = set(program.self_funded_regions.values_list("pk", flat=True))
    regions: set[int] = set()
    for membership in scoping.memberships(user):
        if membership.role != Role.FINANCE_OFFICER:
            continue
        if membership.region_id is None:
            regions |= set(Region.objects.exclude(pk__in=self_funded)
                           .values_list("pk", flat=True))
        else:
            regions.add(membership.region_id)
    return regions


def _finance_pays_school(user, institution, program: Program) -> bool:
    return institution.region_id in paid_regions(user, program)


def may_evaluate(user, evaluator: str, *, project: Project | None, institution,
                  program: Program) -> bool:
    if evaluator == EvaluatorRole.BUREAU:
        return True
    if evaluator == EvaluatorRole.SCHOOL:
        return any(m.role == Role.SCHOOL_USER and m.institution_id == institution.pk
                   for m in scoping.memberships(user))
    if project is not None:
        return scoping.pays_for(user, project.grant)
    return _finance_pays_school(user, institution, program)


def may_evaluate_project(user, project: Project) -> bool:
    """Whether the user may begin an evaluation of the project (it is not withdrawn)."""
    evaluator = evaluator_of(user)
    return (evaluator is not None and project.state != ProjectState.WITHDRAWN
            and may_evaluate(user, evaluator, project=project, institution=project.institution,
                              program=project.category.program))


def may_evaluate_school(user, institution, program: Program) -> bool:
    """Whether the user may begin an evaluation of the school's year."""
    evaluator = evaluator_of(user)
    return evaluator is not None and may_evaluate(user, evaluator, project=None,
                                                   institution=institution, program=program)


def may_change_evaluation(user, evaluation: PerformanceEvaluation) -> bool:
    """Whether the user may score and submit the evaluation: a draft, by its evaluator."""
    if evaluation.state != EvaluationState.DRAFT or evaluator_of(user) != evaluation.evaluator:
        return False
    return may_evaluate(user, evaluation.evaluator, project=evaluation.project,
                         institution=evaluation.institution, program=_program_of(evaluation))


def _program_of(evaluation: PerformanceEvaluation) -> Program | None:
    if evaluation.project_id:
        return evaluation.project.category.program
    return (Program.objects.filter(code=evaluation.indicator_set.get("program")).first()
            or program_of_year(evaluation.year))


def program_of_year(year: int) -> Program | None:
    return Program.objects.filter(period_start__lte=year, period_end__gte=year).first()
