"""Forms of the yearly data pages. They only gather what was typed: the figures go through
the same check as an Excel import (imports_rows.rows_check) by way of a Sheet of the typed
rows, so a form and a file accept and refuse exactly the same values."""

from dataclasses import dataclass, field

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vetq.core.excel import RowError, Sheet, SheetRow, cell_normalise
from vetq.institutions.models import Industry, Institution, Major

from .data import FIRST_YEAR, SCHOOL_DATASETS
from .imports_specs import EXAM_KIND_LABELS, SPECS
from .models import Dataset, Enrolment, ExamResult
from .resource_table import INDICATORS

EXAM_BLANK_LINES = 6


def year_choices() -> list[tuple[int, int]]:
    return [(year, year) for year in range(timezone.localdate().year, FIRST_YEAR - 1, -1)]


class ImportForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, choices=year_choices,
                                  widget=forms.Select(attrs={"class": "form-select"}))
    school = forms.ModelChoiceField(
        label=_("School"), queryset=Institution.objects.none(), required=False,
        empty_label=_("The schools named in the file"),
        widget=forms.Select(attrs={"class": "form-select"}))
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx", "class": "form-control"}))

    def __init__(self, *args, dataset: str, schools, school_choice: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if dataset in SCHOOL_DATASETS and school_choice:
            self.fields["school"].queryset = schools
        else:
            del self.fields["school"]


class LockForm(forms.Form):
    dataset = forms.ChoiceField(choices=Dataset.choices)


class UnlockForm(forms.Form):
    dataset = forms.ChoiceField(choices=Dataset.choices)
    reason = forms.CharField(label=_("Why is the year unlocked?"), max_length=500,
                             widget=forms.TextInput(attrs={"class": "form-control"}))


@dataclass
class Line:
    """One row of a data-entry table: what it is about, the typed values, its errors."""

    number: int
    label: str
    values: dict[str, str]
    errors: dict[str, list[str]] = field(default_factory=dict)
    fixed: dict[str, str] = field(default_factory=dict)  # identifying values, not typed
    ref: int | None = None  # the major or industry the line is about

    def row(self) -> SheetRow:
        return SheetRow(self.number, {**self.fixed, **self.values})

    @property
    def all_errors(self) -> list[str]:
        return [message for messages in self.errors.values() for message in messages]


@dataclass(frozen=True)
class Cell:
    key: str
    name: str  # the input's name
    value: str
    errors: list[str]


def line_cells(line: Line, keys, prefix: str) -> list[Cell]:
    """The inputs of a line for a template: name `<prefix><key>`, value, errors."""
    return [Cell(key, f"{prefix}{key}", line.values.get(key, ""), line.errors.get(key, []))
            for key in keys]


def lines_sheet(dataset: str, lines: list[Line]) -> Sheet:
    return Sheet(rows=[line.row() for line in lines], headers=SPECS[dataset].headers)


def errors_place(dataset: str, lines: list[Line], errors: list[RowError]) -> None:
    """Put each error on its line, under its column's key."""
    keys = {header: key for key, header in SPECS[dataset].headers.items()}
    by_number = {line.number: line for line in lines}
    for error in errors:
        line = by_number.get(error.row)
        if line is not None:
            line.errors.setdefault(keys.get(error.column, error.column), []).append(error.reason)


def _typed(data, name: str) -> str:
    return cell_normalise(data.get(name, "")) if data is not None else ""


ENROLMENT_FIGURES = ("enrolled", "students", "graduates")


def enrolment_lines(institution: Institution, year: int, data=None) -> list[Line]:
    """One line per major of the school (active ones, and any with figures that year)."""
    held = {e.major_id: e for e in Enrolment.objects.filter(institution=institution, year=year)}
    lines = []
    majors = Major.objects.filter(institution=institution).order_by("catalogue_code")
    for number, major in enumerate((m for m in majors if m.active or m.pk in held), start=1):
        entry = held.get(major.pk)
        if data is not None:
            values = {key: _typed(data, f"m{major.pk}-{key}") for key in ENROLMENT_FIGURES}
        else:
            values = {key: str(getattr(entry, key)) if entry else "" for key in ENROLMENT_FIGURES}
        lines.append(Line(number, str(major), values,
                          fixed={"catalogue_code": major.catalogue_code}, ref=major.pk))
    return lines


def resource_line(figures: dict, data=None) -> Line:
    """The single line of a school's resource figures."""
    if data is not None:
        values = {i.code: _typed(data, i.code) for i in INDICATORS}
    else:
        values = {i.code: "" if figures.get(i.code) is None else _plain(figures[i.code])
                  for i in INDICATORS}
    return Line(1, "", values)


def _plain(value) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


EXAM_FIELDS = ("kind", "catalogue_code", "subject", "candidates", "passed", "excellent")


def exam_lines(institution: Institution, year: int, data=None) -> list[Line]:
    """The school's results of the year, one line each, then blank lines for new ones."""
    if data is not None:
        count = int(data.get("lines") or 0)
        count = max(0, min(count, 500))
        return [Line(n, "", {key: _typed(data, f"{n}-{key}") for key in EXAM_FIELDS})
                for n in range(1, count + 1)]
    results = ExamResult.objects.filter(institution=institution, year=year).select_related(
        "major").order_by("kind", "major__catalogue_code", "subject")
    lines = [Line(n, "", {"kind": EXAM_KIND_LABELS[r.kind],
                          "catalogue_code": r.major.catalogue_code if r.major else "",
                          "subject": r.subject, "candidates": str(r.candidates),
                          "passed": str(r.passed), "excellent": str(r.excellent)})
             for n, r in enumerate(results, start=1)]
    start = len(lines) + 1
    lines += [Line(n, "", dict.fromkeys(EXAM_FIELDS, ""))
              for n in range(start, start + EXAM_BLANK_LINES)]
    return lines


INDUSTRY_FIGURES = ("output_value", "employment", "source")


def industry_lines(year: int, region_name: str, held: dict, data=None) -> list[Line]:
    """One line per industry for one region (or the city)."""
    lines = []
    for number, industry in enumerate(Industry.objects.all(), start=1):
        figure = held.get(industry.pk)
        if data is not None:
            values = {key: _typed(data, f"i{industry.pk}-{key}") for key in INDUSTRY_FIGURES}
        elif figure is not None:
            values = {"output_value": _plain(figure.output_value),
                      "employment": str(figure.employment), "source": figure.source}
        else:
            values = dict.fromkeys(INDUSTRY_FIGURES, "")
        lines.append(Line(number, industry.name, values,
                          fixed={"region": region_name, "industry": industry.code},
                          ref=industry.pk))
    return lines


def mapping_fields(industries, weights: dict[int, object], data=None) -> list[tuple]:
    """(industry, typed weight) for each industry of the mapping edit page."""
    rows = []
    for industry in industries:
        if data is not None:
            value = _typed(data, f"w{industry.pk}")
        else:
            weight = weights.get(industry.pk)
            value = "" if weight is None else _plain(weight)
        rows.append((industry, value))
    return rows


class MappingImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx", "class": "form-control"}))
