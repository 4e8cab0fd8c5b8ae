"""The demo's calls and applications: 2016–2019 closed with whole histories (the last two of
2019 under review and in publicity now), 2020 open with work waiting for the demo accounts;
built once for this module (each test still runs in its own transaction, rolled back)."""

from collections import Counter, defaultdict
from datetime import timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from vetq.accounts import scoping
from vetq.accounts.models import User
from vetq.applications import eligibility
from vetq.applications.models import Application, EligibilityCheck
from vetq.applications.services import submission_facts
from vetq.audit.models import AuditEntry
from vetq.demo.application_plan import plan_applications
from vetq.demo.funding_plan import plan_grants
from vetq.demo.plan import demo_plan
from vetq.demo.review_plan import plan_waiting
from vetq.institutions.models import Region
from vetq.programs.models import Call

pytestmark = pytest.mark.integration

PAST = (2016, 2017, 2018, 2019)
# The review, selection and approval of past applications, written by the demo's funding
# and review stages with the dates of the call's year.
LATER_STAGES = {"start_review", "finish_review", "shortlist", "publish", "approve", "reject"}
# The 2019 applications left eligible are reviewed now (demo/review_live.py).
LIVE_STATES = {"under_review", "in_publicity"}


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
            output = run_demo()
            yield output
            transaction.set_rollback(True)


@pytest.fixture
def demo(built, db):
    return built


def states_by_year() -> dict[int, Counter]:
    found: dict[int, Counter] = defaultdict(Counter)
    for year, state in Application.objects.values_list("call_category__call__year", "state"):
        found[year][state] += 1
    return found


def test_demo_holds_calls_2016_to_2020_in_their_states(demo):
    calls = {c.year: c for c in Call.objects.all()}
    now = timezone.now()

    assert {year: call.state for year, call in calls.items()} == {
        2016: "closed", 2017: "closed", 2018: "closed", 2019: "closed", 2020: "published",
    }
    assert all(timezone.localtime(calls[y].formal_check_deadline).year == y for y in PAST)
    assert all(calls[y].published_at < calls[y].submission_deadline for y in PAST)
    assert calls[2020].submission_deadline - now > timedelta(days=20)
    assert calls[2020].recommendation_deadline > calls[2020].submission_deadline
    assert "5 calls with 84 applications" in demo


def test_demo_applications_end_in_the_states_of_this_stage(demo):
    # Three in four eligible applications were approved (demo/funding_plan.py), with an
    # alliance in 2017 and an award in 2018 the funding stage applies for itself; the other
    # two of each call were not selected (2016–2018) or are reviewed now (2019).
    approved = {2016: 9, 2017: 10, 2018: 10, 2019: 9}
    # The review stage adds three 2019 applications left eligible (demo/review_plan.py).
    left = {year: {"rejected": 2} for year in PAST[:-1]} | {2019: {"under_review": 1,
                                                                  "in_publicity": 1,
                                                                  "eligible": 3}}
    assert states_by_year() == {
        **{year: Counter({"approved": approved[year], "ineligible": 1 + year % 2,
                          "withdrawn": 2 - year % 2, **left[year]})
           for year in PAST},
        2020: Counter({"draft": 7, "submitted": 7, "recommended": 7, "ineligible": 7}),
    }


def test_demo_applications_come_from_every_region_in_every_call(demo):
    regions = set(Region.objects.values_list("code", flat=True))
    seen = defaultdict(set)
    for year, region, state in Application.objects.values_list(
            "call_category__call__year", "institution__region__code", "state"):
        seen[year, state].add(region)

    assert all(seen[2020, state] == regions for state in
               ("draft", "submitted", "recommended", "ineligible"))
    assert all(set().union(*(seen[year, s] for s in ("approved", "rejected", "ineligible",
                                                      "withdrawn", "eligible", *LIVE_STATES)))
               == regions for year in PAST)


