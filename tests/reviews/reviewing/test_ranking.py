"""The ranking of a call category: trimmed mean, raw mean, reviewer-offset calibration and
disagreement on a hand-computed example; deactivated assignments and drafts left out; the
page, its Excel export and the API, for the bureau only; fixed query counts."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from vetq.reviews.models import Review, ReviewState
from vetq.reviews.ranking import ranking_for

from .conftest import assign, submitted_review

pytestmark = pytest.mark.integration


@pytest.fixture
def example(application_make, panel_make, make_expert):
    """Five experts A–E. Application 1: A90 B80 C70 D60 E20; application 2: A85 B75 C80;
    application 3: D50 (and F's 100, whose assignment was deactivated: a conflict found
    later); application 4: only a draft.

    Offsets (mean deviation from the other reviewers' mean, over shared applications):
      A: (90 − 57.5 = 32.5, 85 − 77.5 = 7.5) → 20;  B: (80 − 60 = 20, 75 − 82.5 = −7.5) → 6.25
      C: (70 − 62.5 = 7.5, 80 − 80 = 0) → 3.75;     D: 60 − 65 → −5;   E: 20 − 75 → −55
    Calibrated: 1: (70 + 73.75 + 66.25 + 65 + 75) / 5 = 70; 2: (65 + 68.75 + 76.25) / 3 = 70;
      3: 50 + 5 = 55.
    """
    experts = {code: make_expert(f"E00{i}", f"专家{code}") for i, code in enumerate("ABCDEF", 1)}
    apps = [application_make(f"申报{n}") for n in range(1, 5)]
    panel = panel_make(applications=apps)
    given = [
        (0, {"A": 9, "B": 8, "C": 7, "D": 6, "E": 2}),
        (1, {"A": "8.5", "B": "7.5", "C": 8}),
        (2, {"D": 5}),
    ]
    for index, marks in given:
        for code, each in marks.items():
            submitted_review(assign(panel, apps[index], experts[code]), Decimal(str(each)),
                             na=("industry",) if code == "B" else ())
    conflicted = assign(panel, apps[2], experts["F"], active=False)
    submitted_review(conflicted, 10)
    Review.objects.create(assignment=assign(panel, apps[3], experts["A"]), state=ReviewState.DRAFT,
                          scores={"basis": 10})
    return {"panel": panel, "apps": apps, "experts": experts}


def test_ranking_by_hand(example):
    apps = example["apps"]
    rows = ranking_for(example["panel"].call_category)

    assert [r.application for r in rows] == [apps[1], apps[0], apps[2], apps[3]]
    assert [r.rank for r in rows] == [1, 2, 3, None]
    assert [r.reviews for r in rows] == [3, 5, 1, 0]
    assert [r.score for r in rows] == [Decimal("80.00"), Decimal("70.00"), Decimal("50.00"), None]
    assert [r.mean for r in rows] == [Decimal("80.00"), Decimal("64.00"), Decimal("50.00"), None]
    assert [r.calibrated for r in rows] == [Decimal("70.00"), Decimal("70.00"), Decimal("55.00"),
                                            None]
    assert [r.spread for r in rows] == [Decimal("10.0"), Decimal("70.0"), Decimal("0.0"), None]
    assert [r.disagreement for r in rows] == [False, True, False, False]
    assert rows[1].totals == (Decimal("90.00"), Decimal("80.00"), Decimal("70.00"),
                              Decimal("60.00"), Decimal("20.00"))


def test_ranking_criterion_averages_leave_out_not_applicable(example):
    rows = ranking_for(example["panel"].call_category)
    second = rows[0]  # A 8.5, B 7.5 (industry N/A), C 8
    assert second.criteria["basis"] == Decimal("8.00")
    assert second.criteria["industry"] == Decimal("8.25")


def test_ranking_ties_share_a_rank(application_make, panel_make, make_expert):
    apps = [application_make(f"并列{n}") for n in range(3)]
    panel = panel_make(applications=apps)
    expert = make_expert("E0100")
    for application, each in zip(apps, (7, 8, 7), strict=True):
        submitted_review(assign(panel, application, expert), each)
    rows = ranking_for(panel.call_category)
    assert [r.rank for r in rows] == [1, 2, 2]
    assert [r.application for r in rows] == [apps[1], apps[0], apps[2]]


def test_ranking_without_panels_is_empty(call_category):
    assert ranking_for(call_category("brand_major")) == []


def test_ranking_page_shows_scores_beside_each_other(client, example, bureau_user):
    client.force_login(bureau_user)
    response = client.get(f"/reviews/ranking/{example['panel'].call_category_id}/",
                          HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    first = html.index("申报2")
    assert first < html.index("申报1") < html.index("申报3") < html.index("申报4")
    assert html.count("data-disagreement") == 1
    assert "80.00" in html and "64.00" in html and "55.00" in html


def test_ranking_export(client, example, bureau_user):
    client.force_login(bureau_user)
    response = client.get(f"/reviews/ranking/{example['panel'].call_category_id}/export.xlsx",
                          HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:10] == ("Rank", "Application", "School", "Region", "Reviews",
                            "Score (trimmed mean)", "Raw mean", "Calibrated", "Spread",
                            "Disagreement")
    assert [r[1] for r in rows[1:]] == ["申报2", "申报1", "申报3", "申报4"]
    assert rows[2][5:10] == (70, 64, 70, 70, "yes")


def test_ranking_api_for_the_bureau(client, example, bureau_user):
    client.force_login(bureau_user)
    data = client.get(f"/api/rankings/{example['panel'].call_category_id}").json()
    assert [(r["rank"], r["title"], r["score"], r["calibrated"], r["disagreement"]) for r in data] == [
        (1, "申报2", "80.00", "70.00", False), (2, "申报1", "70.00", "70.00", True),
        (3, "申报3", "50.00", "55.00", False), (None, "申报4", None, None, False),
    ]


def test_ranking_refused_to_everyone_but_the_bureau(client, example, school_user, region_officer):
    cc = example["panel"].call_category_id
    for user in (example["experts"]["A"].user, school_user, region_officer):
        client.force_login(user)
        assert client.get(f"/reviews/ranking/{cc}/").status_code == 403
        assert client.get(f"/reviews/ranking/{cc}/export.xlsx").status_code == 403
        assert client.get("/reviews/ranking/").status_code == 403
        assert client.get(f"/api/rankings/{cc}").status_code == 403


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_ranking_page_queries_do_not_grow(client, application_make, panel_make, make_expert,
                                          bureau_user):
    experts = [make_expert(f"E09{i}") for i in range(3)]
    apps = [application_make(f"申报{n}") for n in range(20)]
    panel = panel_make(applications=apps[:1])
    for expert in experts:
        submitted_review(assign(panel, apps[0], expert), 8)
    client.force_login(bureau_user)
    urls = [f"/reviews/ranking/{panel.call_category_id}/", "/reviews/ranking/",
            f"/api/rankings/{panel.call_category_id}"]
    one = [_count(client, url) for url in urls]
    panel.applications.set(apps)
    for application in apps[1:]:
        for expert in experts:
            submitted_review(assign(panel, application, expert), 7)
    assert [_count(client, url) for url in urls] == one
