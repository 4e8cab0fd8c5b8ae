"""The review pages are reachable from the menu of the roles that use them, and the bureau's
selection index leads to each call's selections."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory, membership
from vetq.applications.models import Application
from vetq.reviews.models import Expert

pytestmark = pytest.mark.integration


def menu_links(client) -> str:
    page = client.get(reverse("accounts:home")).content.decode()
    return page[page.index('<nav'):page.index('</nav>')]


def test_bureau_menu_leads_to_every_review_page(client, bureau_user):
    client.force_login(bureau_user)

    nav = menu_links(client)

    for name in ("expert_list", "panel_list", "ranking_index", "selection_index"):
        assert reverse(f"reviews:{name}") in nav
    assert reverse("reviews:my_assignments") not in nav


def test_expert_menu_shows_own_reviews_and_profile_only(client, db):
    user = UserFactory()
    membership(user, "expert")
    Expert.objects.create(code="E0777", name="王评审", user=user)
    client.force_login(user)

    nav = menu_links(client)

    assert reverse("reviews:my_assignments") in nav
    assert reverse("reviews:my_profile") in nav
    assert reverse("reviews:expert_list") not in nav
    assert reverse("reviews:selection_index") not in nav


def test_school_menu_has_no_review_pages(client, school_user):
    client.force_login(school_user)

    nav = menu_links(client)

    assert "/reviews/" not in nav


def test_public_menu_shows_draws_and_publicity(client, db):
    page = client.get(reverse("portal:home")).content.decode()

    assert reverse("public:draw_list") in page
    assert reverse("public:publicity_list") in page


def test_selection_index_counts_reviewed_applications_per_call(client, bureau_user, draft):
    application = draft()
    Application.objects.filter(pk=application.pk).update(state="reviewed")
    client.force_login(bureau_user)

    response = client.get(reverse("reviews:selection_index"))

    row = next(c for c in response.context["calls"] if c.pk == application.call.pk)
    assert (row.reviewed, row.selection_count, row.publicity_count) == (1, 0, 0)
    assert reverse("reviews:selection_list", args=[application.call.pk]) in response.content.decode()


def test_selection_index_refuses_non_bureau(client, school_user):
    client.force_login(school_user)

    assert client.get(reverse("reviews:selection_index")).status_code == 403
