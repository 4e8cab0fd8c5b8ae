"""Reads behind the employment pages and API (R33): tallies of graduate records grouped in
the database, folded into schools, regions, major groups, majors, cohorts and the city, and
turned into published figures by surveys/employment.py (small cells suppressed there).

Who sees what: everyone allowed on the dashboard sees the city's aggregates, also by major
group and by catalogue major; a region's figures only where `scoping.regions_for` allows (the
bureau every region, a region officer its own, a school none); a school's figures only where
`scoping.institutions_for` allows (a school its own, a region officer its region's schools,
the bureau all); record-level data only through `scoping.graduate_records_for`.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from vetq.accounts.roles import Role
from vetq.accounts.scoping import institutions_for, memberships, regions_for
from vetq.institutions.models import Institution, Region

from . import employment
from .employment import EMPLOYED, FURTHER_STUDY, NOT_EMPLOYED, SELF_EMPLOYED, WORKING, Metrics, Tally
from .models import GraduateRecord, TrackingPoint

# 专业大类 of the 2021 national catalogue: 41–59 for higher vocational majors; secondary and
# technical schools' majors use 61–79 for the same groups (their code less 20).
MAJOR_GROUPS = {
    "41": pgettext_lazy("major group", "Agriculture, forestry, animal husbandry and fishery"),
    "42": pgettext_lazy("major group", "Resources, environment and safety"),
    "43": pgettext_lazy("major group", "Energy, power and materials"),
    "44": pgettext_lazy("major group", "Civil engineering and architecture"),
    "45": pgettext_lazy("major group", "Water conservancy"),
    "46": pgettext_lazy("major group", "Equipment manufacturing"),
    "47": pgettext_lazy("major group", "Biology and chemical engineering"),
    "48": pgettext_lazy("major group", "Light industry and textiles"),
    "49": pgettext_lazy("major group", "Food, drugs and grain"),
    "50": pgettext_lazy("major group", "Transport"),
    "51": pgettext_lazy("major group", "Electronics and information"),
    "52": pgettext_lazy("major group", "Medicine and health"),
    "53": pgettext_lazy("major group", "Finance and commerce"),
    "54": pgettext_lazy("major group", "Tourism"),
    "55": pgettext_lazy("major group", "Culture and arts"),
    "56": pgettext_lazy("major group", "Journalism and communication"),
    "57": pgettext_lazy("major group", "Education and sports"),
    "58": pgettext_lazy("major group", "Public security and justice"),
    "59": pgettext_lazy("major group", "Public administration and services"),
}
DIMENSIONS = ("school", "region", "major_group", "major")
SEE_ALL = {Role.BUREAU_ADMIN, Role.DEPARTMENT_VIEWER}
VIEW_ROLES = {Role.BUREAU_ADMIN, Role.DEPARTMENT_VIEWER, Role.REGION_OFFICER, Role.SCHOOL_USER}


def major_group(catalogue_code: str) -> str:
    """The two-digit major group of a catalogue code, secondary codes folded onto higher."""
    head = catalogue_code[:2]
    if head.isdigit() and 61 <= int(head) <= 79:
        return str(int(head) - 20)
    return head


def major_group_label(code: str) -> str:
    name = MAJOR_GROUPS.get(code)
    return f"{code} {name}" if name else code


_AGGREGATES = {
    "graduates": Count("id"),
    "employed": Count("id", filter=Q(destination=EMPLOYED)),
    "self_employed": Count("id", filter=Q(destination=SELF_EMPLOYED)),
    "further_study": Count("id", filter=Q(destination=FURTHER_STUDY)),
    "not_employed": Count("id", filter=Q(destination=NOT_EMPLOYED)),
    "in_field": Count("id", filter=Q(destination__in=WORKING, in_field=True)),
    "in_field_known": Count("id", filter=Q(destination__in=WORKING, in_field__isnull=False)),
    "contract": Count("id", filter=Q(destination=EMPLOYED, contract=True)),
    "contract_known": Count("id", filter=Q(destination=EMPLOYED, contract__isnull=False)),
    **{place: Count("id", filter=Q(destination__in=WORKING, location=place))
       for place in employment.LOCATIONS},
    "satisfaction_sum": Sum("satisfaction"),
    "satisfaction_answers": Count("satisfaction"),
    "satisfied": Count("id", filter=Q(satisfaction__gte=employment.SATISFIED_FROM)),
    "employer_sum": Sum("employer_satisfaction"),
    "employer_answers": Count("employer_satisfaction"),
    "employer_satisfied": Count("id", filter=Q(
        employer_satisfaction__gte=employment.SATISFIED_FROM)),
}


def tallies(records: QuerySet, keys: tuple[str, ...]) -> dict[tuple, Tally]:
    """A Tally per value of `keys` (GraduateRecord field paths; none: one Tally of them all
    under the key ()), for the values that have records: two queries."""
    result: dict[tuple, dict] = {}
    # Annotations are named apart from the model's fields (in_field, contract), which the
    # aggregates' own filters refer to.
    aggregates = {f"n_{name}": aggregate for name, aggregate in _AGGREGATES.items()}
    rows = (records.order_by().values(*keys).annotate(**aggregates) if keys
            else [records.aggregate(**aggregates)])
    for row in rows:
        if not row["n_graduates"]:
            continue
        key = tuple(row.pop(k) for k in keys)
        result[key] = {name[2:]: value or 0 for name, value in row.items()}
    pays: dict[tuple, list] = defaultdict(list)
    for *key, pay in (records.filter(destination__in=WORKING, starting_pay__isnull=False)
                      .order_by().values_list(*keys, "starting_pay")):
        pays[tuple(key)].append(pay)
    return {key: Tally(**counts, pays=tuple(pays.get(key, ()))) for key, counts in result.items()}


def _fold(parts: dict[tuple, Tally], key_of) -> dict:
    folded: dict = {}
    for key, part in parts.items():
        target = key_of(key)
        folded[target] = folded[target] + part if target in folded else part
    return folded


@dataclass(frozen=True)
class Figures:
    """A group's published figures: `key` is stable (e.g. "school:3202500901"), `label`
    what a person reads, `note` a school's region."""

    key: str
    label: str
    metrics: Metrics
    note: str = ""


