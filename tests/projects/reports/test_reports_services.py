"""The progress report services: the school saves, adds evidence and submits; the bureau
accepts or returns; each refusal says why and leaves the report, its files, its history and
the notices as they were."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.projects.reports.conftest import FILLED, pdf
from vetq.audit.models import AuditEntry
from vetq.core.models import StoredFile
from vetq.core.uploads import UploadRefused
from vetq.notices.models import Notice
from vetq.projects.models import ProgressReport, Project, ReportEvent, ReportFile
from vetq.projects.reports import (
    ReportRefused,
    report_accept,
    report_file_add,
    report_file_remove,
    report_return,
    report_save,
    report_submit,
)
from vetq.projects.services import ProjectRefused

pytestmark = pytest.mark.integration


def state_of(report) -> tuple:
    """Everything a refusal must leave as it was."""
    report.refresh_from_db()
    return (report.state, report.text, report.indicators, report.spending, report.spending_items,
            report.submitted_at, report.decided_at, report.decision_comment,
            ReportEvent.objects.filter(report=report).count(),
            ReportFile.objects.filter(report=report).count(), StoredFile.objects.count(),
            Notice.objects.count(), AuditEntry.objects.count())


def save(report, by, **changes):
    return report_save(report=report, by=by, **{**FILLED, **changes})


def filed(report, by):
    save(report, by)
    return report_submit(report=report, by=by)


# --- saving ---------------------------------------------------------------------------------

def test_school_saves_its_report_against_the_years_milestones_and_budget(report, school_a):
    saved = save(report, school_a)

    saved.refresh_from_db()
    assert saved.text == "完成了建设方案论证和实训设备采购。"
    assert saved.indicators == [
        {"milestone": "完成建设方案论证", "reached": True, "figure": "100%", "note": "已验收"},
        {"milestone": "采购实训设备", "reached": False, "figure": "80%", "note": "部分设备到货"},
    ]
    # A blank total takes the sum of the items.
    assert saved.spending == Decimal("42000.50")
    assert saved.spending_items == [{"item": "equipment", "amount": "30000.00"},
                                    {"item": "training", "amount": "12000.50"}]
    assert saved.state == "due"
    assert list(saved.events.values_list("action", "by")) == [("saved", school_a.pk)]
    assert AuditEntry.objects.filter(action="report.save").count() == 1


def test_saving_the_same_again_writes_no_history(report, school_a):
    save(report, school_a)
    save(report, school_a)
    assert report.events.count() == 1


def test_the_second_years_report_answers_its_own_milestone(project, school_a):
    second = project.reports.get(year=2)
    save(second, school_a, indicators=[{"reached": True, "figure": "1个", "note": ""}])
    second.refresh_from_db()
    assert second.indicators == [{"milestone": "建成实训中心", "reached": True, "figure": "1个",
                                  "note": ""}]


def test_a_total_that_matches_the_items_is_kept(report, school_a):
    save(report, school_a, spending="42000.5")
    report.refresh_from_db()
    assert report.spending == Decimal("42000.50")


@pytest.mark.parametrize(("changes", "messages"), [
    ({"spending": "-5", "spending_items": []},
     ["Spending in the period: an amount cannot be negative."]),
    ({"spending": "12.345", "spending_items": []},
     ["Spending in the period: “12.345” is not an amount in yuan with at most two decimals."]),
    ({"spending": "abc", "spending_items": []},
     ["Spending in the period: “abc” is not an amount in yuan with at most two decimals."]),
    ({"spending": "100"},
     ["The spending in the period, 100 yuan, is not the sum of the budget items, "
      "42,000.50 yuan."]),
    ({"spending_items": [{"item": "materials", "amount": "10"}]},
     ["“materials” is not a budget item of this project."]),
    ({"spending_items": [{"item": "equipment", "amount": "10"},
                         {"item": "equipment", "amount": "20"}]},
     ["Equipment is reported twice."]),
    ({"spending_items": [{"item": "training", "amount": "-1"}]},
     ["Training: an amount cannot be negative."]),
    ({"indicators": [{}, {}, {}]}, ["The report answers more milestones than the year has."]),
    ({"text": "字" * 20_001}, ["The progress text may have at most 20000 characters."]),
])
def test_malformed_input_is_refused_and_nothing_changes(report, school_a, changes, messages):
    before = state_of(report)
    with pytest.raises(ReportRefused) as refused:
        save(report, school_a, **changes)
    assert refused.value.messages == messages
    assert state_of(report) == before


def test_every_problem_is_named_at_once(report, school_a):
    with pytest.raises(ReportRefused) as refused:
        save(report, school_a, spending="-1", spending_items=[{"item": "nope", "amount": "1"}])
    assert refused.value.messages == ["Spending in the period: an amount cannot be negative.",
                                      "“nope” is not a budget item of this project."]


def test_the_refusal_is_the_projects_refusal(report, school_b):
    with pytest.raises(ProjectRefused):
        save(report, school_b)


@pytest.mark.parametrize("who", ["school_b", "bureau_user", "finance_city"])
def test_only_the_projects_school_writes_its_report(report, request, who):
    user = request.getfixturevalue(who)
    before = state_of(report)
    with pytest.raises(ReportRefused) as refused:
        save(report, user)
    assert str(refused.value) == "Only the school's own users can write its progress reports."
    assert state_of(report) == before


@pytest.mark.parametrize("state", ["closed", "failed", "withdrawn"])
def test_no_report_after_the_project_closed(report, school_a, state):
    Project.objects.filter(pk=report.project_id).update(state=state)
    before = state_of(report)
    label = {"closed": "Closed", "failed": "Failed acceptance", "withdrawn": "Withdrawn"}[state]
    for attempt in (lambda: save(report, school_a),
                    lambda: report_submit(report=report, by=school_a),
                    lambda: report_file_add(report=report, upload=pdf(), by=school_a)):
        with pytest.raises(ReportRefused) as refused:
            attempt()
        assert str(refused.value) == (
            f"A progress report cannot be filed after the project closed: this project is "
            f"{label}.")
    assert state_of(report) == before


# --- submitting -----------------------------------------------------------------------------

def test_school_submits_and_the_bureau_is_notified(report, school_a, bureau_user):
    save(report, school_a)
    submitted = report_submit(report=report, by=school_a)

    assert (submitted.state, submitted.submitted_by) == ("submitted", school_a)
    assert submitted.submitted_at is not None
    notice = Notice.objects.get(kind="report.submitted")
    assert notice.user == bureau_user
    assert notice.params == {"title": "梁溪品牌专业", "year": 1,
                             "institution": report.project.institution.name}
    assert notice.url == f"/projects/reports/{report.pk}/"
    assert list(report.events.values_list("action", flat=True)) == ["saved", "submitted"]
    assert AuditEntry.objects.filter(action="report.submitted").count() == 1


def test_submitting_needs_the_text_and_the_spending(report, school_a):
    save(report, school_a, text="", spending="", spending_items=[])
    before = state_of(report)
    with pytest.raises(ReportRefused) as refused:
        report_submit(report=report, by=school_a)
    assert refused.value.messages == [
        "Write what was done in the year before submitting.",
        "Enter the spending in the period (0 if nothing was spent) before submitting."]
    assert state_of(report) == before


def test_zero_spending_may_be_submitted(report, school_a):
    save(report, school_a, spending="0", spending_items=[])
    assert report_submit(report=report, by=school_a).spending == Decimal("0.00")


def test_a_report_cannot_be_submitted_before_its_year_ends(report, school_a):
    save(report, school_a)
    before = state_of(report)
    with pytest.raises(ReportRefused) as refused:
        report_submit(report=report, by=school_a, today=date(2021, 2, 28))
    assert str(refused.value) == ("The report on construction year 1 can be submitted from "
                                  "2021-03-01, the last day of the year it reports on.")
    assert state_of(report) == before
    assert report_submit(report=report, by=school_a, today=date(2021, 3, 1)).state == "submitted"


def test_a_submitted_report_cannot_be_changed_or_submitted_again(report, school_a):
    filed(report, school_a)
    before = state_of(report)
    for attempt in (lambda: save(report, school_a, text="改"),
                    lambda: report_submit(report=report, by=school_a),
                    lambda: report_file_add(report=report, upload=pdf(), by=school_a)):
        with pytest.raises(ReportRefused) as refused:
            attempt()
        assert str(refused.value) == ("This report is Submitted; it can be changed only while "
                                      "it is not yet filed or after the bureau returned it.")
    assert state_of(report) == before


# --- the bureau -----------------------------------------------------------------------------

def test_bureau_accepts_and_the_school_is_notified(report, school_a, bureau_user):
    filed(report, school_a)
    accepted = report_accept(report=report, comment="完成较好", by=bureau_user)

    assert (accepted.state, accepted.decided_by, accepted.decision_comment) == (
        "accepted", bureau_user, "完成较好")
    assert set(Notice.objects.filter(kind="report.accepted").values_list("user", flat=True)) \
        >= {school_a.pk}
    assert report.events.last().action == "accepted"
    assert AuditEntry.objects.filter(action="report.accept").count() == 1


def test_a_returned_report_is_revised_and_submitted_again(report, school_a, bureau_user):
    filed(report, school_a)
    returned = report_return(report=report, comment="请补充佐证材料", by=bureau_user)
    assert (returned.state, returned.decision_comment) == ("returned", "请补充佐证材料")
    notice = Notice.objects.get(kind="report.returned", user=school_a)
    assert notice.params["comment"] == "请补充佐证材料"

    save(report, school_a, text="已补充")
    report_file_add(report=report, upload=pdf(), by=school_a)
    again = report_submit(report=report, by=school_a)
    assert (again.state, again.text, again.decided_at, again.decision_comment) == (
        "submitted", "已补充", None, "")
    report_accept(report=report, by=bureau_user)
    assert list(report.events.values_list("action", flat=True)) == [
        "saved", "submitted", "returned", "saved", "file_added", "resubmitted", "accepted"]


def test_returning_needs_a_comment(report, school_a, bureau_user):
    filed(report, school_a)
    before = state_of(report)
    with pytest.raises(ReportRefused) as refused:
        report_return(report=report, comment="  ", by=bureau_user)
    assert str(refused.value) == "Please say what the school must revise."
    assert state_of(report) == before


@pytest.mark.parametrize("who", ["school_a", "finance_city"])
def test_only_the_bureau_decides(report, school_a, request, who):
    user = request.getfixturevalue(who)
    filed(report, school_a)
    before = state_of(report)
    for decide in (report_accept, lambda **kw: report_return(comment="退回", **kw)):
        with pytest.raises(ReportRefused) as refused:
            decide(report=report, by=user)
        assert str(refused.value) == "Only the education bureau accepts or returns progress reports."
    assert state_of(report) == before


def test_only_a_submitted_report_is_decided(report, school_a, bureau_user):
    before = state_of(report)
    with pytest.raises(ReportRefused) as refused:
        report_accept(report=report, by=bureau_user)
    assert str(refused.value) == "Only a submitted report can be decided; this one is Not yet filed."
    filed(report, school_a)
    report_accept(report=report, by=bureau_user)
    with pytest.raises(ReportRefused):
        report_return(report=report, comment="再退回", by=bureau_user)
    assert ProgressReport.objects.get(pk=report.pk).state == "accepted"
    assert before[0] == "due"


# --- evidence -------------------------------------------------------------------------------

def test_school_adds_and_removes_evidence(report, school_a):
    added = report_file_add(report=report, upload=pdf("合同.pdf"), by=school_a)
    assert (added.file.original_name, added.file.extension) == ("合同.pdf", "pdf")
    stored = added.file.pk
    report_file_remove(file=added, by=school_a)
    assert not ReportFile.objects.exists()
    assert not StoredFile.objects.filter(pk=stored).exists()
    assert list(report.events.values_list("action", "comment")) == [
        ("file_added", "合同.pdf"), ("file_removed", "合同.pdf")]


def test_a_file_failing_the_upload_checks_is_refused(report, school_a):
    before = state_of(report)
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(UploadRefused) as refused:
        report_file_add(report=report, upload=fake, by=school_a)
    assert str(refused.value) == "Only PDF, Word, Excel and image files are accepted."
    assert state_of(report) == before


def test_another_school_cannot_add_or_remove_evidence(report, school_a, school_b):
    added = report_file_add(report=report, upload=pdf(), by=school_a)
    before = state_of(report)
    for attempt in (lambda: report_file_add(report=report, upload=pdf(), by=school_b),
                    lambda: report_file_remove(file=added, by=school_b)):
        with pytest.raises(ReportRefused):
            attempt()
    assert state_of(report) == before


def test_evidence_of_a_submitted_report_stays(report, school_a):
    added = report_file_add(report=report, upload=pdf(), by=school_a)
    filed(report, school_a)
    before = state_of(report)
    with pytest.raises(ReportRefused):
        report_file_remove(file=added, by=school_a)
    assert state_of(report) == before
