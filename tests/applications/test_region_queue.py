"""The region officer's queue: what it shows, recommend and return, the cap and deadline,
and the region's order."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.applications.test_lists import seed
from tests.factories import InstitutionFactory, MajorFactory, UserFactory, membership
from vetq.applications.models import Application, ApplicationEvent
from vetq.applications.recommendation import applications_rank
from vetq.applications.services import Refused, application_transition
from vetq.audit.models import AuditEntry
from vetq.notices.models import Notice
from vetq.programs.models import Call, CallCategory

pytestmark = pytest.mark.integration

QUEUE = "applications:region_queue"


def decide(application, action):
    return reverse("applications:region_decide", args=[application.pk, action])


def groups(response) -> list:
    """(category code, [titles in order], recommended so far, cap) for each group shown."""
    assert response.status_code == 200
    return [
        (group.call_category.category.code, [a.title for a in group.applications],
         group.recommended, group.cap)
        for queue in response.context["queues"] for entry in queue.calls
        for group in entry.categories
    ]


def flashed(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def move_recommendation_deadline_into_the_past(call) -> None:
    now = timezone.now()
    Call.objects.filter(pk=call.pk).update(  # arrange: deadlines must stay in order
        submission_deadline=now - timedelta(days=2),
        recommendation_deadline=now - timedelta(days=1),
    )


@pytest.fixture(autouse=True)
def english(client):
    """Messages are compared in English, whatever the catalogue says in Chinese."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def submitted(draft, school_user):
    """The Liangxi school's brand major, submitted through the workflow."""
    return application_transition(application=draft(), action="submit", by=school_user)


@pytest.fixture
def second_school(regions):
    """Another Liangxi school with its own user and major."""
    institution = InstitutionFactory(region=regions["liangxi"])
    MajorFactory(institution=institution)
    user = UserFactory(username="school2")
    membership(user, "school_user", institution=institution)
    return institution, user


def test_queue_shows_its_regions_submitted_applications_only(
    client, submitted, call_category, school, other_school, school_user, bureau_user,
    region_officer,
):
    seed(call_category("brand_major"), other_school, by=bureau_user, title="宜兴品牌专业")
    seed(call_category("featured_major"), school, by=school_user, state="draft", title="草稿")
    seed(call_category("quality_course"), school, by=school_user, state="eligible",
         title="已通过形式审查")
    client.force_login(region_officer)
    assert groups(client.get(reverse(QUEUE))) == [
        ("brand_major", [submitted.title], 0, None)
    ]


def test_queue_leaves_out_calls_past_the_recommendation_deadline(client, submitted, open_call,
                                                                 region_officer):
    move_recommendation_deadline_into_the_past(open_call)
    client.force_login(region_officer)
    response = client.get(reverse(QUEUE))
    assert groups(response) == []


@pytest.mark.parametrize("who", ["bureau_user", "school_user"])
def test_queue_is_refused_to_others(client, submitted, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse(QUEUE)).status_code == 403
    assert client.post(decide(submitted, "recommend")).status_code == 403
    submitted.refresh_from_db()
    assert submitted.state == "submitted"


def test_recommend_moves_it_and_tells_the_school_and_bureau(client, submitted, region_officer,
                                                             school_user, bureau_user):
    client.force_login(region_officer)
    response = client.post(decide(submitted, "recommend"), follow=True)
    submitted.refresh_from_db()
    assert submitted.state == "recommended"
    assert response.redirect_chain[-1][0].startswith(reverse(QUEUE))
    assert groups(response) == [("brand_major", [submitted.title], 1, None)]
    notified = set(Notice.objects.filter(kind="application.recommend")
                   .values_list("user__username", flat=True))
    assert notified == {school_user.username, bureau_user.username}


