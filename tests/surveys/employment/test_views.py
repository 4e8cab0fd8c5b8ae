"""The employment pages: the dashboard's figures and who may see which, the record list, and the
import pages from upload to confirmation."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.surveys.employment.conftest import HEADER, identities, record, row, upload
from vetq.core.excel import XLSX_CONTENT_TYPE
from vetq.surveys.models import DataImport, GraduateRecord

pytestmark = pytest.mark.integration

A, B = "3202130901", "3202820901"


def _figure(html: str, key: str) -> str:
    match = re.search(rf'data-figure="{key}">([^<]*)<', html)
    return match.group(1) if match else ""


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr[^>]* data-key="([^"]+)"', html)


def _chart(html: str, key: str) -> dict:
    match = re.search(rf'<script id="employment-chart-{key}" type="application/json">(.*?)</script>',
                      html, re.S)
    return json.loads(match.group(1))


def test_the_bureau_sees_every_school_with_the_city_beside(client, bureau_user, outcomes):
    client.force_login(bureau_user)
    html = client.get("/data/employment/", {"cohort": 2018, "point": "half_year"}).content.decode()
    assert _figure(html, "graduates") == "16"
    assert _figure(html, "employment_rate") == "92.9%"  # 13 in work of 14 needing work
    assert _figure(html, "in_field_rate") == "92.3%"  # 12 of 13
    assert _figure(html, "pay_median") == "4,400"
    assert _rows(html) == [f"school:{A}", f"school:{B}", "city"]
    chart = _chart(html, "employment")
    assert chart["labels"] == ["无锡甲职业学校", "宜兴乙职业学校"]
    assert chart["series"][0]["data"] == [100.0, 87.5]
    assert chart["marks"] == [{"name": "City", "value": 92.9, "series": 0}]
    trend = _chart(html, "trend")
    assert (trend["labels"], trend["series"][0]["data"]) == (["2017", "2018"], [100.0, 92.9])


def test_major_groups_fold_secondary_codes_and_hide_small_groups(client, bureau_user, outcomes):
    client.force_login(bureau_user)
    html = client.get("/data/employment/", {"cohort": 2018, "by": "major_group"}).content.decode()
    assert _rows(html) == ["major_group:46", "major_group:51", "city"]
    assert "fewer than 5 graduates: not published" in html  # group 51 has 3 graduates
    assert _chart(html, "employment")["labels"] == ["46 Equipment manufacturing"]
    assert _chart(html, "employment")["series"][0]["data"] == [90.9]  # 10 of 11


def test_a_school_sees_its_own_figures_and_the_citys(client, school_a_user, outcomes):
    client.force_login(school_a_user)
    html = client.get("/data/employment/", {"cohort": 2018}).content.decode()
    assert _figure(html, "employment_rate") == "100.0%"
    assert "City 92.9%" in html
    assert _rows(html) == ["major_group:46", "city"]  # its own majors, by group
    city = client.get("/data/employment/", {"scope": "city", "by": "school"}).content.decode()
    assert _rows(city) == [f"school:{A}", "city"]  # school B is not listed
    assert "宜兴乙职业学校" not in city
    for scope in (f"school:{B}", "region:yixing", "region:liangxi", "school:nope"):
        assert client.get("/data/employment/", {"scope": scope}).status_code == 404


def test_a_region_officer_sees_its_region_and_its_schools(client, region_officer, outcomes):
    client.force_login(region_officer)
    html = client.get("/data/employment/", {"cohort": 2018}).content.decode()
    assert _figure(html, "employment_rate") == "87.5%"  # Yixing: school B
    assert _rows(html) == [f"school:{B}", "city"]
    assert client.get("/data/employment/", {"scope": f"school:{A}"}).status_code == 404
    assert client.get("/data/employment/", {"scope": "region:liangxi"}).status_code == 404


def test_an_expert_may_not_open_the_dashboard(client, expert_user, outcomes):
    client.force_login(expert_user)
    assert client.get("/data/employment/").status_code == 403


def test_the_dashboard_without_records_says_so(client, bureau_user, schools):
    client.force_login(bureau_user)
    html = client.get("/data/employment/").content.decode()
    assert 'id="no-data"' in html


def test_a_school_lists_only_its_own_records(client, school_a_user, outcomes):
    client.force_login(school_a_user)
    response = client.get("/data/graduates/records/", {"cohort": 2018})
    assert response.context["page"].paginator.count == 8
    assert {r.institution.code for r in response.context["page"]} == {A}
    assert client.get("/data/graduates/records/", {"school": B}).status_code == 404
    response = client.get("/data/graduates/records/", {"school": A})
    html = response.content.decode()
    for shown in response.context["page"]:
        assert f"<code title=\"pseudonym\">{shown.person[:10]}…</code>" in html
        assert shown.person not in html  # never the whole pseudonym


def test_the_bureau_lists_every_school_and_others_may_not(client, bureau_user, region_officer,
                                                           outcomes):
    client.force_login(bureau_user)
    assert client.get("/data/graduates/records/").context["page"].paginator.count == 21
    assert client.get("/data/graduates/records/", {"school": B}).context[
        "page"].paginator.count == 8
    client.force_login(region_officer)
    assert client.get("/data/graduates/records/").status_code == 403


def test_the_record_list_takes_the_same_queries_for_1_and_20_rows(client, bureau_user, schools):
    client.force_login(bureau_user)
    counts = []
    for total in (1, 20):
        while GraduateRecord.objects.count() < total:
            record(schools[GraduateRecord.objects.count() % 2])
        client.get("/data/graduates/records/")  # the session and caches warm
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/data/graduates/records/")
        assert len(response.context["page"]) == total
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_import_pages_from_upload_to_confirmation(client, school_a_user, schools,
                                                  django_capture_on_commit_callbacks):
    numbers = identities(2)
    client.force_login(school_a_user)
    page = client.get("/data/graduates/import/").content.decode()
    assert "身份证号" in page and "Download the template" in page
    response = client.post("/data/graduates/import/", {"file": upload(
        HEADER, row("", number=numbers[0]), row("", number=numbers[1], pay="85%"))})
    pending = DataImport.objects.get()
    assert response["Location"] == f"/data/graduates/import/{pending.pk}/"
    check = client.get(response["Location"]).content.decode()
    assert re.search(r'id="good-rows">1<', check) and re.search(r'id="bad-rows">1<', check)
    assert "Write the monthly pay in yuan, like 4500, not a percentage." in check
    assert "Import the 1 good row" in check
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"/data/graduates/import/{pending.pk}/confirm/", follow=True)
    assert ("Imported 1 graduate records; 1 rows with problems were left out. The uploaded file "
            "has been deleted.") in done.content.decode()
    assert GraduateRecord.objects.count() == 1
    assert client.get(f"/data/graduates/import/{pending.pk}/").status_code == 404


def test_a_pending_upload_is_nobody_elses(client, school_a_user, bureau_user, schools):
    client.force_login(school_a_user)
    client.post("/data/graduates/import/", {"file": upload(HEADER, row(""))})
    pending = DataImport.objects.get()
    client.force_login(bureau_user)
    assert client.get(f"/data/graduates/import/{pending.pk}/").status_code == 404
    assert client.post(f"/data/graduates/import/{pending.pk}/confirm/").status_code == 404
    assert client.post(f"/data/graduates/import/{pending.pk}/cancel/").status_code == 404
    assert DataImport.objects.get().file_id is not None


def test_a_file_that_is_not_a_workbook_is_shown_as_a_form_error(client, bureau_user, schools):
    client.force_login(bureau_user)
    response = client.post("/data/graduates/import/",
                           {"file": SimpleUploadedFile("g.xlsx", b"%PDF-1.4 not a sheet")})
    assert response.status_code == 200
    assert "The file is not an Excel workbook (.xlsx)." in response.content.decode()
    assert DataImport.objects.count() == 0


def test_the_template_downloads_for_importers_only(client, bureau_user, region_officer, schools):
    client.force_login(bureau_user)
    response = client.get("/data/graduates/import/template.xlsx")
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response.content[:2] == b"PK"
    client.force_login(region_officer)
    assert client.get("/data/graduates/import/template.xlsx").status_code == 403
    assert client.get("/data/graduates/import/").status_code == 403


def test_a_breakdown_out_of_reach_falls_back_and_keeps_the_year(client, school_a_user, outcomes):
    client.force_login(school_a_user)
    response = client.get("/data/employment/", {"cohort": 2017, "by": "region"})
    assert (response.context["cohort"], response.context["by"]) == (2017, "major_group")
    assert _figure(response.content.decode(), "graduates") == "5"
