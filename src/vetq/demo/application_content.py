"""What a demo application says: its title, goals, team, milestones, budget, the answers its
category's form asks for, and a small PDF as its implementation plan.

Everything here is a pure function of the planned application and its form copy, so the
same plan always writes the same words; the data goes through the real checks
(`applications.editing.application_update`) when it is written.
"""

from dataclasses import dataclass
from decimal import Decimal

TITLES = {
    "brand_major": "{major}专业现代化品牌专业建设",
    "featured_major": "{major}专业现代化特色专业建设",
    "major_cluster": "以{major}为核心的现代化专业群建设",
    "quality_course": "{major}专业核心课程精品课程建设",
    "training_base": "{major}产教深度融合现代化实训基地",
    "enterprise_partnership": "{school}—{enterprise}校企合作示范组合",
    "apprenticeship": "{major}专业现代学徒制试点",
    "master_teacher_studio": "{lead}名师工作室",
    "pathway_pilot": "{major}专业中高职衔接培养试点",
    "innovation_project": "{major}创新创业教育实践平台",
}
GOALS = {
    "brand_major": "建成办学条件一流、人才培养质量高、社会认可度高的现代化品牌专业",
    "featured_major": "形成人才培养模式鲜明、服务地方产业能力突出的现代化特色专业",
    "major_cluster": "整合相关专业资源，建成共享实训平台与课程体系的专业群",
    "quality_course": "建成课程标准、教学资源与在线课程齐备的精品课程",
    "training_base": "建成集人才培养、教学研究与技术推广于一体的现代化实训基地",
    "enterprise_partnership": "建立校企共建、共管、共享的长效合作机制",
    "apprenticeship": "形成校企双主体育人、学生学徒双身份的现代学徒制培养模式",
    "master_teacher_studio": "发挥名师引领作用，培养一支高水平专业教学团队",
    "pathway_pilot": "构建中职、高职、本科有效衔接的人才培养体系",
    "innovation_project": "构建覆盖全体学生的创新创业教育课程与实践体系",
}
MILESTONES = (
    "完成建设方案论证，启动设备采购与师资培训",
    "完成主体建设任务，开展教学改革与社会服务",
    "全面完成建设任务，总结推广建设成果，迎接验收",
)
# What each category asks the city for (yuan); studios ask per year for three years.
GRANTS = {
    "brand_major": 100_000, "featured_major": 50_000, "major_cluster": 100_000,
    "quality_course": 50_000, "training_base": 100_000, "enterprise_partnership": 100_000,
    "apprenticeship": 100_000, "master_teacher_studio": 60_000, "pathway_pilot": 20_000,
    "innovation_project": 50_000,
}
# Shares of the grant by budget item, and of the school's co-funding by item (R30).
GRANT_SHARES = {"equipment": "0.5", "training": "0.2", "materials": "0.2", "experts": "0.1"}
SCHOOL_SHARES = {"equipment": "0.6", "training": "0.2"}
PARTNER_SHARE = "0.3"  # of the equipment line, where an enterprise takes part
HONOURS = ("江苏省职业教育教学名师", "无锡市学科（专业）带头人", "全国职业院校技能大赛优秀指导教师")
UNDERGRADUATE = "锡城理工学院"
PARTNERSHIP_FORMS = ("enterprise_in_school", "school_in_factory", "enterprise_run_school",
                     "school_run_enterprise")


@dataclass(frozen=True)
class Context:
    """The names a planned application's words draw on."""

    school: str
    school_type: str
    major: str  # the major the project is about (named on the application or not)
    industries: tuple[str, ...]  # the codes of the industries the major serves
    enterprise: str  # partner enterprise name, or ""
    lead: str
    lead_title: str
    team: tuple[tuple[str, str], ...]  # (name, title)
    mentor: str  # the partner enterprise's mentor, where there is an enterprise
    partner_school: str  # a school of the other level, for member lists
    serial: int


