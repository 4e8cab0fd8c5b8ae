"""The school resource table (资源表) of the national quality-report layout: the figures a
school enters each year and the per-student ratios the table shows (domain-notes.md).

Pure: no database. Percentages are stored as percent (85.5 means 85.5 %), money in 万元
(10,000 yuan) and floor space in square metres; a ratio whose denominator is missing or zero
is None ("cannot be computed"), never a division by zero.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

TEN_THOUSAND = Decimal(10_000)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str  # the Chinese name of the national layout
    name_en: str
    unit: str
    integer: bool = False
    percent: bool = False
    required: bool = False  # must be given whenever a school's row is given

    @property
    def header(self) -> str:
        """The column header of templates and exports: the name with its unit."""
        return f"{self.name}（{self.unit}）"


INDICATORS: tuple[Indicator, ...] = (
    Indicator("students", "全日制在校生数", "Full-time students", "人", integer=True,
              required=True),
    Indicator("teachers", "专任教师数", "Full-time teachers", "人", integer=True, required=True),
    Indicator("dual_teacher_share", "双师素质专任教师比例",
              "Share of dual-qualified (双师) teachers", "%", percent=True),
    Indicator("senior_teacher_share", "高级职务专任教师比例",
              "Share of teachers with a senior title", "%", percent=True),
    Indicator("courses", "教学计划内课程总数", "Courses in the teaching plan", "门",
              integer=True),
    Indicator("enterprise_courses", "其中：校企合作开发课程数",
              "of which developed with enterprises", "门", integer=True),
    Indicator("equipment_value", "教学仪器设备资产总值", "Value of teaching equipment", "万元"),
    Indicator("public_funding", "年财政拨款总额", "Yearly public funding", "万元"),
    Indicator("floor_space", "教学行政用房面积", "Teaching and administrative floor space",
              "平方米"),
    Indicator("practice_stations", "校内实践教学工位数", "On-campus practice stations", "个",
              integer=True),
    Indicator("bandwidth", "校园网主干最大带宽", "Campus network backbone bandwidth", "Mbps"),
    Indicator("enterprise_equipment_value", "企业提供的校内实践教学设备值",
              "Value of practice equipment given by enterprises", "万元"),
    Indicator("enterprise_teaching_hours", "企业兼职教师年课时总量",
              "Yearly teaching hours by part-time teachers from enterprises", "课时",
              integer=True),
)
INDICATOR_BY_CODE: dict[str, Indicator] = {i.code: i for i in INDICATORS}
# Pairs (part, whole) where the part cannot exceed the whole.
PARTS = (("enterprise_courses", "courses"),)


def _rounded(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def per_student(value: Decimal | None, students: Decimal | int | None, *,
                scale: Decimal = Decimal(1)) -> Decimal | None:
    """value × scale ÷ students, to the cent; None when either is missing or there are no
    students."""
    if value is None or not students:
        return None
    return _rounded(Decimal(value) * scale / Decimal(students))


def student_teacher_ratio(students, teachers) -> Decimal | None:
    """Students per full-time teacher (生师比, shown as "x : 1"); None without teachers."""
    if students is None or not teachers:
        return None
    return _rounded(Decimal(students) / Decimal(teachers))


@dataclass(frozen=True)
class Ratio:
    code: str
    name: str
    name_en: str
    unit: str
    compute: Callable[[Mapping[str, Decimal]], Decimal | None]


def _per_student(code: str, scale: Decimal = Decimal(1)):
    return lambda figures: per_student(figures.get(code), figures.get("students"), scale=scale)


RATIOS: tuple[Ratio, ...] = (
    Ratio("student_teacher_ratio", "生师比", "Students per full-time teacher", ": 1",
          lambda f: student_teacher_ratio(f.get("students"), f.get("teachers"))),
    Ratio("practice_stations_per_student", "生均校内实践教学工位数",
          "On-campus practice stations per student", "个/生", _per_student("practice_stations")),
    Ratio("equipment_per_student", "生均教学仪器设备值", "Teaching equipment per student",
          "元/生", _per_student("equipment_value", TEN_THOUSAND)),
    Ratio("enterprise_equipment_per_student", "生均企业提供的校内实践教学设备值",
          "Enterprise-given practice equipment per student", "元/生",
          _per_student("enterprise_equipment_value", TEN_THOUSAND)),
    Ratio("enterprise_hours_per_student", "生均企业兼职教师年课时总量",
          "Enterprise part-time teachers' yearly hours per student", "课时/生",
          _per_student("enterprise_teaching_hours")),
    Ratio("funding_per_student", "年生均财政拨款水平", "Yearly public funding per student",
          "元/生", _per_student("public_funding", TEN_THOUSAND)),
    Ratio("floor_space_per_student", "生均教学行政用房面积",
          "Teaching and administrative floor space per student", "平方米/生",
          _per_student("floor_space")),
)


def resource_ratios(figures: Mapping[str, Decimal]) -> dict[str, Decimal | None]:
    """Each ratio of RATIOS for one school's (or the city's summed) figures of a year."""
    return {ratio.code: ratio.compute(figures) for ratio in RATIOS}


@dataclass(frozen=True)
class TableRow:
    code: str
    name: str
    name_en: str
    unit: str
    value: Decimal | None


# The order of the national 资源表: ratios and the figures shown as they are.
TABLE_ORDER = ("student_teacher_ratio", "dual_teacher_share", "senior_teacher_share",
               "courses", "enterprise_courses", "practice_stations_per_student",
               "equipment_per_student", "enterprise_equipment_per_student",
               "enterprise_hours_per_student", "funding_per_student",
               "floor_space_per_student", "bandwidth", "students", "teachers")


def resource_table(figures: Mapping[str, Decimal]) -> list[TableRow]:
    """The 资源表 of one school's year in the national order, each ratio computed."""
    ratios = {ratio.code: ratio for ratio in RATIOS}
    computed = resource_ratios(figures)
    rows = []
    for code in TABLE_ORDER:
        if code in ratios:
            ratio = ratios[code]
            rows.append(TableRow(code, ratio.name, ratio.name_en, ratio.unit, computed[code]))
        else:
            indicator = INDICATOR_BY_CODE[code]
            rows.append(TableRow(code, indicator.name, indicator.name_en, indicator.unit,
                                 figures.get(code)))
    return rows


def figures_sum(schools: list[Mapping[str, Decimal]]) -> dict[str, Decimal]:
    """Several schools' figures added up, for a city or region table: counts and amounts
    are summed; a percentage is averaged weighted by full-time teachers (the share of all
    teachers), over the schools that gave both."""
    total: dict[str, Decimal] = {}
    for indicator in INDICATORS:
        if indicator.percent:
            pairs = [(f[indicator.code], f["teachers"]) for f in schools
                     if f.get(indicator.code) is not None and f.get("teachers")]
            teachers = sum((Decimal(t) for _, t in pairs), Decimal(0))
            if teachers:
                total[indicator.code] = _rounded(
                    sum((Decimal(v) * Decimal(t) for v, t in pairs), Decimal(0)) / teachers)
            continue
        values = [Decimal(f[indicator.code]) for f in schools
                  if f.get(indicator.code) is not None]
        if values:
            total[indicator.code] = sum(values, Decimal(0))
    return total