def test_demo_every_state_has_its_history(demo):
    now = timezone.now()
    for application in Application.objects.prefetch_related("events", "checks").select_related(
            "call_category__call"):
        events = list(application.events.all())
        moves = [(e.from_state, e.to_state) for e in events]
        chain = ["draft", *(to for _, to in moves)]
        assert [before for before, _ in moves] == chain[:-1]
        assert chain[-1] == application.state
        call = application.call_category.call
        live = application.state in LIVE_STATES
        assert all(e.at <= call.formal_check_deadline or call.year == 2020
                   or (e.action in LATER_STAGES and timezone.localtime(e.at).year == call.year)
                   or (live and e.action in LATER_STAGES and e.at > now - timedelta(hours=1))
                   for e in events)
        automatic = [c for c in application.checks.all() if c.kind == "automatic"]
        if application.state == "draft":
            assert (events, automatic, application.submitted_at) == ([], [], None)
        else:
            assert abs(application.submitted_at - events[0].at) < timedelta(seconds=1)
            assert [c.passed for c in automatic] == [True]


def test_demo_ineligible_and_withdrawn_carry_their_reasons(demo):
    for application in Application.objects.filter(state__in=["ineligible", "withdrawn"]):
        last = application.events.last()
        assert last.comment
        if application.state == "ineligible":
            check = application.checks.get(kind=EligibilityCheck.Kind.FORMAL)
            assert (check.passed, check.reason) == (False, last.comment)
            assert last.by.username == "bureau"


def test_demo_accounts_find_work_waiting(demo):
    school = User.objects.get(username="school")
    officer = User.objects.get(username="region_liangxi")
    bureau = User.objects.get(username="bureau")
    open_call = {"call_category__call__year": 2020}

    own = scoping.applications_for(school).filter(**open_call)
    waiting = scoping.applications_for(officer).filter(state="submitted", **open_call)
    to_check = scoping.applications_for(bureau).filter(state="recommended", **open_call)

    assert sorted(own.values_list("state", flat=True)) == ["draft", "submitted"]
    assert [a.institution.region.code for a in waiting] == ["liangxi"]
    assert waiting.get().institution == scoping.own_institutions(school)[0]
    assert to_check.count() == 7


def test_demo_draft_of_school_lacks_only_its_implementation_plan(demo):
    draft = Application.objects.get(created_by__username="school", state="draft")

    failures = eligibility.check_submission(submission_facts(draft, timezone.now()))

    assert [(f.code, f.params) for f in failures] == [
        ("missing_attachment", {"attachment": "建设实施方案"}),
    ]


def test_demo_applications_follow_the_plan(demo):
    grants = plan_grants(demo_plan())
    approved = {(g.year, g.serial) for g in grants}

    def state(spec) -> str:
        if (spec.year, spec.serial) in approved:
            return "approved"
        if spec.outcome == "eligible" and spec.year < 2020:
            return "rejected" if spec.year < 2019 else "live"
        return spec.outcome

    planned = {(s.year, s.title, state(s)) for s in plan_applications(demo_plan())}
    planned |= {(g.year, g.extra.title, "approved") for g in grants if g.extra}
    planned |= {(s.year, s.title, "eligible") for s in plan_waiting(demo_plan())}
    found = {(year, title, "live" if state in LIVE_STATES else state)
             for year, title, state in Application.objects.values_list(
                 "call_category__call__year", "title", "state")}

    assert found == planned


def test_demo_second_run_adds_no_call_or_application(demo, monkeypatch):
    monkeypatch.setenv("VETQ_DEMO", "1")
    before = {m._meta.label: m._default_manager.count()
              for m in apps.get_models(include_auto_created=True)}
    audit_before = AuditEntry.objects.count()

    output = run_demo()

    assert {m._meta.label: m._default_manager.count()
            for m in apps.get_models(include_auto_created=True)} == before
    assert AuditEntry.objects.count() == audit_before
    assert "nothing added" in output