@dataclass(frozen=True)
class Scope:
    kind: str  # city, region, school, major_group
    code: str
    label: str
    condition: Q  # over GraduateRecord

    @property
    def key(self) -> str:
        return self.kind if self.kind == "city" else f"{self.kind}:{self.code}"


class ScopeNotFound(LookupError):
    """A scope that does not exist or that the user may not see (a 404)."""


def may_view(user) -> bool:
    return any(m.role in VIEW_ROLES for m in memberships(user))


def visible_schools(user) -> set[int] | None:
    """The schools whose own figures the user may see; None for all of them."""
    if any(m.role in SEE_ALL for m in memberships(user)):
        return None
    return set(institutions_for(user).values_list("pk", flat=True))


def scope_resolve(user, text: str) -> Scope:
    """A scope from "city", "region:<code>", "school:<code>" or "major_group:<two digits>";
    an unknown one, or a school outside the user's reach, raises ScopeNotFound."""
    kind, _sep, code = (text or "city").partition(":")
    if kind == "city" and not code:
        return Scope("city", "", _("the whole city"), Q())
    if kind == "region":
        region = regions_for(user).filter(code=code).first()
        if region is None:
            raise ScopeNotFound(text)
        return Scope("region", code, region.name, Q(institution__region=region))
    if kind == "school":
        visible = visible_schools(user)
        school = Institution.objects.filter(code=code).first()
        if school is None or (visible is not None and school.pk not in visible):
            raise ScopeNotFound(text)
        return Scope("school", code, school.name, Q(institution=school))
    if kind == "major_group" and code in MAJOR_GROUPS:
        secondary = str(int(code) + 20)
        return Scope("major_group", code, major_group_label(code),
                     Q(major__catalogue_code__startswith=code)
                     | Q(major__catalogue_code__startswith=secondary))
    raise ScopeNotFound(text)


def default_scope(user) -> str:
    """A school starts on its own figures, a region officer on its region's, others on the
    city's."""
    for membership in memberships(user):
        if membership.role in SEE_ALL:
            return "city"
    for membership in memberships(user):
        if membership.role == Role.SCHOOL_USER:
            return f"school:{membership.institution.code}"
        if membership.role == Role.REGION_OFFICER:
            return f"region:{membership.region.code}"
    return "city"


def cohorts_recorded(point: str | None = None) -> list[int]:
    records = GraduateRecord.objects.all()
    if point:
        records = records.filter(point=point)
    return sorted(records.order_by().values_list("cohort", flat=True).distinct(), reverse=True)


