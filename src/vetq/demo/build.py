"""Build the demo data into the database: refuses real data, adds only what is missing."""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from vetq.accounts.models import User
from vetq.institutions.models import Department, Industry, Institution, Region
from vetq.programs.models import Program
from vetq.programs.policy.loader import policy_load, policy_parse

from .accounts import accounts_write
from .application_plan import CATEGORIES
from .calls import calls_write
from .enterprises import enterprises_write
from .experts import experts_write
from .funding import funding_write
from .institutions import institutions_write
from .plan import DemoPlan, demo_plan
from .projects import ProjectsResult, projects_write
from .reviews import ReviewsResult, reviews_write
from .surveys import SurveysResult, surveys_write


class DemoRefused(Exception):
    """The database is not one the demo may write to."""


@dataclass(frozen=True)
class DemoResult:
    policy_loaded: bool
    institutions: int
    majors: int
    enterprises: int
    experts: int
    users: int
    memberships: int
    calls: int = 0
    applications: int = 0
    colleagues: int = 0  # accounts of the people who act in the applications' history
    grants: int = 0  # approved past applications, with their payments and reports
    reviews: ReviewsResult = ReviewsResult()  # panels, draws, reviews, selections, publicity
    projects: ProjectsResult = ProjectsResult()  # reports, check rounds, changes, evaluations
    surveys: SurveysResult = SurveysResult()  # yearly data and graduate records

    @property
    def changed(self) -> bool:
        return any((self.policy_loaded, self.institutions, self.majors, self.enterprises,
                    self.experts, self.users, self.memberships, self.calls, self.applications,
                    self.colleagues, self.grants, self.reviews.changed,
                    self.projects.changed, self.surveys.changed))


def demo_refusal() -> str | None:
    """Why the database may not receive demo data without VETQ_DEMO=1, or None if it is empty."""
    institutions = Institution.objects.count()
    users = User.objects.count()
    if institutions == 0 and users == 0:
        return None
    return (
        f"the database already holds {institutions} institutions and {users} users, and the "
        "demo only fills an empty database. To add the demo data anyway (never on real "
        "data), set VETQ_DEMO=1."
    )


def policy_names() -> dict[str, str]:
    """Region and department names by code, from the default policy file (no database)."""
    policy, _ = policy_parse(settings.VETQ_DEFAULT_POLICY)
    return {e.code: e.name for e in (*policy.regions, *policy.departments)}


def _by_code(model, codes: set[str], what: str) -> dict:
    found = model.objects.in_bulk(list(codes), field_name="code")
    missing = sorted(codes - set(found))
    if missing:
        raise DemoRefused(
            f"the loaded program has no {what} {', '.join(missing)}; the demo needs the "
            f"regions, departments and industries of {settings.VETQ_DEFAULT_POLICY.name}"
        )
    return found


@transaction.atomic
def demo_build(*, plan: DemoPlan | None = None, allow_existing: bool = False) -> DemoResult:
    """Load the default policy if no program is loaded, then add the demo schools, majors,
    enterprises, experts, accounts, calls, applications, grants with their payments and
    review rounds that are not there yet. Running it again adds nothing.

    Refuses (DemoRefused) a database that holds institutions or users, unless allow_existing,
    and a loaded program that lacks a region, department, industry or category the demo uses.
    """
    if not allow_existing and (reason := demo_refusal()):
        raise DemoRefused(reason)
    plan = plan or demo_plan()
    policy_loaded = False
    if not Program.objects.exists():
        policy_load(path=settings.VETQ_DEFAULT_POLICY)
        policy_loaded = True

    regions = _by_code(Region, {s.region for s in plan.schools}, "region")
    departments = _by_code(
        Department, {s.supervisor for s in plan.schools} | {"development_reform"}, "department"
    )
    industries = _by_code(
        Industry,
        {i for s in plan.schools for i in s.industries}
        | {i for e in plan.enterprises for i in e.industries}
        | {i for e in plan.experts for i in e.specialties},
        "industry",
    )
    schools, new_schools, new_majors = institutions_write(
        plan.schools, regions=regions, departments=departments, industries=industries
    )
    enterprises, new_enterprises = enterprises_write(
        plan.enterprises, regions=regions, industries=industries
    )
    new_experts = experts_write(
        plan.experts, schools=schools, enterprises=enterprises, industries=industries
    )
    new_users, new_memberships = accounts_write(
        plan, regions=regions, departments=departments, schools=schools
    )
    program = _demo_program()
    calls = calls_write(plan, program=program, schools=schools, regions=regions,
                        industries=industries)
    grants = funding_write(plan, program=program, schools=schools, regions=regions,
                           industries=industries)
    reviews = reviews_write(plan, program=program, schools=schools, regions=regions,
                            industries=industries)
    projects = projects_write(program=program)
    surveys = surveys_write(program=program)
    return DemoResult(
        policy_loaded=policy_loaded, institutions=new_schools, majors=new_majors,
        enterprises=new_enterprises, experts=new_experts, users=new_users,
        memberships=new_memberships, calls=calls.calls, applications=calls.applications,
        colleagues=calls.colleagues, grants=grants, reviews=reviews,
        projects=projects, surveys=surveys,
    )


def _demo_program() -> Program:
    """The program of the default policy file, with every category the demo applies to."""
    policy, _ = policy_parse(settings.VETQ_DEFAULT_POLICY)
    program = Program.objects.filter(code=policy.program.code).first()
    if program is None:
        raise DemoRefused(
            f"the demo's calls belong to the program {policy.program.code} of "
            f"{settings.VETQ_DEFAULT_POLICY.name}, which is not loaded"
        )
    active = set(program.categories.filter(active=True).values_list("code", flat=True))
    missing = sorted(set(CATEGORIES) - active)
    if missing:
        raise DemoRefused(f"the loaded program has no active category {', '.join(missing)}")
    return program
