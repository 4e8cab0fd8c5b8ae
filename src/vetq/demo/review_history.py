"""The finished review rounds of the past calls (2016–2019), written with the dates of their year.

A past call's deadlines and dates refuse the review services (a draw's public value must lie
ahead, a review after the deadline is refused), so a round is written directly, the way
application_history.py writes a past application's history. Every result still comes from
the real code: the draw's inputs from `panels.notice_build` (the demo experts and
applications as facts), its digest, seed and result from `canonical` and `draw.perform`; the
review totals from `scoring.weighted_total`, the ranking from `ranking.ranking_for` and the
selection from `selection.run`, which must select exactly the applications funding.py
approved. What the services would also write is written too: the application history, the
review events, the experts' ratings (as `ratings.rating_record` would, once the panel is
closed) and one audit entry a call summing the round up.

Who takes part: the applications of the call that were approved, and in 2016–2018 those left
eligible, which score below the policy's line and end rejected as not selected when the
publicity closes. The 2019 ones left eligible are reviewed now (review_live.py).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Max, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext

from vetq.accounts.models import User
from vetq.applications.models import Application, ApplicationEvent
from vetq.applications.services import Refused
from vetq.applications.states import ApplicationState as S
from vetq.audit.services import audit_log
from vetq.funding.budget import committed, municipal_grants
from vetq.funding.models import Grant, GrantState, Tranche
from vetq.programs.models import Call, CallCategory, Program
from vetq.reviews import assignment, canonical, draw, facts, scoring
from vetq.reviews import selection as pure
from vetq.reviews.models import (
    Assignment,
    AssignmentSource,
    Draw,
    Expert,
    ExpertRating,
    MemberRole,
    Objection,
    Panel,
    PanelMember,
    PanelState,
    Publicity,
    Review,
    ReviewEvent,
    ReviewState,
    Selection,
    SelectionState,
)
from vetq.reviews.panels import expertise_match, pool_experts, pool_shortages
from vetq.reviews.publicity import client_digest
from vetq.reviews.ranking import ranking_for
from vetq.reviews.rubrics import review_rules, rubric_for
from vetq.reviews.selecting import city_cost, requested_amount

from .application_plan import NAMES_AN_ENTERPRISE, PAST_YEARS
from .review_accounts import Reviewers
from .review_plan import (
    LIVE_YEAR,
    RoundDates,
    lottery_source,
    lottery_value,
    outlier,
    quality,
    rating,
    review_content,
    round_dates,
)

NOT_SELECTED = "Not selected in the call."  # publicity.py's comment, in the default language
PUBLICITY_TITLE = "Shortlist of %(call)s in publicity"  # publicity.py's title
REVIEW_WINDOW = 12  # reviews are saved within this many days of the draw (deadline: 14)
# The objection a past publicity received and dismissed (the year, then what it says).
PAST_OBJECTION_YEAR = 2018
PAST_OBJECTION = {
    "name": "陶建平", "organisation": "", "contact": "0510-12345670",
    "grounds": "听说该项目的合作企业与学校负责人存在亲属关系，校企合作内容可能不实，请核查。",
    "decision": "经核查，合作企业与学校负责人不存在亲属关系，合作协议及实训设备投入均有据可查，"
                "异议不成立。",
}


def stored_text(message: str, **params) -> str:
    """A text kept in the database in the product's default language, as the services do."""
    with translation.override(settings.LANGUAGE_CODE):
        text = gettext(message)
    return text % params if params else text


def panel_name(call_category: CallCategory) -> str:
    return f"{call_category.call.year}年度{call_category.category.name}评审组"


@dataclass
class RoundsWritten:
    panels: int = 0
    reviews: int = 0
    ratings: int = 0
    selections: int = 0
    publicities: int = 0
    objections: int = 0
    rejected: int = 0


