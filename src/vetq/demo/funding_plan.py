"""Which demo applications become grants, who pays them and what happens to their money, as
plain data drawn from the demo plan; and the two applications the demo writes for categories
its calls did not open (a program alliance, R12, and an industry contribution award, R7).

In each past call three in four eligible applications are approved, in plan order; the rest
stay waiting for the review feature. Jiangyin pays its schools 120% of the municipal rate
and Yixing the rate itself (R28), except the first county-city project of 2018, which the
city commissions and pays. The first city grant of 2016 fails its acceptance and money is
recovered; the first of 2017 is first paid under a wrong voucher, which is reversed.
"""

import random
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from vetq.applications.editing import application_update, attachment_add
from vetq.applications.forms_spec import form_snapshot
from vetq.applications.models import Application
from vetq.audit.services import audit_log
from vetq.institutions.models import Industry, Institution
from vetq.programs.models import Call, CallCategory, Program

from .actors import Actors
from .application_content import GRANT_SHARES, SCHOOL_SHARES, content_for, demo_pdf
from .application_history import PLAN_SLOT, past_history_write
from .application_plan import PAST_YEARS, ApplicationSpec, _context, plan_applications
from .institutions import HIGHER, TECHNICAL
from .plan import SEED, DemoPlan

ACCEPTED_BY = date(2019, 12, 31)  # acceptances and ratings falling due by then are recorded
LAST_PAYMENT = date(2020, 7, 31)  # no money moves after this day
# Each payer's voucher prefix and account. The demo has no Yixing finance officer, so
# Yixing's tranches stay unpaid: they show as due and overdue on its dashboards.
PAYERS = {"city": ("锡财教", "无锡市财政局教育专项资金账户"),
          "jiangyin": ("澄财教", "江阴市财政局教育专项资金账户"),
          "yixing": ("宜财教", "宜兴市财政局教育专项资金账户")}
COUNTY_SHARES = {"jiangyin": Decimal("1.2"), "yixing": Decimal("1")}
COMMISSIONED_YEAR = 2018
STUDIO = "master_teacher_studio"


@dataclass(frozen=True)
class ExtraSpec:
    """An application the funding stage writes itself, borrowing the words of `words`."""

    application: ApplicationSpec
    title: str
    goals: str
    words: str
    total: Decimal


# year, category, region, school type, borrowed words, amount (range rules), title, goals
EXTRAS = (
    (2017, "program_alliance", "liangxi", HIGHER, "pathway_pilot", None, Decimal(200_000),
     "{major}专业中高职办学联盟",
     "联合区域内中职学校与本科院校，共建{major}专业中高职衔接课程体系，共享实训基地与师资，"
     "四年内联合培养学生不少于300人。"),
    (2018, "industry_contribution_award", "huishan", TECHNICAL, "innovation_project",
     Decimal(200_000), Decimal(200_000), "{school}产业发展贡献奖",
     "近三年为区域产业培养技术技能人才1200余人，承担企业技术服务项目30项，"
     "促进了{major}相关产业的转型升级。"),
)


@dataclass(frozen=True)
class GrantSpec:
    year: int
    serial: int
    category: str
    school: str
    region: str
    payer: str = "city"  # or the code of the county-level city that pays
    commissioned: bool = False
    county_share: Decimal | None = None  # of the municipal rate, for a county-paid grant
    amount: Decimal | None = None  # set at approval for a range rule
    extra: ExtraSpec | None = None
    reversal: bool = False
    fails: bool = False
    excellent: bool = False
    reports: bool = False
    overspends: bool = False

    @property
    def approved_on(self) -> date:
        return date(self.year, 9, 1 + self.serial % 20)


def _extras(plan: DemoPlan, specs: list[ApplicationSpec]) -> list[GrantSpec]:
    applying = {s.school for s in specs}
    rng = random.Random(SEED * 100 + 4)
    taken = {name for s in specs for name in (s.context.lead, *(n for n, _ in s.context.team))}
    found = []
    for n, (year, category, region, kind, words, amount, total, title, goals) in enumerate(EXTRAS):
        school = next(s for s in plan.schools
                      if s.region == region and s.type == kind and s.code in applying)
        major, serial = school.majors[0], len(specs) + 1 + n
        context = _context(rng, plan, school, major, None, taken, serial)
        application = ApplicationSpec(
            year=year, serial=serial, category=category, school=school.code,
            major=major.catalogue_code, enterprise=None, outcome="eligible", comment="",
            context=context)
        names = {"major": major.name, "school": school.name}
        extra = ExtraSpec(application, title.format(**names), goals.format(**names), words, total)
        found.append(GrantSpec(year, serial, category, school.code, region, amount=amount,
                               extra=extra))
    return found


