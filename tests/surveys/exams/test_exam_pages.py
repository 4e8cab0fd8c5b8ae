"""R20: the exams dashboard: rates by region, school, major group and year with the city
average beside, scoped (a school sees itself and the city; another school is not found)."""

import json
import re

import pytest
from django.urls import reverse
from django.utils import translation

from vetq.surveys.views_exams import EXAM_FORMULAS

pytestmark = pytest.mark.integration

URL = reverse("surveys:exams")


def page(client, user, **params):
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


def rows(html, table) -> list[str]:
    body = html.split(f'data-table="{table}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'data-row="([^"]*)"', body)


def value(html, name) -> str:
    match = re.search(rf'data-figure="{name}"><div class="label">[^<]*</div><div class="value">'
                      r"([^<]*)<", html)
    assert match, name
    return match.group(1)


def chart(html, element_id) -> dict:
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html,
                      re.S)
    assert match, element_id
    return json.loads(match.group(1))


def test_bureau_sees_every_breakdown_with_the_city_beside(client, users):
    html = page(client, users["bureau"])
    assert '<html lang="zh-CN">' in html
    assert (value(html, "city-pass"), value(html, "city-excellent")) == ("85.5%", "23.5%")
    assert rows(html, "regions") == ["liangxi", "yixing"]
    assert rows(html, "schools") == ["X001", "Y002", "Z003"]
    assert rows(html, "groups") == ["", "66", "73"]
    assert rows(html, "kinds") == ["academic", "skill"]
    liangxi = html.split('data-row="liangxi"', 1)[1].split("</tr>", 1)[0]
    assert "81.0%" in liangxi and "85.5%" in liangxi  # its rate, the city's beside
    regions = chart(html, "exam-regions")
    assert regions["labels"] == ["梁溪区", "宜兴市"]
    assert regions["series"][0]["data"] == [81.0, 90.0]
    assert [m["value"] for m in regions["marks"]] == [85.5, 23.5]
    trend = chart(html, "exam-trend")
    assert trend["labels"] == ["2018", "2019"] and trend["series"][0]["data"] == [75.0, 85.5]


def test_one_kind_and_one_year(client, users):
    html = page(client, users["bureau"], kind="skill", year=2019)
    assert value(html, "city-pass") == "80.0%"
    assert rows(html, "schools") == ["Z003"]
    html = page(client, users["bureau"], year=2018)
    assert value(html, "city-pass") == "75.0%"


def test_school_sees_itself_beside_the_city_and_nothing_of_others(client, users, exams):
    html = page(client, users["x"])
    assert value(html, "own-pass") == "90.0%"
    assert value(html, "city-pass") == "85.5%"
    assert 'data-table="regions"' not in html
    assert 'data-table="schools"' not in html  # its own figures are the headline
    assert "梁溪Y校" not in html and "宜兴Z校" not in html
    group = html.split('data-table="groups"', 1)[1].split("</table>", 1)[0]
    assert rows(html, "groups") == ["66"] and "84.4%" in group  # the city's group 66: 76 ÷ 90
    client.force_login(users["x"])
    assert client.get(URL, {"school": "Y002"}).status_code == 404


def test_region_officer_sees_its_region(client, users):
    html = page(client, users["liangxi"])
    assert rows(html, "regions") == ["liangxi"]
    assert rows(html, "schools") == ["X001", "Y002"]
    trend = chart(html, "exam-trend")
    assert trend["series"][0]["data"] == [75.0, 81.0]  # Liangxi's pass rate, then the city's
    client.force_login(users["liangxi"])
    assert client.get(URL, {"school": "Z003"}).status_code == 404
    assert client.get(URL, {"school": "Y002"}).status_code == 200


def test_bureau_can_focus_one_school(client, users):
    html = page(client, users["bureau"], school="Z003")
    assert value(html, "own-pass") == "90.0%"
    assert rows(html, "groups") == ["", "66"]


def test_formulas_are_explained_in_english(client, users):
    client.force_login(users["bureau"])
    client.post(reverse("set_language"), {"language": "en"})
    html = client.get(URL).content.decode().replace("&#x27;", "'")
    with translation.override("en"):
        for sentence in EXAM_FORMULAS.values():
            assert str(sentence) in html


def test_docs_give_the_same_sentences():
    from pathlib import Path

    here = Path(__file__).resolve()
    root = next(p for p in here.parents if (p / "docs" / "surveys.md").exists())
    text = (root / "docs" / "surveys.md").read_text(encoding="utf-8")
    with translation.override("en"):
        for sentence in EXAM_FORMULAS.values():
            assert str(sentence) in text


def test_expert_refused_and_empty_page_renders(client, users, bureau_user):
    client.force_login(users["expert"])
    assert client.get(URL).status_code == 403
    from vetq.surveys.models import ExamResult

    ExamResult.objects.all().delete()
    client.force_login(users["bureau"])
    response = client.get(URL)
    assert response.status_code == 200 and 'data-figure="city-pass"' not in response.content.decode()


def test_page_queries_do_not_grow_with_schools(client, users, regions):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import InstitutionFactory

    from .conftest import result

    client.force_login(users["bureau"])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries)

    client.get(URL)
    few = count()
    for n in range(20):
        result(InstitutionFactory(code=f"P{n:03d}", region=regions["binhu"]), "710201", "skill",
               "编程", 10, 5, 1)
    assert count() == few
