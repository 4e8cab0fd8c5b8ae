"""Performance evaluation services (R29): who evaluates what, scores with evidence, the
submission's total and grade; every refusal changes nothing."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import InstitutionFactory, UserFactory, membership
from tests.projects.evaluations.evaluation_fixtures import *  # noqa: F403
from tests.projects.evaluations.evaluation_fixtures import PDF, TODAY, all_scored, school_of
from vetq.audit.models import AuditEntry
from vetq.core.models import StoredFile
from vetq.notices.models import Notice
from vetq.programs.models import Program
from vetq.projects.evaluations import (
    ScoresRefused,
    evaluation_create,
    evaluation_score_set,
    evaluation_submit,
)
from vetq.projects.models import (
    EvaluationScore,
    PerformanceEvaluation,
    Project,
    ProjectEvent,
    ProjectState,
)
from vetq.projects.services import ProjectRefused

pytestmark = pytest.mark.integration


def snapshot() -> dict:
    """Everything an evaluation service could change."""
    return {
        "evaluations": list(PerformanceEvaluation.objects.order_by("pk").values_list(
            "state", "total", "grade", "conclusion", "submitted_at")),
        "scores": list(EvaluationScore.objects.order_by("pk").values_list(
            "indicator", "score", "evidence", "file")),
        "files": StoredFile.objects.count(),
        "events": ProjectEvent.objects.count(),
        "audit": AuditEntry.objects.count(),
        "notices": Notice.objects.count(),
    }


def refused(call, match: str):
    before = snapshot()
    with pytest.raises(ProjectRefused, match=match):
        call()
    assert snapshot() == before


def begin(by, project=None, **kwargs):
    return evaluation_create(by=by, project=project, today=TODAY, **kwargs)


# --- beginning ------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "evaluator"), [("school", "school"), ("bureau", "bureau"),
                                               ("finance", "finance")])
def test_the_evaluator_follows_the_role(project, school, bureau_user, finance_city, who,
                                        evaluator):
    user = {"school": school, "bureau": bureau_user, "finance": finance_city}[who]

    evaluation = begin(user, project, year=2021)

    assert (evaluation.evaluator, evaluation.year, evaluation.state, evaluation.project,
            evaluation.institution) == (evaluator, 2021, "draft", project, project.institution)
    copy = evaluation.indicator_set
    assert (copy["code"], copy["program"]) == ("project", project.category.program.code)
    assert copy["grading"]["excellent_from"] == "90"
    assert [g["name"] for g in copy["grading"]["grades"]] == ["优", "良", "中", "差"]
    event = ProjectEvent.objects.get(project=project, action="evaluation_created")
    assert event.after == {"evaluation": evaluation.pk, "year": 2021, "evaluator": evaluator,
                           "set": "project"}
    assert AuditEntry.objects.filter(action="evaluation.create").count() == 1


def test_people_who_evaluate_nothing_are_refused(project, regions, expert, viewer):
    officer = UserFactory(username="officer")
    membership(officer, "region_officer", region=regions["liangxi"])
    for user in (officer, expert, viewer):
        refused(lambda user=user: begin(user, project, year=2021),
                "made by a school \\(of itself\\), the education bureau or the finance bureau")


def test_a_school_evaluates_only_its_own_projects(project, regions):
    other = UserFactory(username="other-school")
    membership(other, "school_user", institution=InstitutionFactory(region=regions["liangxi"]))
    refused(lambda: begin(other, project, year=2021), "You may not evaluate this project")


def test_finance_evaluates_only_what_its_payer_pays(spread, finance_city, finance_yixing,
                                                    finance_jiangyin):
    refused(lambda: begin(finance_yixing, spread["city"], year=2021),
            "You may not evaluate this project")
    refused(lambda: begin(finance_city, spread["jiangyin"], year=2021),
            "You may not evaluate this project")
    refused(lambda: begin(finance_yixing, spread["commissioned"], year=2021),
            "You may not evaluate this project")
    assert begin(finance_city, spread["commissioned"], year=2021).evaluator == "finance"
    assert begin(finance_jiangyin, spread["jiangyin"], year=2021).evaluator == "finance"


@pytest.mark.parametrize(("year", "match"), [
    (2019, "Choose a year from 2020 to 2021"), (2022, "Choose a year from 2020 to 2021")])
def test_the_year_falls_within_the_project_and_not_in_the_future(project, bureau_user, year,
                                                                 match):
    refused(lambda: begin(bureau_user, project, year=year), match)


def test_a_withdrawn_project_is_not_evaluated(project, bureau_user):
    Project.objects.filter(pk=project.pk).update(state=ProjectState.WITHDRAWN)
    refused(lambda: begin(bureau_user, project, year=2021), "A withdrawn project is not evaluated")


def test_closed_and_failed_projects_are_evaluated(project, bureau_user):
    Project.objects.filter(pk=project.pk).update(state=ProjectState.CLOSED)
    assert begin(bureau_user, project, year=2021).state == "draft"


def test_one_evaluation_per_subject_year_and_evaluator(project, school, bureau_user):
    begin(school, project, year=2021)
    colleague = school_of(project, "colleague")
    refused(lambda: begin(colleague, project, year=2021),
            "There is already an evaluation of this project for 2021 by the same evaluator")
    begin(bureau_user, project, year=2021)
    begin(school, project, year=2020)


def test_a_subject_is_needed(bureau_user, project):
    refused(lambda: evaluation_create(by=bureau_user, today=TODAY),
            "Choose a project, or a school and a year")
    refused(lambda: evaluation_create(by=bureau_user, project=project,
                                      institution=project.institution, today=TODAY),
            "Choose a project, or a school and a year")


def test_a_schools_year_is_evaluated_with_the_school_year_set(project, school, bureau_user,
                                                              program):
    evaluation = evaluation_create(by=school, institution=project.institution, year=2019,
                                   today=TODAY)
    assert (evaluation.project, evaluation.indicator_set["code"], evaluation.evaluator) == (
        None, "school_year", "school")
    assert not ProjectEvent.objects.filter(action="evaluation_created").exists()
    refused(lambda: evaluation_create(by=bureau_user, institution=project.institution,
                                      year=2015, today=TODAY), "No program covers the year 2015")
    refused(lambda: evaluation_create(by=bureau_user, institution=project.institution,
                                      today=TODAY), "Choose the year to evaluate")


def test_schools_years_by_school_and_finance_stay_in_scope(regions, school, finance_city,
                                                           finance_jiangyin, program):
    liangxi, jiangyin = (InstitutionFactory(region=regions[code]) for code in ("liangxi",
                                                                               "jiangyin"))
    for user, institution in ((school, liangxi), (finance_city, jiangyin),
                              (finance_jiangyin, liangxi)):
        refused(lambda user=user, institution=institution: evaluation_create(
            by=user, institution=institution, year=2019, today=TODAY),
            "You may not evaluate this school")
    assert evaluation_create(by=finance_city, institution=liangxi, year=2019,
                             today=TODAY).evaluator == "finance"
    assert evaluation_create(by=finance_jiangyin, institution=jiangyin, year=2019,
                             today=TODAY).evaluator == "finance"


# --- scoring --------------------------------------------------------------------------------


def test_scores_are_saved_with_their_evidence_and_cleared_when_blank(project, school):
    evaluation = begin(school, project, year=2021)
    evaluation_score_set(evaluation=evaluation, by=school, conclusion="  初稿  ",
                         scores={"spent_rate": ("4.5", "支出 92%"), "tasks_done": (" 15 ", "")})
    assert dict(evaluation.scores.values_list("indicator", "score")) == {
        "spent_rate": Decimal("4.50"), "tasks_done": Decimal("15.00")}
    assert evaluation.scores.get(indicator="spent_rate").evidence == "支出 92%"
    evaluation.refresh_from_db()
    assert evaluation.conclusion == "初稿"

    evaluation_score_set(evaluation=evaluation, by=school, scores={"tasks_done": ("", "")})

    assert list(evaluation.scores.values_list("indicator", flat=True)) == ["spent_rate"]
    assert ProjectEvent.objects.filter(action="evaluation_scored").count() == 2


def test_an_evidence_file_is_kept_with_its_score(project, school):
    evaluation = begin(school, project, year=2021)
    upload = SimpleUploadedFile("支出明细.pdf", PDF, content_type="application/pdf")
    evaluation_score_set(evaluation=evaluation, by=school, scores={"spent_rate": ("5", "")},
                         files={"spent_rate": upload})
    row = evaluation.scores.get(indicator="spent_rate")
    assert (row.file.original_name, row.file.extension) == ("支出明细.pdf", "pdf")


@pytest.mark.parametrize(("scores", "match"), [
    ({"spent_rate": ("5.01", "")}, "“Share of the budget spent”: enter a score from 0 to 5."),
    ({"spent_rate": ("-1", "")}, "enter a score from 0 to 5"),
    ({"spent_rate": ("abc", "")}, "enter a score from 0 to 5"),
    ({"spent_rate": ("NaN", "")}, "enter a score from 0 to 5"),
    ({"spent_rate": ("4.555", "")}, "enter the score with at most two decimals"),
    ({"spent_rate": ("", "支出 92%")}, "“Share of the budget spent”: enter a score to go with "
                                        "the evidence."),
    ({"nonsense": ("1", "")}, "“nonsense” is not an indicator of this evaluation"),
    ({"spent_rate": ("5", "x" * 5001)}, "the evidence may have at most 5000 characters"),
])
def test_bad_scores_are_refused(project, school, scores, match):
    evaluation = begin(school, project, year=2021)
    evaluation_score_set(evaluation=evaluation, by=school, scores={"tasks_done": ("10", "")})
    refused(lambda: evaluation_score_set(evaluation=evaluation, by=school, scores={
        "tasks_done": ("12", "changed"), **scores}), match)


def test_every_bad_score_is_named(project, school):
    evaluation = begin(school, project, year=2021)
    with pytest.raises(ScoresRefused) as exc:
        evaluation_score_set(evaluation=evaluation, by=school, scores={
            "spent_rate": ("6", ""), "tasks_done": ("16", ""), "talent": ("9", "")})
    assert sorted(exc.value.problems) == ["spent_rate", "tasks_done"]


def test_an_evidence_file_that_fails_the_upload_checks_saves_nothing(project, school):
    evaluation = begin(school, project, year=2021)
    upload = SimpleUploadedFile("证明.pdf", b"MZ\x90\x00 not a document", content_type="application/pdf")
    refused(lambda: evaluation_score_set(evaluation=evaluation, by=school,
                                         scores={"spent_rate": ("5", "见附件")},
                                         files={"spent_rate": upload}),
            "“Share of the budget spent”: Only PDF, Word, Excel and image files are accepted.")


def test_only_its_evaluator_changes_an_evaluation(project, school, bureau_user, finance_city):
    evaluation = begin(school, project, year=2021)
    for user in (bureau_user, finance_city):
        refused(lambda user=user: evaluation_score_set(
            evaluation=evaluation, by=user, scores={"spent_rate": ("5", "")}),
            "Only the evaluator who began this evaluation may change it")
        refused(lambda user=user: evaluation_submit(evaluation=evaluation, by=user,
                                                    conclusion="x"),
                "Only the evaluator who began this evaluation may change it")
    evaluation_score_set(evaluation=evaluation, by=school_of(project, "colleague"),
                         scores={"spent_rate": ("5", "")})


# --- submitting -----------------------------------------------------------------------------


def test_submission_computes_total_and_grade_and_is_final(project, school, bureau_user):
    evaluation = begin(school, project, year=2021)
    evaluation_score_set(evaluation=evaluation, by=school,
                         scores=all_scored(evaluation, tasks_done="7.5", talent="8.25"))
    Notice.objects.all().delete()

    submitted = evaluation_submit(evaluation=evaluation, by=school, conclusion="总体完成良好。")

    # 100 − (15 − 7.5) − (10 − 8.25) = 90.75
    assert (submitted.state, submitted.total, submitted.grade, submitted.conclusion) == (
        "submitted", Decimal("90.75"), "excellent", "总体完成良好。")
    assert submitted.submitted_at is not None
    event = ProjectEvent.objects.get(project=project, action="evaluated")
    assert event.after["subtotals"] == {"budget": "10.00", "outputs": "42.50",
                                        "outcomes": "28.25", "satisfaction": "10.00"}
    assert (event.after["total"], event.after["grade"]) == ("90.75", "excellent")
    # a self-evaluation goes to the bureau, not back to the school
    assert list(Notice.objects.values_list("user", "kind", "params")) == [
        (bureau_user.pk, "evaluation.submitted_school",
         {"year": 2021, "subject": "梁溪项目", "total": "90.75", "grade": "优"})]
    refused(lambda: evaluation_submit(evaluation=evaluation, by=school),
            "This evaluation was submitted and is final")
    refused(lambda: evaluation_score_set(evaluation=evaluation, by=school,
                                         scores={"spent_rate": ("1", "")}),
            "This evaluation was submitted and is final")


@pytest.mark.parametrize(("less", "grade"), [("0", "excellent"), ("10.01", "good"),
                                            ("10", "excellent")])
def test_grades_follow_the_bands(project, bureau_user, less, grade):
    evaluation = begin(bureau_user, project, year=2021)
    # the first indicator (spent_rate, 5 points) and tasks_done (15) carry what is taken off
    scores = all_scored(evaluation, tasks_done=Decimal(15) - Decimal(less))
    evaluation_score_set(evaluation=evaluation, by=bureau_user, scores=scores)
    assert evaluation_submit(evaluation=evaluation, by=bureau_user,
                             conclusion="结论").grade == grade


def test_a_bureau_evaluation_is_sent_to_the_school(project, school, bureau_user):
    evaluation = begin(bureau_user, project, year=2021)
    evaluation_score_set(evaluation=evaluation, by=bureau_user,
                         scores=all_scored(evaluation, tasks_done="0", talent="0", benefits="0",
                                           demonstration="0", mechanism="0"))
    Notice.objects.all().delete()
    submitted = evaluation_submit(evaluation=evaluation, by=bureau_user, conclusion="差。")
    assert (submitted.total, submitted.grade) == (Decimal("63.00"), "fair")
    users = set(Notice.objects.values_list("user", flat=True))
    assert school.pk in users and bureau_user.pk not in users
    assert set(Notice.objects.values_list("kind", flat=True)) == {"evaluation.submitted_bureau"}


def test_submission_needs_every_score_and_a_conclusion(project, school):
    evaluation = begin(school, project, year=2021)
    scores = all_scored(evaluation)
    del scores["talent"], scores["partners"]
    evaluation_score_set(evaluation=evaluation, by=school, scores=scores)
    refused(lambda: evaluation_submit(evaluation=evaluation, by=school, conclusion="结论"),
            "still to score: Better-trained students、Partner enterprises' satisfaction")
    evaluation_score_set(evaluation=evaluation, by=school, scores=all_scored(evaluation))
    refused(lambda: evaluation_submit(evaluation=evaluation, by=school, conclusion=" "),
            "Please write the evaluation's conclusion")


def test_the_bands_are_those_copied_when_the_evaluation_began(project, bureau_user):
    evaluation = begin(bureau_user, project, year=2021)
    program = Program.objects.get(pk=project.category.program_id)
    program.policy = {**program.policy, "evaluation": {**program.policy["evaluation"],
                                                       "excellent_from": "95"}}
    program.save(update_fields=["policy"])
    evaluation_score_set(evaluation=evaluation, by=bureau_user,
                         scores=all_scored(evaluation, tasks_done="9"))
    assert evaluation_submit(evaluation=evaluation, by=bureau_user,
                             conclusion="结论").grade == "excellent"  # 94 under the copy's 90
    later = begin(bureau_user, project, year=2020)
    evaluation_score_set(evaluation=later, by=bureau_user,
                         scores=all_scored(later, tasks_done="9"))
    assert evaluation_submit(evaluation=later, by=bureau_user, conclusion="结论").grade == "good"


def test_the_years_submitted_evaluations_feed_the_annual_reports(spread, bureau_user,
                                                                 finance_city):
    from vetq.projects.evaluation_queries import evaluations_for_year, grade_counts

    city = spread["city"]
    done = []
    for by, project, year, less in ((bureau_user, city, 2020, {}),  # 100
                                    (finance_city, city, 2020, {"tasks_done": "0"}),  # 85
                                    (bureau_user, spread["yixing"], 2020,
                                     {"tasks_done": "0", "talent": "0"}),  # 75
                                    (bureau_user, city, 2021, {})):
        evaluation = begin(by, project, year=year)
        evaluation_score_set(evaluation=evaluation, by=by,
                             scores=all_scored(evaluation, **less))
        done.append(evaluation_submit(evaluation=evaluation, by=by, conclusion="结论"))
    begin(school_of(city, "s-city"), city, year=2020)  # a draft is not reported

    year = list(evaluations_for_year(2020))
    assert sorted(e.pk for e in year) == sorted(e.pk for e in done[:3])
    assert grade_counts(year) == {"excellent": 1, "good": 1, "fair": 1, "poor": 0}
    mine = evaluations_for_year(2020, institution=city.institution)
    assert sorted(e.pk for e in mine) == sorted(e.pk for e in done[:2])
    assert len(mine[0].scores.all()) == 16
