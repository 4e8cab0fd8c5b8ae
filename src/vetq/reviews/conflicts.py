"""Conflicts of interest as data (fair-review.md §1, R24): which expert may not review which
application, and why. Pure: facts in, pairs with their reasons out.

Organisations are keys: ``"inst:<institution code>"`` or ``"ent:<unified credit code>"``;
declared people are ``"person:<name>"``. An application's ``institution`` and ``enterprises``
may be given bare (a bare institution is taken as ``inst:``, a bare enterprise as ``ent:``).

The rules, each giving its reason code:

- ``own_institution``: the expert works at the applicant institution now (its employer, or a
  past job with no end date).
- ``past_employer``: the expert's job there ended on or after the same calendar day
  ``past_employer_years`` years before ``on`` (29 February counts as 28 February).
- ``partner_enterprise``: a partner enterprise named on the application is the expert's
  employer now or was within the same window.
- ``declared``: the expert declared a conflict with the institution, a partner enterprise or
  a person named on the application (withdrawn declarations are not passed in).
- ``named_on_application``: the expert's name is among the application's people.
- ``same_region``: policy rule ``{"rule": "same_region", "categories": [...]}``; the expert's
  region is the applicant's, for the listed categories (every category when the list is empty).

People's names are compared after NFKC normalisation, removal of white space and case folding.
The work is indexed (by organisation, person and region): cost grows with the number of
conflicts found, never with experts × applications.
"""

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from itertools import repeat


def N_(message: str) -> str:
    """Marks a message id for makemessages (--keyword=N_); translated where shown. Unlike
    gettext_noop it needs no Django settings, so this module runs anywhere."""
    return message


REASONS: dict[str, str] = {
    "own_institution": N_("Works at the applicant institution."),
    "past_employer": N_("Worked at the applicant institution within the past-employer period."),
    "partner_enterprise": N_(
        "Works, or worked within the past-employer period, at a partner enterprise named on "
        "the application."
    ),
    "declared": N_("Declared a conflict with the institution, an enterprise or a person on "
                   "the application."),
    "named_on_application": N_("Is named on the application."),
    "same_region": N_("Is from the applicant's region (a policy rule for this category)."),
    # Not a rule of this module: a check panel's notice adds it (panels.notice_build) for an
    # expert already assigned to the project's application on another panel, since one
    # expert holds one active assignment to an application.
    "assigned_before": N_("Is already assigned to this application on another panel (its "
                          "review or an earlier check)."),
}

RULES = ("same_region",)

_SPACE = re.compile(r"\s+", re.UNICODE)


@dataclass(frozen=True)
class PastJob:
    employer: str  # "inst:<code>" | "ent:<credit code>"
    ended: date | None  # None: the expert still works there


@dataclass(frozen=True)
class ExpertFacts:
    code: str
    name: str
    region: str | None
    employer: str | None
    past: tuple[PastJob, ...] = ()
    declared: tuple[str, ...] = ()  # "inst:<code>", "ent:<credit>", "person:<name>"


@dataclass(frozen=True)
class ApplicationFacts:
    id: int
    category: str
    institution: str
    region: str
    enterprises: tuple[str, ...] = ()
    people: tuple[str, ...] = ()


def person_key(name: str) -> str:
    """How names are compared: NFKC, no white space, case folded ("" for no name)."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", name or "")).casefold()


def window_start(on: date, years: int) -> date:
    """The first day still inside the past-employer window."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February in a year that has none
        return on.replace(year=on.year - years, day=28)


def _organisation(key: str, *, bare: str) -> str:
    if key.startswith(("inst:", "ent:")):
        return key
    return f"{bare}:{key}"


def _employer(key: str, code: str) -> str:
    if not key.startswith(("inst:", "ent:")):
        raise ValueError(f"expert {code}: employer {key!r} must be 'inst:<code>' or 'ent:<credit code>'")
    return key


def _region_rule(rules: list[dict]) -> tuple[bool, set[str]]:
    """(applies to every category, categories it applies to)."""
    every, categories = False, set()
    for rule in rules or ():
        name = rule.get("rule")
        if name not in RULES:
            raise ValueError(f"unknown conflict rule {name!r} (known: {', '.join(RULES)})")
        listed = rule.get("categories") or []
        if not listed:
            every = True
        categories.update(listed)
    return every, categories


def conflicts(experts, applications, *, on: date, past_employer_years: int,
              rules: list[dict]) -> dict[tuple[str, int], tuple[str, ...]]:
    """Every conflicting (expert code, application id) with its sorted reason codes."""
    if past_employer_years < 0:
        raise ValueError("past_employer_years must not be negative")
    start = window_start(on, past_employer_years)
    region_everywhere, region_categories = _region_rule(rules)

    by_owner: dict[str, list[int]] = defaultdict(list)
    by_enterprise: dict[str, list[int]] = defaultdict(list)
    by_person: dict[str, list[int]] = defaultdict(list)
    by_region: dict[str, list[int]] = defaultdict(list)
    for app in applications:
        by_owner[_organisation(app.institution, bare="inst")].append(app.id)
        for key in {_organisation(e, bare="ent") for e in app.enterprises}:
            by_enterprise[key].append(app.id)
        for key in {person_key(p) for p in app.people} - {""}:
            by_person[key].append(app.id)
        if app.region and (region_everywhere or app.category in region_categories):
            by_region[app.region].append(app.id)

    found: dict[tuple[str, int], tuple[str, ...]] = {}
    for expert in experts:
        code = expert.code
        current = {_employer(expert.employer, code)} if expert.employer else set()
        recent = set()
        for job in expert.past:
            key = _employer(job.employer, code)
            if job.ended is None:
                current.add(key)
            elif job.ended >= start:
                recent.add(key)
        hits: dict[str, list] = defaultdict(list)  # reason -> lists of application ids
        for key in current:
            hits["own_institution"].append(by_owner.get(key, ()))
            hits["partner_enterprise"].append(by_enterprise.get(key, ()))
        for key in recent:
            hits["past_employer"].append(by_owner.get(key, ()))
            hits["partner_enterprise"].append(by_enterprise.get(key, ()))
        for item in expert.declared:
            if item.startswith("person:"):
                hits["declared"].append(by_person.get(person_key(item[len("person:"):]), ()))
            elif item.startswith(("inst:", "ent:")):
                hits["declared"].append(by_owner.get(item, ()))
                hits["declared"].append(by_enterprise.get(item, ()))
            else:
                raise ValueError(f"expert {code}: declared {item!r} must start with inst:, ent: or person:")
        name = person_key(expert.name)
        if name:
            hits["named_on_application"].append(by_person.get(name, ()))
        if expert.region:
            hits["same_region"].append(by_region.get(expert.region, ()))
        # Set operations keep the per-pair work in C: most pairs have a single reason.
        found_by_reason = [(reason, set().union(*hits[reason])) for reason in sorted(hits)]
        found_by_reason = [(reason, ids) for reason, ids in found_by_reason if ids]
        if len(found_by_reason) == 1:
            reason, ids = found_by_reason[0]
            found.update(zip(zip(repeat(code), ids), repeat((reason,))))
            continue
        mine: dict[int, tuple[str, ...]] = {}
        for reason, ids in found_by_reason:
            again = mine.keys() & ids
            for app_id in again:
                mine[app_id] += (reason,)
            mine.update(dict.fromkeys(ids - again if again else ids, (reason,)))
        found.update(zip(zip(repeat(code), mine), mine.values(), strict=True))
    return found
