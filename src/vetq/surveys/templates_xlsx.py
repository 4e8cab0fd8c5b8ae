"""Template workbooks for the yearly data imports, and the same workbook filled with what a
year already holds (so a download, edited and uploaded again, re-imports unchanged).

Each workbook has the data sheet (Chinese headers on row 1, the sheet name the import looks
for first), a sheet explaining every column with its code, whether it is required and an
example, and a sheet of the values the drop-down lists offer. A school's enrolment template
lists its majors, one row each, figures left blank for it to fill.
"""

import io
from collections import defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from vetq.core.excel import cell_escape
from vetq.institutions.models import Industry, Institution, Major, Region

from .imports_specs import CITY_WORDS, EXAM_KIND_LABELS, SPECS, DatasetSpec
from .models import Dataset, Enrolment, ExamResult, IndustryFigure, SchoolResource
from .resource_table import INDICATORS

HELP_SHEET = "填写说明"
VALUES_SHEET = "可选值"
FIRST_DATA_ROW, LAST_DATA_ROW = 2, 5000

_SCHOOL_HELP = {
    "institution_code": gettext_lazy("The school code (学校标识码). A school may leave it blank: "
                                     "its own code is meant."),
    "institution_name": gettext_lazy("For your reading only; not imported."),
    "year": gettext_lazy("Optional. When filled, it must be the year being imported."),
}
_COUNT = gettext_lazy("A whole number, 0 or more; “85%” is refused here.")
_AMOUNT = gettext_lazy("A number, 0 or more, at most two decimals.")
_PERCENT = gettext_lazy("A share: 85%, 85 and 0.85 all mean 85 % (a number up to 1 is read as "
                        "a fraction); at most 100 %.")
COLUMN_HELP: dict[str, dict[str, object]] = {
    Dataset.ENROLMENT: {
        **_SCHOOL_HELP,
        "catalogue_code": gettext_lazy("The major's catalogue code, as the school's list of "
                                       "majors has it."),
        "major_name": gettext_lazy("For your reading only; not imported."),
        "enrolled": gettext_lazy("New students this year. A whole number; not more than the "
                                 "students on roll."),
        "students": _COUNT,
        "graduates": _COUNT,
    },
    Dataset.RESOURCES: {
        **_SCHOOL_HELP,
        **{i.code: (_PERCENT if i.percent else _COUNT if i.integer else _AMOUNT)
           for i in INDICATORS},
        "enterprise_courses": gettext_lazy("A whole number; not more than the courses in the "
                                           "teaching plan."),
    },
    Dataset.INDUSTRY: {
        "region": gettext_lazy("A region's name (such as 江阴市) or code; 全市 or blank for the "
                               "whole city."),
        "industry": gettext_lazy("One of the program's industries, by name or code."),
        "output_value": gettext_lazy("Output value in 10,000 yuan (万元), from the statistical "
                                     "yearbook."),
        "employment": _COUNT,
        "source": gettext_lazy("Optional: the yearbook and table the figures come from."),
        "year": _SCHOOL_HELP["year"],
    },
    Dataset.EXAMS: {
        **_SCHOOL_HELP,
        "catalogue_code": gettext_lazy("Optional: blank for results of the whole school."),
        "major_name": gettext_lazy("For your reading only; not imported."),
        "kind": gettext_lazy("学业水平考试 (academic proficiency test) or 技能抽测 (skill spot "
                             "test)."),
        "subject": gettext_lazy("The subject or skill tested, at most 60 characters."),
        "candidates": _COUNT,
        "passed": gettext_lazy("A whole number; not more than the candidates."),
        "excellent": gettext_lazy("A whole number; not more than those who passed. Blank means "
                                  "0."),
    },
}
EXAMPLES: dict[str, dict[str, object]] = {
    Dataset.ENROLMENT: {"institution_code": "3320500901", "institution_name": "无锡示例职业学校",
                        "catalogue_code": "660301", "major_name": "机电技术应用",
                        "enrolled": 120, "students": 350, "graduates": 110, "year": 2019},
    Dataset.RESOURCES: {"institution_code": "3320500901", "institution_name": "无锡示例职业学校",
                        "students": 2400, "teachers": 180, "dual_teacher_share": "85%",
                        "senior_teacher_share": "32%", "courses": 260,
                        "enterprise_courses": 48, "equipment_value": 6800.5,
                        "public_funding": 9200, "floor_space": 68000,
                        "practice_stations": 2600, "bandwidth": 10000,
                        "enterprise_equipment_value": 520, "enterprise_teaching_hours": 6400,
                        "year": 2019},
    Dataset.INDUSTRY: {"region": "江阴市", "industry": "高端装备制造", "output_value": 12500000,
                       "employment": 185000, "source": "无锡统计年鉴 2020 表 5-3", "year": 2019},
    Dataset.EXAMS: {"institution_code": "3320500901", "institution_name": "无锡示例职业学校",
                    "catalogue_code": "", "major_name": "", "kind": "学业水平考试",
                    "subject": "语文", "candidates": 400, "passed": 380, "excellent": 96,
                    "year": 2019},
}
_PERCENT_KEYS = {i.code for i in INDICATORS if i.percent}
_BOLD = Font(bold=True)
_MUTED = PatternFill("solid", fgColor="F2F2F2")


