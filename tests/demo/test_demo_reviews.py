"""The demo's expert review: finished rounds for the 2016–2019 calls (closed panels with draws
anyone can verify, reviews, rankings, selections, publicities, ratings), a 2019 panel under
review with work for the demo `expert` account, a 2019 shortlist in publicity with an open
objection, and 2019 applications waiting on a draft panel, on an announced draw and on none;
built once for this module (each test runs in its own rolled-back transaction)."""

from collections import Counter
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from vetq.accounts import scoping
from vetq.accounts.models import User
from vetq.accounts.roles import Role
from vetq.applications.models import Application
from vetq.audit.models import AuditEntry
from vetq.demo.application_plan import local
from vetq.demo.plan import demo_plan
from vetq.demo.review_history import NOT_SELECTED, stored_text
from vetq.demo.review_plan import plan_waiting, round_dates
from vetq.programs.models import Call
from vetq.reviews import canonical, draw, facts, scoring
from vetq.reviews import selection as pure
from vetq.reviews.models import (
    Assignment,
    Draw,
    Expert,
    ExpertRating,
    Objection,
    Panel,
    PanelMember,
    Publicity,
    Review,
    ReviewEvent,
    Selection,
)
from vetq.reviews.panels import notice_build
from vetq.reviews.progress import my_assignments
from vetq.reviews.ranking import ranking_for
from vetq.reviews.reviewing import missing_reviews
from vetq.reviews.rubrics import review_rules, rubric_for

pytestmark = pytest.mark.integration

PAST = (2016, 2017, 2018, 2019)
MIN_SCORE = Decimal("60")


def run_demo() -> str:
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, tmp_path_factory):
    """One demo build for the module, rolled back at its end."""
    media = tmp_path_factory.mktemp("demo-media")
    with (django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media),
          pytest.MonkeyPatch.context() as env):
        env.delenv("VETQ_DEMO", raising=False)
        with transaction.atomic():
            yield run_demo()
            transaction.set_rollback(True)


@pytest.fixture
def demo(built, db):
    return built


def year_of(moment) -> int:
    return timezone.localtime(moment).year


def review_panels():
    """The review rounds' panels (the projects' check rounds have panels too, tested with the
    projects demo)."""
    return Panel.objects.filter(check_round__isnull=True)


def past_panels():
    return review_panels().filter(state="closed",
                                  closed_at__lt=timezone.now() - timedelta(days=365))


def live_panels():
    return review_panels().exclude(pk__in=past_panels())


def performed():
    """The panels whose draw is performed (check panels' draws included)."""
    return Panel.objects.filter(draw__result__isnull=False)


def test_demo_prints_what_the_review_rounds_added(demo):
    line = next(line for line in demo.splitlines() if line.startswith("review rounds: "))

    assert (f"added {review_panels().count()} panels ({past_panels().count() + 1} closed, 1 under "
            "review, 1 with its draw announced, 1 draft)") in line
    assert f"{Review.objects.filter(assignment__panel__in=review_panels()).count()} reviews" in line
    assert f"{Selection.objects.count()} selections with their publicities (1 open)" in line
    assert "3 waiting for review" in line


def test_demo_has_closed_rounds_in_every_past_call_and_live_panels_in_every_state(demo):
    per_year = Counter(year_of(p.closed_at) for p in past_panels())
    states = Counter(live_panels().values_list("state", flat=True))

    assert set(per_year) == set(PAST)
    assert all(p.call_category.call.year == year_of(p.closed_at)
               for p in past_panels().select_related("call_category__call"))
    assert states == {"draft": 1, "announced": 1, "reviewing": 1, "closed": 1}
    assert {p.call_category.call.year for p in live_panels().select_related("call_category__call")} == {2019}
    assert Draw.objects.count() == Panel.objects.exclude(state="draft").count()


def test_demo_panels_copy_the_policy_rules_and_rubric(demo):
    for panel in review_panels().select_related("call_category__call__program",
                                                "call_category__category"):
        assert panel.rules == review_rules(panel.call_category.call.program)
        assert panel.rubric == rubric_for(panel.call_category)
    studio = review_panels().filter(call_category__category__code="master_teacher_studio").first()
    assert studio.rubric["code"] == "studio"


