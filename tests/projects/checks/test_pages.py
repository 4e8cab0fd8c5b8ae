"""The check round pages: opening a round, the school's self-assessment and rectification
with their refusals shown as typed, the bureau's results, the round list without N+1, the
project page's section, the Excel sheet and the Word notice, the overdue items, and the
panel pages' check labels."""

import io
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from tests.projects.acceptance_fixtures import school_of
from tests.projects.checks.conftest import DUE, OPENED, entry_of, pdf, scored
from vetq.projects.check_queries import overdue_check_items
from vetq.projects.check_results import check_result_record
from vetq.projects.checks import check_panel_create, self_assessment_submit
from vetq.projects.models import CheckEntry, CheckRound, Project
from vetq.reviews.models import Assignment, Panel, PanelState, Review, ReviewState

pytestmark = pytest.mark.integration
SHANGHAI = ZoneInfo("Asia/Shanghai")


def on(day, hour: int = 10):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI),
                               tick=False)


@pytest.fixture(autouse=True)
def english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def test_bureau_opens_a_round_from_the_form(client, bureau_user, make_project):
    first, second = make_project(), make_project(region="xishan")
    client.force_login(bureau_user)
    with on(OPENED):
        form = client.get(reverse("projects:check_round_create") + "?kind=acceptance")
        assert form.status_code == 200
        response = client.post(reverse("projects:check_round_create"), {
            "kind": "midterm", "call_category": first.application.call_category_id,
            "self_assessment_due": "2021-10-15", "name": "2020级品牌专业中期检查"})
    check_round = CheckRound.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:check_round_detail", args=[check_round.pk])
    assert (check_round.name, check_round.self_assessment_due) == ("2020级品牌专业中期检查", DUE)
    assert check_round.entries.count() == 2
    page = client.get(response["Location"]).content.decode()
    assert first.title in page and second.title in page
    assert 'data-panel-form' in page


def test_refused_round_comes_back_with_the_form_as_typed(client, bureau_user, make_project):
    project = make_project()
    client.force_login(bureau_user)
    with on(OPENED):
        response = client.post(reverse("projects:check_round_create"), {
            "kind": "midterm", "call_category": project.application.call_category_id,
            "self_assessment_due": "2021-01-01", "name": "过期的轮次"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "cannot be due before today, 2021-09-01" in page
    assert 'value="过期的轮次"' in page
    assert CheckRound.objects.count() == 0


def test_only_the_bureau_opens_rounds(client, finance_city):
    client.force_login(finance_city)
    assert client.get(reverse("projects:check_round_create")).status_code == 403


def test_school_files_its_self_assessment_on_the_entry_page(client, make_project, open_round,
                                                            bureau_user):
    project = make_project()
    entry = entry_of(open_round([project]), project)
    client.force_login(school_of(project, "school-p"))
    url = reverse("projects:check_self_assessment", args=[entry.pk])
    with on(DUE):
        page = client.get(reverse("projects:check_entry", args=[entry.pk])).content.decode()
        assert 'id="self-assessment-form"' in page
        response = client.post(url, {"text": "年度任务全部完成。", "self_score": "88",
                                     "files": [pdf("a.pdf"), pdf("b.pdf")]})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.self_assessment, entry.self_score) == ("年度任务全部完成。", Decimal("88.00"))
    assert entry.files.count() == 2


def test_late_self_assessment_is_refused_and_the_text_kept(client, make_project, open_round):
    project = make_project()
    entry = entry_of(open_round([project]), project)
    client.force_login(school_of(project, "school-p"))
    with on(DUE + timedelta(days=1)):
        response = client.post(reverse("projects:check_self_assessment", args=[entry.pk]),
                               {"text": "迟到的自评"})
    assert response.status_code == 400
    assert "was due on 2021-10-15" in response.content.decode()
    entry.refresh_from_db()
    assert entry.submitted_at is None


def test_bureau_records_the_suggested_result(client, bureau_user, make_project, open_round):
    project = make_project()
    check_round = scored(open_round([project]), {project: "72"})
    entry = entry_of(check_round, project)
    client.force_login(bureau_user)
    page = client.get(reverse("projects:check_entry", args=[entry.pk])).content.decode()
    assert 'data-suggested="pass"' in page
    wrong = client.post(reverse("projects:check_result", args=[entry.pk]), {"result": "fail"})
    assert wrong.status_code == 400
    assert "gives “Pass”" in wrong.content.decode()
    right = client.post(reverse("projects:check_result", args=[entry.pk]),
                        {"result": "pass", "comment": "良好"})
    assert right.status_code == 302
    entry.refresh_from_db()
    assert entry.result == "pass"


def test_rectification_and_recheck_through_the_pages(client, bureau_user, make_project,
                                                     open_round):
    project = make_project()
    entry = entry_of(scored(open_round([project]), {project: "61"}), project)
    with on(OPENED + timedelta(days=40)):
        check_result_record(entry=entry, result="rectify", by=bureau_user)
        client.force_login(school_of(project, "school-r"))
        response = client.post(reverse("projects:check_rectification", args=[entry.pk]),
                               {"report": "已完成整改。", "files": [pdf("整改.pdf")]})
        assert response.status_code == 302
        client.force_login(bureau_user)
        response = client.post(reverse("projects:check_recheck", args=[entry.pk]),
                               {"result": "pass", "comment": ""})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.rectification_report, entry.recheck_result) == ("已完成整改。", "pass")


