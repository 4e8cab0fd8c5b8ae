"""The demo's review rounds as plain data: when each step of a past call's round happened, the
fictional public values that fixed its draws, and what each expert scored and wrote.

Nothing here reads the database: the same application title and expert code always give the
same scores, so the demo is the same on every run. The dates of a past round (2016–2019) are
shared with funding.py, which writes the approved applications' way through review with them:

    formal check (late May) → panels set up and draws announced 12 June → the public value
    drawn on the next 双色球 evening → draws performed the next morning (start_review) →
    reviews within the review period → panels closed 10 July (finish_review) → experts rated
    11 July → selection 15 July → publicity 5–12 August (shortlist, publish) → approvals in
    September (funding_plan.GrantSpec.approved_on) → publicity closed after the last approval,
    the applications not selected rejected then.
"""

import hashlib
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from .application_plan import CATEGORIES, PAST_YEARS, ApplicationSpec, _context, local, plan_applications
from .funding_plan import EXTRAS, plan_grants
from .plan import SEED, DemoPlan

# Every category a past call reviewed, in a fixed order: a panel's minutes follow from it.
REVIEWED_CATEGORIES = (*CATEGORIES, "program_alliance", "industry_contribution_award")
REVIEW_DAYS = 14  # the policy's review_days, as the demo's rounds used it
PUBLICITY_DAYS = 7  # the policy's publicity_days
LOTTERY_WEEKDAYS = (1, 3, 6)  # 双色球 is drawn on Tuesday, Thursday and Sunday evenings
LOTTERY_HOUR, LOTTERY_MINUTE = 21, 15
MARGIN = 0.5  # a criterion's score lies within this of the application's quality, plus bias


@dataclass(frozen=True)
class RoundDates:
    """When each step of one category's review round happened in a past call."""

    created: datetime
    announced: datetime
    lottery: datetime  # the public value's draw
    performed: datetime  # start_review
    review_deadline: datetime
    closed: datetime  # finish_review
    rated: datetime
    selected: datetime
    publicity_start: datetime  # shortlist and publish
    publicity_end: datetime


def _offset(category: str) -> timedelta:
    index = (REVIEWED_CATEGORIES.index(category) if category in REVIEWED_CATEGORIES
             else len(REVIEWED_CATEGORIES))
    return timedelta(minutes=10 * index)


def lottery_on_or_after(day: date) -> datetime:
    """The first 双色球 draw evening on or after `day`."""
    while day.weekday() not in LOTTERY_WEEKDAYS:
        day += timedelta(days=1)
    return local(day.year, day.month, day.day, LOTTERY_HOUR, LOTTERY_MINUTE)


def lottery_before(moment: datetime) -> datetime:
    """The last 双色球 draw evening at or before `moment`."""
    day = timezone.localtime(moment).date()
    while True:
        if day.weekday() in LOTTERY_WEEKDAYS:
            evening = local(day.year, day.month, day.day, LOTTERY_HOUR, LOTTERY_MINUTE)
            if evening <= moment:
                return evening
        day -= timedelta(days=1)


def round_dates(year: int, category: str = "") -> RoundDates:
    """The dates of `category`'s review round in the call of `year` (see the module doc); its
    panel's minutes follow from the category, the selection and publicity are the call's."""
    offset = _offset(category)
    announced = local(year, 6, 12, 10) + offset
    lottery = lottery_on_or_after(date(year, 6, 14))
    next_day = lottery.date() + timedelta(days=1)
    performed = local(year, next_day.month, next_day.day, 9) + offset
    publicity_start = local(year, 8, 5, 9)
    return RoundDates(
        created=announced - timedelta(hours=1), announced=announced, lottery=lottery,
        performed=performed, review_deadline=performed + timedelta(days=REVIEW_DAYS),
        closed=local(year, 7, 10, 10) + offset, rated=local(year, 7, 11, 15) + offset,
        selected=local(year, 7, 15, 10), publicity_start=publicity_start,
        publicity_end=publicity_start + timedelta(days=PUBLICITY_DAYS),
    )


def _random(*parts) -> random.Random:
    key = "|".join(str(p) for p in parts).encode("utf-8")
    return random.Random(int.from_bytes(hashlib.sha256(key).digest()[:8], "big"))


