"""The performance evaluation part of a policy file (绩效评价, R29): the grade bands and their
names, and the indicator sets evaluations score against. Pure pydantic, no Django.

An indicator set is a three-level tree written flat, each level a list whose entries name
their parent by code: first-level indicators (一级指标) with weights summing to 100,
second-level groups (二级指标), and third-level indicators (三级指标), each scored from 0 to
its `points`. The points of the third-level indicators under a first-level indicator sum to
its weight, so the total of an evaluation is simply the sum of its scores, on 0–100.
"""

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

IndicatorCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=40)]
SetCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=60)]
Name = Annotated[str, Field(min_length=1, max_length=120)]
Score = Annotated[Decimal, Field(ge=0, le=100)]
Points = Annotated[Decimal, Field(gt=0, le=100, decimal_places=2)]
GradeCode = Literal["excellent", "good", "fair", "poor"]
GRADE_ORDER = ("excellent", "good", "fair", "poor")
HUNDRED = Decimal(100)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GradeName(_Strict):
    code: GradeCode
    name: Name
    name_en: str = ""


DEFAULT_GRADES = [
    GradeName(code="excellent", name="优", name_en="Excellent"),
    GradeName(code="good", name="良", name_en="Good"),
    GradeName(code="fair", name="中", name_en="Fair"),
    GradeName(code="poor", name="差", name_en="Poor"),
]


class EvaluationSection(_Strict):
    """`[evaluation]`: a total of at least `excellent_from` is graded excellent (优), at least
    `good_from` good (良), at least `fair_from` fair (中), anything lower poor (差); the sets
    (codes under [[indicator_sets]]) used for a project and for a school's year."""

    excellent_from: Score = Decimal(90)
    good_from: Score = Decimal(80)
    fair_from: Score = Decimal(60)
    grades: list[GradeName] = DEFAULT_GRADES
    project_set: SetCode = "project"
    school_year_set: SetCode = "school_year"

    @model_validator(mode="after")
    def _bands_in_order(self):
        if not self.fair_from <= self.good_from <= self.excellent_from:
            raise ValueError("the bands must be in order: fair_from ≤ good_from ≤ excellent_from")
        codes = [g.code for g in self.grades]
        if sorted(codes) != sorted(GRADE_ORDER):
            raise ValueError("grades must name each of excellent, good, fair and poor once")
        return self


class FirstLevel(_Strict):
    """一级指标, with its weight (the points it carries out of 100)."""

    code: IndicatorCode
    name: Name
    name_en: str = ""
    weight: Points


class SecondLevel(_Strict):
    """二级指标: a group of third-level indicators under a first-level one."""

    code: IndicatorCode
    parent: IndicatorCode
    name: Name
    name_en: str = ""


class ThirdLevel(_Strict):
    """三级指标: what is scored, from 0 to `points`; `help` says how (评分标准)."""

    code: IndicatorCode
    parent: IndicatorCode
    name: Name
    name_en: str = ""
    points: Points
    help: str = ""
    help_en: str = ""


class IndicatorSet(_Strict):
    """A performance indicator set (绩效评价指标体系). Its consistency (codes, parents, sums)
    is checked by `indicator_set_problems`, which names the key at fault."""

    code: SetCode
    name: Name
    name_en: str = ""
    first: Annotated[list[FirstLevel], Field(min_length=1)]
    second: Annotated[list[SecondLevel], Field(min_length=1)]
    indicators: Annotated[list[ThirdLevel], Field(min_length=1)]