def test_recommend_within_cap_then_over_cap_refused(client, submitted, draft, second_school,
                                                    call_category, region_officer):
    CallCategory.objects.filter(pk=call_category("brand_major").pk).update(per_region_cap=1)
    institution, user = second_school
    another = application_transition(
        application=draft(institution=institution, user=user, title="第二所学校品牌专业"),
        action="submit", by=user,
    )
    client.force_login(region_officer)
    first = client.post(decide(submitted, "recommend"), follow=True)
    assert flashed(first) == [f"Recommended: {submitted.title}"]
    response = client.post(decide(another, "recommend"), follow=True)
    another.refresh_from_db()
    assert another.state == "submitted"
    assert flashed(response) == [
        "Your region has already recommended 1 application(s) in this category; the cap is 1."
    ]
    assert groups(response) == [
        ("brand_major", [submitted.title, another.title], 1, 1)
    ]


def test_recommend_after_the_deadline_is_refused(client, submitted, open_call, region_officer):
    move_recommendation_deadline_into_the_past(open_call)
    client.force_login(region_officer)
    response = client.post(decide(submitted, "recommend"), follow=True)
    submitted.refresh_from_db()
    assert submitted.state == "submitted"
    deadline = timezone.localtime(Call.objects.get(pk=open_call.pk).recommendation_deadline)
    assert flashed(response) == [
        f"The recommendation deadline ({deadline:%Y-%m-%d %H:%M}) has passed."
    ]


def test_return_needs_a_comment(client, submitted, region_officer):
    client.force_login(region_officer)
    response = client.post(decide(submitted, "return"), {"comment": "  "}, follow=True)
    submitted.refresh_from_db()
    assert submitted.state == "submitted"
    assert flashed(response) == ["Please give a reason."]
    assert not ApplicationEvent.objects.filter(application=submitted, action="return").exists()


def test_return_goes_back_to_draft_with_the_comment(client, submitted, region_officer,
                                                    school_user):
    client.force_login(region_officer)
    client.post(decide(submitted, "return"), {"comment": "请补充合作企业协议。"})
    submitted.refresh_from_db()
    assert submitted.state == "draft"
    event = ApplicationEvent.objects.get(application=submitted, action="return")
    assert (event.from_state, event.to_state, event.comment, event.by) == (
        "submitted", "draft", "请补充合作企业协议。", region_officer
    )
    notice = Notice.objects.get(kind="application.return")
    assert notice.user == school_user
    assert notice.params["comment"] == "请补充合作企业协议。"


def test_too_long_a_comment_is_refused(client, submitted, region_officer):
    client.force_login(region_officer)
    client.post(decide(submitted, "return"), {"comment": "长" * 2001})
    submitted.refresh_from_db()
    assert submitted.state == "submitted"


def test_another_regions_application_is_not_found(client, submitted, regions):
    outsider = UserFactory()
    membership(outsider, "region_officer", region=regions["yixing"])
    client.force_login(outsider)
    assert client.post(decide(submitted, "recommend")).status_code == 404
    submitted.refresh_from_db()
    assert submitted.state == "submitted"


def test_unknown_action_is_not_found(client, submitted, region_officer):
    client.force_login(region_officer)
    assert client.post(decide(submitted, "approve")).status_code == 404
    assert client.get(decide(submitted, "recommend")).status_code == 405


@pytest.fixture
def three(call_category, school, school_user):
    brand = call_category("brand_major")
    return [seed(brand, school, by=school_user, title=title) for title in ("甲", "乙", "丙")]


def order(client, region, call_category, ids):
    return client.post(reverse("applications:region_order"), {
        "region": region.pk, "call_category": call_category.pk, "ids": ids,
    }, follow=True)


def ranks(applications) -> list:
    return [Application.objects.get(pk=a.pk).region_rank for a in applications]


def test_ordering_sets_ranks_and_is_audited(client, three, regions, call_category,
                                            region_officer):
    first, second, third = three
    client.force_login(region_officer)
    response = order(client, regions["liangxi"], call_category("brand_major"),
                     [third.pk, first.pk, second.pk])
    assert ranks(three) == [2, 3, 1]
    assert groups(response) == [("brand_major", ["丙", "甲", "乙"], 0, None)]
    entry = AuditEntry.objects.filter(action="application.rank").get()
    assert entry.before == {"region": "liangxi", "ranks": {str(a.pk): None for a in three}}
    assert entry.after == {"region": "liangxi",
                           "ranks": {str(third.pk): 1, str(first.pk): 2, str(second.pk): 3}}