def lottery_source(evening: datetime) -> str:
    """The name of the public value, clearly marked as demo data: a 双色球 issue and its day."""
    evening = timezone.localtime(evening)
    first = date(evening.year, 1, 1)
    issue = sum(1 for n in range((evening.date() - first).days + 1)
                if (first + timedelta(days=n)).weekday() in LOTTERY_WEEKDAYS)
    return (f"福利彩票双色球（演示数据，非真实开奖结果）{evening.year}年第{issue:03d}期开奖号码，"
            f"{evening:%Y年%m月%d日 %H:%M}开奖")


def lottery_value(evening: datetime) -> str:
    """Made-up winning numbers of that evening: six red balls of 1–33 and a blue one of 1–16."""
    rng = _random("demo-lottery", timezone.localtime(evening).date().isoformat())
    red = sorted(rng.sample(range(1, 34), 6))
    return " ".join(f"{n:02d}" for n in red) + f" + {rng.randint(1, 16):02d}"


# Who is reviewed now ------------------------------------------------------------------------

LIVE_YEAR = PAST_YEARS[-1]  # the call whose last eligible applications are reviewed now
# The applications the review stage adds to the live year's call, left eligible: the first on
# a panel still a draft, the second on a panel whose draw is announced, the third on none.
WAITING_CATEGORIES = ("quality_course", "brand_major", "major_cluster")


def plan_live(plan: DemoPlan) -> list[ApplicationSpec]:
    """The live year's applications funding left eligible: they are reviewed now."""
    approved = {(g.year, g.serial) for g in plan_grants(plan)}
    return [s for s in plan_applications(plan) if s.year == LIVE_YEAR and s.outcome == "eligible"
            and (s.year, s.serial) not in approved]


def plan_waiting(plan: DemoPlan) -> list[ApplicationSpec]:
    """One eligible application of the live year's call for each of WAITING_CATEGORIES, from a
    school that applies in another call (so it has its colleague account) but not in this one,
    naming a major it never named in that category (R26). Drawn from its own seeded Random."""
    specs = plan_applications(plan)
    rng = random.Random(SEED * 100 + 6)
    applying = {s.school for s in specs}
    busy = {s.school for s in specs if s.year == LIVE_YEAR}
    used = {(s.school, s.category, s.major) for s in specs if s.major}
    taken = {name for s in specs for name in (s.context.lead, *(n for n, _ in s.context.team))}
    waiting: list[ApplicationSpec] = []
    for category in WAITING_CATEGORIES:
        schools = [s for s in plan.schools if s.code in applying and s.code not in busy
                   and any((s.code, category, m.catalogue_code) not in used for m in s.majors)]
        school = rng.choice(schools)
        busy.add(school.code)
        major = rng.choice([m for m in school.majors
                            if (school.code, category, m.catalogue_code) not in used])
        serial = len(specs) + len(EXTRAS) + len(waiting) + 1
        waiting.append(ApplicationSpec(
            year=LIVE_YEAR, serial=serial, category=category, school=school.code,
            major=major.catalogue_code, enterprise=None, outcome="eligible", comment="",
            context=_context(rng, plan, school, major, None, taken, serial)))
    return waiting


def lottery_after(moment: datetime) -> datetime:
    """The first 双色球 draw evening after `moment`."""
    evening = lottery_on_or_after(timezone.localtime(moment).date())
    return evening if evening > moment else lottery_on_or_after(evening.date() + timedelta(days=1))


# What the experts write ---------------------------------------------------------------------

