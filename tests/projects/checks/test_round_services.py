"""Opening a check round, the schools' self-assessments, the expert panel and closing the
round: what each service does, and each refusal, which changes nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.projects.acceptance_fixtures import school_of
from tests.projects.checks.conftest import DUE, OPENED, entry_of, pdf, scored
from vetq.audit.models import AuditEntry
from vetq.notices.models import Notice
from vetq.projects.checks import (
    check_panel_create,
    check_round_close,
    check_round_create,
    check_scores_collect,
    self_assessment_submit,
)
from vetq.projects.models import (
    CheckEntry,
    CheckFile,
    CheckRound,
    ProjectEvent,
    ProjectState,
)
from vetq.projects.services import ProjectRefused
from vetq.reviews.models import Panel, PanelState

pytestmark = pytest.mark.integration


def nothing_changed(rounds: int = 0, entries: int = 0) -> None:
    assert CheckRound.objects.count() == rounds
    assert CheckEntry.objects.count() == entries


# --- opening a round -------------------------------------------------------------------------

def test_round_takes_every_active_project_of_the_cohort(make_project, bureau_user):
    first, second = make_project(), make_project(region="xishan")
    other_cohort = make_project("master_teacher_studio")
    cohort = first.application.call_category
    check_round = check_round_create(kind="midterm", call_category=cohort, by=bureau_user,
                                     today=OPENED)
    assert sorted(check_round.entries.values_list("project_id", flat=True)) == \
        sorted([first.pk, second.pk])
    assert other_cohort.checks.count() == 0
    assert check_round.self_assessment_due == OPENED + timedelta(days=30)  # policy default
    assert check_round.state == "open"
    assert check_round.rubric["code"] == "midterm"
    assert [c["code"] for c in check_round.rubric["criteria"]] == \
        ["progress", "funds", "quality", "management"]
    assert check_round.rules["midterm_pass_from"] == "70"
    assert check_round.rules["rectification_days"] == 90
    assert ProjectEvent.objects.filter(project=first, action="check_opened").count() == 1
    assert Notice.objects.filter(kind="project.check_opened").count() == 2
    assert AuditEntry.objects.filter(action="check_round.create").count() == 1


def test_acceptance_round_copies_the_acceptance_rubric(make_project, open_round):
    check_round = open_round([make_project()], kind="acceptance")
    assert check_round.rubric["code"] == "acceptance"
    assert check_round.rules["excellent_from"] == "90"


def test_round_name_defaults_to_cohort_and_kind(make_project, open_round):
    project = make_project()
    check_round = open_round([project])
    year = project.application.call_category.call.year
    assert check_round.name == f"{year} {project.category.name}: Mid-term check"


def test_round_refused_to_anyone_but_the_bureau(make_project, finance_city):
    project = make_project()
    with pytest.raises(ProjectRefused, match="Only the education bureau"):
        check_round_create(kind="midterm", call_category=project.application.call_category,
                           by=finance_city, today=OPENED)
    nothing_changed()


def test_round_refuses_an_empty_cohort(make_project, bureau_user, call_category):
    make_project()
    with pytest.raises(ProjectRefused, match="No project under construction"):
        check_round_create(kind="midterm", call_category=call_category("master_teacher_studio"),
                           by=bureau_user, today=OPENED)
    nothing_changed()


def test_round_refuses_an_inactive_project(make_project, open_round):
    active, closed = make_project(), make_project(region="xishan")
    closed.state = ProjectState.CLOSED
    closed.save()
    with pytest.raises(ProjectRefused, match="no longer under construction: " + closed.title):
        open_round([active, closed])
    nothing_changed()


def test_round_refuses_a_project_of_another_cohort(make_project, open_round):
    brand, studio = make_project(), make_project("master_teacher_studio")
    with pytest.raises(ProjectRefused, match="not of the cohort"):
        open_round([brand, studio])
    nothing_changed()


def test_round_refuses_a_project_in_an_unfinished_round_of_the_same_kind(make_project, open_round):
    project = make_project()
    open_round([project])
    with pytest.raises(ProjectRefused, match="already in an unfinished round"):
        open_round([project])
    nothing_changed(rounds=1, entries=1)
    open_round([project], kind="acceptance")  # another kind is another matter
    assert CheckRound.objects.count() == 2


def test_round_refuses_a_due_date_in_the_past(make_project, bureau_user):
    project = make_project()
    with pytest.raises(ProjectRefused, match="cannot be due before today, 2021-09-01"):
        check_round_create(kind="midterm", call_category=project.application.call_category,
                           by=bureau_user, self_assessment_due=OPENED - timedelta(days=1),
                           today=OPENED)
    nothing_changed()


def test_round_refuses_a_policy_without_the_rubric(make_project, bureau_user, program):
    project = make_project()
    program.policy["projects"]["midterm_rubric"] = None
    program.save(update_fields=["policy"])
    with pytest.raises(ProjectRefused, match="names no rubric for the Mid-term check"):
        check_round_create(kind="midterm", call_category=project.application.call_category,
                           by=bureau_user, today=OPENED)
    program.policy["projects"]["midterm_rubric"] = "gone"
    program.save(update_fields=["policy"])
    with pytest.raises(ProjectRefused, match="no rubric “gone”"):
        check_round_create(kind="midterm", call_category=project.application.call_category,
                           by=bureau_user, today=OPENED)
    nothing_changed()


def test_round_refuses_an_unknown_kind(make_project, bureau_user):
    project = make_project()
    with pytest.raises(ProjectRefused, match="mid-term check or an acceptance"):
        check_round_create(kind="audit", call_category=project.application.call_category,
                           by=bureau_user, today=OPENED)
    nothing_changed()


# --- self-assessments -----------------------------------------------------------------------

def test_school_files_its_self_assessment_with_evidence(make_project, open_round, bureau_user):
    project = make_project()
    entry = entry_of(open_round([project]), project)
    school = school_of(project, "school-a")
    self_assessment_submit(entry=entry, text="三年建设任务已完成一半。", self_score="78.5",
                           files=[pdf(), pdf("照片.pdf")], by=school, today=DUE)
    entry.refresh_from_db()
    assert entry.self_assessment == "三年建设任务已完成一半。"
    assert entry.self_score == Decimal("78.50")
    assert entry.submitted_by == school
    assert sorted(f.file.original_name for f in entry.files.all()) == ["照片.pdf", "自评佐证.pdf"]
    assert set(entry.files.values_list("purpose", flat=True)) == {"self_assessment"}
    assert ProjectEvent.objects.filter(project=project, action="self_assessment_filed").count() == 1
    assert Notice.objects.filter(kind="project.self_assessment_filed", user=bureau_user).count() == 1


def test_self_assessment_filed_again_replaces_the_text_and_adds_files(make_project, open_round):
    project = make_project()
    entry = entry_of(open_round([project]), project)
    school = school_of(project, "school-a")
    self_assessment_submit(entry=entry, text="初稿", files=[pdf()], by=school, today=OPENED)
    self_assessment_submit(entry=entry, text="定稿", files=[pdf("补充.pdf")], by=school,
                           today=OPENED)
    entry.refresh_from_db()
    assert entry.self_assessment == "定稿"
    assert entry.files.count() == 2
    assert ProjectEvent.objects.filter(project=project, action="self_assessment_updated").count() == 1


def _refused(entry, match, **kwargs):
    before = CheckEntry.objects.values().get(pk=entry.pk)
    files = CheckFile.objects.count()
    kwargs.setdefault("today", OPENED)
    kwargs.setdefault("text", "自评")
    with pytest.raises(ProjectRefused, match=match):
        self_assessment_submit(entry=entry, **kwargs)
    assert CheckEntry.objects.values().get(pk=entry.pk) == before
    assert CheckFile.objects.count() == files


def test_self_assessment_after_the_due_date_is_refused_with_the_date(make_project, open_round):
    project = make_project()
    entry = entry_of(open_round([project]), project)
    _refused(entry, "was due on 2021-10-15", by=school_of(project, "s"),
             today=DUE + timedelta(days=1))


def test_self_assessment_only_by_the_projects_school(make_project, open_round, bureau_user,
                                                     other_school_user):
    project = make_project()
    entry = entry_of(open_round([project]), project)
    _refused(entry, "Only the project's school", by=other_school_user)
    _refused(entry, "Only the project's school", by=bureau_user)


def test_self_assessment_needs_text_and_a_score_in_range(make_project, open_round):
    project = make_project()
    entry = entry_of(open_round([project]), project)
    school = school_of(project, "s")
    _refused(entry, "Please write the self-assessment", by=school, text="  ")
    _refused(entry, "from 0 to 100", by=school, self_score="101")
    _refused(entry, "from 0 to 100", by=school, self_score="八十")


def test_acceptance_self_assessment_needs_the_summary_report(make_project, open_round):
    project = make_project()
    entry = entry_of(open_round([project], kind="acceptance"), project)
    _refused(entry, "Please write the summary report", by=school_of(project, "s"))


def test_self_assessment_refuses_a_file_failing_the_upload_checks(make_project, open_round):
    project = make_project()
    entry = entry_of(open_round([project]), project)
    fake = SimpleUploadedFile("病毒.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    _refused(entry, "病毒.pdf", by=school_of(project, "s"), files=[pdf(), fake])


def test_self_assessment_refused_once_the_experts_score(make_project, open_round, bureau_user):
    project = make_project()
    check_round = open_round([project])
    entry = entry_of(check_round, project)
    panel = check_panel_create(check_round=check_round, by=bureau_user)
    school = school_of(project, "s")
    self_assessment_submit(entry=entry, text="抽取前仍可提交", by=school, today=OPENED)
    Panel.objects.filter(pk=panel.pk).update(state=PanelState.REVIEWING)
    _refused(entry, "the experts have started scoring", by=school)


def test_self_assessment_refused_for_a_project_no_longer_active(make_project, open_round):
    project = make_project()
    entry = entry_of(open_round([project]), project)
    project.state = ProjectState.WITHDRAWN
    project.save()
    _refused(entry, "no longer under construction", by=school_of(project, "s"))


# --- the expert panel --------------------------------------------------------------------------

def test_panel_of_a_round_is_a_review_panel_of_its_cohort(make_project, open_round, bureau_user):
    first, second = make_project(), make_project(region="xishan")
    check_round = open_round([first, second])
    panel = check_panel_create(check_round=check_round, by=bureau_user)
    assert panel.check_round == check_round
    assert panel.call_category == first.application.call_category
    assert panel.state == PanelState.DRAFT
    assert panel.rubric == check_round.rubric
    assert panel.rules["experts_per_application"] == 5
    assert sorted(panel.applications.values_list("pk", flat=True)) == \
        sorted([first.application_id, second.application_id])
    check_round.refresh_from_db()
    assert check_round.state == "reviewing"
    first.application.refresh_from_db()
    assert first.application.state == "approved"


def test_panel_leaves_out_projects_no_longer_active(make_project, open_round, bureau_user):
    first, second = make_project(), make_project(region="xishan")
    check_round = open_round([first, second])
    second.state = ProjectState.WITHDRAWN
    second.save()
    panel = check_panel_create(check_round=check_round, by=bureau_user)
    assert list(panel.applications.values_list("pk", flat=True)) == [first.application_id]


def test_panel_refusals_change_nothing(make_project, open_round, bureau_user, finance_city):
    project = make_project()
    check_round = open_round([project])
    with pytest.raises(ProjectRefused, match="Only the education bureau"):
        check_panel_create(check_round=check_round, by=finance_city)
    with pytest.raises(ProjectRefused, match="deadline must be in the future"):
        check_panel_create(check_round=check_round, by=bureau_user,
                           review_deadline=timezone.now() - timedelta(hours=1))
    assert Panel.objects.count() == 0
    project.state = ProjectState.WITHDRAWN
    project.save()
    with pytest.raises(ProjectRefused, match="No project of this round is under construction"):
        check_panel_create(check_round=check_round, by=bureau_user)
    assert Panel.objects.count() == 0
    check_round.refresh_from_db()
    assert check_round.state == "open"


def test_second_panel_refused(make_project, open_round, bureau_user):
    check_round = open_round([make_project()])
    check_panel_create(check_round=check_round, by=bureau_user)
    with pytest.raises(ProjectRefused, match="already set up"):
        check_panel_create(check_round=check_round, by=bureau_user)
    assert Panel.objects.count() == 1


# --- collecting and closing -----------------------------------------------------------------

def test_collect_refused_before_the_panel_is_closed(make_project, open_round, bureau_user):
    check_round = open_round([make_project()])
    with pytest.raises(ProjectRefused, match="not in expert scoring"):
        check_scores_collect(check_round=check_round, by=bureau_user)
    check_panel_create(check_round=check_round, by=bureau_user)
    with pytest.raises(ProjectRefused, match="Close the round's expert panel first"):
        check_scores_collect(check_round=check_round, by=bureau_user)
    assert CheckEntry.objects.filter(score__isnull=False).count() == 0


def test_close_refused_while_results_are_missing(make_project, open_round, bureau_user):
    project = make_project()
    check_round = open_round([project])
    with pytest.raises(ProjectRefused, match="Only a round in expert scoring"):
        check_round_close(check_round=check_round, by=bureau_user)
    panel = check_panel_create(check_round=check_round, by=bureau_user)
    Panel.objects.filter(pk=panel.pk).update(state=PanelState.CLOSED)
    scored(check_round, {project: 65})
    with pytest.raises(ProjectRefused, match="1 project\\(s\\) still wait .*" + project.title):
        check_round_close(check_round=check_round, by=bureau_user)
    check_round.refresh_from_db()
    assert check_round.state == "reviewing"


def test_close_counts_a_project_that_left_the_round_as_done(make_project, open_round, bureau_user):
    project = make_project()
    check_round = open_round([project])
    panel = check_panel_create(check_round=check_round, by=bureau_user)
    Panel.objects.filter(pk=panel.pk).update(state=PanelState.CLOSED)
    project.state = ProjectState.WITHDRAWN
    project.save()
    closed = check_round_close(check_round=check_round, by=bureau_user)
    assert closed.state == "closed"
    assert closed.closed_at is not None
