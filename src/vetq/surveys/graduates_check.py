"""The one check of graduate rows (R33), for an Excel sheet and for the API's JSON alike.

Each row arrives as its raw values in COLUMN order; every problem becomes a RowError (row,
column, reason) and every good row a GoodRow holding the pseudonym, never the identity
number. Nothing is written here (graduates_import.py writes).

The columns and the words they accept are the file format: graduates_format.py.
"""

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django.db.models import Count
from django.utils.translation import gettext as _

from vetq.accounts.roles import Role
from vetq.accounts.scoping import memberships
from vetq.core.excel import RowError, cell_normalise
from vetq.institutions.models import Institution, Major

from . import employment
from .errors import SurveyRefused
from .graduates_format import (
    COHORT,
    COLUMNS,
    DESTINATION_WORDS,
    DESTINATIONS,
    EARLIEST_COHORT,
    KEYS,
    LOCATION_WORDS,
    LOCATIONS,
    PAY,
    PAY_MAX,
    POINT_WORDS,
    POINTS,
    SATISFACTION,
    YES_NO,
    word_list,
)
from .models import Dataset, GraduateRecord, YearLock
from .pseudonyms import identity_mask, identity_normalise, identity_problem, pseudonym, pseudonym_key

_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}


def _text(value) -> str:
    """A cell as text, as core.excel.cell_normalise gives it, quicker for plain text."""
    if value.__class__ is str:
        text = value.strip() if value.isascii() else value.translate(_FULL_WIDTH).strip()
        if text[:1] != "'":
            return text
    return cell_normalise(value)


class GoodRow(NamedTuple):
    number: int
    institution_id: int
    major_id: int
    cohort: int
    point: str
    person: str
    destination: str
    in_field: bool | None
    location: str
    contract: bool | None
    pay: Decimal | None
    satisfaction: int | None
    employer_satisfaction: int | None


@dataclass
class Group:
    """One school's cohort at one tracking point in the upload: its good rows replace the
    records already there."""

    institution: Institution
    cohort: int
    point: str
    rows: int = 0
    existing: int = 0