def test_round_list_has_no_n_plus_one(client, bureau_user, make_project, open_round,
                                      django_assert_num_queries):
    projects = [make_project(region="xishan") for _ in range(3)]
    open_round([projects[0]])
    client.force_login(bureau_user)
    client.get(reverse("projects:check_round_list"))  # sessions, memberships cached
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("projects:check_round_list")).status_code == 200
    cohort = projects[0].application.call_category
    for index in range(19):
        CheckRound.objects.create(kind="acceptance", name=f"轮次{index}", call_category=cohort,
                                  self_assessment_due=DUE, created_by=bureau_user)
        CheckEntry.objects.create(round=CheckRound.objects.latest("pk"),
                                  project=projects[index % 3])
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get(reverse("projects:check_round_list")).content.decode()
    assert page.count("data-round=") == 20


def test_round_page_has_no_n_plus_one(client, bureau_user, make_project, open_round,
                                      django_assert_num_queries):
    check_round = open_round([make_project(region="xishan")])
    client.force_login(bureau_user)
    url = reverse("projects:check_round_detail", args=[check_round.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).content.decode().count("data-entry=") == 1
    for _ in range(7):
        CheckEntry.objects.create(round=check_round, project=make_project(region="xishan"))
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(url).content.decode().count("data-entry=") == 8


def test_project_page_lists_its_checks(client, bureau_user, make_project, open_round):
    project = make_project()
    check_round = scored(open_round([project]), {project: "91"})
    check_result_record(entry=entry_of(check_round, project), result="pass", by=bureau_user,
                        today=OPENED)
    client.force_login(bureau_user)
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert 'id="project-checks"' in page
    assert check_round.name in page
    assert 'data-result="pass"' in page
    assert "Check result recorded" in page  # the history names the event


def test_word_notice_lists_the_midterm_results(client, bureau_user, make_project, open_round):
    good, weak = make_project(), make_project(region="xishan")
    check_round = scored(open_round([good, weak]), {good: "85", weak: "64"})
    check_result_record(entry=entry_of(check_round, good), result="pass", by=bureau_user,
                        today=OPENED)
    check_result_record(entry=entry_of(check_round, weak), result="rectify", by=bureau_user,
                        today=OPENED)
    client.force_login(bureau_user)
    response = client.get(reverse("projects:check_round_notice", args=[check_round.pk]))
    assert response.status_code == 200
    doc = Document(io.BytesIO(b"".join(response.streaming_content)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Notice of mid-term check results" in text
    assert "1 passed, 1 must rectify and 0 failed" in text
    rows = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert rows[1][2:] == [good.title, "85", "Pass"]
    assert rows[2][2:] == [weak.title, "64", "Rectification required (by 2021-11-30)"]


def test_word_notice_of_an_acceptance_round_lists_the_ratings(client, bureau_user, make_project,
                                                              open_round):
    studio = make_project("master_teacher_studio")
    check_round = scored(open_round([studio], kind="acceptance"), {studio: "93"})
    check_result_record(entry=entry_of(check_round, studio), result="excellent", by=bureau_user,
                        today=OPENED)
    client.force_login(bureau_user)
    response = client.get(reverse("projects:check_round_notice", args=[check_round.pk]))
    doc = Document(io.BytesIO(b"".join(response.streaming_content)))
    assert doc.paragraphs[0].text == "Notice of project acceptance results"
    assert [c.text for c in doc.tables[0].rows[1].cells][2:] == \
        [studio.title, studio.category.name, "93", "Excellent"]


def test_excel_sheet_of_a_round(client, bureau_user, make_project, open_round):
    project = make_project()
    check_round = scored(open_round([project]), {project: "58"})
    check_result_record(entry=entry_of(check_round, project), result="fail",
                        comment="进度滞后", by=bureau_user, today=OPENED)
    client.force_login(bureau_user)
    response = client.get(reverse("projects:check_round_export", args=[check_round.pk]))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("序号", "学校", "市（县）区", "项目名称")
    assert rows[1][3] == project.title
    assert (rows[1][8], rows[1][9], rows[1][14]) == (58, "Fail", "进度滞后")


def test_overdue_items(make_project, open_round, bureau_user):
    late, filed, rectifying = (make_project(region=r) for r in ("liangxi", "xishan", "huishan"))
    check_round = open_round([late, filed, rectifying])
    self_assessment_submit(entry=entry_of(check_round, filed), text="按时提交", by=school_of(
        filed, "s-filed"), today=OPENED)
    projects = Project.objects.all()
    assert overdue_check_items(projects, DUE) == []
    items = overdue_check_items(projects, DUE + timedelta(days=3))
    assert [(i.kind, i.project.pk, i.days_overdue) for i in items] == sorted(
        [("self_assessment", late.pk, 3), ("self_assessment", rectifying.pk, 3)],
        key=lambda t: Project.objects.get(pk=t[1]).title)
    scored(check_round, {rectifying: "63"})
    check_result_record(entry=entry_of(check_round, rectifying), result="rectify",
                        by=bureau_user, today=DUE)
    due = entry_of(check_round, rectifying).rectification_due
    kinds = {(i.kind, i.project.pk) for i in overdue_check_items(projects, due + timedelta(days=1))}
    assert ("rectification", rectifying.pk) in kinds
    assert overdue_check_items(Project.objects.filter(pk=filed.pk), due) == []


def test_panel_pages_label_a_check_panel(client, bureau_user, make_project, open_round):
    project = make_project()
    check_round = open_round([project])
    panel = check_panel_create(check_round=check_round, by=bureau_user)
    client.force_login(bureau_user)
    listing = client.get(reverse("reviews:panel_list")).content.decode()
    assert f'data-check-round="{check_round.pk}"' in listing
    detail = client.get(reverse("reviews:panel_detail", args=[panel.pk])).content.decode()
    assert reverse("projects:check_round_detail", args=[check_round.pk]) in detail
    assert reverse("projects:detail", args=[project.pk]) in detail
    Panel.objects.filter(pk=panel.pk).update(state=PanelState.REVIEWING)
    response = client.post(reverse("reviews:panel_close", args=[panel.pk]), {"reason": ""})
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:check_round_detail", args=[check_round.pk])


def test_bureau_collects_the_scores_of_the_closed_panel(client, bureau_user, make_project,
                                                        open_round, reviewers):
    project = make_project()
    check_round = open_round([project])
    panel = check_panel_create(check_round=check_round, by=bureau_user)
    for expert, total in zip(reviewers(3), ("70", "74", "78"), strict=True):
        assignment = Assignment.objects.create(panel=panel, application=project.application,
                                               expert=expert)
        Review.objects.create(assignment=assignment, state=ReviewState.SUBMITTED, scores={},
                              total=Decimal(total), submitted_at=timezone.now())
    Panel.objects.filter(pk=panel.pk).update(state=PanelState.CLOSED)
    client.force_login(bureau_user)
    url = reverse("projects:check_round_detail", args=[check_round.pk])
    assert "data-collect" in client.get(url).content.decode()
    response = client.post(reverse("projects:check_scores_collect", args=[check_round.pk]))
    assert response.status_code == 302
    assert entry_of(check_round, project).score == Decimal("74.00")  # fewer than 5: plain mean
    page = client.get(url).content.decode()
    assert "data-collect" not in page
    assert 'data-suggested="pass"' in page


def test_overdue_page_lists_late_self_assessments_in_scope(client, bureau_user, make_project,
                                                           open_round):
    late = make_project()
    other = make_project(region="xishan")
    open_round([late, other])
    school = school_of(late, "s-late")

    client.force_login(bureau_user)
    with on(DUE + timedelta(days=2)):
        page = client.get(reverse("projects:reports_pending")).content.decode()
    assert page.count('data-check-item="self_assessment"') == 2
    assert late.title in page and other.title in page

    client.force_login(school)
    with on(DUE + timedelta(days=2)):
        page = client.get(reverse("projects:reports_pending")).content.decode()
    assert page.count('data-check-item="self_assessment"') == 1
    assert other.title not in page

    with on(DUE - timedelta(days=1)):
        page = client.get(reverse("projects:reports_pending")).content.decode()
    assert "data-no-check-items" in page
