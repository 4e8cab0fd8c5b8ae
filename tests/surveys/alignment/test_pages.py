"""R32: the alignment pages show the single numbers AND the per-industry gaps, scoped: a school
sees itself and the city, a region officer its region and schools, the bureau everything."""

import json
import re

import pytest
from django.urls import reverse
from django.utils import translation

from vetq.surveys.views_alignment import FORMULAS

pytestmark = pytest.mark.integration

OVERVIEW = reverse("surveys:alignment")


def page(client, user, url, **params):
    client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def figure(html, name) -> str:
    match = re.search(rf'data-figure="{name}"><div class="label">[^<]*</div>\s*'
                      r'<div class="value">([^<]*)<', html)
    assert match, name
    return match.group(1).strip()


def rows(html, table) -> list[str]:
    body = html.split(f'data-table="{table}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'data-row="([^"]+)"', body)


def chart(html, element_id) -> dict:
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html,
                      re.S)
    assert match, element_id
    return json.loads(match.group(1))


def test_overview_shows_the_citys_numbers_against_the_targets(client, users):
    html = page(client, users["bureau"], OVERVIEW)
    assert '<html lang="zh-CN">' in html
    assert figure(html, "similarity") == "0.800"
    assert figure(html, "pearson") == "0.724"
    assert figure(html, "total-deviation") == "46.2%"  # 0.4625 shown to a tenth of a percent
    assert figure(html, "coverage").startswith("75.0%")
    assert figure(html, "pillar-coverage").startswith("100.0%")
    assert 'data-unmapped="50"' in html
    assert rows(html, "region") == ["city", "liangxi", "yixing"]
    assert rows(html, "school") == ["city", "A001", "B002", "C003"]
    trend = chart(html, "trend-data")
    assert trend["labels"] == ["2019"]
    assert trend["series"][0]["data"] == [0.8]


def test_overview_against_employment(client, users):
    html = page(client, users["bureau"], OVERVIEW, measure="employment", year=2019)
    assert figure(html, "similarity") == "0.760"
    assert figure(html, "coverage").startswith("100.0%")


def test_overview_explains_each_formula_in_english(client, users):
    client.force_login(users["bureau"])
    client.post(reverse("set_language"), {"language": "en"})
    html = client.get(OVERVIEW).content.decode()
    with translation.override("en"):
        for sentence in FORMULAS.values():
            assert str(sentence) in html.replace("&#x27;", "'")
        assert "target ≥ 80%" in html
        assert "below target" in html


def test_city_detail_shows_gaps_sorted_from_the_most_under_served(client, users):
    html = page(client, users["bureau"], reverse("surveys:alignment_city"), year=2019)
    gaps = html.split('data-table="gaps"', 1)[1].split("</table>", 1)[0]
    industries = re.findall(r'data-industry="([^"]+)" data-status="([^"]+)"', gaps)
    assert industries[:1] == [("tourism_leisure", "under")]
    assert industries[-3:] == [("next_gen_it", "over"), ("trade_logistics", "over"),
                               ("high_end_equipment", "over")]
    assert "−20.0" in gaps and "+12.0" in gaps and "+50.0%" in gaps and "−100.0%" in gaps
    bars = chart(html, "gap-data")
    assert bars["labels"] == ["新一代信息技术", "高端装备制造", "商贸物流", "旅游休闲"]
    assert bars["series"][0]["data"] == [44.0, 36.0, 20.0, 0.0]
    assert bars["series"][1]["data"] == [40.0, 24.0, 16.0, 20.0]
    assert 'data-list="under"' in html and "旅游休闲" in html.split('data-list="under"')[1][:400]
    assert 'data-major="750101"' in html


def test_region_detail_has_the_city_beside(client, users):
    html = page(client, users["liangxi"], reverse("surveys:alignment_region", args=["liangxi"]))
    assert figure(html, "similarity") == "0.775"
    assert "0.800" in html  # the whole city beside
    assert "梁溪区" in html


def test_school_sees_its_own_school_and_the_city_only(client, users, city):
    html = page(client, users["a"], OVERVIEW)
    assert figure(html, "similarity") == "0.800"  # the city's figures are aggregates
    assert 'data-table="region"' not in html
    assert rows(html, "school") == ["city", "A001"]
    own = reverse("surveys:alignment_school", args=["A001"])
    assert "梁溪甲校" in page(client, users["a"], own)
    other = reverse("surveys:alignment_school", args=["B002"])
    assert client.get(other).status_code == 404
    assert client.get(reverse("surveys:alignment_region", args=["liangxi"])).status_code == 404


def test_region_officer_sees_its_region_and_its_schools_only(client, users):
    html = page(client, users["yixing"], OVERVIEW)
    assert rows(html, "region") == ["city", "yixing"]
    assert rows(html, "school") == ["city", "C003"]
    assert client.get(reverse("surveys:alignment_region", args=["liangxi"])).status_code == 404
    assert client.get(reverse("surveys:alignment_school", args=["A001"])).status_code == 404
    assert client.get(reverse("surveys:alignment_school", args=["C003"])).status_code == 200


def test_department_viewer_reads_everything(client, users):
    html = page(client, users["viewer"], OVERVIEW)
    assert rows(html, "region") == ["city", "liangxi", "yixing"]


def test_expert_is_refused_and_anonymous_must_log_in(client, users):
    client.force_login(users["expert"])
    assert client.get(OVERVIEW).status_code == 403
    client.logout()
    response = client.get(OVERVIEW)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_unknown_codes_are_not_found(client, users):
    client.force_login(users["bureau"])
    assert client.get(reverse("surveys:alignment_region", args=["nowhere"])).status_code == 404
    assert client.get(reverse("surveys:alignment_school", args=["X999"])).status_code == 404


def test_a_year_without_industry_figures_says_so(client, users, city):
    from .conftest import enrol

    enrol(city["a"], "710201", "计算机应用", 10, year=2018)
    html = page(client, users["bureau"], OVERVIEW, year=2018)
    assert 'data-problem="no_industry"' in html


def test_empty_database_page_renders(client, bureau_user):
    client.force_login(bureau_user)
    response = client.get(OVERVIEW)
    assert response.status_code == 200
    assert 'data-figure="similarity"' not in response.content.decode()


def test_page_queries_do_not_grow_with_schools(client, users, regions):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import InstitutionFactory

    from .conftest import enrol

    client.force_login(users["bureau"])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(OVERVIEW).status_code == 200
        return len(queries)

    client.get(OVERVIEW)
    few = count()
    for n in range(20):
        enrol(InstitutionFactory(code=f"Q{n:03d}", region=regions["binhu"]), "710201", "计算机应用", 5)
    assert count() == few