COMMENTS = {
    "goals": {
        "high": ("建设目标明确，任务分解到年度，与区域产业需求契合度高。",
                 "建设内容具体可行，量化指标清晰，预期成效可检验。",
                 "目标定位准确，建设内容覆盖人才培养全过程，特色鲜明。"),
        "mid": ("建设目标基本明确，部分建设内容需进一步细化，量化指标偏少。",
                "建设内容较全面，但年度任务安排不够均衡。"),
        "low": ("建设目标不够清晰，建设内容与预期成效之间缺乏支撑。",
                "建设任务笼统，缺少可考核的量化指标，可行性不足。"),
    },
    "lead": {
        "high": ("领衔名师教学成果突出，在行业内有较高影响力。",
                 "领衔人技能水平高，曾获省级以上技能大赛奖项，带教经验丰富。"),
        "mid": ("领衔人教学经验丰富，但示范引领成果有待加强。",
                "领衔人专业能力较强，近三年代表性成果偏少。"),
        "low": ("领衔人代表性成果不足，尚难发挥名师示范作用。",),
    },
}
OVERALL = {
    "high": ("申报材料完整，建设基础较好，建议立项。", "方案科学合理，保障措施有力，同意推荐立项。",
             "整体水平较高，示范作用明显，建议优先支持。"),
    "mid": ("方案基本可行，建议进一步完善绩效指标后实施。", "具备一定建设基础，经费预算需进一步细化。"),
    "low": ("建设基础薄弱，方案可行性不足，暂不建议立项。", "申报材料论证不充分，建议完善后再申报。"),
}
RATING_COMMENTS = {5: "评审意见具体中肯，按时完成全部评审。", 4: "按时完成评审，意见较为具体。",
                   3: "完成评审任务，部分评审意见较为简略。"}


def _level(score: float) -> str:
    return "high" if score >= 8 else "mid" if score >= 6 else "low"


@dataclass(frozen=True)
class ReviewContent:
    scores: dict  # criterion code -> number (int when whole), or None for "not applicable"
    comments: dict
    comment: str


def quality(title: str, approved: bool) -> float:
    """What an application is worth on 0–100: 74–92 for one the city approved (clearly above
    the policy's line of 60), 42–48 for one it did not select."""
    rng = _random("demo-quality", title)
    return rng.uniform(74, 92) if approved else rng.uniform(42, 48)


def expert_bias(code: str) -> float:
    """How much more or less generous an expert is than its colleagues, on a 10-point scale."""
    return _random("demo-bias", code).uniform(-0.3, 0.3)


def _half(value: float, top: float) -> int | float:
    score = min(max(round(value * 2) / 2, 0), top)
    return int(score) if score == int(score) else score


def review_content(rubric: dict, *, title: str, code: str, worth: float,
                   na_allowed: bool = True, outlier: bool = False) -> ReviewContent:
    """The scores and comments expert `code` gives the application `title` worth `worth`:
    each criterion within MARGIN of the worth (plus the expert's bias), in half points, "not
    applicable" on an optional criterion now and then when `na_allowed`, the required comments
    written. An `outlier` marks the application down by 2.5 points a criterion."""
    rng = _random("demo-review", title, code)
    base = worth / 10 + expert_bias(code) - (2.5 if outlier else 0)
    scores, comments = {}, {}
    for criterion in rubric.get("criteria", []):
        top = float(criterion.get("max", 10))
        if criterion.get("allow_na") and na_allowed and rng.random() < 0.2:
            scores[criterion["code"]] = None
            continue
        score = _half(top * (base + rng.uniform(-MARGIN, MARGIN)) / 10, top)
        scores[criterion["code"]] = score
        if criterion.get("comment_required"):
            bank = COMMENTS.get(criterion["code"], COMMENTS["goals"])[_level(score * 10 / top)]
            comments[criterion["code"]] = rng.choice(bank)
    given = [v for v in scores.values() if v is not None]
    overall = rng.choice(OVERALL[_level(sum(given) / len(given))]) if given else ""
    return ReviewContent(scores, comments, overall)


def outlier(title: str, codes: list[str], approved: bool) -> str | None:
    """The one expert, if any, whose review of an approved application is far below the
    others' (about one application in four): the ranking flags the disagreement and the
    trimmed mean drops it, so the application stays clearly above the line."""
    if not approved or not codes or _random("demo-outlier", title).random() >= 0.25:
        return None
    return min(codes, key=lambda code: _random("demo-outlier", title, code).random())


def rating(code: str, panel_name: str) -> tuple[int, str]:
    """The bureau's rating of an expert's work in a panel, 3–5, with its comment."""
    score = _random("demo-rating", code, panel_name).choice((3, 4, 4, 5, 5))
    return score, RATING_COMMENTS[score]
