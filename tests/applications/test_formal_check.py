"""The bureau's formal check (形式审查): the queue, pass, fail with a reason, the school told."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.applications.test_lists import seed
from tests.factories import InstitutionFactory
from vetq.applications.models import EligibilityCheck
from vetq.applications.services import application_transition
from vetq.notices.models import Notice

pytestmark = pytest.mark.integration

QUEUE = "applications:formal_check"


@pytest.fixture(autouse=True)
def english(client):
    """Messages are compared in English, whatever the catalogue says in Chinese."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def recommended(draft, school_user, region_officer):
    """The Liangxi school's brand major, submitted and recommended through the workflow."""
    application = application_transition(application=draft(), action="submit", by=school_user)
    return application_transition(application=application, action="recommend",
                                  by=region_officer)


def decide(application, action):
    return reverse("applications:formal_decide", args=[application.pk, action])


def shown(response) -> list:
    """(call year, category code, [titles]) for each group of the queue."""
    assert response.status_code == 200
    return [
        (entry.call.year, group.call_category.category.code,
         [a.title for a in group.applications])
        for entry in response.context["calls"] for group in entry.categories
    ]


def flashed(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_queue_shows_recommended_applications_by_call_and_category(
    client, recommended, call_category, school, other_school, school_user, bureau_user
):
    seed(call_category("training_base"), other_school, by=bureau_user, state="recommended",
         title="宜兴陶瓷实训基地")
    seed(call_category("brand_major"), school, by=school_user, title="仅提交")
    seed(call_category("brand_major"), school, by=school_user, state="eligible", title="已通过")
    client.force_login(bureau_user)
    assert shown(client.get(reverse(QUEUE))) == [
        (2020, "brand_major", [recommended.title]),
        (2020, "training_base", ["宜兴陶瓷实训基地"]),
    ]


@pytest.mark.parametrize("who", ["school_user", "region_officer"])
def test_formal_check_is_the_bureaus_alone(client, recommended, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse(QUEUE)).status_code == 403
    assert client.post(decide(recommended, "mark_eligible")).status_code == 403
    recommended.refresh_from_db()
    assert recommended.state == "recommended"
    assert not EligibilityCheck.objects.filter(kind="formal").exists()


def test_pass_records_the_check_and_tells_the_school(client, recommended, bureau_user,
                                                     school_user, region_officer):
    client.force_login(bureau_user)
    response = client.post(decide(recommended, "mark_eligible"), follow=True)
    recommended.refresh_from_db()
    assert recommended.state == "eligible"
    assert flashed(response) == [f"Passed the formal check: {recommended.title}"]
    check = EligibilityCheck.objects.get(application=recommended, kind="formal")
    assert (check.passed, check.reason, check.by) == (True, "", bureau_user)
    notified = set(Notice.objects.filter(kind="application.mark_eligible")
                   .values_list("user__username", flat=True))
    assert notified == {school_user.username, region_officer.username}
    assert shown(response) == []


def test_fail_needs_a_reason(client, recommended, bureau_user):
    client.force_login(bureau_user)
    response = client.post(decide(recommended, "mark_ineligible"), {"comment": ""}, follow=True)
    recommended.refresh_from_db()
    assert recommended.state == "recommended"
    assert flashed(response) == ["Please give a reason."]
    assert not EligibilityCheck.objects.filter(kind="formal").exists()
    assert not Notice.objects.filter(kind="application.mark_ineligible").exists()


def test_fail_records_the_reason_and_tells_the_school(client, recommended, bureau_user,
                                                      school_user):
    client.force_login(bureau_user)
    client.post(decide(recommended, "mark_ineligible"), {"comment": "缺少企业合作协议原件。"})
    recommended.refresh_from_db()
    assert recommended.state == "ineligible"
    check = EligibilityCheck.objects.get(application=recommended, kind="formal")
    assert (check.passed, check.reason) == (False, "缺少企业合作协议原件。")
    notice = Notice.objects.get(kind="application.mark_ineligible", user=school_user)
    assert notice.params["comment"] == "缺少企业合作协议原件。"
    event = recommended.events.get(action="mark_ineligible")
    assert (event.from_state, event.to_state, event.comment) == (
        "recommended", "ineligible", "缺少企业合作协议原件。"
    )


def test_deciding_twice_is_refused_the_second_time(client, recommended, bureau_user):
    client.force_login(bureau_user)
    first = client.post(decide(recommended, "mark_eligible"), follow=True)
    assert flashed(first) == [f"Passed the formal check: {recommended.title}"]
    response = client.post(decide(recommended, "mark_ineligible"), {"comment": "不符合"},
                           follow=True)
    recommended.refresh_from_db()
    assert recommended.state == "eligible"
    assert flashed(response) == [
        "This application is Passed formal check; it cannot be changed that way now."
    ]
    assert EligibilityCheck.objects.filter(kind="formal").count() == 1


def test_unknown_action_is_not_found(client, recommended, bureau_user):
    client.force_login(bureau_user)
    assert client.post(decide(recommended, "approve")).status_code == 404
    assert client.post(reverse("applications:formal_decide", args=[999999, "mark_eligible"])
                       ).status_code == 404


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_queue_query_count_does_not_grow_with_rows(client, call_category, regions,
                                                   bureau_user):
    categories = ["brand_major", "training_base", "quality_course", "master_teacher_studio"]

    def add(number):
        institution = InstitutionFactory(region=list(regions.values())[number % len(regions)])
        seed(call_category(categories[number % 4]), institution, by=bureau_user,
             state="recommended", title=f"项目{number}", rank=1)

    client.force_login(bureau_user)
    add(0)
    at_one = _queries(client, reverse(QUEUE))
    for number in range(1, 20):
        add(number)
    at_twenty = _queries(client, reverse(QUEUE))
    assert sum(len(titles) for _year, _code, titles in shown(client.get(reverse(QUEUE)))) == 20
    assert at_twenty == at_one
