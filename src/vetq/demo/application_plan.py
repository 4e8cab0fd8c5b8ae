"""The plan of the demo's applications, as plain data: which school applies to which category
in which year, naming which major and partner, and in which state it ends.

2016–2019: from every region, applications that ended eligible, ineligible or withdrawn;
2020: from every region, a draft, a submitted, a recommended and an ineligible one. The plan
is drawn from its own seeded Random and never reads the database.
"""

import random
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from .actors import person_name
from .application_content import Context, title_for
from .enterprises import EnterpriseSpec
from .institutions import HIGHER, LAYOUT, SECONDARY, SchoolSpec, first_school
from .names import TITLES
from .plan import SEED, DemoPlan

PAST_YEARS = (2016, 2017, 2018, 2019)
OPEN_YEAR = 2020
# The categories demo schools apply to, which of them name a major or a partner enterprise.
CATEGORIES = (
    "brand_major", "featured_major", "major_cluster", "quality_course", "training_base",
    "enterprise_partnership", "apprenticeship", "master_teacher_studio", "pathway_pilot",
    "innovation_project",
)
NAMES_A_MAJOR = frozenset(CATEGORIES) - {"enterprise_partnership", "innovation_project"}
NAMES_AN_ENTERPRISE = frozenset({"enterprise_partnership", "apprenticeship", "training_base"})
OPEN_OUTCOMES = ("draft", "submitted", "recommended", "ineligible")
RECOMMEND_COMMENTS = ("同意推荐。", "该校专业基础扎实，建设方案可行，同意推荐。",
                      "符合申报条件，同意推荐。")
INELIGIBLE_REASONS = ("实施方案未加盖学校公章，佐证材料不全。",
                      "经费预算中学校配套资金未落实，不符合申报要求。",
                      "申报专业近三年招生规模不足，不符合申报条件。")
WITHDRAW_REASONS = ("学校调整年度申报计划，本年度暂不申报。", "项目负责人工作调动，申请撤回。")


@dataclass(frozen=True)
class ApplicationSpec:
    year: int
    serial: int  # its place in the whole plan: dates, phone numbers and words follow from it
    category: str
    school: str  # institution code
    major: str | None  # catalogue code of the major named on the application
    enterprise: str | None  # credit code of the partner enterprise
    outcome: str  # the state it ends in
    comment: str  # the school's, the region's or the bureau's words on its last step
    context: Context

    @property
    def title(self) -> str:
        return title_for(self.category, self.context)

    @property
    def recommend_comment(self) -> str:
        return RECOMMEND_COMMENTS[self.serial % len(RECOMMEND_COMMENTS)]


def _choose(rng: random.Random, school: SchoolSpec, this_call: set, used: set):
    """A category the school has not applied to in this call and, where the category names
    a major, a major of the school not yet named in that category in any call (R26)."""
    for category in rng.sample(CATEGORIES, k=len(CATEGORIES)):
        if (school.code, category) in this_call:
            continue
        if category not in NAMES_A_MAJOR:
            return category, None
        free = [m for m in school.majors if (school.code, category, m.catalogue_code) not in used]
        if free:
            return category, rng.choice(free)
    raise ValueError(f"no category left for {school.code}")


def _context(rng: random.Random, plan: DemoPlan, school: SchoolSpec, major, enterprise,
             taken: set[str], serial: int) -> Context:
    titles, weights = zip(*TITLES[school.type], strict=True)
    theme = major or rng.choice(school.majors)
    partners = [s for s in plan.schools if (s.type == HIGHER) != (school.type == HIGHER)]
    local = [s for s in partners if s.region == school.region] or partners
    return Context(
        school=school.name, school_type=school.type, major=theme.name,
        industries=theme.industries, enterprise=enterprise.name if enterprise else "",
        lead=person_name(rng, taken), lead_title=rng.choices(titles, weights=weights)[0],
        team=tuple((person_name(rng, taken), rng.choices(titles, weights=weights)[0])
                   for _ in range(2)),
        mentor=person_name(rng, taken) if enterprise else "",
        partner_school=rng.choice(local).name, serial=serial,
    )


def _outcomes(year: int, region_index: int) -> tuple[str, ...]:
    """Two applications a region: in a past call every other region has one that failed the
    formal check or was withdrawn (both kinds in every call); in 2020 one of each state."""
    if year == OPEN_YEAR:
        return OPEN_OUTCOMES
    if region_index % 2 == 0:
        return ("eligible", "eligible")
    return ("eligible", "ineligible" if (region_index // 2 + year) % 2 else "withdrawn")


def _comment(outcome: str, serial: int) -> str:
    if outcome == "ineligible":
        return INELIGIBLE_REASONS[serial % len(INELIGIBLE_REASONS)]
    if outcome == "withdrawn":
        return WITHDRAW_REASONS[serial % len(WITHDRAW_REASONS)]
    return ""


def plan_applications(plan: DemoPlan) -> list[ApplicationSpec]:
    """The applications of every demo call, from schools of every region. In 2020 the demo
    `school` account's school holds the Liangxi draft and the Liangxi application waiting
    for the region's recommendation, so that account and `region_liangxi` have work."""
    rng = random.Random(SEED * 100 + 2)
    own = first_school(plan.schools, region="liangxi", type=SECONDARY)
    by_region: dict[str, list[EnterpriseSpec]] = {}
    for enterprise in plan.enterprises:
        by_region.setdefault(enterprise.region, []).append(enterprise)
    taken: set[str] = set()
    used: set[tuple[str, str, str]] = set()
    specs: list[ApplicationSpec] = []
    for year in (*PAST_YEARS, OPEN_YEAR):
        this_call: set[tuple[str, str]] = set()
        for index, region in enumerate(LAYOUT):
            schools = [s for s in plan.schools if s.region == region]
            outcomes = _outcomes(year, index)
            picks = rng.sample(schools, k=len(outcomes))
            if year == OPEN_YEAR and region == own.region:
                picks = [own, own, *(s for s in picks if s != own)][: len(outcomes)]
            for outcome, school in zip(outcomes, picks, strict=True):
                serial = len(specs) + 1
                category, major = _choose(rng, school, this_call, used)
                this_call.add((school.code, category))
                if major is not None:
                    used.add((school.code, category, major.catalogue_code))
                enterprise = None
                if category in NAMES_AN_ENTERPRISE:
                    enterprise = rng.choice(by_region.get(region) or plan.enterprises)
                specs.append(ApplicationSpec(
                    year=year, serial=serial, category=category, school=school.code,
                    major=major.catalogue_code if major else None,
                    enterprise=enterprise.credit_code if enterprise else None,
                    outcome=outcome, comment=_comment(outcome, serial),
                    context=_context(rng, plan, school, major, enterprise, taken, serial),
                ))
    return specs




def local(year: int, month: int, day: int, hour: int = 17, minute: int = 0) -> datetime:
    """A moment in the program's time zone (settings.TIME_ZONE)."""
    return timezone.make_aware(datetime(year, month, day, hour, minute))
