"""Draws and panels in the JSON API."""

import pytest

from vetq.reviews.panel_queries import draw_export

pytestmark = pytest.mark.integration


def test_draws_need_a_signed_in_caller(client, announced):
    assert client.get("/api/draws").status_code == 401


def test_draws_list_and_document(client, drawn, school_user):
    client.force_login(school_user)
    items = client.get("/api/draws").json()["items"]
    record = drawn["draw"]
    assert [(d["id"], d["inputs_digest"], d["seed"], d["performed"]) for d in items] == [
        (record.pk, record.inputs_digest, record.seed, True)]
    document = client.get(f"/api/draws/{record.pk}").json()
    assert document == draw_export(record)
    assert client.get("/api/draws/999999").status_code == 404


def test_panels_are_the_bureaus(client, drawn, school_user, bureau_user):
    client.force_login(school_user)
    assert client.get("/api/panels").status_code == 403
    client.force_login(bureau_user)
    (row,) = client.get("/api/panels").json()
    assert (row["id"], row["state"], row["applications"], row["assigned"], row["submitted"],
            row["draw"], row["inputs_digest"]) == (
        drawn["panel"].pk, "reviewing", 3, 15, 0, drawn["draw"].pk, drawn["draw"].inputs_digest)


def test_a_draft_panel_has_no_draw_in_the_api(client, drafted, bureau_user):
    client.force_login(bureau_user)
    assert client.get("/api/draws").json()["items"] == []
    (row,) = client.get("/api/panels").json()
    assert (row["state"], row["draw"]) == ("draft", None)
