"""R18, R31 through the pages: the bureau rates a project and decides a recovery on the
project page, refusals come back as messages with nothing written, everyone else is refused
(403 when it may read the project, 404 when it may not), and the results notice in Word."""

import io
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from docx import Document

from tests.projects.acceptance_fixtures import *  # noqa: F403
from tests.projects.acceptance_fixtures import pay, school_of, tranche
from vetq.funding.ledger import tranche_payable_amount
from vetq.funding.models import LedgerEntry
from vetq.projects.acceptance import acceptance_record
from vetq.projects.models import Acceptance, ProjectState, RecoveryCase

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def rate(client, project, score="93", rating="excellent", **extra):
    return client.post(reverse("projects:acceptance_record", args=[project.pk]), {
        "score": score, "rating": rating, "summary": "三年建设总结", "self_assessment": "自评优秀",
        "comment": "", **extra})


def decide(client, project, amount="20000", reason="验收不合格，收回部分经费", **extra):
    return client.post(reverse("projects:recovery_decide", args=[project.pk]), {
        "amount": amount, "reason": reason, "voucher_no": "SH-1",
        "on": timezone.localdate().isoformat(), **extra})


def flashed(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def studio(make_project):
    return make_project("master_teacher_studio")


@pytest.fixture
def failed(make_project, bureau_user, finance_city):
    project = make_project("brand_major")
    pay(project, 1, finance_city)
    acceptance_record(project=project, score=35, rating="fail", by=bureau_user)
    return project


# --- rating ----------------------------------------------------------------------------------

def test_bureau_rates_a_studio_excellent_and_the_bonus_becomes_payable(client, bureau_user, studio):
    client.force_login(bureau_user)
    response = rate(client, studio, score="93.5")
    assert response.status_code == 302
    assert response.url == reverse("projects:detail", args=[studio.pk])
    assert flashed(response) == [
        "Rated excellent with 93.5 points: the project is closed and its acceptance and "
        "excellent-rating tranches are payable."]
    acceptance = Acceptance.objects.get(project=studio)
    assert (acceptance.score, acceptance.rating, acceptance.summary, acceptance.rated_by) == (
        Decimal("93.50"), "excellent", "三年建设总结", bureau_user)
    assert tranche_payable_amount(tranche(studio, 4), timezone.localdate()) == Decimal("50000.00")


def test_a_rating_that_does_not_match_the_score_comes_back_as_a_message(client, bureau_user,
                                                                         studio):
    client.force_login(bureau_user)
    response = rate(client, studio, score="85", rating="excellent")
    assert response.status_code == 302
    assert flashed(response) == [
        "A score of 85 gives the rating “Pass” under the policy's score bands, not “Excellent”."]
    assert not Acceptance.objects.exists()
    studio.refresh_from_db()
    assert studio.state == ProjectState.ACTIVE


def test_a_form_without_a_score_is_refused(client, bureau_user, studio):
    client.force_login(bureau_user)
    response = rate(client, studio, score="")
    assert flashed(response) == [
        "Nothing was recorded: Acceptance score (0–100): This field is required."]
    assert not Acceptance.objects.exists()


def test_a_second_rating_through_the_page_is_refused(client, bureau_user, studio):
    client.force_login(bureau_user)
    rate(client, studio)
    response = rate(client, studio, score="70", rating="pass")
    assert flashed(response)[-1] == (
        "Only a project under construction can be rated; this one is Closed.")
    assert Acceptance.objects.get().rating == "excellent"


@pytest.mark.parametrize(("who", "status"), [
    ("own_school", 403), ("finance_city", 403), ("region_officer", 403),
    ("other_school", 404), ("finance_yixing", 404), ("expert", 404), ("viewer", 404),
])
def test_only_the_bureau_may_rate(client, request, studio, who, status):
    user = (school_of(studio, "studio-school") if who == "own_school" else
            request.getfixturevalue({"other_school": "other_school_user",
                                     "viewer": "department_viewer",
                                     "expert": "expert_user"}.get(who, who)))
    client.force_login(user)
    assert rate(client, studio).status_code == status
    assert not Acceptance.objects.exists()


def test_anonymous_is_sent_to_log_in_and_nothing_is_rated(client, studio):
    response = rate(client, studio)
    assert response.status_code == 302
    assert "login" in response.url
    assert not Acceptance.objects.exists()


def test_rating_takes_only_post(client, bureau_user, studio):
    client.force_login(bureau_user)
    assert client.get(reverse("projects:acceptance_record", args=[studio.pk])).status_code == 405


# --- recovery ----------------------------------------------------------------------------------

def test_bureau_decides_a_recovery_recorded_in_the_ledger(client, bureau_user, failed):
    client.force_login(bureau_user)
    response = decide(client, failed)
    assert flashed(response) == ["Recovery of 20,000 yuan decided and recorded in the ledger."]
    case = RecoveryCase.objects.get(project=failed)
    assert (case.state, case.amount, case.entry.voucher_no) == ("decided", Decimal("20000.00"),
                                                                "SH-1")
    assert LedgerEntry.objects.filter(grant=failed.grant, kind="recovery").count() == 1


def test_deciding_to_recover_nothing(client, bureau_user, failed):
    client.force_login(bureau_user)
    response = decide(client, failed, amount="0", reason="已整改到位，免于收回")
    assert flashed(response) == ["Decided: nothing is recovered."]
    assert not LedgerEntry.objects.filter(kind="recovery").exists()


def test_a_recovery_above_what_was_paid_comes_back_as_a_message(client, bureau_user, failed):
    client.force_login(bureau_user)
    response = decide(client, failed, amount="70000")
    assert flashed(response) == [
        "70,000 yuan is more than the 60,000 yuan paid and not yet recovered."]
    assert RecoveryCase.objects.get(project=failed).state == "open"


def test_a_recovery_without_a_reason_is_refused(client, bureau_user, failed):
    client.force_login(bureau_user)
    response = decide(client, failed, reason="")
    assert flashed(response) == ["Nothing was recorded: Reason: This field is required."]
    assert RecoveryCase.objects.get(project=failed).state == "open"


@pytest.mark.parametrize(("who", "status"), [("own_school", 403), ("finance_city", 403),
                                             ("other_school", 404)])
def test_only_the_bureau_decides_a_recovery(client, request, failed, who, status):
    user = (school_of(failed, "failed-school") if who == "own_school" else
            request.getfixturevalue({"other_school": "other_school_user"}.get(who, who)))
    client.force_login(user)
    assert decide(client, failed).status_code == status
    assert RecoveryCase.objects.get(project=failed).state == "open"


def test_a_project_without_a_recovery_case_has_nothing_to_decide(client, bureau_user, studio):
    client.force_login(bureau_user)
    assert decide(client, studio).status_code == 404


# --- the project page's acceptance part --------------------------------------------------------

def page(client, project) -> str:
    response = client.get(reverse("projects:detail", args=[project.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_bureau_sees_the_rating_form_and_the_bands(client, bureau_user, studio):
    client.force_login(bureau_user)
    html = page(client, studio)
    assert "data-acceptance-form" in html
    assert "90 points and above excellent, 60 and above pass, below 60 fail" in html
    assert reverse("projects:acceptance_record", args=[studio.pk]) in html


def test_the_school_sees_the_bands_but_no_form(client, studio):
    client.force_login(school_of(studio, "studio-school"))
    html = page(client, studio)
    assert "data-unrated" in html
    assert "data-acceptance-form" not in html
    assert "data-results-notice" not in html


def test_a_rated_project_shows_its_rating_and_no_form(client, bureau_user, studio):
    client.force_login(bureau_user)
    rate(client, studio, score="95", comment="示范引领作用突出")
    html = page(client, studio)
    assert 'data-rating="excellent"' in html
    assert "示范引领作用突出" in html
    assert "data-acceptance-form" not in html


def test_a_failed_project_shows_its_open_recovery_and_the_form_to_the_bureau(client, bureau_user,
                                                                              failed):
    client.force_login(bureau_user)
    html = page(client, failed)
    assert 'data-recovery="open"' in html
    assert "data-recovery-form" in html
    decide(client, failed, amount="15000")
    html = page(client, failed)
    assert 'data-recovery="decided"' in html
    assert "data-recovery-form" not in html
    assert "SH-1" in html


def test_the_school_sees_its_recovery_but_no_form(client, failed):
    client.force_login(school_of(failed, "failed-school"))
    html = page(client, failed)
    assert 'data-recovery="open"' in html
    assert "data-recovery-form" not in html


# --- the results notice in Word ----------------------------------------------------------------

def notice_text(response) -> tuple[list[str], list[list[str]]]:
    doc = Document(io.BytesIO(b"".join(response.streaming_content)))
    rows = [[cell.text for cell in row.cells] for row in doc.tables[0].rows]
    return [p.text for p in doc.paragraphs], rows


def test_the_results_notice_lists_the_ratings_excellent_first(client, bureau_user, make_project):
    excellent = make_project("master_teacher_studio")
    passed = make_project("brand_major")
    failed = make_project("featured_major")
    for project, score, rating in ((passed, 72, "pass"), (failed, 41, "fail"),
                                   (excellent, 94, "excellent")):
        acceptance_record(project=project, score=score, rating=rating, by=bureau_user)
    make_project("quality_course")  # not rated: not in the notice
    client.force_login(bureau_user)
    response = client.get(reverse("projects:acceptance_results"),
                          {"year": timezone.localdate().year})
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="acceptance-results-{timezone.localdate().year}.docx"')
    paragraphs, rows = notice_text(response)
    assert paragraphs[0] == "Notice of project acceptance results"
    assert f"accepted 3 project(s) in {timezone.localdate().year}:" in paragraphs[1]
    assert "1 rated excellent, 1 rated pass and 1 rated fail" in paragraphs[1]
    assert [row[2:] for row in rows[1:]] == [
        [excellent.title, excellent.category.name, "94", "Excellent"],
        [passed.title, passed.category.name, "72", "Pass"],
        [failed.title, failed.category.name, "41", "Fail"],
    ]


def test_the_results_notice_narrows_by_year_and_category(client, bureau_user, make_project):
    studio = make_project("master_teacher_studio")
    acceptance_record(project=studio, score=94, rating="excellent", by=bureau_user)
    acceptance_record(project=make_project("brand_major"), score=72, rating="pass", by=bureau_user)
    client.force_login(bureau_user)
    url = reverse("projects:acceptance_results")
    _, rows = notice_text(client.get(url, {"category": "master_teacher_studio"}))
    assert [row[2] for row in rows[1:]] == [studio.title]
    _, rows = notice_text(client.get(url, {"year": "2019"}))
    assert rows[1:] == []


@pytest.mark.parametrize("who", ["school", "finance_city"])
def test_only_the_bureau_prints_the_results_notice(client, request, make_project, who):
    project = make_project()
    user = school_of(project, "a-school") if who == "school" else request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(reverse("projects:acceptance_results")).status_code == 403
