"""Refusals reach a school in Chinese, the default language: eligibility failures come from
a pure module and services, whose message ids must be in the catalogue."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.integration


def test_refused_submission_lists_reasons_in_chinese(client, draft, school_user):
    application = draft()
    application.goals = ""
    application.save()
    client.force_login(school_user)
    response = client.post(reverse("applications:transition", args=[application.pk, "submit"]))
    body = response.content.decode()
    assert "必填：" in body
    assert "Required:" not in body


def test_county_rate_refusal_is_in_chinese(regions, bureau_user, call_category):
    from decimal import Decimal

    from tests.factories import InstitutionFactory, UserFactory, membership
    from vetq.applications.models import Application
    from vetq.applications.services import application_create
    from vetq.funding.grants import GrantRefused, application_approve

    school = InstitutionFactory(region=regions["yixing"])
    writer = UserFactory()
    membership(writer, "school_user", institution=school)
    application = application_create(call_category=call_category("brand_major"),
                                     institution=school, by=writer, title="宜兴品牌专业")
    Application.objects.filter(pk=application.pk).update(state="in_publicity")
    application.refresh_from_db()
    with pytest.raises(GrantRefused, match="低于市级补助标准"):
        application_approve(application=application, by=bureau_user,
                            county_amount=Decimal("90000"))
