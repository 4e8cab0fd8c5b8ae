"""Who reaches what of a check round: experts only the material (self-assessment, reports,
evidence) of the projects they are assigned on the round's panel, never a round's page;
schools only their own entries, never who scored; region officers their region's; the API
scoped the same way."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import UserFactory, membership
from tests.projects.acceptance_fixtures import school_of
from tests.projects.checks.conftest import OPENED, PDF, entry_of, pdf
from vetq.core.uploads import stored_file_create
from vetq.projects.checks import check_panel_create, self_assessment_submit
from vetq.projects.models import ReportFile, ReportState
from vetq.reviews.models import Assignment, Panel, PanelState

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def world(make_project, open_round, bureau_user, reviewers):
    """Projects of two schools (Liangxi, Xishan) in a mid-term round, both self-assessed with
    evidence, the first with a filed progress report with a file; the round's panel under
    review with expert E0001 assigned to the first project only."""
    mine, theirs = make_project(), make_project(region="xishan")
    check_round = open_round([mine, theirs])
    schools = {}
    for project, name in ((mine, "school-mine"), (theirs, "school-theirs")):
        schools[name] = school_of(project, name)
        self_assessment_submit(entry=entry_of(check_round, project),
                               text=f"{project.title}的自评报告", files=[pdf(f"{name}.pdf")],
                               by=schools[name], today=OPENED)
    report = mine.reports.order_by("year").first()
    report.state, report.text = ReportState.SUBMITTED, "第一年度建设进展"
    report.save()
    stored = stored_file_create(upload=SimpleUploadedFile("年度佐证.pdf", PDF), by=schools["school-mine"])
    report_file = ReportFile.objects.create(report=report, file=stored)
    panel = check_panel_create(check_round=check_round, by=bureau_user)
    Panel.objects.filter(pk=panel.pk).update(state=PanelState.REVIEWING)
    assigned, unassigned = reviewers(2)
    assignment = Assignment.objects.create(panel=panel, application=mine.application,
                                           expert=assigned)
    return {
        "round": check_round, "mine": mine, "theirs": theirs,
        "entry": entry_of(check_round, mine), "other_entry": entry_of(check_round, theirs),
        "assignment": assignment, "expert": assigned.user, "stranger": unassigned.user,
        "school": schools["school-mine"], "report_file": report_file,
    }


def file_of(entry):
    return entry.files.get()


def get(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_assigned_expert_scores_on_the_projects_material(client, world):
    response = get(client, world["expert"], reverse("reviews:review_edit",
                                                    args=[world["assignment"].pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"{world['mine'].title}的自评报告" in page
    assert "第一年度建设进展" in page
    assert reverse("projects:check_file", args=[file_of(world["entry"]).pk]) in page
    assert reverse("projects:check_report_file",
                   args=[world["entry"].pk, world["report_file"].pk]) in page
    assert "Mid-term check" in page
    assert world["theirs"].title not in page
    assert 'id="check-material"' in page


def test_assigned_expert_downloads_the_evidence(client, world):
    client.force_login(world["expert"])
    response = client.get(reverse("projects:check_file", args=[file_of(world["entry"]).pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert client.get(reverse("projects:check_report_file", args=[
        world["entry"].pk, world["report_file"].pk])).status_code == 200


def test_expert_reaches_no_other_projects_material(client, world):
    client.force_login(world["expert"])
    assert client.get(reverse("projects:check_file",
                              args=[file_of(world["other_entry"]).pk])).status_code == 404
    assert client.get(reverse("projects:check_report_file", args=[
        world["other_entry"].pk, world["report_file"].pk])).status_code == 404


def test_expert_without_assignment_gets_404(client, world):
    client.force_login(world["stranger"])
    assert client.get(reverse("projects:check_file",
                              args=[file_of(world["entry"]).pk])).status_code == 404
    assert client.get(reverse("projects:check_report_file", args=[
        world["entry"].pk, world["report_file"].pk])).status_code == 404
    assert client.get(reverse("reviews:review_edit",
                              args=[world["assignment"].pk])).status_code == 404


def test_expert_loses_the_material_when_the_assignment_is_deactivated(client, world):
    Assignment.objects.filter(pk=world["assignment"].pk).update(active=False)
    client.force_login(world["expert"])
    assert client.get(reverse("projects:check_file",
                              args=[file_of(world["entry"]).pk])).status_code == 404


def test_experts_never_reach_the_round_pages(client, world):
    client.force_login(world["expert"])
    assert client.get(reverse("projects:check_round_detail",
                              args=[world["round"].pk])).status_code == 404
    assert client.get(reverse("projects:check_entry", args=[world["entry"].pk])).status_code == 404
    assert client.get(reverse("projects:check_round_list")).status_code == 403


def test_school_sees_only_its_entry_and_never_who_scored(client, world):
    client.force_login(world["school"])
    page = client.get(reverse("projects:check_round_detail", args=[world["round"].pk]))
    assert page.status_code == 200
    content = page.content.decode()
    assert world["mine"].title in content
    assert world["theirs"].title not in content
    assert "E0001" not in content and "评审专家0001" not in content
    assert reverse("reviews:panel_detail", args=[world["assignment"].panel_id]) not in content
    entry_page = client.get(reverse("projects:check_entry", args=[world["entry"].pk]))
    assert entry_page.status_code == 200
    assert "E0001" not in entry_page.content.decode()
    assert client.get(reverse("projects:check_entry",
                              args=[world["other_entry"].pk])).status_code == 404
    assert client.get(reverse("projects:check_file",
                              args=[file_of(world["other_entry"]).pk])).status_code == 404
    assert client.get(reverse("projects:check_file",
                              args=[file_of(world["entry"]).pk])).status_code == 200


def test_school_export_holds_only_its_entry(client, world):
    from openpyxl import load_workbook

    client.force_login(world["school"])
    response = client.get(reverse("projects:check_round_export", args=[world["round"].pk]))
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [r[3] for r in rows[1:]] == [world["mine"].title]
    assert client.get(reverse("projects:check_round_notice",
                              args=[world["round"].pk])).status_code == 403


def test_other_school_reaches_nothing(client, world, other_school_user):
    client.force_login(other_school_user)
    assert client.get(reverse("projects:check_round_detail",
                              args=[world["round"].pk])).status_code == 404
    assert client.get(reverse("projects:check_entry", args=[world["entry"].pk])).status_code == 404
    assert client.get(reverse("projects:check_file",
                              args=[file_of(world["entry"]).pk])).status_code == 404
    assert world["round"].name not in client.get(
        reverse("projects:check_round_list")).content.decode()


def test_region_officer_reads_its_regions_entries(client, world, regions):
    officer = UserFactory(username="officer-xishan")
    membership(officer, "region_officer", region=regions["xishan"])
    client.force_login(officer)
    content = client.get(reverse("projects:check_round_detail",
                                 args=[world["round"].pk])).content.decode()
    assert world["theirs"].title in content
    assert world["mine"].title not in content


def test_school_cannot_act_as_the_bureau(client, world):
    client.force_login(world["school"])
    assert client.post(reverse("projects:check_result", args=[world["entry"].pk]),
                       {"result": "pass"}).status_code == 403
    assert client.post(reverse("projects:check_scores_collect",
                               args=[world["round"].pk])).status_code == 403


# --- the API ----------------------------------------------------------------------------------

def api(client, user, path):
    client.force_login(user)
    return client.get(f"/api{path}")


def test_api_rounds_scoped(client, world, bureau_user):
    rounds = api(client, bureau_user, "/check-rounds").json()
    assert [(r["id"], r["kind"], r["projects"], r["filed"]) for r in rounds] == [
        (world["round"].pk, "midterm", 2, 2)]
    assert [r["projects"] for r in api(client, world["school"], "/check-rounds").json()] == [1]
    assert api(client, world["expert"], "/check-rounds").json() == []


def test_api_round_detail_scoped(client, world, bureau_user):
    path = f"/check-rounds/{world['round'].pk}"
    assert sorted(e["title"] for e in api(client, bureau_user, path).json()["entries"]) == \
        sorted([world["mine"].title, world["theirs"].title])
    detail = api(client, world["school"], path).json()
    assert [e["title"] for e in detail["entries"]] == [world["mine"].title]
    entry = detail["entries"][0]
    assert (entry["result"], entry["score"], entry["self_overdue"]) == ("", None, False)
    assert [f["name"] for f in entry["files"]] == ["school-mine.pdf"]
    assert "expert" not in str(detail).lower()
    assert api(client, world["expert"], path).status_code == 404


def test_api_project_checks_scoped(client, world, other_school_user):
    path = f"/projects/{world['mine'].pk}/checks"
    rows = api(client, world["school"], path).json()
    assert [(r["round"], r["kind"]) for r in rows] == [(world["round"].pk, "midterm")]
    assert api(client, other_school_user, path).status_code == 404
    assert api(client, world["expert"], path).status_code == 404
