"""Panels and draws through the services: setting up, the notice, performing, hand additions,
declines and rechecks, and every refusal."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import UserFactory, membership
from vetq.applications.models import ApplicationEvent
from vetq.applications.services import Refused
from vetq.applications.states import ApplicationState
from vetq.audit.models import AuditEntry
from vetq.reviews import canonical, draw, panels
from vetq.reviews.models import (
    Assignment,
    AssignmentSource,
    Declaration,
    Draw,
    MemberRole,
    PanelMember,
    PanelState,
)

from .conftest import SOURCE, VALUE, announce, make_due

pytestmark = pytest.mark.integration


def refusal_text(error: Refused) -> str:
    return " | ".join(error.value.messages())


# Setting up ---------------------------------------------------------------------------------

def test_panel_create_takes_eligible_applications_rules_and_rubric(application_make, call_category,
                                                                   bureau_user, program):
    first = application_make("甲")
    second = application_make("乙")
    application_make("草稿", state=ApplicationState.RECOMMENDED)
    application_make("工作室", code="master_teacher_studio")
    panel = panels.panel_create(call_category=call_category("brand_major"), by=bureau_user)
    assert sorted(panel.applications.values_list("pk", flat=True)) == [first.pk, second.pk]
    assert panel.state == PanelState.DRAFT
    assert panel.rules["experts_per_application"] == 5
    assert panel.rules["past_employer_years"] == 3
    assert panel.rubric["code"] == "construction"
    assert timedelta(days=13) < panel.review_deadline - timezone.now() <= timedelta(days=14)
    assert AuditEntry.objects.filter(action="panel.create", object_id=str(panel.pk)).count() == 1


def test_panel_create_studio_copies_its_rubric_and_region_rule(application_make, call_category, bureau_user):
    application_make(code="master_teacher_studio")
    panel = panels.panel_create(call_category=call_category("master_teacher_studio"), by=bureau_user)
    assert panel.rubric["code"] == "studio"
    assert panel.rules["conflict_rules"] == [{"rule": "same_region", "categories": ["master_teacher_studio"]}]


def test_panel_create_refuses_a_category_with_nothing_waiting(drafted, call_category, bureau_user):
    with pytest.raises(Refused) as error:
        panels.panel_create(call_category=call_category("brand_major"), by=bureau_user)
    assert "No eligible application" in refusal_text(error)


def test_panel_create_refuses_a_school_user(application_make, call_category, school_user):
    application_make()
    with pytest.raises(Refused) as error:
        panels.panel_create(call_category=call_category("brand_major"), by=school_user)
    assert "Only the city education bureau" in refusal_text(error)


def test_panel_applications_set_refuses_after_the_notice(announced, bureau_user):
    with pytest.raises(Refused):
        panels.panel_applications_set(panel=announced["panel"], applications=announced["applications"][:1],
                                      by=bureau_user)


def test_panel_applications_set_splits_a_draft(drafted, bureau_user):
    first = drafted["applications"][0]
    panel = panels.panel_applications_set(panel=drafted["panel"], applications=[first], by=bureau_user)
    assert list(panel.applications.values_list("pk", flat=True)) == [first.pk]


# The notice ---------------------------------------------------------------------------------

def test_draw_announce_freezes_inputs_with_their_digest(announced, bureau_user):
    record = announced["draw"]
    assert announced["panel"].state == PanelState.ANNOUNCED
    assert record.inputs_digest == canonical.digest(record.inputs)
    assert record.algorithm_version == draw.ALGORITHM_VERSION
    assert [p["code"] for p in record.inputs["pool"]] == [f"E{i:04d}" for i in range(1, 13)]
    assert [a["id"] for a in record.inputs["applications"]] == sorted(a.pk for a in announced["applications"])
    assert record.inputs["rules"] == draw.notice_rules(announced["panel"].rules)
    assert record.inputs["rules"]["experts_per_application"] == 5
    assert record.inputs["public_value_source"] == SOURCE == record.public_value_source
    entry = AuditEntry.objects.get(action="draw.announce")
    assert entry.after["inputs_digest"] == record.inputs_digest


def test_draw_announce_lists_conflicts_with_reasons(drafted, expert_make, bureau_user):
    target = drafted["applications"][1]
    expert_make("E0100", "本校专家", institution=target.institution)
    record = announce(drafted["panel"], bureau_user)
    assert record.inputs["conflicts"] == [["E0100", target.pk, ["own_institution"]]]


def test_draw_announce_refuses_a_short_pool_naming_the_application(application_make, pool, expert_make,
                                                                   call_category, bureau_user):
    application_make("够用的申报")
    short = application_make("专家不足的申报")
    pool(3)
    expert_make("E0100", institution=short.institution)
    expert_make("E0101", institution=short.institution)
    panel = panels.panel_create(call_category=call_category("brand_major"), by=bureau_user)
    with pytest.raises(Refused) as error:
        announce(panel, bureau_user)
    assert error.value.messages() == [
        "1 application(s) have fewer conflict-free experts in the pool than the panel needs; "
        "nothing was announced.",
        f"专家不足的申报 (no. {short.pk}): 3 conflict-free expert(s), 5 needed; excluded: "
        "Works at the applicant institution. (2).",
    ]
    panel.refresh_from_db()
    assert panel.state == PanelState.DRAFT
    assert not Draw.objects.exists()


def test_draw_announce_refuses_an_expected_time_in_the_past(drafted, bureau_user):
    with pytest.raises(Refused) as error:
        panels.draw_announce(panel=drafted["panel"], by=bureau_user, public_value_source=SOURCE,
                             public_value_expected=timezone.now() - timedelta(minutes=1))
    assert "expected in the future" in refusal_text(error)


def test_draw_announce_refuses_no_source_and_twice(drafted, bureau_user):
    with pytest.raises(Refused):
        panels.draw_announce(panel=drafted["panel"], by=bureau_user, public_value_source="  ",
                             public_value_expected=timezone.now() + timedelta(hours=1))
    announce(drafted["panel"], bureau_user)
    with pytest.raises(Refused) as error:
        announce(drafted["panel"], bureau_user)
    assert "already announced" in refusal_text(error)


def test_draw_announce_pool_restricted_to_industries(drafted, expert_make, industries, bureau_user):
    expert_make("E0200", tags=(5,))
    record = announce(drafted["panel"], bureau_user, industries=[industries[0].code])
    assert "E0200" not in [p["code"] for p in record.inputs["pool"]]
    assert len(record.inputs["pool"]) == 12
    assert AuditEntry.objects.get(action="draw.announce").after["pool_industries"] == [industries[0].code]


# Performing -------------------------------------------------------------------------------

def test_draw_perform_refused_before_the_expected_time(announced, bureau_user):
    with pytest.raises(Refused) as error:
        panels.draw_perform(panel=announced["panel"], by=bureau_user, public_value=VALUE)
    assert "cannot be performed before then" in refusal_text(error)
    assert not Draw.objects.get().performed
    assert not Assignment.objects.exists()


def test_draw_perform_refused_twice(drawn, bureau_user):
    before = Assignment.objects.count()
    with pytest.raises(Refused) as error:
        panels.draw_perform(panel=drawn["panel"], by=bureau_user, public_value="another value")
    assert "already been performed" in refusal_text(error)
    assert Assignment.objects.count() == before
    assert Draw.objects.get().public_value == VALUE


def test_draw_perform_refused_to_a_school_user(announced, school_user):
    make_due(announced["draw"])
    with pytest.raises(Refused):
        panels.draw_perform(panel=announced["panel"], by=school_user, public_value=VALUE)


def test_draw_perform_writes_seats_and_assignments_from_the_result(drawn):
    record = drawn["draw"]
    assert record.seed == canonical.seed_for(record.inputs_digest, VALUE, record.algorithm_version)
    assert record.result == draw.perform(record.inputs, record.seed)
    members = list(PanelMember.objects.filter(role=MemberRole.MEMBER).order_by("position")
                   .values_list("expert__code", "position"))
    assert members == [(code, i) for i, code in enumerate(record.result["panel"], start=1)]
    reserves = list(PanelMember.objects.filter(role=MemberRole.RESERVE).order_by("position")
                    .values_list("expert__code", flat=True))
    assert reserves == record.result["reserves"]
    pairs = sorted(Assignment.objects.values_list("application_id", "expert__code"))
    assert pairs == sorted(tuple(p) for p in record.result["assignment"])
    assert set(Assignment.objects.values_list("source", flat=True)) == {AssignmentSource.DRAW}
    assert drawn["panel"].state == PanelState.REVIEWING


def test_draw_perform_moves_applications_to_under_review_with_history(drawn, bureau_user):
    for application in drawn["applications"]:
        application.refresh_from_db()
        assert application.state == ApplicationState.UNDER_REVIEW
        event = ApplicationEvent.objects.get(application=application, action="start_review")
        assert (event.from_state, event.to_state, event.by) == (
            ApplicationState.ELIGIBLE, ApplicationState.UNDER_REVIEW, bureau_user)


def test_draw_perform_audits_digest_seed_and_result_digest(drawn):
    entry = AuditEntry.objects.get(action="draw.perform")
    record = drawn["draw"]
    assert entry.after["inputs_digest"] == record.inputs_digest
    assert entry.after["seed"] == record.seed
    assert entry.after["result_digest"] == canonical.digest(record.result)


def test_draw_perform_tells_each_drawn_expert_only_its_own_work(announced, bureau_user):
    from vetq.notices.models import Notice

    experts = {e.code: e for e in announced["experts"]}
    for code, expert in experts.items():
        user = UserFactory(username=f"x-{code.lower()}")
        membership(user, "expert")
        expert.user = user
        expert.save()
    make_due(announced["draw"])
    record = panels.draw_perform(panel=announced["panel"], by=bureau_user, public_value=VALUE)
    loads = {code: n for code, n in record.result["loads"].items() if n}
    notices = {n.user.expert.code: n for n in Notice.objects.select_related("user__expert")}
    assert set(notices) == set(loads)
    for code, notice in notices.items():
        assert notice.params["count"] == loads[code]
        assert not any(other in str(notice.params) for other in experts if other != code)


def test_draw_perform_same_value_gives_the_same_result_on_another_panel(drawn, bureau_user):
    record = drawn["draw"]
    again = draw.perform(record.inputs, canonical.seed_for(record.inputs_digest, f"  {VALUE} ",
                                                           record.algorithm_version))
    assert again == record.result


# After the draw -----------------------------------------------------------------------------

def _outsider(drawn, expert_make, **kwargs):
    """An expert of the pool who is neither member nor reserve."""
    return expert_make("E0500", "候选专家", **kwargs)


def test_member_add_refuses_a_conflicted_expert_with_its_reason(drawn, expert_make, bureau_user):
    application = drawn["applications"][0]
    expert = _outsider(drawn, expert_make, institution=application.institution)
    with pytest.raises(Refused) as error:
        panels.member_add(panel=drawn["panel"], expert=expert, application=application,
                          by=bureau_user, reason="专业对口")
    assert refusal_text(error) == (f"E0500 候选专家 may not review {application.title}: "
                                   "Works at the applicant institution.")
    assert not Assignment.objects.filter(expert=expert).exists()
    assert not PanelMember.objects.filter(expert=expert).exists()


def test_member_add_refuses_without_a_reason(drawn, expert_make, bureau_user):
    expert = _outsider(drawn, expert_make)
    with pytest.raises(Refused) as error:
        panels.member_add(panel=drawn["panel"], expert=expert, application=drawn["applications"][0],
                          by=bureau_user, reason=" ")
    assert "Give the reason" in refusal_text(error)


def test_member_add_assigns_by_hand_with_the_reason(drawn, expert_make, bureau_user):
    expert = _outsider(drawn, expert_make)
    application = drawn["applications"][0]
    added = panels.member_add(panel=drawn["panel"], expert=expert, application=application,
                              by=bureau_user, reason="专业对口，补充评审")
    assert (added.source, added.reason, added.active) == (AssignmentSource.MANUAL, "专业对口，补充评审", True)
    seat = PanelMember.objects.get(expert=expert)
    assert (seat.role, seat.added_by_hand, seat.reason) == (MemberRole.MEMBER, True, "专业对口，补充评审")
    assert seat.position == len(drawn["draw"].result["panel"]) + 1
    entry = AuditEntry.objects.get(action="panel.member_add")
    assert entry.after["reason"] == "专业对口，补充评审"


def test_member_add_refuses_an_expert_already_reviewing(drawn, bureau_user):
    existing = Assignment.objects.select_related("expert", "application").first()
    with pytest.raises(Refused) as error:
        panels.member_add(panel=drawn["panel"], expert=existing.expert,
                          application=existing.application, by=bureau_user, reason="x")
    assert "already reviews" in refusal_text(error)


def _member_with_work(drawn):
    seat = (PanelMember.objects.filter(role=MemberRole.MEMBER).select_related("expert")
            .order_by("position").first())
    work = list(Assignment.objects.filter(expert=seat.expert, active=True).order_by("application_id"))
    assert work
    return seat, work


def test_member_decline_fills_from_the_first_fitting_reserve(drawn, bureau_user):
    reserves = list(PanelMember.objects.filter(role=MemberRole.RESERVE).select_related("expert")
                    .order_by("position"))
    assert len(reserves) >= 2
    seat, work = _member_with_work(drawn)
    conflicted = work[0].application
    Declaration.objects.create(expert=reserves[0].expert, institution=conflicted.institution, reason="校友")
    replacements = panels.member_decline(member=seat, by=bureau_user, reason="出差")
    got = {r.old.application_id: r.new.expert.code for r in replacements}
    expected = {a.application_id: reserves[0].expert.code for a in work}
    expected[conflicted.pk] = reserves[1].expert.code
    assert got == expected
    for r in replacements:
        assert (r.new.source, r.new.replaces_id, r.new.active) == (AssignmentSource.RESERVE, r.old.pk, True)
        r.old.refresh_from_db()
        assert r.old.active is False
    seat.refresh_from_db()
    assert (seat.declined_at is not None, seat.decline_reason) == (True, "出差")


def test_member_decline_says_when_no_reserve_fits(drawn, bureau_user):
    seat, work = _member_with_work(drawn)
    for reserve in PanelMember.objects.filter(role=MemberRole.RESERVE):
        reserve.declined_at = timezone.now()
        reserve.save()
    replacements = panels.member_decline(member=seat, by=bureau_user, reason="生病")
    assert [r.new for r in replacements] == [None] * len(work)
    assert not Assignment.objects.filter(expert=seat.expert, active=True).exists()


def test_member_decline_refuses_twice_and_strangers(drawn, bureau_user, school_user):
    seat, _ = _member_with_work(drawn)
    with pytest.raises(Refused):
        panels.member_decline(member=seat, by=school_user, reason="x")
    panels.member_decline(member=seat, by=bureau_user, reason="x")
    with pytest.raises(Refused) as error:
        panels.member_decline(member=seat, by=bureau_user, reason="x")
    assert "already declined" in refusal_text(error)


def test_member_decline_by_the_expert_itself(drawn):
    seat, work = _member_with_work(drawn)
    user = UserFactory(username="self-expert")
    membership(user, "expert")
    seat.expert.user = user
    seat.expert.save()
    replacements = panels.member_decline(member=seat, by=user, reason="时间冲突")
    assert len(replacements) == len(work)


def test_assignments_recheck_replaces_a_new_conflict(drawn, bureau_user):
    seat, work = _member_with_work(drawn)
    target = work[0]
    Declaration.objects.create(expert=seat.expert, institution=target.application.institution,
                               reason="新任兼职")
    gone = panels.assignments_recheck(expert=seat.expert, by=bureau_user)
    assert [a.pk for a in gone] == [target.pk]
    target.refresh_from_db()
    assert target.active is False
    assert "Declared a conflict" in target.reason
    first_reserve = PanelMember.objects.get(role=MemberRole.RESERVE, position=1).expert
    assert target.replaced_by.expert == first_reserve
    assert Assignment.objects.filter(expert=seat.expert, active=True).count() == len(work) - 1


def test_assignments_recheck_leaves_clean_assignments(drawn, bureau_user):
    seat, work = _member_with_work(drawn)
    assert panels.assignments_recheck(expert=seat.expert, by=bureau_user) == []
    assert Assignment.objects.filter(expert=seat.expert, active=True).count() == len(work)


def test_draw_perform_skips_an_application_withdrawn_since_the_notice(announced, bureau_user):
    from vetq.applications.models import Application

    gone = announced["applications"][0]
    Application.objects.filter(pk=gone.pk).update(state=ApplicationState.WITHDRAWN)
    make_due(announced["draw"])
    panels.draw_perform(panel=announced["panel"], by=bureau_user, public_value=VALUE)
    assert not Assignment.objects.filter(application=gone).exists()
    assert AuditEntry.objects.get(action="draw.perform").after["skipped_applications"] == [gone.pk]


def test_draw_perform_refused_when_a_drawn_code_was_changed(announced, bureau_user):
    from vetq.reviews.models import Expert

    for code in [f"E{i:04d}" for i in range(1, 13)]:
        Expert.objects.filter(code=code).update(code="X" + code[1:])
    make_due(announced["draw"])
    with pytest.raises(Refused) as error:
        panels.draw_perform(panel=announced["panel"], by=bureau_user, public_value=VALUE)
    assert "no longer exist in the pool" in refusal_text(error)
    assert not Assignment.objects.exists()
    assert not Draw.objects.get().performed