class Breakdown:
    """A cohort at a tracking point within a scope: the scope's and the city's figures, and
    the scope's groups along one dimension, limited to the schools the user may see."""

    def __init__(self, *, user, scope: Scope, cohort: int, point: str):
        self.scope, self.cohort, self.point = scope, cohort, point
        self.visible = visible_schools(user)
        self.regions = set(regions_for(user).values_list("pk", flat=True))
        records = GraduateRecord.objects.filter(cohort=cohort, point=point)
        city_parts = tallies(records, ("institution_id", "major__catalogue_code"))
        self.city = Figures("city", _("City"), employment.metrics(sum(city_parts.values(), Tally())))
        scoped = tallies(records.filter(scope.condition), ("institution_id",
                                                           "major__catalogue_code"))
        self.parts = scoped
        self.total = Figures(scope.key, scope.label if scope.kind != "city" else _("City"),
                             employment.metrics(sum(scoped.values(), Tally())))

    def _schools(self, ids) -> dict[int, Institution]:
        return Institution.objects.select_related("region").in_bulk(list(ids))

    def by(self, dimension: str) -> list[Figures]:
        if dimension == "school":
            parts = {k: t for k, t in self.parts.items()
                     if self.visible is None or k[0] in self.visible}
            folded = _fold(parts, lambda key: key[0])
            schools = self._schools(folded)
            ordered = sorted(folded, key=lambda pk: (schools[pk].region.order, schools[pk].code))
            return [Figures(f"school:{schools[pk].code}", schools[pk].name,
                            employment.metrics(folded[pk]), schools[pk].region.name)
                    for pk in ordered]
        if dimension == "region":
            schools = self._schools({key[0] for key in self.parts})
            folded = _fold(self.parts, lambda key: schools[key[0]].region_id)
            folded = {pk: part for pk, part in folded.items() if pk in self.regions}
            regions = Region.objects.in_bulk(list(folded))
            ordered = sorted(folded, key=lambda pk: (regions[pk].order, regions[pk].code))
            return [Figures(f"region:{regions[pk].code}", regions[pk].name,
                            employment.metrics(folded[pk])) for pk in ordered]
        if dimension == "major_group":
            folded = _fold(self.parts, lambda key: major_group(key[1]))
            return [Figures(f"major_group:{code}", major_group_label(code),
                            employment.metrics(folded[code])) for code in sorted(folded)]
        if dimension == "major":
            folded = _fold(self.parts, lambda key: key[1])
            names = _major_names(folded)
            return [Figures(f"major:{code}", f"{code} {names.get(code, '')}".strip(),
                            employment.metrics(folded[code])) for code in sorted(folded)]
        raise ScopeNotFound(dimension)


def _major_names(codes) -> dict[str, str]:
    from vetq.institutions.models import Major

    names: dict[str, str] = {}
    for code, name in (Major.objects.filter(catalogue_code__in=list(codes))
                       .order_by("catalogue_code", "pk").values_list("catalogue_code", "name")):
        names.setdefault(code, name)
    return names


def cohort_trend(*, scope: Scope, point: str) -> tuple[list[Figures], list[Figures]]:
    """The scope's and the city's figures for every cohort recorded at the point."""
    records = GraduateRecord.objects.filter(point=point)
    city = tallies(records, ("cohort",))
    scoped = city if scope.kind == "city" else tallies(records.filter(scope.condition),
                                                       ("cohort",))
    cohorts = sorted(key[0] for key in city)
    empty = Tally()
    return ([Figures(f"cohort:{c}", str(c), employment.metrics(scoped.get((c,), empty)))
             for c in cohorts],
            [Figures(f"cohort:{c}", str(c), employment.metrics(city[(c,)])) for c in cohorts])


def point_label(point: str) -> str:
    return str(TrackingPoint(point).label)


def figures_of(*, cohort: int, point: str = "half_year", institution=None, region=None) -> Metrics:
    """The published figures (small cells suppressed) of the city, or of one school or region,
    for a cohort at a tracking point, with no user scoping: for documents whose reader is
    decided elsewhere, such as the annual quality reports (the 计分卡 reads half a year on)."""
    records = GraduateRecord.objects.filter(cohort=cohort, point=point)
    if institution is not None:
        records = records.filter(institution=institution)
    if region is not None:
        records = records.filter(institution__region=region)
    return employment.metrics(tallies(records, ()).get((), Tally()))