def title_for(category: str, context: Context) -> str:
    school = context.school.removeprefix("无锡").removeprefix("江阴").removeprefix("宜兴")
    return TITLES[category].format(major=context.major, school=school,
                                   enterprise=context.enterprise, lead=context.lead)[:150]


def _amount(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def budget_for(category: str, with_partner: bool) -> list[dict]:
    grant = Decimal(GRANTS[category])
    lines = []
    for item, share in GRANT_SHARES.items():
        school = grant * Decimal(SCHOOL_SHARES.get(item, "0"))
        partner = grant * Decimal(PARTNER_SHARE) if with_partner and item == "equipment" else 0
        lines.append({"item": item, "amount": _amount(grant * Decimal(share)),
                      "school": _amount(school), "partner": _amount(Decimal(partner))})
    return lines


def _answer(field: dict, category: str, context: Context):
    key, kind = field["key"], field["type"]
    texts = {
        "talent_training_centre": f"面向{context.major}等专业开展学历教育与职工培训，年培训能力达800人次。",
        "teaching_research_centre": "联合行业企业开展技能教学研究，开发项目化课程与教学标准。",
        "technology_promotion_centre": "承接中小企业技术改造与新技术推广服务，年服务企业20家以上。",
        "lead_teacher_honours": HONOURS[context.serial % len(HONOURS)],
        "specialty": f"{context.major}教学改革与技能人才培养",
    }
    if key in texts:
        return texts[key]
    if kind == "integer":
        return 40 + context.serial % 5 * 10
    if kind == "choice":
        codes = [c["code"] for c in field["choices"]]
        wanted = PARTNERSHIP_FORMS[context.serial % len(PARTNERSHIP_FORMS)]
        return wanted if wanted in codes else codes[0]
    if kind == "multichoice":
        codes = [c["code"] for c in field["choices"]]
        return codes[context.serial % len(codes):][:2] or codes[:1]
    if kind == "members":
        own = "secondary" if context.school_type != "higher_vocational" else "higher"
        other = "higher" if own == "secondary" else "secondary"
        return [{"level": own, "name": context.school},
                {"level": other, "name": context.partner_school},
                {"level": "undergraduate", "name": UNDERGRADUATE}]
    return f"{GOALS.get(category, '')}（{field.get('label', key)}）"


def content_for(category: str, form: dict, year: int, context: Context,
                industry_names: dict[str, str]) -> dict:
    """The data `application_update` takes for this application, without its links
    (majors, industries, enterprises), which need database ids."""
    industries = "、".join(industry_names[code] for code in context.industries) or "区域重点"
    goals = (
        f"对接无锡{industries}产业发展需求，用三年时间{GOALS[category]}。\n"
        f"建设期内校企合作企业不少于5家，相关专业毕业生对口就业率达到90%以上。"
    )
    team = [{"name": name, "title": title, "unit": context.school, "role": role}
            for (name, title), role in zip(context.team, ("课程建设", "实训教学"), strict=False)]
    if context.enterprise:
        team.append({"name": context.mentor, "title": "高级工程师",
                     "unit": context.enterprise, "role": "企业导师"})
    return {
        "lead_name": context.lead,
        "lead_title": context.lead_title,
        "lead_phone": f"0510-8{context.serial * 7919 % 10_000_000:07d}",
        "goals": goals,
        "team": team,
        "milestones": [{"year": year + n, "text": text} for n, text in enumerate(MILESTONES)],
        "budget": budget_for(category, bool(context.enterprise)),
        "answers": {f["key"]: _answer(f, category, context) for f in form.get("fields", [])},
    }


def demo_pdf(text: str) -> bytes:
    """A one-page PDF saying `text` (ASCII), standing in for a scanned implementation plan."""
    safe = text.replace("\\", "").replace("(", "[").replace(")", "]")
    stream = f"BT /F1 14 Tf 72 770 Td ({safe}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