def _points_text(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def indicator_set_problems(index: int, entry: IndicatorSet) -> list[tuple[tuple, str]]:
    """Repeated codes, parents that name nothing, levels left empty and sums that do not add
    up in the set at `indicator_sets[index]`, each as (location, message)."""
    problems: list[tuple[tuple, str]] = []
    at = ("indicator_sets", index)
    seen: dict[str, str] = {}
    for level in ("first", "second", "indicators"):
        for position, item in enumerate(getattr(entry, level)):
            if item.code in seen:
                problems.append(((*at, level, position, "code"),
                                 f"the code {item.code!r} appears twice in the set (first in "
                                 f"{seen[item.code]})"))
            else:
                seen[item.code] = f"{level}[{position}]"
    first = {item.code: item for item in entry.first}
    second = {item.code: item for item in entry.second}
    for position, item in enumerate(entry.second):
        if item.parent not in first:
            problems.append(((*at, "second", position, "parent"),
                             f"names the first-level indicator {item.parent!r}, which the set "
                             "does not define"))
    sums = dict.fromkeys(first, Decimal(0))
    used = set()
    for position, item in enumerate(entry.indicators):
        group = second.get(item.parent)
        if group is None:
            problems.append(((*at, "indicators", position, "parent"),
                             f"names the second-level indicator {item.parent!r}, which the set "
                             "does not define"))
            continue
        used.add(group.code)
        if group.parent in sums:
            sums[group.parent] += item.points
    for position, item in enumerate(entry.second):
        if item.code not in used:
            problems.append(((*at, "second", position, "code"),
                             f"the second-level indicator {item.code!r} has no third-level "
                             "indicators"))
    for position, item in enumerate(entry.first):
        if sums[item.code] != item.weight:
            problems.append(((*at, "first", position, "weight"),
                             f"the points of the third-level indicators under {item.code!r} sum "
                             f"to {_points_text(sums[item.code])}, not its weight "
                             f"{_points_text(item.weight)}"))
    total = sum((item.weight for item in entry.first), Decimal(0))
    if total != HUNDRED:
        problems.append(((*at, "first"),
                         f"the first-level weights sum to {_points_text(total)}, not 100"))
    return problems


def evaluation_problems(section: EvaluationSection,
                        sets: list[IndicatorSet]) -> list[tuple[tuple, str]]:
    """Every indicator set's problems, repeated set codes, and sets [evaluation] names that
    the file does not define."""
    problems: list[tuple[tuple, str]] = []
    first: dict[str, int] = {}
    for index, entry in enumerate(sets):
        if entry.code in first:
            problems.append((("indicator_sets", index, "code"),
                             f"the code {entry.code!r} appears twice (first at "
                             f"indicator_sets[{first[entry.code]}])"))
        else:
            first[entry.code] = index
        problems += indicator_set_problems(index, entry)
    for key in ("project_set", "school_year_set"):
        code = getattr(section, key)
        if code not in first:
            problems.append((("evaluation", key),
                             f"names the indicator set {code!r}, which the file does not "
                             "define"))
    return problems


def _set(code, name, name_en, first, second, third) -> IndicatorSet:
    return IndicatorSet(
        code=code, name=name, name_en=name_en,
        first=[FirstLevel(code=c, name=n, name_en=e, weight=Decimal(w)) for c, n, e, w in first],
        second=[SecondLevel(code=c, parent=p, name=n, name_en=e) for c, p, n, e in second],
        indicators=[ThirdLevel(code=c, parent=p, name=n, name_en=e, points=Decimal(w))
                    for c, p, n, e, w in third],
    )


# The common self-evaluation weights (domain-notes.md): budget execution 10, outputs 50,
# outcomes 30, satisfaction 10. A policy file without [[indicator_sets]] gets these two.
DEFAULT_INDICATOR_SETS = [
    _set("project", "项目绩效评价指标", "Project performance indicators",
         [("budget", "预算执行", "Budget execution", 10), ("outputs", "产出", "Outputs", 50),
          ("outcomes", "效益", "Outcomes", 30), ("satisfaction", "满意度", "Satisfaction", 10)],
         [("spending", "budget", "资金使用", "Use of funds"),
          ("quantity", "outputs", "产出数量与质量", "Outputs delivered"),
          ("effects", "outcomes", "社会与经济效益", "Effects"),
          ("surveys", "satisfaction", "满意度调查", "Surveys")],
         [("spent_rate", "spending", "预算执行率", "Share of the budget spent", 10),
          ("goals_met", "quantity", "建设任务完成率", "Share of the planned work done", 50),
          ("benefits", "effects", "人才培养与服务产业成效", "Effect on teaching and industry", 30),
          ("satisfied", "surveys", "师生与企业满意度", "Satisfaction of students, teachers and "
           "partners", 10)]),
    _set("school_year", "学校年度绩效评价指标", "School year performance indicators",
         [("budget", "预算执行", "Budget execution", 10), ("outputs", "产出", "Outputs", 50),
          ("outcomes", "效益", "Outcomes", 30), ("satisfaction", "满意度", "Satisfaction", 10)],
         [("spending", "budget", "资金使用", "Use of funds"),
          ("projects", "outputs", "项目建设", "Projects"),
          ("effects", "outcomes", "办学成效", "Effects"),
          ("surveys", "satisfaction", "满意度调查", "Surveys")],
         [("spent_rate", "spending", "年度预算执行率", "Share of the year's budget spent", 10),
          ("projects_on_track", "projects", "项目按期推进", "Projects on schedule", 50),
          ("results", "effects", "就业与服务成效", "Employment and service results", 30),
          ("satisfied", "surveys", "师生与企业满意度", "Satisfaction of students, teachers and "
           "employers", 10)]),
]
