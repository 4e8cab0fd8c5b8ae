"""Fixtures for panels and draws: eligible applications of new schools, a pool of experts
with regions, employers and tags, and a panel set up, announced or drawn through the
services (a draw announced in the past is made performable by moving its expected time)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import InstitutionFactory, MajorFactory, UserFactory, membership
from vetq.applications.models import Application
from vetq.applications.states import ApplicationState
from vetq.institutions.models import Enterprise, Industry
from vetq.reviews.models import Draw, Expert

SOURCE = "中国福利彩票双色球第2020-050期开奖号码"
VALUE = "03 07 12 19 25 31 + 09"


@pytest.fixture(autouse=True)
def english(default_language):
    """Refusals are checked by their English wording."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def industries(program):
    return list(Industry.objects.order_by("order", "code"))


@pytest.fixture
def application_make(call_category, regions, industries):
    """An eligible application of a new school (of `region`, by default Liangxi)."""

    def make(title: str = "数控技术应用品牌专业建设", *, code: str = "brand_major",
             region: str = "liangxi", institution=None, lead_name: str = "张明",
             team=(), enterprises=(), tags=(0,), state=ApplicationState.ELIGIBLE) -> Application:
        school = institution or InstitutionFactory(region=regions[region])
        user = UserFactory()
        membership(user, "school_user", institution=school)
        application = Application.objects.create(
            call_category=call_category(code), institution=school, title=title,
            lead_name=lead_name, team=[{"name": n, "title": "", "unit": "", "role": ""} for n in team],
            created_by=user, state=state, submitted_at=timezone.now())
        application.majors.add(MajorFactory(institution=school, catalogue_code="660101"))
        application.industries.set([industries[i] for i in tags])
        application.enterprises.set(enterprises)
        return application

    return make


@pytest.fixture
def expert_make(regions, industries):
    def make(code: str, name: str | None = None, *, region: str = "xishan", institution=None,
             enterprise=None, tags=(0,), groups=("66",), user=None, active=True) -> Expert:
        expert = Expert.objects.create(
            code=code, name=name or f"专家{code}", region=regions[region] if region else None,
            employer_institution=institution, employer_enterprise=enterprise,
            major_groups=list(groups), active=active, user=user)
        expert.specialties.set([industries[i] for i in tags])
        return expert

    return make


@pytest.fixture
def pool(expert_make):
    """`n` experts E0001… of Xishan with no employer."""

    def make(n: int = 12, *, start: int = 1, region: str = "xishan") -> list[Expert]:
        return [expert_make(f"E{i:04d}", f"评审专家{i:04d}", region=region)
                for i in range(start, start + n)]

    return make


@pytest.fixture
def enterprise(program):
    return Enterprise.objects.create(name="无锡示范机械有限公司", credit_code="91320200MA1XXXXX0A")


def announce(panel, by, **kwargs):
    from vetq.reviews import panels

    return panels.draw_announce(
        panel=panel, by=by, public_value_source=SOURCE,
        public_value_expected=timezone.now() + timedelta(hours=1), **kwargs)


def make_due(draw: Draw) -> Draw:
    """The public value's expected time has come."""
    Draw.objects.filter(pk=draw.pk).update(public_value_expected=timezone.now() - timedelta(minutes=1))
    draw.refresh_from_db()
    return draw


@pytest.fixture
def drafted(application_make, pool, call_category, bureau_user):
    """A draft brand-major panel of three applications, with a pool of twelve experts."""
    applications = [application_make(f"品牌专业{i}") for i in range(3)]
    experts = pool(12)
    from vetq.reviews import panels

    panel = panels.panel_create(call_category=call_category("brand_major"), by=bureau_user)
    return {"panel": panel, "applications": applications, "experts": experts}


@pytest.fixture
def announced(drafted, bureau_user):
    draw = announce(drafted["panel"], bureau_user)
    drafted["panel"].refresh_from_db()
    return {**drafted, "draw": draw}


@pytest.fixture
def drawn(announced, bureau_user):
    from vetq.reviews import panels

    make_due(announced["draw"])
    draw = panels.draw_perform(panel=announced["panel"], by=bureau_user, public_value=VALUE)
    announced["panel"].refresh_from_db()
    return {**announced, "draw": draw}