def test_queue_offers_the_one_step_moves(client, three, region_officer):
    client.force_login(region_officer)
    response = client.get(reverse(QUEUE))
    group = response.context["queues"][0].calls[0].categories[0]
    first, second, third = (a.pk for a in group.applications)
    moves = [[order for order, _label, _symbol in a.moves] for a in group.applications]
    assert moves == [
        [None, [second, first, third]],
        [[second, first, third], [first, third, second]],
        [[first, third, second], None],
    ]


def test_a_partial_order_puts_the_rest_after(three, regions, call_category, region_officer):
    first, second, third = three
    applications_rank(region=regions["liangxi"], call_category=call_category("brand_major"),
                      ordered_ids=[second.pk], by=region_officer)
    assert ranks(three) == [2, 1, 3]


def test_ordering_refuses_ids_outside_the_region_or_queue(three, regions, call_category,
                                                          other_school, school, school_user,
                                                          bureau_user, region_officer):
    brand = call_category("brand_major")
    elsewhere = seed(brand, other_school, by=bureau_user, title="宜兴")
    withdrawn = seed(brand, school, by=school_user, title="撤回", state="withdrawn")
    for stranger in (elsewhere, withdrawn):
        with pytest.raises(Refused) as refusal:
            applications_rank(region=regions["liangxi"], call_category=brand,
                              ordered_ids=[stranger.pk, three[0].pk], by=region_officer)
        assert [m.message for m in refusal.value.reasons] == [
            "Only your region's submitted or recommended applications in this category can "
            "be ordered."
        ]
    assert ranks(three) == [None, None, None]


def test_ordering_refuses_repeats_rubbish_and_a_passed_deadline(three, regions, call_category,
                                                                 open_call, region_officer):
    def rank(ids):
        with pytest.raises(Refused) as refusal:
            applications_rank(region=regions["liangxi"], call_category=call_category("brand_major"),
                              ordered_ids=ids, by=region_officer)
        return [m.message % m.params if m.params else m.message for m in refusal.value.reasons]

    unreadable = ["The order could not be read; reload the page and try again."]
    assert [rank(ids) for ids in ([three[0].pk, three[0].pk], [], ["x"])] == [unreadable] * 3
    move_recommendation_deadline_into_the_past(open_call)
    assert rank([three[1].pk])[0].startswith("The recommendation deadline (")
    assert ranks(three) == [None, None, None]


def test_ordering_refuses_another_regions_officer(client, three, regions, call_category):
    outsider = UserFactory()
    membership(outsider, "region_officer", region=regions["yixing"])
    client.force_login(outsider)
    response = order(client, regions["liangxi"], call_category("brand_major"),
                     [a.pk for a in three])
    assert flashed(response) == ["Your role does not allow this change."]
    assert ranks(three) == [None, None, None]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_queue_query_count_does_not_grow_with_rows(client, call_category, regions,
                                                   bureau_user, region_officer):
    categories = ["brand_major", "training_base", "quality_course", "master_teacher_studio"]

    def add(number):
        institution = InstitutionFactory(region=regions["liangxi"])
        state = "recommended" if number % 3 == 0 else "submitted"
        seed(call_category(categories[number % 4]), institution, by=bureau_user, state=state,
             title=f"项目{number}", rank=number + 1)

    client.force_login(region_officer)
    add(0)
    at_one = _queries(client, reverse(QUEUE))
    for number in range(1, 20):
        add(number)
    at_twenty = _queries(client, reverse(QUEUE))
    assert sum(len(titles) for _code, titles, _n, _cap in groups(client.get(reverse(QUEUE)))) == 20
    assert at_twenty == at_one
