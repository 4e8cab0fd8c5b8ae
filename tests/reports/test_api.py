"""Quality reports in the JSON API (/api/quality-reports): published reports for everyone
signed in, drafts only for the bureau and the report's school, with their file addresses."""

import pytest

from tests.reports.conftest import YEAR
from vetq.accounts.services import token_create
from vetq.reports.services import report_publish

pytestmark = pytest.mark.integration


@pytest.fixture
def reports(funded, generated, school, bureau_user):
    city = generated(charts=False)
    mine = generated(school, charts=False)
    county = report_publish(report=generated(funded["county_school"], charts=False),
                            by=bureau_user)
    return {"city": city, "school": mine, "county": county}


def ids(client, user, **params) -> list[int]:
    client.force_login(user)
    response = client.get("/api/quality-reports", params)
    assert response.status_code == 200
    return sorted(item["id"] for item in response.json()["items"])


def test_list_is_scoped(client, reports, bureau_user, school_user, other_school_user):
    everyone = sorted(r.pk for r in reports.values())
    assert ids(client, bureau_user) == everyone
    assert ids(client, school_user) == sorted([reports["school"].pk, reports["county"].pk])
    assert ids(client, other_school_user) == [reports["county"].pk]
    assert ids(client, bureau_user, year=YEAR - 1) == []


def test_the_api_needs_a_sign_in(client, reports):
    assert client.get("/api/quality-reports").status_code == 401


def test_an_item_has_its_file_addresses(client, reports, school_user):
    client.force_login(school_user)
    items = {i["id"]: i for i in client.get("/api/quality-reports").json()["items"]}

    county = items[reports["county"].pk]
    assert county["scope"] == "school" and county["state"] == "published"
    assert county["pdf"]["url"] == f"/quality-reports/{reports['county'].pk}/pdf/"
    assert county["web_url"] == f"/quality-reports/{reports['county'].pk}/"
    mine = items[reports["school"].pk]
    assert mine["docx"]["url"] == f"/reports/{reports['school'].pk}/file/docx/"
    assert mine["pdf"]["sha256"] == reports["school"].pdf.sha256
    assert client.get(mine["pdf"]["url"]).status_code == 200


def test_detail_lists_chapters_and_hides_other_drafts(client, reports, other_school_user,
                                                      bureau_user):
    token = token_create(user=bureau_user, name="reports")[1]
    response = client.get(f"/api/quality-reports/{reports['city'].pk}",
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    detail = response.json()
    assert detail["scope"] == "city" and detail["institution"] is None
    assert [c["code"] for c in detail["chapters"]][:3] == ["overview", "program_progress",
                                                          "funding"]

    client.force_login(other_school_user)
    assert client.get(f"/api/quality-reports/{reports['school'].pk}").status_code == 404
    assert client.get(f"/api/quality-reports/{reports['county'].pk}").status_code == 200
