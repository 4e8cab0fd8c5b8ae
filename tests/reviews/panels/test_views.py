"""The bureau's panel pages: list, set-up, the panel with its notice, value, result and
forms; who is refused; the list's query count."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory, membership
from vetq.applications.states import ApplicationState
from vetq.reviews.models import Assignment, Draw, MemberRole, Panel, PanelMember, PanelState

from .conftest import SOURCE, VALUE, make_due

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def english_client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def expert_user(program):
    user = UserFactory(username="an-expert")
    membership(user, "expert")
    return user


@pytest.mark.parametrize("name", ["reviews:panel_list", "reviews:panel_create"])
def test_bureau_pages_refuse_others(client, school_user, expert_user, name):
    for user in (school_user, expert_user):
        client.force_login(user)
        assert client.get(reverse(name)).status_code == 403


def test_panel_pages_refuse_others(client, drafted, school_user, region_officer):
    pk = drafted["panel"].pk
    for user in (school_user, region_officer):
        client.force_login(user)
        assert client.get(reverse("reviews:panel_detail", args=[pk])).status_code == 403
        response = client.post(reverse("reviews:draw_announce", args=[pk]),
                               {"public_value_source": SOURCE,
                                "public_value_expected": "2099-01-01T10:00"})
        assert response.status_code == 403
    assert not Draw.objects.exists()


def test_anonymous_is_sent_to_log_in(client, drafted):
    response = client.get(reverse("reviews:panel_detail", args=[drafted["panel"].pk]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_perform_and_add_refuse_others(client, drawn, school_user):
    pk = drawn["panel"].pk
    client.force_login(school_user)
    assert client.post(reverse("reviews:draw_perform", args=[pk]), {"public_value": "x"}).status_code == 403
    assert client.post(reverse("reviews:member_add", args=[pk]), {}).status_code == 403


def test_panel_create_page_sets_up_a_panel(client, application_make, call_category, bureau_user):
    application_make("甲")
    client.force_login(bureau_user)
    cc = call_category("brand_major")
    page = client.get(reverse("reviews:panel_create"))
    assert f'value="{cc.pk}"' in page.content.decode()
    response = client.post(reverse("reviews:panel_create"),
                           {"call_category": cc.pk, "name": "2020 品牌专业评审组"})
    panel = Panel.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:panel_detail", args=[panel.pk])
    assert panel.name == "2020 品牌专业评审组"


def test_announce_from_the_page_shows_digest_pool_and_conflicts(client, drafted, expert_make, bureau_user):
    target = drafted["applications"][0]
    expert_make("E0100", "回避专家", institution=target.institution)
    client.force_login(bureau_user)
    expected = timezone.localtime(timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("reviews:draw_announce", args=[drafted["panel"].pk]),
                           {"public_value_source": SOURCE, "public_value_expected": expected},
                           follow=True)
    draw = Draw.objects.get()
    html = response.content.decode()
    assert draw.inputs_digest in html
    assert 'data-pool-size="13"' in html
    assert f'data-application="{target.pk}" data-expert="E0100"' in html
    assert "回避专家" in html
    assert "Works at the applicant institution." in html
    assert 'id="perform-form"' in html
    assert "The public value is expected on" in html


def test_announce_refusal_names_the_application_on_the_page(client, application_make, pool, expert_make,
                                                            call_category, bureau_user):
    short = application_make("专家不足的申报")
    pool(4)
    expert_make("E0100", institution=short.institution)
    from vetq.reviews import panels

    panel = panels.panel_create(call_category=call_category("brand_major"), by=bureau_user)
    client.force_login(bureau_user)
    response = client.post(reverse("reviews:draw_announce", args=[panel.pk]),
                           {"public_value_source": SOURCE, "public_value_expected": "2099-01-01T10:00"})
    assert response.status_code == 200
    assert any(f"专家不足的申报 (no. {short.pk}): 4 conflict-free expert(s), 5 needed" in m
               for m in _messages(response))
    assert not Draw.objects.exists()


def test_perform_before_the_time_is_refused_on_the_page(client, announced, bureau_user):
    client.force_login(bureau_user)
    response = client.post(reverse("reviews:draw_perform", args=[announced["panel"].pk]),
                           {"public_value": VALUE})
    assert any("cannot be performed before then" in m for m in _messages(response))
    assert not Draw.objects.get().performed


def test_perform_from_the_page_shows_members_reserves_and_matrix(client, announced, bureau_user):
    make_due(announced["draw"])
    client.force_login(bureau_user)
    response = client.post(reverse("reviews:draw_perform", args=[announced["panel"].pk]),
                           {"public_value": VALUE}, follow=True)
    draw = Draw.objects.get()
    html = response.content.decode()
    assert draw.seed in html
    assert 'id="members"' in html and 'id="reserves"' in html and 'id="matrix"' in html
    for code in draw.result["panel"]:
        assert f'data-code="{code}"' in html
    matrix = response.context["matrix"]
    assert sum(matrix.loads) == Assignment.objects.filter(active=True).count() == 15
    assert reverse("reviews:panel_progress", args=[announced["panel"].pk]) in html
    assert 'id="add-form"' in html


def test_member_add_conflict_refused_on_the_page(client, drawn, expert_make, bureau_user):
    application = drawn["applications"][0]
    expert = expert_make("E0500", "本校专家", institution=application.institution)
    client.force_login(bureau_user)
    response = client.post(reverse("reviews:member_add", args=[drawn["panel"].pk]),
                           {"expert": expert.pk, "application": application.pk, "reason": "补充"})
    assert any("E0500 本校专家 may not review" in m and "Works at the applicant institution." in m
               for m in _messages(response))
    assert not Assignment.objects.filter(expert=expert).exists()


def test_bureau_declines_on_behalf_and_sees_the_reserve(client, drawn, bureau_user):
    seat = PanelMember.objects.filter(role=MemberRole.MEMBER).order_by("position").first()
    client.force_login(bureau_user)
    response = client.post(reverse("reviews:member_decline", args=[drawn["panel"].pk]),
                           {"member": seat.pk, "reason": "出差"}, follow=True)
    seat.refresh_from_db()
    assert seat.declined_at is not None
    assert any("reserve" in m and "takes the place" in m for m in _messages(response))
    assert 'id="given-up"' in response.content.decode()


def test_expert_declines_its_own_seat_only(client, drawn, expert_user):
    seat = PanelMember.objects.filter(role=MemberRole.MEMBER).order_by("position").first()
    other = PanelMember.objects.filter(role=MemberRole.MEMBER).order_by("position").last()
    seat.expert.user = expert_user
    seat.expert.save()
    client.force_login(expert_user)
    url = reverse("reviews:member_decline", args=[drawn["panel"].pk])
    page = client.get(url)
    assert page.status_code == 200
    assert other.expert.name not in page.content.decode()
    client.post(url, {"member": other.pk, "reason": "不想评"})
    other.refresh_from_db()
    assert other.declined_at is None
    seat.refresh_from_db()
    assert seat.declined_at is not None


def test_expert_without_a_seat_gets_404(client, drawn, expert_user):
    client.force_login(expert_user)
    assert client.get(reverse("reviews:member_decline", args=[drawn["panel"].pk])).status_code == 404


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("reviews:panel_list")).status_code == 200
    return len(queries)


def _panel_with_draw(call_category, bureau_user, number: int) -> Panel:
    panel = Panel.objects.create(call_category=call_category("brand_major"), name=f"评审组{number}",
                                 state=PanelState.ANNOUNCED, rules={}, rubric={},
                                 review_deadline=timezone.now() + timedelta(days=14),
                                 created_by=bureau_user)
    Draw.objects.create(panel=panel, algorithm_version="vetq-draw-1",
                        inputs={"applications": [], "pool": [], "conflicts": [], "rules": {}},
                        inputs_digest=f"{number:064x}", public_value_source=SOURCE,
                        public_value_expected=timezone.now(), announced_by=bureau_user)
    return panel


def test_panel_list_query_count_does_not_grow(client, drawn, call_category, bureau_user):
    client.force_login(bureau_user)
    at_one = _list_queries(client)
    for number in range(19):
        _panel_with_draw(call_category, bureau_user, number)
    at_twenty = _list_queries(client)
    response = client.get(reverse("reviews:panel_list"))
    assert len(response.context["page"]) == 20
    assert at_twenty == at_one
    row = next(p for p in response.context["page"] if p.pk == drawn["panel"].pk)
    assert (row.n_applications, row.n_assigned, row.n_submitted) == (3, 15, 0)


def test_panel_detail_of_a_drawn_panel_names_applications_in_review(client, drawn, bureau_user):
    client.force_login(bureau_user)
    response = client.get(reverse("reviews:panel_detail", args=[drawn["panel"].pk]))
    assert [a.state for a in response.context["applications"]] == [ApplicationState.UNDER_REVIEW] * 3
