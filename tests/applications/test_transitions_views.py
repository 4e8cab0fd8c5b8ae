"""Workflow moves from the detail page: the buttons each role sees, refusals with reasons,
and two clicks on "submit" submitting once."""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import UserFactory, membership
from vetq.applications.models import ApplicationEvent
from vetq.applications.services import application_transition

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def english(settings, tmp_path):
    """Messages are checked by their English wording; uploads go to a temporary directory."""
    settings.LANGUAGE_CODE = "en"
    settings.MEDIA_ROOT = tmp_path
    with translation.override("en"):
        yield


def move(client, application, action, **data):
    return client.post(reverse("applications:transition", args=[application.pk, action]), data)


def action_urls(response) -> list[str]:
    return [m.action for m in response.context["actions"]]


def test_the_school_sees_submit_and_withdraw_on_its_draft(client, school_user, draft):
    application = draft()
    client.force_login(school_user)
    response = client.get(reverse("applications:detail", args=[application.pk]))
    assert action_urls(response) == ["submit", "withdraw"]
    page = response.content.decode()
    assert reverse("applications:transition", args=[application.pk, "submit"]) in page
    assert 'id="comment-withdraw" name="comment" rows="2" required' in page
    assert 'id="comment-submit"' not in page


def test_submit_from_the_page_moves_and_records_history(client, school_user, draft):
    application = draft()
    client.force_login(school_user)
    response = move(client, application, "submit")
    assert response.url == reverse("applications:detail", args=[application.pk])
    application.refresh_from_db()
    assert application.state == "submitted"
    page = client.get(response.url)
    assert [str(m) for m in page.context["messages"]] == ["Done: Submit."]
    assert [(e.action, e.from_state, e.to_state) for e in page.context["events"]] == [
        ("submit", "draft", "submitted")]
    assert "<td>Submit</td><td>Draft → Submitted</td>" in page.content.decode()
    assert "The automatic check on" in page.content.decode()


def test_two_clicks_on_submit_submit_once(client, school_user, draft):
    application = draft()
    client.force_login(school_user)
    move(client, application, "submit")
    second = client.post(reverse("applications:transition", args=[application.pk, "submit"]),
                         follow=True)
    assert second.status_code == 200
    assert [str(m) for m in second.context["messages"]] == [
        "Done: Submit.", "This application has already been submitted."]
    assert ApplicationEvent.objects.filter(application=application).count() == 1


def test_a_refused_submit_shows_every_reason_and_stays_a_draft(client, school_user, draft):
    application = draft()
    application.lead_name = ""
    application.save()
    application.attachments.all().delete()
    client.force_login(school_user)
    response = move(client, application, "submit")
    assert response.status_code == 200
    reasons = ["Required: lead person.", "Required attachment missing: Implementation plan."]
    assert response.context["refusal"] == reasons
    assert response.context["automatic_failures"] == reasons
    assert '<ul class="mb-0" id="eligibility-failures"><li>Required: lead person.</li>' in (
        response.content.decode())
    application.refresh_from_db()
    assert application.state == "draft"
    assert ApplicationEvent.objects.count() == 0


def test_the_region_officer_recommends_from_the_page(client, school_user, region_officer, draft):
    application = application_transition(application=draft(), action="submit", by=school_user)
    client.force_login(region_officer)
    detail = client.get(reverse("applications:detail", args=[application.pk]))
    assert action_urls(detail) == ["return", "recommend"]
    move(client, application, "recommend")
    application.refresh_from_db()
    assert application.state == "recommended"


def test_return_without_a_reason_is_refused_and_with_one_goes_back(client, school_user,
                                                                    region_officer, draft):
    application = application_transition(application=draft(), action="submit", by=school_user)
    client.force_login(region_officer)
    refused = move(client, application, "return")
    assert refused.context["refusal"] == ["Please give a reason."]
    application.refresh_from_db()
    assert application.state == "submitted"
    move(client, application, "return", comment="请补充企业合作协议")
    application.refresh_from_db()
    assert application.state == "draft"
    client.force_login(school_user)
    page = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert "<td>Return for revision</td><td>Submitted → Draft</td><td>请补充企业合作协议</td>" in page


def test_the_bureau_sees_the_formal_check_buttons_and_fails_with_a_reason(
        client, school_user, region_officer, bureau_user, draft):
    application = application_transition(application=draft(), action="submit", by=school_user)
    application_transition(application=application, action="recommend", by=region_officer)
    client.force_login(bureau_user)
    detail = client.get(reverse("applications:detail", args=[application.pk]))
    assert action_urls(detail) == ["mark_eligible", "mark_ineligible"]
    move(client, application, "mark_ineligible", comment="缺少企业盖章")
    page = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert "failed</span> — 缺少企业盖章" in page
    application.refresh_from_db()
    assert application.state == "ineligible"


def test_a_school_user_cannot_recommend_its_own_application(client, school_user, draft):
    application = application_transition(application=draft(), action="submit", by=school_user)
    client.force_login(school_user)
    response = move(client, application, "recommend")
    assert response.context["refusal"] == ["Your role does not allow this change."]
    application.refresh_from_db()
    assert application.state == "submitted"


def test_another_school_cannot_move_the_application(client, draft, other_school):
    application = draft()
    stranger = UserFactory(username="yixing-school")
    membership(stranger, "school_user", institution=other_school)
    client.force_login(stranger)
    assert move(client, application, "submit").status_code == 404
    application.refresh_from_db()
    assert application.state == "draft"


def test_a_region_officer_of_another_region_cannot_recommend(client, school_user, draft, regions):
    application = application_transition(application=draft(), action="submit", by=school_user)
    officer = UserFactory(username="yixing-officer")
    membership(officer, "region_officer", region=regions["yixing"])
    client.force_login(officer)
    assert client.get(reverse("applications:detail", args=[application.pk])).status_code == 404
    assert move(client, application, "recommend").status_code == 404


def test_transition_needs_post_and_a_known_action(client, school_user, draft):
    application = draft()
    client.force_login(school_user)
    assert client.get(reverse("applications:transition",
                              args=[application.pk, "submit"])).status_code == 405
    assert move(client, application, "teleport").status_code == 404


def test_anonymous_is_sent_to_log_in(client, draft):
    application = draft()
    response = client.get(reverse("applications:detail", args=[application.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_a_move_made_by_another_service_is_not_open_to_a_request(client, draft, bureau_user):
    from vetq.applications.models import Application

    application = draft()
    Application.objects.filter(pk=application.pk).update(state="in_publicity")
    client.force_login(bureau_user)
    response = client.post(reverse("applications:transition", args=[application.pk, "approve"]))
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.state == "in_publicity"
