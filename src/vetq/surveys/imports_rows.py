"""The one check of yearly data rows, whatever brought them: an Excel sheet, a form or the
API. Each row gets its errors as (row, column, reason); the good rows come back as the field
values to write. Nothing here writes.

The columns of each kind of data are in imports_specs.py.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from vetq.core.excel import RowError, Sheet, SheetRow, cell_normalise
from vetq.institutions.models import Industry, Institution, Major, Region

from .imports_specs import CITY_WORDS, EXAM_KIND_WORDS, SPECS, DatasetSpec
from .imports_values import ValueRefused, amount_parse, count_parse, percent_parse
from .models import Dataset
from .resource_table import INDICATORS, PARTS


@dataclass
class CheckedRows:
    """What the check of some rows found: the field values of each good row (its row
    number under "row"), the errors, and the rows skipped for holding no figures."""

    good: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    skipped: int = 0
    total: int = 0  # rows that hold figures, good or bad

    @property
    def refused_rows(self) -> int:
        return len({error.row for error in self.errors if error.row})


class _Check:
    """One run of the check over some rows, with what it has looked up."""

    def __init__(self, spec: DatasetSpec, sheet: Sheet, *, year: int,
                 institution: Institution | None):
        self.spec, self.sheet, self.year, self.institution = spec, sheet, year, institution
        self.seen: dict[tuple, int] = {}
        self.institutions = {i.code.lower(): i for i in Institution.objects.all()}

    def error(self, row: SheetRow, key: str, reason: str) -> None:
        self.sheet.error(row, key, reason)

    def value(self, row: SheetRow, key: str, parse, *, required: bool = True):
        """The parsed value of a cell, or None (with an error when it is bad or required)."""
        if key in row.uncalculated:
            self.error(row, key, _("This cell holds a formula Excel has not calculated; open "
                                   "the file in Excel or WPS, save it and upload it again."))
            return None
        text = row[key]
        if not text:
            if required:
                self.error(row, key, _("This column is required."))
            return None
        try:
            return parse(text)
        except ValueRefused as refusal:
            self.error(row, key, str(refusal))
            return None

    def year_matches(self, row: SheetRow) -> None:
        text = row["year"]
        if text and text != str(self.year):
            self.error(row, "year", _("This row is for %(row)s, but the import is for "
                                      "%(year)s.") % {"row": text, "year": self.year})

    def school(self, row: SheetRow) -> Institution | None:
        code = row["institution_code"]
        if not code:
            if self.institution is not None:
                return self.institution
            self.error(row, "institution_code", _("This column is required."))
            return None
        found = self.institutions.get(code.lower())
        if found is None:
            self.error(row, "institution_code", _("Unknown school code “%(code)s”.")
                       % {"code": code})
            return None
        if self.institution is not None and found.pk != self.institution.pk:
            self.error(row, "institution_code",
                       _("This row is for another school (%(school)s); this import is for "
                         "%(own)s only.") % {"school": found.name, "own": self.institution.name})
            return None
        return found

    def once(self, row: SheetRow, key: str, identity: tuple) -> None:
        if identity in self.seen:
            self.error(row, key, _("Repeated in this file: also on row %(row)d.")
                       % {"row": self.seen[identity]})
        else:
            self.seen[identity] = row.number

    def unknown_columns(self, row: SheetRow) -> None:
        known = {c.key for c in self.spec.columns}
        for key in row.values:
            if key not in known:
                self.error(row, key, _("Unknown column."))


def _majors(institution_ids: set[int]) -> dict[tuple[int, str], Major]:
    return {(m.institution_id, m.catalogue_code): m
            for m in Major.objects.filter(institution_id__in=institution_ids)}


def rows_check(dataset: str, sheet: Sheet, *, year: int,
               institution: Institution | None = None) -> CheckedRows:
    """Check every row of `sheet` as data of `dataset` for `year`. With `institution`, the
    rows are that school's (a blank school code means it; another school's code is an
    error); without, each row names its school. `sheet.errors` gets every error."""
    spec = SPECS[dataset]
    check = _Check(spec, sheet, year=year, institution=institution)
    result = CheckedRows()
    rows = []
    for row in sheet.rows:
        if not any(row[key] for key in spec.figures) and not (
                row.uncalculated & set(spec.figures)):
            result.skipped += 1
            continue
        rows.append(row)
    result.total = len(rows)
    good = _CHECKS[dataset](check, rows)
    bad_rows = {error.row for error in sheet.errors}
    result.good = [values for values in good if values["row"] not in bad_rows]
    result.errors = sorted(sheet.errors, key=lambda e: e.row)
    return result


def _enrolment_rows(check: _Check, rows: list[SheetRow]) -> list[dict]:
    schools = {row.number: check.school(row) for row in rows}
    majors = _majors({s.pk for s in schools.values() if s is not None})
    good = []
    for row in rows:
        check.unknown_columns(row)
        check.year_matches(row)
        school = schools[row.number]
        major = None
        code = row["catalogue_code"]
        if not code:
            check.error(row, "catalogue_code", _("This column is required."))
        elif school is not None:
            major = majors.get((school.pk, code))
            if major is None:
                check.error(row, "catalogue_code",
                            _("%(school)s has no major with the catalogue code “%(code)s”.")
                            % {"school": school.name, "code": code})
            else:
                check.once(row, "catalogue_code", (major.pk,))
        enrolled = check.value(row, "enrolled", count_parse)
        students = check.value(row, "students", count_parse)
        graduates = check.value(row, "graduates", count_parse)
        if enrolled is not None and students is not None and enrolled > students:
            check.error(row, "enrolled",
                        _("New students (%(enrolled)d) cannot be more than the students on roll "
                          "(%(students)d), who include them.")
                        % {"enrolled": enrolled, "students": students})
        if major is not None:
            good.append({"row": row.number, "institution_id": school.pk, "major_id": major.pk,
                         "enrolled": enrolled, "students": students, "graduates": graduates})
    return good


def _resource_rows(check: _Check, rows: list[SheetRow]) -> list[dict]:
    parsers = {i.code: percent_parse if i.percent else count_parse if i.integer else amount_parse
               for i in INDICATORS}
    good = []
    for row in rows:
        check.unknown_columns(row)
        check.year_matches(row)
        school = check.school(row)
        if school is not None:
            check.once(row, "institution_code", (school.pk,))
        figures = {}
        for indicator in INDICATORS:
            value = check.value(row, indicator.code, parsers[indicator.code],
                                required=indicator.required)
            if value is not None:
                figures[indicator.code] = Decimal(value)
        for part, whole in PARTS:
            if part in figures and whole in figures and figures[part] > figures[whole]:
                check.error(row, part, _("Cannot be more than %(whole)s (%(value)s).") % {
                    "whole": check.spec.column(whole).header, "value": figures[whole]})
        if school is not None:
            good.append({"row": row.number, "institution_id": school.pk, "figures": figures})
    return good


def _names(objects, *fields: str) -> dict:
    lookup = {}
    for obj in objects:
        for name in fields:
            value = getattr(obj, name)
            if value:
                lookup.setdefault(value.lower(), obj)
    return lookup


def _industry_rows(check: _Check, rows: list[SheetRow]) -> list[dict]:
    regions = _names(Region.objects.all(), "code", "name", "name_en")
    industries = _names(Industry.objects.all(), "code", "name", "name_en")
    city_words = {word.lower() for word in CITY_WORDS}
    source_length = 200
    good = []
    for row in rows:
        check.unknown_columns(row)
        check.year_matches(row)
        region, region_ok = None, True
        name = row["region"]
        if name and name.lower() not in city_words:
            region = regions.get(name.lower())
            if region is None:
                region_ok = False
                check.error(row, "region", _("Unknown region “%(name)s”; write a region's name, "
                                             "or 全市 (or leave it blank) for the whole city.")
                            % {"name": name})
        industry = None
        if not row["industry"]:
            check.error(row, "industry", _("This column is required."))
        else:
            industry = industries.get(row["industry"].lower())
            if industry is None:
                check.error(row, "industry", _("Unknown industry “%(name)s”; write one of the "
                                               "program's industries.")
                            % {"name": row["industry"]})
        output = check.value(row, "output_value", amount_parse)
        employment = check.value(row, "employment", count_parse)
        check.sheet.length_check(row, "source", source_length)
        if region_ok and industry is not None:
            check.once(row, "industry", (region.pk if region else None, industry.pk))
            good.append({"row": row.number, "region_id": region.pk if region else None,
                         "region_name": region.name if region else CITY_WORDS[0],
                         "industry_id": industry.pk, "output_value": output,
                         "employment": employment, "source": row["source"][:source_length]})
    _zero_totals(check, rows, good)
    return good


def _zero_totals(check: _Check, rows: list[SheetRow], good: list[dict]) -> None:
    """An industry structure whose output or employment adds up to zero cannot give shares:
    refuse every row of that region rather than divide by zero later."""
    by_number = {row.number: row for row in rows}
    by_region: dict = defaultdict(list)
    for values in good:
        by_region[values["region_id"]].append(values)
    for entries in by_region.values():
        for key, label in (("output_value", _("output values")),
                           ("employment", _("employed persons"))):
            given = [v for v in entries if v[key] is not None]
            if not given or sum(v[key] for v in given):
                continue
            for values in given:
                check.error(by_number[values["row"]], key,
                            _("The %(what)s of %(region)s add up to zero; the industry "
                              "structure needs at least one industry above zero.")
                            % {"what": label, "region": values["region_name"]})


def _exam_kinds() -> dict[str, str]:
    return {word.lower(): kind for kind, words in EXAM_KIND_WORDS.items() for word in words}


def _exam_rows(check: _Check, rows: list[SheetRow]) -> list[dict]:
    schools = {row.number: check.school(row) for row in rows}
    majors = _majors({s.pk for s in schools.values() if s is not None})
    kinds = _exam_kinds()
    subject_length = 60
    good = []
    for row in rows:
        check.unknown_columns(row)
        check.year_matches(row)
        school = schools[row.number]
        major, major_ok = None, True
        code = row["catalogue_code"]
        if code and school is not None:
            major = majors.get((school.pk, code))
            if major is None:
                major_ok = False
                check.error(row, "catalogue_code",
                            _("%(school)s has no major with the catalogue code “%(code)s”.")
                            % {"school": school.name, "code": code})
        kind = None
        if not row["kind"]:
            check.error(row, "kind", _("This column is required."))
        else:
            kind = kinds.get(row["kind"].lower())
            if kind is None:
                check.error(row, "kind", _("Write 学业水平考试 or 技能抽测."))
        subject = row["subject"]
        if not subject:
            check.error(row, "subject", _("This column is required."))
        else:
            check.sheet.length_check(row, "subject", subject_length)
        candidates = check.value(row, "candidates", count_parse)
        passed = check.value(row, "passed", count_parse)
        excellent = check.value(row, "excellent", count_parse, required=False)
        excellent = 0 if excellent is None and not row["excellent"] else excellent
        if None not in (candidates, passed) and passed > candidates:
            check.error(row, "passed", _("Passed (%(passed)d) cannot be more than the "
                                         "candidates (%(candidates)d).")
                        % {"passed": passed, "candidates": candidates})
        if None not in (passed, excellent) and excellent > passed:
            check.error(row, "excellent", _("Excellent (%(excellent)d) cannot be more than "
                                            "those who passed (%(passed)d).")
                        % {"excellent": excellent, "passed": passed})
        if school is not None and major_ok and kind and subject:
            check.once(row, "subject", (school.pk, major.pk if major else None, kind,
                                        subject.lower()))
            good.append({"row": row.number, "institution_id": school.pk,
                         "major_id": major.pk if major else None, "kind": kind,
                         "subject": subject, "candidates": candidates, "passed": passed,
                         "excellent": excellent})
    return good


_CHECKS = {Dataset.ENROLMENT: _enrolment_rows, Dataset.RESOURCES: _resource_rows,
           Dataset.INDUSTRY: _industry_rows, Dataset.EXAMS: _exam_rows}


def sheet_of_records(dataset: str, records: list[dict]) -> Sheet:
    """API or form rows (dicts keyed by column code or header) as a sheet numbered from 1,
    each value read as a cell would be."""
    spec = SPECS[dataset]
    names = {}
    for column in spec.columns:
        for name in (column.key, column.header, *column.aliases):
            names[name.lower()] = column.key
    rows = []
    for number, record in enumerate(records, start=1):
        values = {}
        for name, value in record.items():
            key = names.get(str(name).strip().lower(), str(name))
            values[key] = cell_normalise(value)
        rows.append(SheetRow(number, values))
    return Sheet(rows=rows, headers=spec.headers)