def _tags(inputs: dict) -> tuple[dict, dict]:
    subjects = {a["id"]: assignment.Subject(a["id"], frozenset(a["industries"]),
                                            frozenset(a["major_groups"]))
                for a in inputs["applications"]}
    reviewers = {p["code"]: assignment.Reviewer(p["code"], frozenset(p["industries"]),
                                                frozenset(p["major_groups"]))
                 for p in inputs["pool"]}
    return subjects, reviewers


def _backdate(model, pk: int, **fields) -> None:
    model.objects.filter(pk=pk).update(**fields)


def _event(application: Application, action: str, before: str, after: str, *, by: User,
           at: datetime, comment: str = "") -> None:
    event = ApplicationEvent.objects.create(application=application, action=action,
                                            from_state=before, to_state=after, by=by,
                                            comment=comment)
    _backdate(ApplicationEvent, event.pk, at=at)


class Pool:
    """The active experts a past draw picked from, loaded once for every past draw (they all
    drew from the whole pool), with their entries in a notice."""

    def __init__(self):
        self.experts = list(facts.experts_loaded(pool_experts()))
        self.items = []
        for expert in self.experts:
            industries, groups = facts.expert_tags(expert)
            self.items.append({"code": expert.code, "industries": sorted(industries),
                               "major_groups": sorted(groups)})


def notice_inputs_for(panel: Panel, pool: Pool, *, on, source: str) -> dict:
    """The inputs of the panel's draw notice, as `panels.notice_build` makes them on day `on`
    (the pool loaded once instead of once a panel); the demo's pool is never short."""
    rules = draw.notice_rules(panel.rules)
    applications = list(facts.applications_loaded(panel.applications.all()))
    pairs = facts.conflicts_between(pool.experts, applications, on=on, review=panel.rules)
    if pool_shortages(applications, pool.experts, pairs,
                      assignment.Rules.from_policy(rules).needed):
        raise RuntimeError(f"the demo pool is short of experts for {panel.name}")
    listed = []
    for application in applications:
        industries, groups = facts.application_tags(application)
        listed.append({"id": application.pk, "industries": sorted(industries),
                       "major_groups": sorted(groups)})
    return draw.notice_inputs(
        title=panel.name, rules=rules, pool=pool.items, applications=listed,
        conflicts=[[code, app_id, list(reasons)] for (code, app_id), reasons in sorted(pairs.items())],
        public_value_source=source)


def draw_write(panel: Panel, dates: RoundDates, pool: Pool, *, bureau: User) -> Draw:
    """The panel's draw as it was announced and performed on its days: the notice's inputs
    from the pool and the applications, the seed from their digest and the public value, the
    result from `draw.perform`; then the members, reserves and assignments it gives."""
    source = lottery_source(dates.lottery)
    inputs = notice_inputs_for(panel, pool, on=timezone.localdate(dates.announced), source=source)
    digest = canonical.digest(inputs)
    value = lottery_value(dates.lottery)
    seed = canonical.seed_for(digest, value, draw.ALGORITHM_VERSION)
    result = draw.perform(inputs, seed)
    record = Draw.objects.create(
        panel=panel, algorithm_version=draw.ALGORITHM_VERSION, inputs=inputs,
        inputs_digest=digest, public_value_source=source, public_value_expected=dates.lottery,
        announced_by=bureau, public_value=value, seed=seed, result=result,
        performed_by=bureau, performed_at=dates.performed)
    _backdate(Draw, record.pk, announced_at=dates.announced)
    experts = Expert.objects.in_bulk([*result["panel"], *result["reserves"]], field_name="code")
    PanelMember.objects.bulk_create(
        [PanelMember(panel=panel, expert=experts[code], role=MemberRole.MEMBER, position=i)
         for i, code in enumerate(result["panel"], start=1)]
        + [PanelMember(panel=panel, expert=experts[code], role=MemberRole.RESERVE, position=i)
           for i, code in enumerate(result["reserves"], start=1)])
    subjects, reviewers = _tags(inputs)
    made = Assignment.objects.bulk_create([
        Assignment(panel=panel, application_id=app_id, expert=experts[code],
                   source=AssignmentSource.DRAW,
                   match=expertise_match(subjects[app_id], reviewers[code]))
        for app_id, code in result["assignment"]])
    Assignment.objects.filter(pk__in=[a.pk for a in made]).update(created_at=dates.performed)
    return record