def test_demo_every_draw_verifies_from_its_published_file(demo):
    draws = list(Draw.objects.filter(result__isnull=False))

    for record in draws:
        document = draw.export_document(
            inputs=record.inputs, inputs_digest=record.inputs_digest,
            public_value_source=record.public_value_source, public_value=record.public_value,
            seed=record.seed, result=record.result)
        verification = draw.verify(document)
        assert verification.match, (record.panel.name, verification.lines)
        assert "演示数据" in record.public_value_source
        assert record.inputs["public_value_source"] == record.public_value_source
    assert len(draws) == performed().count() >= 26


def test_demo_past_draws_have_the_inputs_the_notice_service_builds(demo):
    for panel in past_panels().select_related("draw")[:5]:
        record = panel.draw
        inputs, shortages = notice_build(panel, on=timezone.localdate(record.announced_at),
                                         source=record.public_value_source)

        assert (inputs, shortages) == (record.inputs, [])


def test_demo_members_and_assignments_are_what_the_draws_say(demo):
    for panel in performed().select_related("draw"):
        result = panel.draw.result
        members = list(panel.members.filter(added_by_hand=False).order_by("role", "position")
                       .values_list("role", "expert__code"))
        drawn = {(a.application_id, a.expert.code)
                 for a in panel.assignments.filter(source="draw").select_related("expert")}

        assert members == ([("member", c) for c in result["panel"]]
                           + [("reserve", c) for c in result["reserves"]])
        assert drawn == {(app_id, code) for app_id, code in result["assignment"]}
        assert sorted(panel.applications.values_list("pk", flat=True)) == sorted(
            a["id"] for a in panel.draw.inputs["applications"])


def test_demo_every_assignment_is_free_of_conflict(demo):
    checked = 0
    for panel in performed().select_related("draw").prefetch_related("applications"):
        assignments = list(panel.assignments.select_related("expert"))
        experts = facts.experts_loaded(Expert.objects.filter(
            pk__in={a.expert_id for a in assignments}))
        pairs = facts.conflicts_between(
            experts, facts.applications_loaded(panel.applications.all()),
            on=timezone.localdate(panel.draw.announced_at), review=panel.rules)
        published = {(code, app_id) for code, app_id, _ in panel.draw.inputs["conflicts"]}

        for item in assignments:
            assert (item.expert.code, item.application_id) not in pairs
            assert (item.expert.code, item.application_id) not in published
            checked += 1
    assert checked == Assignment.objects.count()
    # The studio rule keeps experts from the studio's own region away (policy conflict_rules).
    assert any("same_region" in reasons for p in Draw.objects.all()
               for _, _, reasons in p.inputs["conflicts"])


def test_demo_past_rounds_follow_their_calendar(demo):
    for panel in past_panels().select_related("draw", "call_category__call", "call_category__category"):
        record = panel.draw
        dates = round_dates(panel.call_category.call.year, panel.call_category.category.code)
        reviews = Review.objects.filter(assignment__panel=panel)
        events = ReviewEvent.objects.filter(review__in=reviews)

        assert (panel.created_at, record.announced_at, record.public_value_expected,
                record.performed_at, panel.closed_at) == (
            dates.created, dates.announced, dates.lottery, dates.performed, dates.closed)
        assert record.announced_at < record.public_value_expected < record.performed_at
        assert all(record.performed_at < e.at <= panel.review_deadline for e in events)
        assert all(r.submitted_at == r.updated_at < panel.review_deadline for r in reviews)
        assert panel.review_deadline < panel.closed_at
        for application in panel.applications.all():
            moves = {e.action: e.at for e in application.events.all()}
            assert moves["mark_eligible"] < record.announced_at
            assert moves["start_review"] == record.performed_at
            assert moves["finish_review"] == panel.closed_at


