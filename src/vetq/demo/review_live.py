"""The review work going on now, in the live year's call (2019), through the real services with
today's dates.

The two applications funding left eligible (review_plan.plan_live):

- one category's panel under review: set up, its draw announced and performed, the demo
  `expert` account's expert added by hand if the draw did not pick it (so that signing in as
  `expert` shows work waiting), some reviews submitted, one saved as a draft, the rest to do;
- another category's applications reviewed, the panel closed, the call's selection run and
  published (公示, open for the policy's period from now), one objection lodged on it.

The publicity goes to a category with a place left under the call's quota; the panel under
review to the first other one. A draw's public value must be expected later than its notice,
and the notice published before the value is known: the notice is published through
`draw_announce`, then set back a few days (with the last 双色球 evening before yesterday as
its value) and the draw performed on it today; one audit entry says so.

Three more applications of that call, written as application_history.py writes a past one
and left eligible (review_plan.plan_waiting): one on a panel still a draft, one on a panel
whose draw is announced, its public value the next 双色球 evening after tomorrow, and one on
no panel, for the bureau to set one up.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from vetq.accounts.models import User
from vetq.applications.models import Application
from vetq.applications.services import Refused
from vetq.applications.states import ApplicationState as S
from vetq.audit.services import audit_log
from vetq.institutions.models import Industry, Institution, Region
from vetq.programs.models import Call, CallCategory, Program
from vetq.reviews.models import Draw, Expert, Panel, Review
from vetq.reviews.panels import draw_announce, draw_perform, member_add, notify_expert, panel_create
from vetq.reviews.publicity import objection_lodge, publicity_open
from vetq.reviews.reviewing import panel_close, review_save, review_submit
from vetq.reviews.selecting import selection_run

from .actors import actors_write
from .application_history import past_application_write
from .application_plan import ApplicationSpec, local
from .calls import colleagues_plan
from .plan import DemoPlan
from .review_accounts import Reviewers
from .review_history import panel_name
from .review_plan import (
    LIVE_YEAR,
    lottery_after,
    lottery_before,
    lottery_source,
    lottery_value,
    plan_live,
    plan_waiting,
    quality,
    review_content,
)

DEMO_EXPERT_REASON = "演示账号"
SUBMITTED_NOW = 3  # reviews of the panel under review submitted; one more saved as a draft
OBJECTION = {
    "name": "过志强", "organisation": "", "contact": "0510-12345678",
    "grounds": "该项目申报书所列校企共建实训基地的设备投入金额与学校年度质量报告披露的数据不一致，"
               "部分合作企业并未实际参与基地建设，请予以核实。",
    "client_ip": "203.0.113.45",
}


@dataclass
class LiveWritten:
    panels: int = 0
    reviewing: int = 0  # of them, under review
    announced: int = 0  # with the draw announced
    draft: int = 0
    waiting: int = 0  # applications added, eligible
    reviews: int = 0
    selections: int = 0
    publicities: int = 0
    objections: int = 0


def _room(call_category: CallCategory) -> int:
    """Places left under the category's quota in its call."""
    taken = Application.objects.filter(
        call_category=call_category,
        state__in=[S.APPROVED, S.SHORTLISTED, S.IN_PUBLICITY]).count()
    return call_category.quota - taken


def _drawn_panel(call_category: CallCategory, *, bureau: User, reviewers: Reviewers,
                 now: datetime) -> Panel:
    """A panel set up, announced (then set back) and drawn; its experts given accounts."""
    earlier = Panel.objects.filter(call_category=call_category).count()
    name = panel_name(call_category) + (f"（第{earlier + 1}批）" if earlier else "")
    panel = panel_create(call_category=call_category, by=bureau, name=name)
    lottery = lottery_before(now - timedelta(days=1))
    announced = lottery - timedelta(days=3)
    announced = local(announced.year, announced.month, announced.day, 10)
    record = draw_announce(panel=panel, by=bureau, public_value_source=lottery_source(lottery),
                           public_value_expected=now + timedelta(minutes=5))
    Panel.objects.filter(pk=panel.pk).update(created_at=announced - timedelta(hours=1))
    Draw.objects.filter(pk=record.pk).update(announced_at=announced, public_value_expected=lottery)
    audit_log(action="demo.history", actor=bureau, obj=record, after={
        "announced_at": announced.isoformat(), "public_value_expected": lottery.isoformat(),
        "note": "demo: the notice set back before its public value, so that it can be "
                "performed today"})
    draw_perform(panel=panel, by=bureau, public_value=lottery_value(lottery))
    counts = Counter(panel.assignments.filter(active=True).values_list("expert_id", flat=True))
    for expert in reviewers.give(Expert.objects.filter(pk__in=counts).order_by("code"),
                                 bureau=bureau):
        notify_expert(expert, panel, counts[expert.pk])  # the draw told those with an account
    return panel


def _review(assignment, *, submit: bool) -> Review:
    application, expert = assignment.application, assignment.expert
    content = review_content(assignment.panel.rubric, title=application.title, code=expert.code,
                             worth=quality(application.title, True))
    review = review_save(assignment=assignment, by=expert.user, scores=content.scores,
                         comments=content.comments, comment=content.comment)
    if submit:
        review = review_submit(assignment=assignment, by=expert.user)
    return review


def _assignments(panel: Panel):
    return list(panel.assignments.filter(active=True)
                .select_related("panel", "application", "expert__user")
                .order_by("application_id", "expert__code"))