def reviews_write(panel: Panel, dates: RoundDates, approved: set[int]) -> int:
    """Every assigned expert's review, saved and then submitted within the review period,
    with its weighted total and its two events."""
    assignments = list(panel.assignments
                       .select_related("application__call_category__category", "expert__user")
                       .order_by("application_id", "expert__code"))
    codes: dict[int, list[str]] = {}
    for item in assignments:
        codes.setdefault(item.application_id, []).append(item.expert.code)
    reviews, times = [], []
    for item in assignments:
        title, code = item.application.title, item.expert.code
        good = item.application_id in approved
        content = review_content(
            panel.rubric, title=title, code=code, worth=quality(title, good),
            na_allowed=item.application.call_category.category.code not in NAMES_AN_ENTERPRISE,
            outlier=code == outlier(title, codes[item.application_id], good))
        day = sum(map(ord, code + title)) % (REVIEW_WINDOW - 2) + 1
        saved = dates.performed + timedelta(days=day, hours=1 + sum(map(ord, code)) % 9)
        submitted = saved + timedelta(days=day % 2, hours=2)
        reviews.append(Review(
            assignment=item, state=ReviewState.SUBMITTED, scores=content.scores,
            comments=content.comments, comment=content.comment,
            total=scoring.weighted_total(panel.rubric, content.scores), submitted_at=submitted))
        times.append((saved, submitted))
    Review.objects.bulk_create(reviews)
    events, planned = [], []
    for review, (saved, submitted) in zip(reviews, times, strict=True):
        review.updated_at = submitted
        user = review.assignment.expert.user
        events += [ReviewEvent(review=review, action="save", by=user),
                   ReviewEvent(review=review, action="submit", by=user)]
        planned += [saved, submitted]
    Review.objects.bulk_update(reviews, ["updated_at"])
    ReviewEvent.objects.bulk_create(events)
    # Creation stamps `updated_at` and `at` with today: set them back to the days above.
    for event, at in zip(events, planned, strict=True):
        event.at = at
    ReviewEvent.objects.bulk_update(events, ["at"])
    return len(reviews)


def panel_write(call_category: CallCategory, applications: list[Application], pool: Pool, *,
                approved: set[int], bureau: User, reviewers: Reviewers) -> Panel:
    """One category's finished round: the panel with the policy's rules and rubric, its
    draw, reviews by the experts it drew (given accounts), the leftovers' start and finish
    of review, the panel closed and its experts rated."""
    program = call_category.call.program
    dates = round_dates(call_category.call.year, call_category.category.code)
    panel = Panel.objects.create(
        call_category=call_category, name=panel_name(call_category),
        state=PanelState.REVIEWING, rules=review_rules(program),
        rubric=rubric_for(call_category), review_deadline=dates.review_deadline,
        created_by=bureau)
    _backdate(Panel, panel.pk, created_at=dates.created)
    panel.applications.set(applications)
    draw_write(panel, dates, pool, bureau=bureau)
    reviewers.give(Expert.objects.filter(assignments__panel=panel).distinct(), bureau=bureau)
    reviews_write(panel, dates, approved)
    for application in applications:
        if application.pk not in approved:
            _event(application, "start_review", S.ELIGIBLE, S.UNDER_REVIEW, by=bureau,
                   at=dates.performed)
            _event(application, "finish_review", S.UNDER_REVIEW, S.REVIEWED, by=bureau,
                   at=dates.closed)
            Application.objects.filter(pk=application.pk).update(
                state=S.REVIEWED, updated_at=dates.closed)
    Panel.objects.filter(pk=panel.pk).update(state=PanelState.CLOSED, closed_at=dates.closed)
    panel.refresh_from_db()
    ratings = []
    for expert in Expert.objects.filter(assignments__panel=panel).distinct().order_by("code"):
        score, comment = rating(expert.code, panel.name)
        ratings.append(ExpertRating(expert=expert, panel=panel, score=score, comment=comment,
                                    by=bureau))
    ExpertRating.objects.bulk_create(ratings)
    for made in ratings:
        made.at = dates.rated
    ExpertRating.objects.bulk_update(ratings, ["at"])
    return panel