def template_workbook(dataset: str, *, year: int, schools: list[Institution]) -> bytes:
    """The import workbook of `dataset` for `year`, filled with what the year holds for
    `schools` (all regions for the industry structure); a school's majors listed even
    without figures."""
    spec = SPECS[dataset]
    workbook = Workbook()
    data = workbook.active
    data.title = spec.sheet_title
    data.append([c.header for c in spec.columns])
    for cell in data[1]:
        cell.font = _BOLD
    for index, column in enumerate(spec.columns, start=1):
        data.column_dimensions[get_column_letter(index)].width = column.width
    data.freeze_panes = "A2"
    percent = {index for index, c in enumerate(spec.columns, start=1) if c.key in _PERCENT_KEYS}
    for row in _ROWS[dataset](spec, year, schools):
        data.append([cell_escape(value) for value in row])
        for index in percent:  # a share is held as a fraction shown as a percentage
            data.cell(row=data.max_row, column=index).number_format = "0.00%"
    _help_sheet(workbook.create_sheet(HELP_SHEET), spec, year)
    values = workbook.create_sheet(VALUES_SHEET)
    _validations(data, values, spec, schools)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _help_sheet(sheet, spec: DatasetSpec, year: int) -> None:
    sheet.append([_("%(dataset)s, %(year)d: how to fill in the sheet “%(sheet)s”")
                  % {"dataset": Dataset(spec.dataset).label, "year": year,
                     "sheet": spec.sheet_title}])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([_("Keep row 1 of the data sheet as it is; a row without figures is "
                    "skipped. Importing a year replaces what it holds for the schools (or "
                    "regions) in the file.")])
    sheet.append([])
    sheet.append([_("Column"), _("Code"), _("Required"), _("What to write"), _("Example")])
    for cell in sheet[4]:
        cell.font, cell.fill = _BOLD, _MUTED
    examples = EXAMPLES[spec.dataset]
    for column in spec.columns:
        sheet.append([column.header, column.key, _("Yes") if column.required else _("No"),
                      str(COLUMN_HELP[spec.dataset].get(column.key, "")),
                      cell_escape(examples.get(column.key, ""))])
    for letter, width in zip("ABCDE", (26, 26, 8, 70, 22), strict=True):
        sheet.column_dimensions[letter].width = width


