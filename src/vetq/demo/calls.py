"""The demo's calls (申报通知): 2016–2019 closed with their applications' whole history, 2020
open with applications in every state of this stage; see application_plan.py for who
applies. A call that is already there is left alone with its applications, so a second run
adds nothing.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from vetq.audit.services import audit_log
from vetq.institutions.models import Industry, Institution, Region
from vetq.programs.calls import call_create, call_publish, default_quota
from vetq.programs.models import Call, CallCategory, CallState, Program

from .actors import ActorSpec, actors_write, plan_actors
from .application_history import open_application_write, past_application_write
from .application_plan import CATEGORIES, OPEN_YEAR, PAST_YEARS, local, plan_applications
from .institutions import LAYOUT
from .plan import DemoPlan

# The quota of a category the policy sets no target for (the bureau decides it each year).
UNTARGETED_QUOTA = 3


@dataclass(frozen=True)
class CallsResult:
    calls: int
    applications: int
    colleagues: int


def _quotas(program: Program, year: int) -> dict[str, int]:
    """Each category's default quota: what is left of its target after the earlier calls'
    quotas, spread over the years left (the demo's calls approve nothing yet)."""
    categories = program.categories.filter(code__in=CATEGORIES, active=True)
    quotas = {}
    for category in categories:
        earlier = sum(CallCategory.objects.filter(
            category=category, call__year__lt=year).values_list("quota", flat=True))
        quota = default_quota(category, year, approved_so_far=earlier)
        quotas[category.code] = quota or UNTARGETED_QUOTA
    return quotas


def _notice(year: int) -> str:
    return (
        f"根据《关于实施无锡市职业教育质量提升工程的意见》（锡教发〔2016〕77号）要求，现组织开展"
        f"{year}年度项目申报工作。请各市（县）区教育局、各职业院校按通知要求做好申报、推荐工作。"
    )


def past_call_write(*, program: Program, year: int, bureau) -> Call:
    """A call of a past year, created through `call_create` and then closed as it was:
    `call_publish` refuses a deadline already passed, so the publication and the close are
    written directly with their dates of that year, and audited as such."""
    call = call_create(
        program=program, year=year, title=f"{year}年度无锡市职业教育质量提升工程项目申报",
        notice=_notice(year), submission_deadline=local(year, 4, 30),
        recommendation_deadline=local(year, 5, 20), formal_check_deadline=local(year, 6, 10),
        quotas=_quotas(program, year), by=bureau,
    )
    published_at = local(year, 3, 1, 9)
    Call.objects.filter(pk=call.pk).update(
        state=CallState.CLOSED, published_at=published_at, closed_at=call.submission_deadline,
        created_at=local(year, 2, 20, 9),
    )
    audit_log(action="call.backdate", actor=bureau, obj=call,
              after={"state": CallState.CLOSED, "published_at": published_at.isoformat(),
                     "closed_at": call.submission_deadline.isoformat(), "by": "demo"})
    call.refresh_from_db()
    return call


def open_call_write(*, program: Program, bureau, now: datetime) -> Call:
    """This year's call, open: its deadlines lie three, five and seven weeks ahead."""
    day = timezone.localtime(now).replace(hour=17, minute=0, second=0, microsecond=0)
    call = call_create(
        program=program, year=OPEN_YEAR,
        title=f"{OPEN_YEAR}年度无锡市职业教育质量提升工程项目申报", notice=_notice(OPEN_YEAR),
        submission_deadline=day + timedelta(days=21),
        recommendation_deadline=day + timedelta(days=35),
        formal_check_deadline=day + timedelta(days=49),
        quotas=_quotas(program, OPEN_YEAR), by=bureau,
    )
    return call_publish(call=call, by=bureau)


def colleagues_plan(plan: DemoPlan) -> list[ActorSpec]:
    """The colleague accounts the planned applications need (see actors.py)."""
    school_codes = sorted({spec.school for spec in plan_applications(plan)})
    return plan_actors(plan, school_codes=school_codes, region_codes=list(LAYOUT))


def calls_write(plan: DemoPlan, *, program: Program, schools: dict[str, Institution],
                regions: dict[str, Region], industries: dict[str, Industry]) -> CallsResult:
    """Create the colleague accounts the applications need, then each demo call that is not
    there yet with its planned applications; return how many of each were added."""
    specs = plan_applications(plan)
    actors = actors_write(plan, colleagues_plan(plan), regions=regions, schools=schools)
    years = (*PAST_YEARS, OPEN_YEAR)
    existing = set(Call.objects.filter(program=program, year__in=years)
                   .values_list("year", flat=True))
    calls = applications = 0
    for year in years:
        if year in existing:
            continue
        if year == OPEN_YEAR:
            call = open_call_write(program=program, bureau=actors.bureau, now=timezone.now())
            write = open_application_write
        else:
            call = past_call_write(program=program, year=year, bureau=actors.bureau)
            write = past_application_write
        open_categories = {cc.category.code: cc
                           for cc in call.call_categories.select_related("category")}
        written = [
            write(spec, call_category=open_categories[spec.category],
                  school=schools[spec.school], actors=actors, industries=industries)
            for spec in specs if spec.year == year
        ]
        if year != OPEN_YEAR:
            audit_log(action="demo.history", actor=actors.bureau, obj=call,
                      after={"applications": [a.pk for a in written],
                             "note": "history written with the dates of the call's year"})
        calls += 1
        applications += len(written)
    return CallsResult(calls=calls, applications=applications, colleagues=actors.created)