def _city_cost(application: Application) -> Decimal:
    """What the application took (approved) or would have taken from the city's budget."""
    grant = Grant.objects.filter(application=application).first()
    if grant is not None:
        if grant.payer_region_id is not None:
            return Decimal("0.00")
        return Tranche.objects.filter(grant=grant).aggregate(t=Sum("amount"))["t"]
    try:
        return city_cost(application)
    except Refused:  # a rule that cannot price it: what the school asked for
        return requested_amount(application)


def selection_write(call: Call, candidates: list[Application], approved: set[int], *,
                    bureau: User, dates: RoundDates) -> Selection:
    """The call's selection as run on its day: the round's applications with their ranking
    scores and city costs, each category's quota and what was left of its target and of the
    budget after the earlier calls' grants. It must select exactly the approved ones."""
    program: Program = call.program
    rules = review_rules(program)
    earlier = Grant.objects.filter(program=program, year__lt=call.year).exclude(
        state=GrantState.WITHDRAWN)
    limits = []
    for cc in call.call_categories.select_related("category").order_by("category__code"):
        target = cc.category.target
        limits.append(pure.CategoryLimit(
            cc.category.code, cc.quota,
            None if target is None else max(0, target - earlier.filter(category=cc.category).count())))
    scores = {}
    for cc_pk in sorted({a.call_category_id for a in candidates}):
        scores.update({row.application.pk: row.score
                       for row in ranking_for(CallCategory.objects.get(pk=cc_pk))})
    budget = program.budget_yuan - committed(municipal_grants(program).filter(year__lt=call.year))
    inputs = pure.selection_inputs(
        candidates=[pure.Candidate(a.pk, a.call_category.category.code, scores.get(a.pk),
                                   int(_city_cost(a) * 100)) for a in candidates],
        categories=limits, budget_fen=int(budget * 100),
        min_score=Decimal(str(rules["min_score"])))
    outcome = pure.run(inputs)
    if set(outcome.result["selected"]) != approved:
        raise RuntimeError(
            f"the demo's {call.year} selection chose {outcome.result['selected']}, not the "
            f"approved applications {sorted(approved)}")
    selection = Selection.objects.create(
        call=call, state=SelectionState.PUBLISHED, algorithm_version=pure.ALGORITHM_VERSION,
        inputs=inputs, inputs_digest=outcome.inputs_digest, seed=outcome.seed,
        result=outcome.result, created_by=bureau)
    _backdate(Selection, selection.pk, created_at=dates.selected)
    return selection


def publicity_write(call: Call, selection: Selection, *, bureau: User, dates: RoundDates,
                    closed: datetime) -> Publicity:
    return Publicity.objects.create(
        call=call, selection=selection,
        title=stored_text(PUBLICITY_TITLE, call=call.title)[:150],
        starts_at=dates.publicity_start, ends_at=dates.publicity_end, published_by=bureau,
        closed_at=closed)


def objection_write(publicity: Publicity, application: Application, *, bureau: User,
                    dates: RoundDates) -> Objection:
    """An objection lodged on the third day of the publicity and dismissed two days later."""
    objection = Objection.objects.create(
        publicity=publicity, application=application, name=PAST_OBJECTION["name"],
        organisation=PAST_OBJECTION["organisation"], contact=PAST_OBJECTION["contact"],
        grounds=PAST_OBJECTION["grounds"], client_digest=client_digest("198.51.100.23"),
        state="dismissed", decision=PAST_OBJECTION["decision"], decided_by=bureau,
        decided_at=dates.publicity_start + timedelta(days=4, hours=6))
    _backdate(Objection, objection.pk, lodged_at=dates.publicity_start + timedelta(days=2, hours=5))
    return objection


