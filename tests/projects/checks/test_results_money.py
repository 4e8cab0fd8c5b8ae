"""Each check result's consequences on the money, seen from the ledger (what becomes payable,
what is withheld, the balances) and from the project: a mid-term pass releases the tranches
conditioned on it, a fail withholds them, a rectification is re-checked with the same
consequences; an acceptance round rates through `acceptance_record` (R18, R31)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.projects.acceptance_fixtures import LATER, pay, school_of, tranche
from tests.projects.checks.conftest import OPENED, entry_of, pdf, scored
from vetq.audit.models import AuditEntry
from vetq.funding.ledger import LedgerRefused, grant_balances, tranche_payable_amount
from vetq.funding.models import GrantState
from vetq.notices.models import Notice
from vetq.projects.acceptance import acceptance_record
from vetq.projects.check_results import check_result_record, recheck_record, rectification_submit
from vetq.projects.checks import check_round_close, self_assessment_submit
from vetq.projects.models import (
    Acceptance,
    CheckEntry,
    ProjectEvent,
    ProjectState,
    RecoveryCase,
)
from vetq.projects.services import ProjectRefused
from vetq.reviews.models import Panel, PanelState

pytestmark = pytest.mark.integration
DECIDED = OPENED + timedelta(days=60)


def payable(project, seq: int) -> Decimal:
    return tranche_payable_amount(tranche(project, seq), LATER)


def plan(project) -> list:
    return [(t.seq, t.amount, t.condition, t.live)
            for t in project.grant.tranches.order_by("seq")]


@pytest.fixture
def midterm(make_project, midterm_plan, open_round):
    """A brand-major project (100,000: 40% on approval, 30% on the mid-term check, 30% on
    acceptance) in a mid-term round scored `score`."""

    def make(score):
        project = make_project()
        check_round = scored(open_round([project]), {project: score})
        return project, entry_of(check_round, project)

    return make


def record(entry, by, result, **kwargs):
    return check_result_record(entry=entry, result=result, by=by, today=DECIDED, **kwargs)


# --- mid-term ---------------------------------------------------------------------------------

def test_the_plan_has_a_tranche_waiting_for_the_midterm_check(midterm):
    project, _ = midterm(80)
    assert plan(project) == [
        (1, Decimal("40000.00"), "on_approval", True),
        (2, Decimal("30000.00"), "midterm_passed", True),
        (3, Decimal("30000.00"), "acceptance_passed", True),
    ]
    assert payable(project, 2) == Decimal("0")


def test_midterm_pass_makes_its_tranche_payable(midterm, bureau_user, finance_city):
    project, entry = midterm("75.5")
    with pytest.raises(LedgerRefused, match="not payable"):
        pay(project, 2, finance_city)
    record(entry, bureau_user, "pass", comment="进展良好")
    assert payable(project, 2) == Decimal("30000.00")
    pay(project, 2, finance_city)
    assert grant_balances(project.grant)["paid"] == Decimal("30000.00")
    assert payable(project, 3) == Decimal("0")  # acceptance still to come
    entry.refresh_from_db()
    assert (entry.result, entry.comment, entry.decided_by) == ("pass", "进展良好", bureau_user)
    event = ProjectEvent.objects.get(project=project, action="check_result")
    assert event.after["released"] == 1
    assert Notice.objects.filter(kind="project.midterm_pass").count() == 1
    project.refresh_from_db()
    assert project.state == ProjectState.ACTIVE


def test_midterm_fail_withholds_its_tranche(midterm, bureau_user, finance_city):
    project, entry = midterm("55")
    record(entry, bureau_user, "fail", comment="进度严重滞后")
    assert plan(project)[1] == (2, Decimal("30000.00"), "midterm_passed", False)
    assert plan(project)[2][3] is True  # the acceptance tranche is another matter
    assert grant_balances(project.grant)["promised"] == Decimal("70000.00")
    with pytest.raises(LedgerRefused, match="not payable"):
        pay(project, 2, finance_city)
    assert Notice.objects.filter(kind="project.midterm_fail").count() == 1


def test_midterm_rectify_sets_the_deadline_and_moves_no_money(midterm, bureau_user):
    project, entry = midterm("65")
    record(entry, bureau_user, "rectify")
    entry.refresh_from_db()
    assert entry.rectification_due == DECIDED + timedelta(days=90)
    assert plan(project)[1][3] is True
    assert payable(project, 2) == Decimal("0")
    notice = Notice.objects.get(kind="project.midterm_rectify")
    assert notice.params["due"] == f"{entry.rectification_due:%Y-%m-%d}"


def test_result_must_match_the_bands(midterm, bureau_user):
    project, entry = midterm("69.99")
    with pytest.raises(ProjectRefused, match="A score of 69.99 gives “Rectification required” "
                                             "under the policy's score bands, not “Pass”"):
        record(entry, bureau_user, "pass")
    entry.refresh_from_db()
    assert entry.result == ""
    assert payable(project, 2) == Decimal("0")
    assert not ProjectEvent.objects.filter(action="check_result").exists()


def test_result_refusals_change_nothing(midterm, bureau_user, finance_city, open_round,
                                        make_project):
    project, entry = midterm("80")
    with pytest.raises(ProjectRefused, match="Only the education bureau"):
        record(entry, finance_city, "pass")
    with pytest.raises(ProjectRefused, match="Choose one of"):
        record(entry, bureau_user, "excellent")
    unscored = make_project(region="xishan")
    other = entry_of(open_round([unscored], name="另一轮"), unscored)
    with pytest.raises(ProjectRefused, match="in expert scoring"):
        record(other, bureau_user, "pass")
    record(entry, bureau_user, "pass")
    with pytest.raises(ProjectRefused, match="already recorded: Pass"):
        record(entry, bureau_user, "pass")
    assert ProjectEvent.objects.filter(action="check_result").count() == 1


def test_result_needs_a_score(make_project, midterm_plan, open_round, bureau_user):
    project = make_project()
    check_round = scored(open_round([project]), {})
    with pytest.raises(ProjectRefused, match="no expert score yet"):
        record(entry_of(check_round, project), bureau_user, "pass")


# --- rectification and re-check --------------------------------------------------------------

@pytest.fixture
def rectifying(midterm, bureau_user):
    project, entry = midterm("62")
    record(entry, bureau_user, "rectify")
    entry.refresh_from_db()
    return project, entry


def test_rectified_and_rechecked_pass_releases_the_tranche(rectifying, bureau_user):
    project, entry = rectifying
    school = school_of(project, "school-r")
    rectification_submit(entry=entry, report="已按专家意见完成整改。", files=[pdf("整改.pdf")],
                         by=school, today=DECIDED + timedelta(days=30))
    entry.refresh_from_db()
    assert entry.rectified_at is not None
    assert entry.files.get().purpose == "rectification"
    assert Notice.objects.filter(kind="project.rectification_filed", user=bureau_user).count() == 1
    recheck_record(entry=entry, result="pass", comment="整改到位", by=bureau_user)
    assert payable(project, 2) == Decimal("30000.00")
    entry.refresh_from_db()
    assert (entry.recheck_result, entry.rechecked_by) == ("pass", bureau_user)
    assert ProjectEvent.objects.get(project=project, action="recheck").after["released"] == 1
    assert Notice.objects.filter(kind="project.recheck_pass", user=school).count() == 1


def test_recheck_fail_withholds_the_tranche(rectifying, bureau_user):
    project, entry = rectifying
    rectification_submit(entry=entry, report="部分整改。", by=school_of(project, "s"),
                         today=DECIDED)
    recheck_record(entry=entry, result="fail", comment="整改不到位", by=bureau_user)
    assert plan(project)[1][3] is False


def test_rectification_after_its_deadline_is_refused_with_the_date(rectifying):
    project, entry = rectifying
    with pytest.raises(ProjectRefused, match="was due on 2022-01-29"):
        rectification_submit(entry=entry, report="迟交", by=school_of(project, "s"),
                             today=entry.rectification_due + timedelta(days=1))
    entry.refresh_from_db()
    assert entry.rectified_at is None


def test_rectification_refusals(midterm, rectifying, bureau_user, other_school_user):
    project, entry = rectifying
    with pytest.raises(ProjectRefused, match="Only the project's school"):
        rectification_submit(entry=entry, report="x", by=other_school_user, today=DECIDED)
    with pytest.raises(ProjectRefused, match="Please write the rectification report"):
        rectification_submit(entry=entry, report=" ", by=school_of(project, "s"), today=DECIDED)
    passed, passed_entry = midterm("90")
    record(passed_entry, bureau_user, "pass")
    with pytest.raises(ProjectRefused, match="Only a project required to rectify"):
        rectification_submit(entry=passed_entry, report="x", by=school_of(passed, "p"),
                             today=DECIDED)
    assert not CheckEntry.objects.filter(rectified_at__isnull=False).exists()


def test_recheck_refusals(rectifying, bureau_user, finance_city):
    project, entry = rectifying
    with pytest.raises(ProjectRefused, match="Only the education bureau"):
        recheck_record(entry=entry, result="pass", by=finance_city)
    with pytest.raises(ProjectRefused, match="pass or fail"):
        recheck_record(entry=entry, result="rectify", by=bureau_user)
    with pytest.raises(ProjectRefused, match="re-check passes only on one"):
        recheck_record(entry=entry, result="pass", by=bureau_user)
    with pytest.raises(ProjectRefused, match="may file its rectification report until 2022-01-29"):
        recheck_record(entry=entry, result="fail", comment="未整改", by=bureau_user,
                       today=DECIDED)
    with pytest.raises(ProjectRefused, match="reason the re-check fails"):
        recheck_record(entry=entry, result="fail", by=bureau_user,
                       today=entry.rectification_due + timedelta(days=1))
    entry.refresh_from_db()
    assert entry.recheck_result == ""
    assert plan(project)[1][3] is True


def test_recheck_fails_a_project_that_never_filed(rectifying, bureau_user):
    project, entry = rectifying
    recheck_record(entry=entry, result="fail", comment="逾期未提交整改报告",
                   by=bureau_user, today=entry.rectification_due + timedelta(days=1))
    assert plan(project)[1][3] is False
    with pytest.raises(ProjectRefused, match="already recorded: Fail"):
        recheck_record(entry=entry, result="pass", by=bureau_user)


def test_round_closes_once_the_rectification_is_rechecked(rectifying, bureau_user):
    project, entry = rectifying
    panel = Panel.objects.create(call_category=entry.round.call_category, name="p",
                                 check_round=entry.round, state=PanelState.CLOSED,
                                 review_deadline=timezone.now(), created_by=bureau_user)
    assert panel.pk
    with pytest.raises(ProjectRefused, match="still wait"):
        check_round_close(check_round=entry.round, by=bureau_user)
    rectification_submit(entry=entry, report="整改完成", by=school_of(project, "s"),
                         today=DECIDED)
    recheck_record(entry=entry, result="pass", by=bureau_user)
    assert check_round_close(check_round=entry.round, by=bureau_user).state == "closed"
    assert AuditEntry.objects.filter(action="check_round.close").count() == 1


# --- acceptance through a round --------------------------------------------------------------

@pytest.fixture
def accepting(make_project, open_round, bureau_user):
    """A project of `code` in an acceptance round whose school filed its summary, scored
    `score`."""

    def make(code, score):
        project = make_project(code)
        check_round = open_round([project], kind="acceptance")
        entry = entry_of(check_round, project)
        self_assessment_submit(entry=entry, text="自评：目标全部达成。", summary="三年建设总结。",
                               self_score="95", by=school_of(project, f"s-{project.pk}"),
                               today=OPENED)
        scored(check_round, {project: score})
        return project, entry_of(check_round, project)

    return make


def test_studio_rated_excellent_in_a_round_is_paid_110000(accepting, bureau_user, finance_city):
    project, entry = accepting("master_teacher_studio", "92.4")
    for seq in (1, 2, 3):
        pay(project, seq, finance_city)
    record(entry, bureau_user, "excellent", comment="示范作用突出")
    assert payable(project, 4) == Decimal("50000.00")
    pay(project, 4, finance_city)
    project.grant.refresh_from_db()
    assert grant_balances(project.grant)["paid"] == Decimal("110000.00")  # R18: 3 × 20,000 + 50,000
    acceptance = Acceptance.objects.get(project=project)
    assert (acceptance.score, acceptance.rating) == (Decimal("92.40"), "excellent")
    assert (acceptance.summary, acceptance.self_assessment) == ("三年建设总结。", "自评：目标全部达成。")
    assert acceptance.comment == "示范作用突出"
    project.refresh_from_db()
    assert (project.state, project.rating) == (ProjectState.CLOSED, "excellent")
    entry.refresh_from_db()
    assert entry.result == "excellent"
    assert Notice.objects.filter(kind="project.rated_excellent").exists()


def test_studio_rated_pass_in_a_round_gets_no_bonus(accepting, bureau_user, finance_city):
    project, entry = accepting("master_teacher_studio", "80")
    record(entry, bureau_user, "pass")
    assert not tranche(project, 4).live
    project.refresh_from_db()
    assert project.state == ProjectState.CLOSED


def test_acceptance_fail_in_a_round_withholds_and_opens_a_recovery(accepting, bureau_user,
                                                                   finance_city):
    project, entry = accepting("brand_major", "50")
    pay(project, 1, finance_city)
    record(entry, bureau_user, "fail", comment="未达到验收要求")
    project.refresh_from_db()
    project.grant.refresh_from_db()
    assert project.state == ProjectState.FAILED
    assert project.grant.state == GrantState.FAILED
    assert RecoveryCase.objects.get(project=project).paid_when_opened == Decimal("60000.00")
    assert not tranche(project, 2).live


def test_acceptance_rating_must_match_the_bands(accepting, bureau_user):
    project, entry = accepting("master_teacher_studio", "89.99")
    with pytest.raises(ProjectRefused, match="gives “Pass”"):
        record(entry, bureau_user, "excellent")
    assert not Acceptance.objects.filter(project=project).exists()
    assert tranche(project, 4).condition_met_at is None


def test_acceptance_refused_by_the_acceptance_service_changes_nothing(accepting, bureau_user):
    """A project rated on its page meanwhile: the acceptance service's refusal comes back and
    the entry stays without a result."""
    project, entry = accepting("brand_major", "75")
    acceptance_record(project=project, score="75", rating="pass", by=bureau_user, today=LATER)
    with pytest.raises(ProjectRefused, match="no longer under construction"):
        record(entry, bureau_user, "pass")
    entry.refresh_from_db()
    assert entry.result == ""