def _validations(data, values, spec: DatasetSpec, schools: list[Institution]) -> None:
    """Drop-down lists and number checks on the data sheet; warnings only, since the import
    also accepts codes and other spellings and checks everything itself."""
    lists: dict[str, list[str]] = {}
    if spec.dataset == Dataset.INDUSTRY:
        lists["region"] = [CITY_WORDS[0], *Region.objects.values_list("name", flat=True)]
        lists["industry"] = list(Industry.objects.values_list("name", flat=True))
    if spec.dataset == Dataset.EXAMS:
        lists["kind"] = list(EXAM_KIND_LABELS.values())
    if len(schools) == 1 and spec.dataset in (Dataset.ENROLMENT, Dataset.EXAMS):
        lists["catalogue_code"] = list(schools[0].majors.values_list("catalogue_code",
                                                                      flat=True))
    keys = [c.key for c in spec.columns]
    for offset, (key, items) in enumerate(lists.items(), start=1):
        letter = get_column_letter(offset)
        values.cell(row=1, column=offset, value=spec.column(key).header).font = _BOLD
        for row, item in enumerate(items, start=2):
            values.cell(row=row, column=offset, value=cell_escape(item))
        if not items:
            continue
        source = f"{quote_sheetname(VALUES_SHEET)}!${letter}$2:${letter}${len(items) + 1}"
        _add(data, DataValidation(type="list", formula1=source, allow_blank=True), key, spec)
    numbers = {"whole": [], "decimal": [], "percent": []}
    for indicator in INDICATORS:
        numbers["percent" if indicator.percent else "whole" if indicator.integer
                else "decimal"].append(indicator.code)
    numbers["whole"] += ["enrolled", "students", "graduates", "employment", "candidates",
                         "passed", "excellent"]
    numbers["decimal"].append("output_value")
    for kind, codes in numbers.items():
        for key in (k for k in codes if k in keys):
            if kind == "percent":
                rule = DataValidation(type="decimal", operator="between", formula1="0",
                                      formula2="100", allow_blank=True)
            else:
                rule = DataValidation(type=kind, operator="greaterThanOrEqual", formula1="0",
                                      allow_blank=True)
            _add(data, rule, key, spec)


def _add(sheet, rule: DataValidation, key: str, spec: DatasetSpec) -> None:
    rule.errorStyle = "warning"
    rule.showErrorMessage = True
    rule.error = str(COLUMN_HELP[spec.dataset].get(key, "")) or None
    letter = get_column_letter([c.key for c in spec.columns].index(key) + 1)
    rule.add(f"{letter}{FIRST_DATA_ROW}:{letter}{LAST_DATA_ROW}")
    sheet.add_data_validation(rule)


def _number(value):
    """A stored Decimal as the number a cell should hold (an int when whole)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _share(value):
    """A stored percentage as the fraction a percentage-formatted cell holds (85 → 0.85), so
    1 % does not come back as 1, which the import reads as 100 %."""
    return None if value is None else float(value / 100)


def _enrolment_rows(spec, year, schools):
    held = {e.major_id: e for e in Enrolment.objects.filter(year=year, institution__in=schools)}
    majors = Major.objects.filter(institution__in=schools).select_related("institution")
    for major in majors.order_by("institution__code", "catalogue_code"):
        entry = held.get(major.pk)
        if entry is None and not major.active:
            continue
        yield [major.institution.code, major.institution.name, major.catalogue_code, major.name,
               *((entry.enrolled, entry.students, entry.graduates) if entry else (None,) * 3),
               year]


def _resource_rows(spec, year, schools):
    held: dict[int, dict] = defaultdict(dict)
    for figure in SchoolResource.objects.filter(year=year, institution__in=schools):
        held[figure.institution_id][figure.indicator] = figure.value
    for school in sorted(schools, key=lambda s: s.code):
        figures = held.get(school.pk, {})
        yield [school.code, school.name,
               *(_share(figures.get(i.code)) if i.percent else _number(figures.get(i.code))
                 for i in INDICATORS),
               year]


def _industry_rows(spec, year, schools):
    held = {(f.region_id, f.industry_id): f for f in IndustryFigure.objects.filter(year=year)}
    industries = list(Industry.objects.all())
    for region in [None, *Region.objects.all()]:
        for industry in industries:
            figure = held.get((region.pk if region else None, industry.pk))
            yield [region.name if region else CITY_WORDS[0], industry.name,
                   *((_number(figure.output_value), figure.employment, figure.source)
                     if figure else (None, None, None)),
                   year]


def _exam_rows(spec, year, schools):
    results = ExamResult.objects.filter(year=year, institution__in=schools).select_related(
        "institution", "major").order_by("institution__code", "kind", "major__catalogue_code",
                                         "subject")
    for result in results:
        yield [result.institution.code, result.institution.name,
               result.major.catalogue_code if result.major else "",
               result.major.name if result.major else "", EXAM_KIND_LABELS[result.kind],
               result.subject, result.candidates, result.passed, result.excellent, year]


_ROWS = {Dataset.ENROLMENT: _enrolment_rows, Dataset.RESOURCES: _resource_rows,
         Dataset.INDUSTRY: _industry_rows, Dataset.EXAMS: _exam_rows}
