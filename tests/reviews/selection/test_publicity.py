"""Publicity, objections and approval: the period, refusals of anonymous, late, foreign and
too frequent objections, decisions (remove, re-rank, dismiss), and the approval into grants
through the funding service (payer by R28)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from vetq.applications.services import Refused
from vetq.applications.states import ApplicationState
from vetq.audit.models import AuditEntry
from vetq.funding.models import Grant
from vetq.notices.models import Notice
from vetq.programs.models import Category
from vetq.reviews.models import Objection, ObjectionState, Publicity, SelectionState
from vetq.reviews.publicity import (
    client_digest,
    objection_decide,
    objection_lodge,
    publicity_approve,
    publicity_open,
)
from vetq.reviews.selecting import override_add, selection_run

pytestmark = pytest.mark.integration

GROUNDS = "该校申报材料中的合作企业并未实际参与专业建设，与事实不符。"


@pytest.fixture
def listed(reviewed, set_quota, open_call, bureau_user):
    """Brand majors: 90 (Liangxi), 85 (Yixing) selected under a quota of 2; 70 not selected."""
    set_quota("brand_major", 2)
    apps = {"city": reviewed(score="90"), "yixing": reviewed(region="yixing", score="85"),
            "out": reviewed(score="70")}
    return selection_run(call=open_call, by=bureau_user), apps


@pytest.fixture
def publicity(listed, bureau_user):
    selection, _ = listed
    return publicity_open(selection=selection, by=bureau_user)


def state(application) -> str:
    application.refresh_from_db()
    return application.state


def lodge(publicity, application, *, name="李明", contact="13800000000", grounds=GROUNDS,
          ip="203.0.113.7", now=None):
    return objection_lodge(publicity=publicity, application=application, name=name, organisation="",
                           contact=contact, grounds=grounds, client_ip=ip, now=now)


def test_open_publishes_the_list_for_the_policy_period(listed, bureau_user, school_user):
    selection, apps = listed
    publicity = publicity_open(selection=selection, by=bureau_user)
    assert publicity.ends_at - publicity.starts_at == timedelta(days=7)
    assert [state(apps[k]) for k in ("city", "yixing", "out")] == [
        ApplicationState.IN_PUBLICITY, ApplicationState.IN_PUBLICITY, ApplicationState.REVIEWED]
    selection.refresh_from_db()
    assert selection.state == SelectionState.PUBLISHED
    assert AuditEntry.objects.filter(action="publicity.open").count() == 1
    # The workflow tells each listed school.
    told = Notice.objects.filter(kind="application.publish").values_list("user__memberships__institution",
                                                                         flat=True)
    assert sorted(told) == sorted([apps["city"].institution_id, apps["yixing"].institution_id])


def test_open_applies_the_overrides(listed, bureau_user):
    selection, apps = listed
    override_add(selection=selection, application=apps["out"], include=True, reason="特殊贡献",
                 by=bureau_user)
    override_add(selection=selection, application=apps["city"], include=False, reason="重复资助",
                 by=bureau_user)
    publicity_open(selection=selection, by=bureau_user)
    assert state(apps["out"]) == ApplicationState.IN_PUBLICITY
    assert state(apps["city"]) == ApplicationState.REVIEWED
    assert apps["out"].events.get(action="shortlist").comment == "特殊贡献"


def test_open_twice_is_refused(publicity, listed, bureau_user):
    with pytest.raises(Refused, match="Only a proposed selection"):
        publicity_open(selection=listed[0], by=bureau_user)
    assert Publicity.objects.count() == 1


def test_open_refused_when_a_listed_application_moved_on(listed, bureau_user):
    selection, apps = listed
    from vetq.applications.models import Application

    Application.objects.filter(pk=apps["city"].pk).update(state=ApplicationState.WITHDRAWN)
    with pytest.raises(Refused, match="no longer reviewed"):
        publicity_open(selection=selection, by=bureau_user)
    assert state(apps["yixing"]) == ApplicationState.REVIEWED


# --- objections -------------------------------------------------------------------------------

def test_objection_is_lodged_with_a_digest_of_the_client_never_the_address(publicity, listed):
    objection = lodge(publicity, listed[1]["city"])
    assert objection.state == ObjectionState.OPEN
    assert objection.client_digest == client_digest("203.0.113.7")
    stored = Objection.objects.filter(pk=objection.pk).values().get()
    assert not any("203.0.113.7" in str(value) for value in stored.values())
    entry = AuditEntry.objects.get(action="objection.lodge")
    assert "203.0.113.7" not in str(entry.after) and entry.ip_address is None


def test_objection_tells_the_bureau_where_to_decide_it(publicity, listed, bureau_user):
    objection = lodge(publicity, listed[1]["city"])

    notice = Notice.objects.get(kind="objection.lodged")
    assert notice.user == bureau_user
    assert notice.params == {"title": objection.application.title}
    assert notice.url == f"/reviews/publicity/{publicity.pk}/"


@pytest.mark.parametrize("name, contact", [("", "13800000000"), ("  ", "13800000000"), ("李明", ""),
                                           ("李明", " ")])
def test_anonymous_objection_is_refused(publicity, listed, name, contact):
    with pytest.raises(Refused, match="anonymous objections are not accepted"):
        lodge(publicity, listed[1]["city"], name=name, contact=contact)
    assert not Objection.objects.exists()


def test_objection_without_a_reachable_contact_is_refused(publicity, listed):
    with pytest.raises(Refused, match="phone number or an e-mail"):
        lodge(publicity, listed[1]["city"], contact="somewhere")


def test_objection_with_short_grounds_is_refused(publicity, listed):
    with pytest.raises(Refused, match="at least 20 characters"):
        lodge(publicity, listed[1]["city"], grounds="不公平")


def test_late_objection_is_refused(publicity, listed):
    with pytest.raises(Refused, match="period ended"):
        lodge(publicity, listed[1]["city"], now=publicity.ends_at + timedelta(minutes=1))
    assert not Objection.objects.exists()


def test_early_objection_is_refused(listed, bureau_user):
    selection, apps = listed
    publicity = publicity_open(selection=selection, by=bureau_user,
                               starts_at=timezone.now() + timedelta(days=1))
    with pytest.raises(Refused, match="not started"):
        lodge(publicity, apps["city"])


def test_objection_to_an_application_not_on_the_list_is_refused(publicity, listed):
    with pytest.raises(Refused, match="not on this publicity list"):
        lodge(publicity, listed[1]["out"])


def test_objections_are_rate_limited_per_client(publicity, listed):
    for _ in range(5):  # objections_per_hour = 5 in the policy
        lodge(publicity, listed[1]["city"])
    with pytest.raises(Refused, match="Too many objections"):
        lodge(publicity, listed[1]["yixing"])
    lodge(publicity, listed[1]["yixing"], ip="198.51.100.9")  # another client is not held back
    assert Objection.objects.count() == 6


def test_rate_limit_counts_only_the_last_hour(publicity, listed):
    for _ in range(5):
        lodge(publicity, listed[1]["city"])
    Objection.objects.update(lodged_at=timezone.now() - timedelta(minutes=61))
    lodge(publicity, listed[1]["city"])


# --- decisions ------------------------------------------------------------------------------

def test_decision_needs_a_reason(publicity, listed, bureau_user):
    objection = lodge(publicity, listed[1]["city"])
    with pytest.raises(Refused, match="reason for the decision"):
        objection_decide(objection=objection, by=bureau_user, upheld=False, reason="")
    assert Objection.objects.get().state == ObjectionState.OPEN


def test_upheld_needs_an_effect(publicity, listed, bureau_user):
    objection = lodge(publicity, listed[1]["city"])
    with pytest.raises(Refused, match="remove or re-rank"):
        objection_decide(objection=objection, by=bureau_user, upheld=True, reason="属实")


def test_upheld_remove_rejects_the_application(publicity, listed, bureau_user):
    application = listed[1]["city"]
    objection = objection_decide(objection=lodge(publicity, application), by=bureau_user, upheld=True,
                                 reason="经核查，合作企业材料不实。", effect="remove")
    assert (objection.state, objection.effect) == (ObjectionState.UPHELD, "remove")
    assert state(application) == ApplicationState.REJECTED
    assert application.events.get(action="reject").comment == "经核查，合作企业材料不实。"
    assert AuditEntry.objects.get(action="objection.decide").after["effect"] == "remove"


def test_dismissed_keeps_the_application(publicity, listed, bureau_user):
    application = listed[1]["city"]
    objection = objection_decide(objection=lodge(publicity, application), by=bureau_user, upheld=False,
                                 reason="经核查，材料属实。")
    assert (objection.state, objection.effect) == (ObjectionState.DISMISSED, "")
    assert state(application) == ApplicationState.IN_PUBLICITY


def test_upheld_rerank_proposes_the_next_ranked(publicity, listed, bureau_user):
    apps = listed[1]
    objection = objection_decide(objection=lodge(publicity, apps["city"]), by=bureau_user, upheld=True,
                                 reason="分数计算有误", effect="rerank")
    assert state(apps["city"]) == ApplicationState.REJECTED
    proposal = objection.new_selection
    assert proposal.state == SelectionState.PROPOSED
    assert proposal.result["selected"] == [apps["out"].pk]
    # The application still in publicity keeps its place: one place of the quota of 2 left.
    limits = {c["code"]: c["quota"] for c in proposal.inputs["categories"]}
    assert limits["brand_major"] == 1
    # Published, it is a supplementary list with a title of its own (stored in Chinese).
    supplementary = publicity_open(selection=proposal, by=bureau_user)
    call = publicity.call.title
    assert (publicity.title, supplementary.title) == (f"{call}拟立项名单公示",
                                                      f"{call}拟立项名单补充公示（第2批）")


def test_deciding_twice_is_refused(publicity, listed, bureau_user):
    objection = lodge(publicity, listed[1]["city"])
    objection_decide(objection=objection, by=bureau_user, upheld=False, reason="不属实")
    with pytest.raises(Refused, match="already decided"):
        objection_decide(objection=objection, by=bureau_user, upheld=False, reason="不属实")


def test_decision_by_a_non_bureau_user_is_refused(publicity, listed, school_member):
    objection = lodge(publicity, listed[1]["city"])
    with pytest.raises(Refused, match="Only the bureau"):
        objection_decide(objection=objection, by=school_member, upheld=False, reason="不属实")


# --- approval ---------------------------------------------------------------------------------

def test_approve_refused_before_the_end(publicity, bureau_user):
    with pytest.raises(Refused, match="approve after it ends"):
        publicity_approve(publicity=publicity, by=bureau_user)
    assert not Grant.objects.exists()


def test_approve_refused_with_open_objections(publicity, listed, bureau_user):
    lodge(publicity, listed[1]["city"])
    with pytest.raises(Refused, match="still open"):
        publicity_approve(publicity=publicity, by=bureau_user, now=publicity.ends_at + timedelta(seconds=1))
    assert not Grant.objects.exists()


def test_approve_creates_grants_through_the_funding_service(publicity, listed, bureau_user):
    apps = listed[1]
    objection_decide(objection=lodge(publicity, apps["city"]), by=bureau_user, upheld=False, reason="不属实")
    report = publicity_approve(publicity=publicity, by=bureau_user,
                               now=publicity.ends_at + timedelta(seconds=1))
    assert [(o.application.pk, o.approved) for o in report.outcomes] == [
        (apps["city"].pk, True), (apps["yixing"].pk, True)]
    grants = {g.application_id: g for g in Grant.objects.select_related("payer_region")}
    assert grants[apps["city"].pk].payer_region is None  # the city pays
    assert grants[apps["yixing"].pk].payer_region.code == "yixing"  # R28
    assert sum(t.amount for t in grants[apps["yixing"].pk].tranches.all()) == Decimal("100000.00")
    assert state(apps["city"]) == state(apps["yixing"]) == ApplicationState.APPROVED
    # The publicity closes; the one not selected is told so.
    assert report.closed and [a.pk for a in report.rejected] == [apps["out"].pk]
    assert state(apps["out"]) == ApplicationState.REJECTED
    assert apps["out"].events.get(action="reject").comment
    publicity.refresh_from_db()
    assert publicity.closed_at is not None


def test_approve_reports_a_refusal_and_keeps_the_publicity_open(publicity, listed, program, bureau_user):
    apps = listed[1]
    Category.objects.filter(program=program, code="brand_major").update(target=1)
    report = publicity_approve(publicity=publicity, by=bureau_user,
                               now=publicity.ends_at + timedelta(seconds=1))
    outcomes = {o.application.pk: o for o in report.outcomes}
    assert outcomes[apps["city"].pk].approved
    assert not outcomes[apps["yixing"].pk].approved
    assert "target of 1 projects" in outcomes[apps["yixing"].pk].message
    assert state(apps["yixing"]) == ApplicationState.IN_PUBLICITY
    assert not report.closed and state(apps["out"]) == ApplicationState.REVIEWED
    with pytest.raises(Refused, match="already closed"):
        publicity.closed_at = timezone.now()
        publicity.save()
        publicity_approve(publicity=publicity, by=bureau_user, now=publicity.ends_at + timedelta(seconds=1))


def test_approve_keeps_candidates_of_a_pending_proposal(publicity, listed, bureau_user):
    apps = listed[1]
    objection_decide(objection=lodge(publicity, apps["city"]), by=bureau_user, upheld=True,
                     reason="分数计算有误", effect="rerank")
    report = publicity_approve(publicity=publicity, by=bureau_user,
                               now=publicity.ends_at + timedelta(seconds=1))
    assert report.closed and report.rejected == []
    assert state(apps["out"]) == ApplicationState.REVIEWED


def test_approve_by_a_non_bureau_user_is_refused(publicity, school_member):
    with pytest.raises(Refused, match="Only the bureau"):
        publicity_approve(publicity=publicity, by=school_member, now=publicity.ends_at + timedelta(seconds=1))


def test_approve_leaves_applications_reviewed_after_the_selection_waiting(
        publicity, listed, reviewed, bureau_user):
    late = reviewed("featured_major", score="88")  # its panel closed after the selection ran

    report = publicity_approve(publicity=publicity, by=bureau_user,
                               now=publicity.ends_at + timedelta(seconds=1))

    assert [a.pk for a in report.rejected] == [listed[1]["out"].pk]
    assert state(late) == ApplicationState.REVIEWED
