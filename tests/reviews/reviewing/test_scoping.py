"""An expert reaches only the applications assigned to it — pages, attachment downloads,
prints and the API — never one whose assignment was deactivated (a conflict found later),
and never learns who else reviews; schools and regions never learn who reviews them."""

import pytest

from tests.factories import UserFactory, membership
from vetq.accounts import scoping
from vetq.applications.services import application_transition
from vetq.reviews.models import Assignment

from .conftest import GOALS_COMMENT, assign, expert_make

pytestmark = pytest.mark.integration


@pytest.fixture
def real(draft, school_user, region_officer, bureau_user):
    """A complete application taken through the workflow by its school, region and bureau,
    with its attachments: what an expert opens."""
    application = draft()
    for action, user in (("submit", school_user), ("recommend", region_officer),
                         ("mark_eligible", bureau_user), ("start_review", bureau_user)):
        application = application_transition(application=application, action=action, by=user)
    return application


@pytest.fixture
def scene(real, application_make, panel_make, expert, other_expert):
    """`expert` and `other_expert` both review `real`; `expert` had an assignment to
    `conflicted` deactivated; `foreign` is reviewed by `other_expert` only."""
    conflicted = application_make("回避的申报")
    foreign = application_make("别人的申报")
    panel = panel_make(applications=[real, conflicted, foreign])
    mine = assign(panel, real, expert)
    assign(panel, real, other_expert)
    assign(panel, conflicted, expert, active=False)
    assign(panel, foreign, other_expert)
    return {"panel": panel, "real": real, "conflicted": conflicted, "foreign": foreign,
            "mine": mine}


def test_applications_for_an_expert_are_its_active_assignments(scene, expert, other_expert):
    assert list(scoping.applications_for(expert.user)) == [scene["real"]]
    assert set(scoping.applications_for(other_expert.user)) == {scene["real"], scene["foreign"]}


def test_an_expert_without_assignments_sees_nothing(scene):
    idle = expert_make("E0099")
    assert not scoping.applications_for(idle.user).exists()
    assert not scoping.assignments_for(idle.user).exists()


def test_assignments_for_hides_other_reviewers_from_experts_schools_and_regions(
        scene, expert, school_user, region_officer, bureau_user):
    assert list(scoping.assignments_for(expert.user)) == [scene["mine"]]
    assert not scoping.assignments_for(school_user).exists()
    assert not scoping.assignments_for(region_officer).exists()
    assert scoping.assignments_for(bureau_user).count() == Assignment.objects.count()


def _urls(application) -> list[str]:
    attachment = application.attachments.first()
    urls = [f"/applications/{application.pk}/", f"/applications/{application.pk}/print.pdf",
            f"/applications/{application.pk}/print.docx", f"/api/applications/{application.pk}"]
    if attachment is not None:
        urls.append(f"/applications/{application.pk}/attachments/{attachment.pk}/")
    return urls


def test_expert_reaches_its_application_everywhere(client, scene, expert):
    client.force_login(expert.user)
    assert scene["real"].attachments.exists()
    for url in _urls(scene["real"]):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("which", ["conflicted", "foreign"])
def test_expert_gets_404_for_any_other_application(client, scene, expert, which):
    client.force_login(expert.user)
    application = scene[which]
    for url in _urls(application):
        assert client.get(url).status_code == 404, url
    # the attachment of another application, reached through the assigned one's url
    other = scene["real"].attachments.first()
    assert client.get(f"/applications/{application.pk}/attachments/{other.pk}/").status_code == 404
    assignment = Assignment.objects.get(application=application)
    assert client.get(f"/reviews/my/{assignment.pk}/").status_code == 404
    assert client.get(f"/api/my/assignments/{assignment.pk}/review").status_code == 404