def round_applications(call: Call) -> list[Application]:
    """The applications the call's round reviewed: those approved and, before the live year,
    those left eligible; none when they are on a panel already (the round is written)."""
    states = [S.APPROVED] if call.year == LIVE_YEAR else [S.APPROVED, S.ELIGIBLE]
    applications = list(
        Application.objects.filter(call_category__call=call, state__in=states)
        .select_related("call_category__category", "call_category__call__program")
        .order_by("pk"))
    if Panel.objects.filter(applications__in=applications).exists():
        return []
    return applications


def past_round_write(call: Call, pool: Pool, *, bureau: User, reviewers: Reviewers
                     ) -> RoundsWritten:
    """The call's whole review round (see `round_applications`)."""
    written = RoundsWritten()
    applications = round_applications(call)
    approved = {a.pk for a in applications if a.state == S.APPROVED}
    by_category: dict[int, list[Application]] = {}
    for application in applications:
        by_category.setdefault(application.call_category_id, []).append(application)
    panels = []
    for applications_of in by_category.values():
        call_category = applications_of[0].call_category
        panels.append(panel_write(call_category, applications_of, pool, approved=approved,
                                  bureau=bureau, reviewers=reviewers))
    written.panels = len(panels)
    written.reviews = Review.objects.filter(assignment__panel__in=panels).count()
    dates = round_dates(call.year)
    selection = selection_write(call, applications, approved, bureau=bureau, dates=dates)
    last_approval = ApplicationEvent.objects.filter(
        application__in=approved, action="approve").aggregate(last=Max("at"))["last"]
    closed = (last_approval or dates.publicity_end) + timedelta(hours=1)
    publicity = publicity_write(call, selection, bureau=bureau, dates=dates, closed=closed)
    rejected = [a for a in applications if a.pk not in approved]
    for application in rejected:
        _event(application, "reject", S.REVIEWED, S.REJECTED, by=bureau, at=closed,
               comment=stored_text(NOT_SELECTED))
        Application.objects.filter(pk=application.pk).update(state=S.REJECTED, updated_at=closed)
    if call.year == PAST_OBJECTION_YEAR and approved:
        # On a partnership the grounds can speak of: the first approved naming an enterprise.
        named = [a.pk for a in applications if a.pk in approved
                 and a.call_category.category.code in NAMES_AN_ENTERPRISE]
        objection_write(publicity, Application.objects.get(pk=min(named or approved)),
                        bureau=bureau, dates=dates)
        written.objections = 1
    written.selections = written.publicities = 1
    written.rejected = len(rejected)
    written.ratings = sum(p.ratings.count() for p in panels)
    audit_log(action="demo.history", actor=bureau, obj=call, after={
        "panels": [p.pk for p in panels],
        "draws": [{"panel": p.pk, "inputs_digest": p.draw.inputs_digest, "seed": p.draw.seed}
                  for p in panels],
        "selection": selection.pk, "selected": selection.result["selected"],
        "publicity": publicity.pk, "rejected": [a.pk for a in rejected],
        "ratings": {str(p.pk): dict(p.ratings.values_list("expert__code", "score")) for p in panels},
        "note": "review round written with the dates of the call's year"})
    return written


def past_rounds_write(program: Program, *, bureau: User, reviewers: Reviewers) -> RoundsWritten:
    total = RoundsWritten()
    pool = None
    for call in Call.objects.filter(program=program, year__in=PAST_YEARS).order_by("year"):
        if not round_applications(call):
            continue
        pool = pool or Pool()
        written = past_round_write(call, pool, bureau=bureau, reviewers=reviewers)
        for name in vars(total):
            setattr(total, name, getattr(total, name) + getattr(written, name))
    return total