def test_demo_reviews_are_submitted_by_their_experts_with_weighted_totals(demo):
    reviews = Review.objects.filter(assignment__panel__in=review_panels()).select_related(
        "assignment__panel", "assignment__expert__user")

    for review in reviews.filter(state="submitted"):
        rubric = review.assignment.panel.rubric
        assert review.total == scoring.weighted_total(rubric, review.scores)
        assert not scoring.review_problems(rubric, review.scores, review.comments)
        actions = list(review.events.values_list("action", "by"))
        assert actions == [("save", review.assignment.expert.user_id),
                           ("submit", review.assignment.expert.user_id)]
    assert reviews.filter(state="submitted").count() >= 220
    assert any(None in r.scores.values() for r in reviews)  # "not applicable" given somewhere


def test_demo_every_reviewing_expert_has_an_expert_account(demo):
    experts = Expert.objects.filter(assignments__isnull=False).distinct().select_related("user")

    assert all(e.user is not None and scoping.has_role(e.user, Role.EXPERT) for e in experts)
    assert all(e.user.username in ("expert", f"expert_{e.code.lower()}") for e in experts)
    assert Expert.objects.filter(user__isnull=True).exists()  # the pool is more than the drawn


def test_demo_rankings_put_approved_above_the_line_and_leftovers_below(demo):
    for panel in past_panels().select_related("call_category"):
        for row in ranking_for(panel.call_category):
            if row.application.state == "approved":
                assert row.score >= MIN_SCORE + 5
            elif row.application.state == "rejected":
                assert row.score < MIN_SCORE
    flagged = [row for p in past_panels().select_related("call_category")
               for row in ranking_for(p.call_category) if row.disagreement]
    assert flagged  # one outlying review flags a spread above the policy's threshold


def test_demo_past_selections_select_exactly_the_approved_applications(demo):
    for year in PAST:
        call = Call.objects.get(year=year)
        selection = Selection.objects.get(call=call, created_at__year=year)
        approved = set(Application.objects.filter(
            call_category__call=call, state="approved").values_list("pk", flat=True))
        outcome = pure.run(selection.inputs)

        assert selection.state == "published"
        assert set(selection.result["selected"]) == approved
        assert (outcome.inputs_digest, outcome.seed, outcome.result) == (
            selection.inputs_digest, selection.seed, selection.result)
        publicity = selection.publicity
        assert year_of(publicity.starts_at) == year
        assert publicity.closed_at is not None
        for application in Application.objects.filter(pk__in=approved):
            moves = {e.action: e.at for e in application.events.all()}
            assert moves["publish"] == publicity.starts_at
            assert publicity.ends_at < moves["approve"] <= publicity.closed_at


def test_demo_leftovers_of_2016_to_2018_are_rejected_as_not_selected(demo):
    rejected = Application.objects.filter(state="rejected").select_related("call_category__call")

    assert Counter(a.call_category.call.year for a in rejected) == {2016: 2, 2017: 2, 2018: 2}
    for application in rejected:
        events = list(application.events.all())
        publicity = Publicity.objects.get(call=application.call_category.call)
        assert [e.action for e in events][-3:] == ["start_review", "finish_review", "reject"]
        assert events[-1].comment == stored_text(NOT_SELECTED)
        assert events[-1].at == publicity.closed_at
        assert [e.at for e in events] == sorted(e.at for e in events)
        assert application.updated_at == events[-1].at


def test_demo_past_experts_are_rated_after_their_panels(demo):
    for panel in past_panels():
        rated = set(panel.ratings.values_list("expert_id", flat=True))
        assert rated == set(panel.assignments.values_list("expert_id", flat=True))
        assert all(panel.closed_at < r.at and 3 <= r.score <= 5 for r in panel.ratings.all())
    assert not ExpertRating.objects.filter(panel__in=live_panels()).exists()


