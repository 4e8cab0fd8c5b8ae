"""Fixtures of the quality-report tests: a year (2020) with two funded projects (a Liangxi
school's, paid by the city, with a first payment and its enrolment figures; a Jiangyin
school's, paid by Jiangyin), and a report generator that runs the real generation."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from tests.factories import InstitutionFactory, UserFactory, membership
from tests.funding.conftest import approve, finance_city, in_publicity  # noqa: F401
from vetq.funding.ledger import payment_record
from vetq.reports.generation import report_generate
from vetq.reports.models import QualityReport
from vetq.surveys.models import Enrolment

YEAR = 2020
APPROVED_ON = date(2020, 3, 2)
PAID_ON = date(2020, 4, 1)
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def english(default_language):
    """Refusals are checked in English; the reports themselves are always written in the
    site's language (zh-hans), whatever the request's."""
    with translation.override("en"):
        yield


@pytest.fixture
def immediate_tasks(settings):
    """Background tasks run at once, in the test (django-tasks' immediate backend)."""
    settings.TASKS = IMMEDIATE


@pytest.fixture
def funded(program, regions, school, major, bureau_user, in_publicity, finance_city):  # noqa: F811
    """The 2020 projects: `school` (Liangxi) has a brand major paid by the city with its first
    tranche paid on 1 April, and enrolment figures; a Jiangyin school has a brand major paid by
    Jiangyin (120,000 yuan)."""
    from vetq.funding.grants import application_approve

    city_app = in_publicity("brand_major", institution=school, title="梁溪品牌专业建设")
    city_grant = application_approve(application=city_app, by=bureau_user, today=APPROVED_ON)
    tranche = city_grant.tranches.order_by("seq").first()
    payment_record(tranche=tranche, amount=tranche.amount, voucher_no="V-2020-1",
                   paid_on=PAID_ON, payer_account="市财政专户", by=finance_city, today=PAID_ON)
    county_school = InstitutionFactory(region=regions["jiangyin"], name="江阴测试中等专业学校")
    county_app = in_publicity("brand_major", institution=county_school, title="江阴品牌专业建设")
    county_grant = application_approve(application=county_app, by=bureau_user,
                                       county_amount=Decimal("120000"), today=APPROVED_ON)
    Enrolment.objects.create(institution=school, major=major, year=YEAR, enrolled=120,
                             students=360, graduates=110)
    return {"city_grant": city_grant, "county_grant": county_grant, "paid": tranche.amount,
            "county_school": county_school}


@pytest.fixture
def generated():
    """Generate a report of YEAR (the city's, or `institution`'s) now, as the task does."""

    def make(institution=None, **kwargs) -> QualityReport:
        report, _ = QualityReport.objects.get_or_create(year=YEAR, institution=institution)
        return report_generate(report.pk, **kwargs)

    return make


@pytest.fixture
def other_school_user(other_school):
    user = UserFactory(username="school-other")
    membership(user, "school_user", institution=other_school)
    return user
