"""The registry of report sections (R34): each data area registers a function that returns
the blocks of its chapter, and the report assembles whatever is registered, in order. A later
feature (contests, training, micro-courses, …) plugs in by registering its own section in a
`report_sections.py` module of its app; the report code is not edited.

    from vetq.reports.sections import register

    @register("contests", _("Skills contests"), order=65)
    def contests(ctx):
        return [Paragraph(...), Table(...)]

A section returns a list of blocks (blocks.py); an empty list leaves the chapter out (no data
for the year). `scopes` says whether it belongs in the city's report, a school's, or both.
"""

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.utils.module_loading import autodiscover_modules

from vetq.institutions.models import Institution
from vetq.programs.models import Program

CITY, SCHOOL = "city", "school"
BOTH = frozenset({CITY, SCHOOL})


@dataclass
class ReportContext:
    """What a section is asked about: the year and the school (None for the city's report),
    the program that year belongs to, and a memo the sections of one report share."""

    year: int
    institution: Institution | None = None
    memo: dict = field(default_factory=dict)

    @property
    def scope(self) -> str:
        return CITY if self.institution is None else SCHOOL

    @cached_property
    def program(self) -> Program | None:
        """The program whose period holds the year, else the latest one that started before
        it, else none."""
        programs = Program.objects.order_by("-period_start", "code")
        return (programs.filter(period_start__lte=self.year, period_end__gte=self.year).first()
                or programs.filter(period_start__lte=self.year).first())

    def remember(self, key: str, compute: Callable):
        """A value computed once per report (several sections may need the same figures)."""
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]


@dataclass(frozen=True)
class Section:
    code: str
    title: str  # lazy: translated when the report is generated
    order: int
    scopes: frozenset
    build: Callable[[ReportContext], list]


_REGISTRY: dict[str, Section] = {}

# Built-in sections whose data every installation has, and those that read the yearly data
# and evaluations: a module is imported only when the module it reads exists, so the report
# works before that feature is there and picks it up once it is.
BUILT_IN = ("vetq.reports.sections_program", "vetq.reports.sections_funding",
            "vetq.reports.sections_projects")
OPTIONAL = {
    "vetq.reports.sections_evaluations": ("vetq.projects.evaluation_queries",),
    "vetq.reports.sections_alignment": ("vetq.surveys.alignment_queries",),
    "vetq.reports.sections_employment": ("vetq.surveys.employment_queries",),
    "vetq.reports.sections_resources": ("vetq.surveys.resource_table",),
    "vetq.reports.sections_exams": ("vetq.surveys.exam_queries",),
}


def register(code: str, title, order: int, scopes=BOTH):
    """Register the decorated function as the section `code` (a later registration of the
    same code replaces the earlier one)."""
    scopes = frozenset(scopes)
    if not scopes or scopes - BOTH:
        raise ValueError(f"scopes must be a subset of {sorted(BOTH)}")

    def decorator(build):
        _REGISTRY[code] = Section(code=code, title=title, order=order, scopes=scopes,
                                  build=build)
        return build

    return decorator


def unregister(code: str) -> None:
    _REGISTRY.pop(code, None)


def sections_for(scope: str) -> list[Section]:
    """The sections of a city or a school report, in order."""
    return sorted((s for s in _REGISTRY.values() if scope in s.scopes),
                  key=lambda s: (s.order, s.code))


def section(code: str) -> Section | None:
    return _REGISTRY.get(code)


def _available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def discover() -> None:
    """Import the built-in sections, the optional ones whose data modules exist, and every
    app's `report_sections` module (called once the apps are ready)."""
    for module in BUILT_IN:
        importlib.import_module(module)
    for module, needs in OPTIONAL.items():
        if _available(module) and all(_available(need) for need in needs):
            importlib.import_module(module)
    autodiscover_modules("report_sections")