def test_demo_2019_panel_under_review_has_work_for_the_demo_expert(demo):
    panel = Panel.objects.get(state="reviewing")
    user = User.objects.get(username="expert")
    mine = list(my_assignments(user).filter(panel=panel))
    states = Counter(Review.objects.filter(assignment__panel=panel).values_list("state", flat=True))

    assert panel.call_category.call.year == 2019
    assert panel.review_deadline > timezone.now()
    assert panel.draw.public_value_expected < panel.draw.performed_at <= timezone.now()
    assert mine and all(not Review.objects.filter(assignment=a).exists() for a in mine)
    assert mine[0].application.state == "under_review"
    assert states == {"submitted": 3, "draft": 1}
    assert len(missing_reviews(panel)) >= 3
    assert PanelMember.objects.filter(panel=panel, expert__user=user).exists()
    assert mine[0].source == "draw" or mine[0].reason == "演示账号"


def test_demo_2019_shortlist_is_in_publicity_with_an_open_objection(demo):
    now = timezone.now()
    publicity = Publicity.objects.get(closed_at__isnull=True)
    objection = Objection.objects.get(publicity=publicity)

    assert publicity.is_open(now)
    assert publicity.ends_at - publicity.starts_at == timedelta(days=7)
    assert publicity.selection.state == "published"
    assert objection.state == "open"
    assert objection.application.state == "in_publicity"
    assert objection.name and objection.contact and len(objection.grounds) >= 20
    panel = Panel.objects.get(applications=objection.application, state="closed")
    assert panel.closed_at > now - timedelta(hours=1)
    assert all(r.state == "submitted" for r in Review.objects.filter(assignment__panel=panel))


def test_demo_closed_publicity_shows_a_dismissed_objection(demo):
    decided = Objection.objects.exclude(state="open").select_related("publicity", "decided_by")

    assert [(o.state, year_of(o.lodged_at)) for o in decided] == [("dismissed", 2018)]
    objection = decided.get()
    assert objection.publicity.starts_at < objection.lodged_at < objection.decided_at
    assert objection.decided_at < objection.publicity.ends_at
    assert objection.decision and objection.decided_by.username == "bureau"


def test_demo_second_run_adds_no_review_round(demo, monkeypatch):
    monkeypatch.setenv("VETQ_DEMO", "1")
    before = {m._meta.label: m._default_manager.count()
              for m in apps.get_models(include_auto_created=True)}
    audit_before = AuditEntry.objects.count()

    output = run_demo()

    assert {m._meta.label: m._default_manager.count()
            for m in apps.get_models(include_auto_created=True)} == before
    assert AuditEntry.objects.count() == audit_before
    assert "nothing added" in output


def test_demo_2019_applications_wait_on_a_draft_panel_an_announced_draw_and_none(demo):
    now = timezone.now()
    waiting = [Application.objects.get(title=spec.title, call_category__call__year=2019)
               for spec in plan_waiting(demo_plan())]
    panels = [list(a.panels.all()) for a in waiting]

    assert [a.state for a in waiting] == ["eligible"] * 3
    assert [[p.state for p in found] for found in panels] == [["draft"], ["announced"], []]
    draft, announced = panels[0][0], panels[1][0]
    assert not Draw.objects.filter(panel=draft).exists()
    record = announced.draw
    assert record.public_value_expected > now + timedelta(days=1)
    assert record.announced_at <= now and not record.public_value and not record.result
    assert "演示数据" in record.public_value_source
    assert record.inputs_digest == canonical.digest(record.inputs)
    assert [a["id"] for a in record.inputs["applications"]] == [waiting[1].pk]


def test_demo_round_calendar_keeps_every_step_in_order():
    categories = ("brand_major", "master_teacher_studio", "industry_contribution_award")
    for year in PAST:
        formal_check_deadline = local(year, 6, 10)  # demo/calls.py
        earliest_approval = local(year, 9, 1, 15)  # funding_plan.GrantSpec.approved_on
        for category in categories:
            d = round_dates(year, category)
            steps = [formal_check_deadline, d.created, d.announced, d.lottery, d.performed,
                     d.review_deadline, d.closed, d.rated, d.selected, d.publicity_start,
                     d.publicity_end, earliest_approval]

            assert steps == sorted(steps) and len(set(steps)) == len(steps)
            assert timezone.localtime(d.lottery).weekday() in (1, 3, 6)  # 双色球 evenings
            assert d.review_deadline - d.performed == timedelta(days=14)
            assert d.publicity_end - d.publicity_start == timedelta(days=7)