def test_a_deactivated_assignment_closes_the_application_at_once(client, scene, expert):
    client.force_login(expert.user)
    assert client.get(f"/applications/{scene['real'].pk}/").status_code == 200
    Assignment.objects.filter(pk=scene["mine"].pk).update(active=False)
    assert client.get(f"/applications/{scene['real'].pk}/").status_code == 404
    assert client.get(f"/reviews/my/{scene['mine'].pk}/").status_code == 404
    assert client.get(f"/api/my/assignments/{scene['mine'].pk}/review").status_code == 404


def test_expert_api_list_holds_only_its_application(client, scene, expert):
    client.force_login(expert.user)
    listed = client.get("/api/applications").json()
    assert [item["id"] for item in listed["items"]] == [scene["real"].pk]
    mine = client.get("/api/my/assignments").json()
    assert [a["application"] for a in mine] == [scene["real"].pk]


def test_expert_never_sees_other_reviewers_or_actors(client, scene, expert, other_expert,
                                                     school_user, region_officer, bureau_user):
    client.force_login(expert.user)
    hidden = [other_expert.name, other_expert.code, other_expert.user.full_name,
              other_expert.user.username, school_user.full_name, region_officer.full_name,
              bureau_user.full_name]
    pages = [
        client.get(f"/applications/{scene['real'].pk}/").content.decode(),
        client.get(f"/reviews/my/{scene['mine'].pk}/").content.decode(),
        client.get("/reviews/my/").content.decode(),
        client.get("/accounts/").content.decode(),
        client.get(f"/api/applications/{scene['real'].pk}").content.decode(),
        client.get("/api/my/assignments").content.decode(),
        client.get(f"/api/my/assignments/{scene['mine'].pk}/review").content.decode(),
    ]
    for page in pages:
        for name in hidden:
            assert name not in page
    events = client.get(f"/api/applications/{scene['real'].pk}").json()["events"]
    assert [e["action"] for e in events] == ["submit", "recommend", "mark_eligible", "start_review"]
    assert {e["by"] for e in events} == {""}


def test_school_and_region_never_see_who_reviews(client, scene, expert, other_expert,
                                                 school_user, region_officer):
    from vetq.reviews.reviewing import review_submit

    from .conftest import FULL

    review_submit(assignment=scene["mine"], by=expert.user, scores=FULL, comments=GOALS_COMMENT)
    for user in (school_user, region_officer):
        client.force_login(user)
        pages = [client.get(f"/applications/{scene['real'].pk}/"),
                 client.get(f"/api/applications/{scene['real'].pk}"),
                 client.get(f"/applications/{scene['real'].pk}/print.docx")]
        assert [p.status_code for p in pages] == [200, 200, 200]
        for page in pages[:2]:
            text = page.content.decode()
            for name in (expert.name, expert.code, other_expert.name, other_expert.code,
                         expert.user.full_name):
                assert name not in text
        # the pages of the review round are not theirs
        assert client.get("/reviews/my/").status_code == 403
        assert client.get(f"/reviews/my/{scene['mine'].pk}/").status_code == 403
        assert client.get(f"/reviews/panels/{scene['panel'].pk}/progress/").status_code == 403
        assert client.get("/api/my/assignments").status_code == 403
        assert client.get(f"/api/my/assignments/{scene['mine'].pk}/review").status_code == 403


def test_the_school_still_sees_who_acted_on_its_application(client, scene, school_user,
                                                            region_officer):
    client.force_login(school_user)
    html = client.get(f"/applications/{scene['real'].pk}/").content.decode()
    assert region_officer.full_name in html


def test_an_expert_who_is_also_a_school_user_sees_its_school_and_its_assignments(
        scene, expert, other_school):
    membership(expert.user, "school_user", institution=other_school)
    user = UserFactory._meta.model.objects.get(pk=expert.user.pk)  # no cached memberships
    assert set(scoping.applications_for(user)) == {scene["real"]}
    assert not scoping.reviewer_identities_hidden(user)
    assert list(scoping.assignments_for(user)) == [scene["mine"]]
