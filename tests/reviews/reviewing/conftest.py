"""Fixtures for reviewing and ranking: experts with accounts, a panel in review with its
applications, and assignments made directly (the draws feature makes them in real use)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import InstitutionFactory, MajorFactory, UserFactory, membership
from vetq.applications.models import Application
from vetq.applications.services import application_create
from vetq.applications.states import ApplicationState
from vetq.reviews.models import Assignment, Expert, Panel, PanelState
from vetq.reviews.rubrics import review_rules, rubric_for

# The construction rubric of the policy file (brand majors are scored with it).
FULL = {"basis": 8, "goals": 9, "industry": 7, "measures": 6, "budget": 8}
GOALS_COMMENT = {"goals": "目标明确，内容具体。"}


@pytest.fixture(autouse=True)
def english(default_language):
    """Refusals are checked by their English wording."""
    from django.utils import translation

    with translation.override("en"):
        yield


def expert_make(code: str, name: str | None = None) -> Expert:
    user = UserFactory(username=f"expert-{code.lower()}", full_name=name or f"专家{code}")
    membership(user, "expert")
    return Expert.objects.create(user=user, code=code, name=name or f"专家{code}")


@pytest.fixture
def make_expert(program):
    return expert_make


@pytest.fixture
def application_make(call_category, bureau_user):
    """An application of a new school, put under review directly."""

    def make(title: str = "品牌专业建设", *, code: str = "brand_major", region=None,
             state: str = ApplicationState.UNDER_REVIEW) -> Application:
        school = InstitutionFactory(**({"region": region} if region else {}))
        user = UserFactory()
        membership(user, "school_user", institution=school)
        application = application_create(call_category=call_category(code), institution=school,
                                         by=user, title=title)
        application.majors.add(MajorFactory(institution=school))
        Application.objects.filter(pk=application.pk).update(state=state)
        application.refresh_from_db()
        return application

    return make


@pytest.fixture
def panel_make(call_category, bureau_user):
    def make(code: str = "brand_major", *, applications=(), state: str = PanelState.REVIEWING,
             deadline=None, name: str = "品牌专业评审组") -> Panel:
        cc = call_category(code)
        panel = Panel.objects.create(
            call_category=cc, name=name, state=state,
            rules=review_rules(cc.category.program), rubric=rubric_for(cc.category),
            review_deadline=deadline or timezone.now() + timedelta(days=7),
            created_by=bureau_user,
        )
        panel.applications.set(applications)
        return panel

    return make


def assign(panel: Panel, application: Application, expert: Expert, *, active: bool = True):
    return Assignment.objects.create(panel=panel, application=application, expert=expert,
                                     active=active)


@pytest.fixture
def expert(make_expert):
    return make_expert("E0001", "王评审")


@pytest.fixture
def other_expert(make_expert):
    return make_expert("E0002", "李评审")


@pytest.fixture
def reviewing(application_make, panel_make, expert, other_expert):
    """A panel in review with two applications; both experts review the first, only
    `expert` the second."""
    first = application_make("数控技术品牌专业")
    second = application_make("物联网品牌专业")
    panel = panel_make(applications=[first, second])
    return {
        "panel": panel,
        "first": first,
        "second": second,
        "mine": assign(panel, first, expert),
        "theirs": assign(panel, first, other_expert),
        "mine2": assign(panel, second, expert),
    }


def submitted_review(assignment, each, *, na: tuple[str, ...] = ()):
    """A submitted review scoring every criterion `each` (so its total is each × 10), made
    directly; criteria in `na` marked "not applicable"."""
    from decimal import Decimal

    from vetq.reviews.models import Review, ReviewState

    codes = [c["code"] for c in assignment.panel.rubric["criteria"]]
    each = Decimal(str(each))
    stored = int(each) if each == each.to_integral_value() else float(each)
    scores = {code: (None if code in na else stored) for code in codes}
    return Review.objects.create(assignment=assignment, state=ReviewState.SUBMITTED,
                                 scores=scores, comments={"goals": "评语"},
                                 total=each * 10, submitted_at=timezone.now())