def publicity_round_write(call_category: CallCategory, *, bureau: User, reviewers: Reviewers,
                          now: datetime) -> LiveWritten:
    """Reviewed, closed, selected and in publicity from now, with one objection lodged."""
    panel = _drawn_panel(call_category, bureau=bureau, reviewers=reviewers, now=now)
    reviews = [_review(a, submit=True) for a in _assignments(panel)]
    panel_close(panel=panel, by=bureau)
    call = call_category.call
    selection = selection_run(call=call, by=bureau)
    ours = set(panel.applications.values_list("pk", flat=True))
    if not ours <= set(selection.result["selected"]):
        raise RuntimeError(f"the demo's selection of {call.year} left out {sorted(ours)}")
    publicity = publicity_open(selection=selection, by=bureau)
    objection_lodge(publicity=publicity, application=Application.objects.get(pk=min(ours)),
                    name=OBJECTION["name"], organisation=OBJECTION["organisation"],
                    contact=OBJECTION["contact"], grounds=OBJECTION["grounds"],
                    client_ip=OBJECTION["client_ip"])
    return LiveWritten(panels=1, reviews=len(reviews), selections=1, publicities=1, objections=1)


def reviewing_round_write(call_category: CallCategory, *, bureau: User, reviewers: Reviewers,
                          now: datetime) -> LiveWritten:
    """Drawn and under review: the demo expert assigned, some reviews in, some to do."""
    panel = _drawn_panel(call_category, bureau=bureau, reviewers=reviewers, now=now)
    demo_expert = Expert.objects.filter(user__username="expert").first()
    if demo_expert is not None:
        for application in panel.applications.order_by("pk"):
            if panel.assignments.filter(application=application, expert=demo_expert,
                                        active=True).exists():
                continue
            try:
                member_add(panel=panel, expert=demo_expert, application=application, by=bureau,
                           reason=DEMO_EXPERT_REASON)
            except Refused:
                continue  # a conflict: the demo expert may not review this one
    others = [a for a in _assignments(panel) if a.expert_id != getattr(demo_expert, "pk", None)]
    reviews = [_review(a, submit=i < SUBMITTED_NOW) for i, a in enumerate(others[:SUBMITTED_NOW + 1])]
    return LiveWritten(panels=1, reviewing=1, reviews=len(reviews))


def _planned(call: Call, specs: list[ApplicationSpec]) -> list[Application]:
    """The planned applications of the call still eligible and on no panel, in id order."""
    wanted = {(spec.school, spec.title) for spec in specs}
    found = (Application.objects.filter(call_category__call=call, state=S.ELIGIBLE,
                                        panels__isnull=True)
             .select_related("institution", "call_category__category").order_by("pk"))
    return [a for a in found if (a.institution.code, a.title) in wanted]


def live_rounds_write(program: Program, plan: DemoPlan, *, bureau: User, reviewers: Reviewers,
                      now: datetime) -> LiveWritten:
    """The rounds of the live year's applications funding left eligible (done: nothing)."""
    call = Call.objects.filter(program=program, year=LIVE_YEAR).first()
    groups: list[CallCategory] = []
    for application in _planned(call, plan_live(plan)) if call else []:
        if application.call_category not in groups:
            groups.append(application.call_category)
    if not groups:
        return LiveWritten()
    with_room = [cc for cc in groups if _room(cc) >= Application.objects.filter(
        call_category=cc, state=S.ELIGIBLE).count()]
    publicity = with_room[-1] if len(groups) > 1 and with_room else None
    reviewing = next(cc for cc in groups if cc != publicity)
    written = reviewing_round_write(reviewing, bureau=bureau, reviewers=reviewers, now=now)
    if publicity is not None:
        more = publicity_round_write(publicity, bureau=bureau, reviewers=reviewers, now=now)
        for name in vars(written):
            setattr(written, name, getattr(written, name) + getattr(more, name))
    return written


def waiting_write(program: Program, plan: DemoPlan, *, bureau: User, now: datetime,
                  schools: dict[str, Institution], regions: dict[str, Region],
                  industries: dict[str, Industry]) -> LiveWritten:
    """The applications of plan_waiting that are not there yet, and the draft panel and the
    announced draw of the first two, unless they are on a panel already."""
    call = Call.objects.filter(program=program, year=LIVE_YEAR).first()
    if call is None:
        return LiveWritten()
    specs = plan_waiting(plan)
    written, actors = [], None
    for spec in specs:
        call_category = call.call_categories.get(category__code=spec.category)
        school = schools[spec.school]
        if not Application.objects.filter(call_category=call_category, institution=school,
                                          title=spec.title).exists():
            actors = actors or actors_write(plan, colleagues_plan(plan), regions=regions,
                                            schools=schools)
            written.append(past_application_write(spec, call_category=call_category,
                                                  school=school, actors=actors,
                                                  industries=industries))
    if written:
        audit_log(action="demo.history", actor=bureau, obj=call, after={
            "applications": [a.pk for a in written],
            "note": "applications waiting for review, history written with the dates of the "
                    "call's year"})
    result = LiveWritten(waiting=len(written))
    draft, announced = (_planned(call, [spec]) for spec in specs[:2])
    if draft:
        panel_create(call_category=draft[0].call_category, by=bureau,
                     name=panel_name(draft[0].call_category))
        result.panels, result.draft = result.panels + 1, 1
    if announced:
        panel = panel_create(call_category=announced[0].call_category, by=bureau,
                             name=panel_name(announced[0].call_category))
        evening = lottery_after(now + timedelta(days=1))
        draw_announce(panel=panel, by=bureau, public_value_source=lottery_source(evening),
                      public_value_expected=evening)
        result.panels, result.announced = result.panels + 1, 1
    return result