def plan_grants(plan: DemoPlan) -> list[GrantSpec]:
    """The demo's grants in order of approval, with what happens to each."""
    specs = plan_applications(plan)
    regions = {s.code: s.region for s in plan.schools}
    grants = []
    for year in PAST_YEARS:
        eligible = [s for s in specs if s.year == year and s.outcome == "eligible"]
        grants += [GrantSpec(s.year, s.serial, s.category, s.school, regions[s.school])
                   for i, s in enumerate(eligible) if i % 4 != 3]
    grants = sorted(grants + _extras(plan, specs), key=lambda g: (g.year, g.serial))
    commissioned = next(g.serial for g in grants
                        if g.year == COMMISSIONED_YEAR and g.region in COUNTY_SHARES)
    grants = [replace(g, payer=g.region, county_share=COUNTY_SHARES[g.region])
              if g.region in COUNTY_SHARES and g.serial != commissioned
              else replace(g, commissioned=g.serial == commissioned) for g in grants]
    city = [g.serial for g in grants if g.payer == "city"]
    failing = next(g.serial for g in grants
                   if g.serial in city and g.year == 2016 and g.category != STUDIO)
    reversal = next(g.serial for g in grants if g.serial in city and g.year == 2017)
    reports = {g.serial for g in grants
               if g.year <= 2017 and g.payer != "yixing" and g.extra is None}
    overspends = next(g.serial for g in grants if g.serial in reports and g.payer == "jiangyin")
    return [replace(g, fails=g.serial == failing, reversal=g.serial == reversal,
                    excellent=g.category == STUDIO and g.serial % 2 == 1,
                    reports=g.serial in reports, overspends=g.serial == overspends)
            for g in grants]


def _budget(total: Decimal) -> list[dict]:
    cent = Decimal("0.01")
    return [{"item": item, "amount": str((total * Decimal(share)).quantize(cent)),
             "school": str((total * Decimal(SCHOOL_SHARES.get(item, "0"))).quantize(cent)),
             "partner": "0.00"} for item, share in GRANT_SHARES.items()]


def extra_application_write(spec: GrantSpec, *, program: Program, actors: Actors,
                            school: Institution, industries: dict[str, Industry]) -> Application:
    """The application of an extra grant, left eligible like the planned ones: its category
    is opened in that year's call (quota 1, audited as history), the draft filled through
    the services, and its history written by `past_history_write`. One already there is
    returned as it is."""
    extra = spec.extra
    call = Call.objects.get(program=program, year=spec.year)
    category = program.categories.get(code=spec.category)
    call_category, opened = CallCategory.objects.get_or_create(
        call=call, category=category,
        defaults={"quota": 1, "per_school_cap": (category.form or {}).get("per_school_cap")})
    if opened:
        audit_log(action="demo.history", actor=actors.bureau, obj=call,
                  after={"opened": category.code, "quota": 1, "by": "demo"})
    existing = Application.objects.filter(call_category=call_category, institution=school).first()
    if existing is not None:
        return existing
    user = actors.schools[spec.school]
    application = Application.objects.create(
        call_category=call_category, institution=school, title=extra.title, created_by=user,
        form=form_snapshot(category))
    data = content_for(extra.words, application.form, spec.year, extra.application.context,
                       {code: i.name for code, i in industries.items()})
    major = school.majors.get(catalogue_code=extra.application.major)
    data.update(goals=extra.goals, budget=_budget(extra.total), majors=[major.pk],
                industries=sorted(major.industries.values_list("pk", flat=True)))
    application_update(application=application, by=user, data=data)
    upload = SimpleUploadedFile(
        "建设实施方案.pdf", demo_pdf(f"Implementation plan: demo application {spec.serial}"),
        content_type="application/pdf")
    attachment_add(application=application, slot=PLAN_SLOT, upload=upload, by=user)
    past_history_write(application, extra.application, school=school, actors=actors)
    application.refresh_from_db()
    return application