@dataclass
class GraduateCheck:
    rows: int = 0
    good: list[GoodRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    sheet: str = ""  # the sheet read, when it is not the first one

    @property
    def rows_refused(self) -> int:
        return len({error.row for error in self.errors})

    def problem_summary(self) -> list[tuple[str, str, int]]:
        """(column, reason, rows) for each kind of problem, the most frequent first."""
        counts = Counter((error.column, _summary_reason(error.reason)) for error in self.errors)
        return [(column, reason, n) for (column, reason), n in counts.most_common()]


def _summary_reason(reason: str) -> str:
    # Reasons quoting a value or a row number are summed up without them.
    return re.sub(r"“[^”]*”|[0-9]+", "…", reason)


def importer_schools(user) -> tuple[bool, set[int]]:
    """(may import any school, the schools it imports for); refuses anyone else."""
    schools: set[int] = set()
    for membership in memberships(user):
        if membership.role == Role.BUREAU_ADMIN:
            return True, set()
        if membership.role == Role.SCHOOL_USER:
            schools.add(membership.institution_id)
    if not schools:
        raise SurveyRefused(_("Only the education bureau and schools may import graduate "
                              "records."))
    return False, schools


_REQUIRED = object()  # a reason standing for "This column is required."


def _required_reason() -> str:
    return _("This column is required.")


def _parse_cohort(text: str, today: date, locked: frozenset[int]) -> tuple:
    if not text:
        return None, _REQUIRED
    match = COHORT.fullmatch(text)
    year = int(match.group(1)) if match else None
    if year is None or not EARLIEST_COHORT <= year <= today.year:
        return None, _("Write the year of graduation, like 2018 (from %(first)d to %(last)d).") % {
            "first": EARLIEST_COHORT, "last": today.year}
    if year in locked:
        return None, _("The bureau has locked the %(year)d graduate data; ask it to unlock the "
                       "year first.") % {"year": year}
    return year, None


def _parse_word(text: str, lookup: dict, table: dict, required: bool = True) -> tuple:
    if not text:
        return None, (_REQUIRED if required else None)
    value = lookup.get(text.lower())
    if value is None:
        return None, _("“%(value)s” is not accepted here; write one of: %(words)s.") % {
            "value": text, "words": word_list(table)}
    return value, None


def _parse_yes_no(text: str) -> tuple:
    if not text:
        return None, None
    value = YES_NO.get(text.lower())
    if value is None:
        return None, _("Write 是 or 否, or leave it blank when unknown.")
    return value, None


def _parse_satisfaction(text: str) -> tuple:
    value = SATISFACTION.get(text.lower(), "?")
    if value == "?":
        return None, _("Write 很满意, 满意, 不满意, 很不满意 or 无法评价 (or 4, 3, 2, 1); blank "
                       "means not asked.")
    return value, None


def _parse_pay(text: str) -> tuple:
    if not text:
        return None, None
    plain = text.replace(",", "").replace("，", "").removesuffix("元").strip()
    if "%" in plain:
        return None, _("Write the monthly pay in yuan, like 4500, not a percentage.")
    try:
        pay = Decimal(plain) if PAY.fullmatch(plain) else None
    except InvalidOperation:
        pay = None
    if pay is None:
        return None, _("Write the monthly pay in yuan as a plain number, like 4500.")
    if not 0 < pay < PAY_MAX:
        return None, _("The monthly pay must be more than 0 and less than 1,000,000 yuan; "
                       "leave it blank when unknown.")
    return pay, None


def _parse_identity(raw, typed: str, today: date) -> tuple:
    """(the normalised number, None) or (None, why, with the number masked)."""
    if isinstance(raw, float) or (isinstance(raw, int) and not isinstance(raw, bool)
                                  and len(str(raw)) != 18):
        return None, _("The identity number was typed as a number, and Excel keeps only 15 "
                       "digits of a number: format the column as text and type the numbers "
                       "again.")
    number = identity_normalise(typed)
    if not number:
        return None, _REQUIRED
    problem = identity_problem(number, today=today)
    if problem is not None:
        return None, f"{problem} ({identity_mask(number)})"
    return number, None


class _Parsers:
    """The parsers of one check, each remembering its answers: a sheet repeats the same few
    words, years and amounts thousands of times."""

    def __init__(self, today: date, locked: frozenset[int]):
        self.cache: dict[tuple, tuple] = {}
        self.functions = {
            "cohort": lambda text: _parse_cohort(text, today, locked),
            "point": lambda text: _parse_word(text, POINTS, POINT_WORDS),
            "destination": lambda text: _parse_word(text, DESTINATIONS, DESTINATION_WORDS),
            "location": lambda text: _parse_word(text, LOCATIONS, LOCATION_WORDS, False),
            "in_field": _parse_yes_no, "contract": _parse_yes_no,
            "pay": _parse_pay, "satisfaction": _parse_satisfaction,
            "employer_satisfaction": _parse_satisfaction,
        }

    def __call__(self, key: str, text: str) -> tuple:
        found = self.cache.get((key, text))
        if found is None:
            found = self.cache[(key, text)] = self.functions[key](text)
        return found


def graduate_rows_check(rows: Iterable[tuple[int, Sequence]], *, by, today: date,
                        headers: dict[str, str] | None = None) -> GraduateCheck:
    """Check (row number, raw values in KEYS order) pairs as `by` would import them.

    A row is refused when: a required value is missing; the school is unknown or, for a
    school user, not its own; the major is not one of the school's; the cohort is not a
    year from 2000 on, is locked by the bureau or has not reached the tracking point; a
    word is not one of the accepted ones; the identity number is malformed, its date of
    birth impossible or its check digit wrong, or typed as a number; the pay is not a plain
    number of yuan; work details are given for a graduate not in work; the same graduate
    appears twice for one cohort and point, or another school already recorded them there.
    """
    any_school, own = importer_schools(by)
    headers = {**{c.key: c.header for c in COLUMNS}, **(headers or {})}
    rows = list(rows)
    codes = {_text(values[0]).lower() for _n, values in rows} - {""}
    queryset = Institution.objects.only("id", "code", "name")
    # A school user's codes that are not its own are refused without saying whether they
    # exist.
    schools = {school.code.lower(): school
               for school in (queryset if any_school else queryset.filter(pk__in=own))}
    default_school = next(iter(schools.values())) if not any_school and len(own) == 1 else None
    wanted = {schools[c].pk for c in codes if c in schools}
    if default_school is not None:
        wanted.add(default_school.pk)
    majors = {
        (institution_id, code): major_id
        for institution_id, code, major_id in Major.objects.filter(
            institution_id__in=wanted).values_list("institution_id", "catalogue_code", "id")
    }
    locked = frozenset(YearLock.objects.filter(dataset=Dataset.GRADUATES)
                       .values_list("year", flat=True))
    parse = _Parsers(today, locked)
    key = pseudonym_key()
    check = GraduateCheck(rows=len(rows))
    errors, good = check.errors, check.good
    seen: dict[tuple[str, int, str], int] = {}
    work_only = (("in_field", 6), ("location", 7), ("pay", 9))
    unknown_school = (_("You may import only your own school's graduates.") if not any_school
                      else None)

    texts: dict = {}

    def cached_text(value) -> str:
        found = texts.get(value)
        if found is None:
            found = texts[value] = _text(value)
        return found

    for number, values in rows:
        # Identity numbers are all different: they are not worth remembering.
        text = [*map(cached_text, values[:4]), _text(values[4]), *map(cached_text, values[5:])]
        reasons: list[tuple[str, object]] = []
        school = schools.get(text[0].lower()) if text[0] else default_school
        if school is None:
            reasons.append(("school", _REQUIRED if not text[0] else unknown_school or _(
                "Unknown school code “%(value)s”.") % {"value": text[0]}))
        major_id = None
        if not text[1]:
            reasons.append(("major", _REQUIRED))
        elif school is not None:
            major_id = majors.get((school.id, text[1]))
            if major_id is None:
                reasons.append(("major", _(
                    "%(school)s has no major with catalogue code “%(code)s”; add it under "
                    "Institutions first.") % {"school": school.code, "code": text[1]}))
        parsed = {}
        for name, index in (("cohort", 2), ("point", 3), ("destination", 5), ("in_field", 6),
                            ("location", 7), ("contract", 8), ("pay", 9),
                            ("satisfaction", 10), ("employer_satisfaction", 11)):
            value, reason = parse(name, text[index])
            parsed[name] = value
            if reason is not None:
                reasons.append((name, reason))
        cohort, point, destination = parsed["cohort"], parsed["point"], parsed["destination"]
        if cohort is not None and point is not None and not employment.point_reached(
                cohort, point, today):
            reasons.append(("point", _(
                "The %(cohort)d cohort has not reached this tracking point yet (from %(day)s).")
                % {"cohort": cohort, "day": employment.point_date(cohort, point)}))
        identity, reason = _parse_identity(values[4], text[4], today)
        if reason is not None:
            reasons.append(("identity_number", reason))
        if destination is not None and destination not in employment.WORKING:
            for name, index in work_only:
                if text[index]:
                    reasons.append((name, _("Leave this blank: the graduate is not in work.")))
        if (destination is not None and destination != employment.EMPLOYED
                and parsed["contract"] is not None):
            reasons.append(("contract", _("Leave this blank: only employees sign a labour "
                                          "contract.")))
        person = None
        if identity is not None:
            person = pseudonym(identity, key)
            if cohort is not None and point is not None:
                earlier = seen.setdefault((person, cohort, point), number)
                if earlier != number:
                    reasons.append(("identity_number", _(
                        "The same graduate (%(number)s) is already on row %(row)d for this "
                        "cohort and tracking point.")
                        % {"number": identity_mask(identity), "row": earlier}))
        if reasons:
            for name, reason in sorted(reasons, key=lambda item: KEYS.index(item[0])):
                errors.append(RowError(number, headers[name], _required_reason()
                                       if reason is _REQUIRED else reason))
        else:
            good.append(GoodRow(number, school.id, major_id, cohort, point, person, destination,
                                parsed["in_field"], parsed["location"] or "", parsed["contract"],
                                parsed["pay"], parsed["satisfaction"],
                                parsed["employer_satisfaction"]))
    _recorded_elsewhere(check, headers)
    _groups(check, {school.pk: school for school in schools.values()})
    return check


def _recorded_elsewhere(check: GraduateCheck, headers: dict[str, str]) -> None:
    """Refuse good rows whose graduate another school has recorded at the same cohort and
    tracking point (the pair is unique across the city)."""
    pairs = {(row.cohort, row.point) for row in check.good}
    if not pairs:
        return
    holders: dict[tuple[str, int, str], int] = {}
    for cohort in {c for c, _p in pairs}:
        points = [p for c, p in pairs if c == cohort]
        for person, point, institution_id in GraduateRecord.objects.filter(
                cohort=cohort, point__in=points).values_list("person", "point", "institution_id"):
            holders[(person, cohort, point)] = institution_id
    if not holders:
        return
    kept, refused = [], set()
    for row in check.good:
        holder = holders.get((row.person, row.cohort, row.point))
        if holder is not None and holder != row.institution_id:
            refused.add(row.number)
            check.errors.append(RowError(row.number, headers["identity_number"], _(
                "Another school has already recorded this graduate for this cohort and "
                "tracking point.")))
        else:
            kept.append(row)
    check.good[:] = kept
    check.errors.sort(key=lambda error: error.row)


def _groups(check: GraduateCheck, schools: dict[int, Institution]) -> None:
    counts = Counter((row.institution_id, row.cohort, row.point) for row in check.good)
    if not counts:
        return
    existing = Counter()
    for values in (GraduateRecord.objects.filter(
            institution_id__in={k[0] for k in counts}, cohort__in={k[1] for k in counts})
            .order_by().values("institution_id", "cohort", "point").annotate(n=Count("id"))):
        existing[(values["institution_id"], values["cohort"], values["point"])] = values["n"]
    check.groups = [
        Group(schools[school_id], cohort, point, rows=n, existing=existing[(school_id, cohort, point)])
        for (school_id, cohort, point), n in sorted(
            counts.items(), key=lambda item: (schools[item[0][0]].code, item[0][1],
                                              employment.POINTS.index(item[0][2])))
    ]
