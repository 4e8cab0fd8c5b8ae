"""Reads of check rounds for the pages, the API and the lead's overdue list.

Who reaches what: the bureau every round and entry; a region officer, a school and a finance
officer the entries of the projects `queries.projects_for` lets them read, and the rounds
holding one (never who scored); an expert only the material of the projects it is assigned
to on a round's panel (`material_entries_for`), never a round's page. Each read does a fixed
number of queries however many rows there are.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy

from vetq.accounts import scoping
from vetq.accounts.roles import Role
from vetq.reviews.models import Assignment, Panel
from vetq.reviews.panel_queries import panels_listed

from .checks import entry_final, result_for_score
from .models import (
    CheckEntry,
    CheckFile,
    CheckResult,
    CheckRound,
    CheckRoundState,
    ProgressReport,
    Project,
    ProjectState,
    ReportFile,
    ReportState,
)
from .queries import may_read_projects, projects_for

# How a project's history names what a check round did.
EVENT_LABELS = {
    "check_opened": gettext_lazy("Entered a check round"),
    "self_assessment_filed": gettext_lazy("Self-assessment filed"),
    "self_assessment_updated": gettext_lazy("Self-assessment filed again"),
    "check_scored": gettext_lazy("Experts' score collected"),
    "check_result": gettext_lazy("Check result recorded"),
    "rectification_filed": gettext_lazy("Rectification report filed"),
    "recheck": gettext_lazy("Re-checked after rectification"),
}
SELF_ASSESSMENT, RECTIFICATION = "self_assessment", "rectification"


def entries_for(user, queryset: QuerySet | None = None) -> QuerySet:
    """Entries whose round page the user may read: the bureau all, the readers of projects
    those of their projects; experts and others none."""
    queryset = CheckEntry.objects.all() if queryset is None else queryset
    if scoping.has_role(user, Role.BUREAU_ADMIN):
        return queryset
    if not may_read_projects(user):
        return queryset.none()
    return queryset.filter(project__in=projects_for(user))


def material_entries_for(user, queryset: QuerySet | None = None) -> QuerySet:
    """Entries whose material (self-assessment, reports, evidence files) the user may read:
    those of `entries_for`, and an expert's with an active assignment to the project's
    application on the round's panel. Outside it: 404."""
    queryset = CheckEntry.objects.all() if queryset is None else queryset
    if scoping.has_role(user, Role.BUREAU_ADMIN):
        return queryset
    condition = Q(pk__in=entries_for(user).values("pk")) if may_read_projects(user) else None
    if scoping.has_role(user, Role.EXPERT):
        assigned = Q(Exists(Assignment.objects.filter(
            panel__check_round=OuterRef("round_id"),
            application_id=OuterRef("project__application_id"),
            expert__user_id=user.pk, active=True)))
        condition = assigned if condition is None else condition | assigned
    if condition is None:
        return queryset.none()
    return queryset.filter(condition)


def _count(queryset: QuerySet) -> Coalesce:
    """A correlated COUNT(*) subquery over a round's entries."""
    return Coalesce(Subquery(
        queryset.order_by().values("round_id").annotate(n=Count("pk")).values("n"),
        output_field=IntegerField()), Value(0))


def rounds_listed(user) -> QuerySet:
    """The rounds holding an entry the user may read, newest first, with their cohort, panel
    and the counts of those entries: in all, self-assessments filed, results recorded."""
    scope = entries_for(user)
    mine = scope.filter(round_id=OuterRef("pk"))
    return (
        CheckRound.objects.filter(Exists(mine))
        .select_related("call_category__call", "call_category__category", "panel")
        .defer("rubric", "rules", "panel__rules", "panel__rubric")
        .annotate(n_entries=_count(mine),
                  n_filed=_count(mine.filter(submitted_at__isnull=False)),
                  n_decided=_count(mine.exclude(result="")))
        .order_by("-created_at", "-pk")
    )


def round_get(user, pk: int) -> CheckRound:
    """The round `pk` if it holds an entry the user may read (CheckRound.DoesNotExist else)."""
    return rounds_listed(user).select_related("created_by").get(pk=pk)


def entry_flags(entry: CheckEntry, today: date) -> CheckEntry:
    """Mark an entry (with its round and project) `self_overdue` (no self-assessment past its
    due date in a round not closed), `rectification_overdue`, `suggested` (the result the
    round's bands give its score, while none is recorded) and `final`."""
    check_round = entry.round
    active = entry.project.state == ProjectState.ACTIVE
    entry.self_overdue = (active and entry.submitted_at is None
                          and check_round.state != CheckRoundState.CLOSED
                          and check_round.self_assessment_due < today)
    entry.rectification_overdue = (active and entry.result == CheckResult.RECTIFY
                                   and entry.rectified_at is None and not entry.recheck_result
                                   and entry.rectification_due < today)
    entry.suggested = (result_for_score(check_round.kind, entry.score, check_round.rules)
                       if entry.score is not None and not entry.result else "")
    entry.suggested_label = CheckResult(entry.suggested).label if entry.suggested else ""
    entry.final = entry_final(entry)
    return entry


def _files():
    return Prefetch("files", queryset=CheckFile.objects.select_related("file").order_by("pk"))


def round_entries(check_round: CheckRound, user, today: date) -> list[CheckEntry]:
    """The round's entries the user may read, by region and school, flagged (`entry_flags`),
    with their files."""
    entries = (entries_for(user).filter(round=check_round)
               .select_related("project__institution__region", "project__category")
               .prefetch_related(_files())
               .order_by("project__institution__region__order", "project__institution__code",
                         "pk"))
    result = []
    for entry in entries:
        entry.round = check_round
        result.append(entry_flags(entry, today))
    return result


def round_panel(check_round: CheckRound) -> Panel | None:
    """The round's expert panel with its draw and counts (applications, assignments, reviews
    submitted), or None."""
    return panels_listed().filter(check_round=check_round).first()


def entry_get(user, pk: int, *, material: bool = False) -> CheckEntry:
    """The entry `pk` if the user may read its page (or, with `material`, its material), with
    what the pages show (CheckEntry.DoesNotExist otherwise)."""
    scope = material_entries_for(user) if material else entries_for(user)
    return (scope.select_related("round__call_category__call__program",
                                 "round__call_category__category", "project__institution__region",
                                 "project__category", "project__grant", "submitted_by",
                                 "decided_by", "rechecked_by")
            .prefetch_related(_files()).get(pk=pk))


def project_checks(project: Project, today: date) -> list[CheckEntry]:
    """The project's check entries, newest round first, flagged, with their files."""
    entries = (project.checks.select_related("round", "project")
               .prefetch_related(_files()).order_by("-round__created_at", "-pk"))
    return [entry_flags(e, today) for e in entries]


def filed_reports(project: Project) -> list[ProgressReport]:
    """The project's progress reports the school has filed, by year, with their files."""
    return list(project.reports.exclude(state=ReportState.DUE)
                .prefetch_related(Prefetch("files", queryset=ReportFile.objects
                                           .select_related("file").order_by("pk")))
                .order_by("year"))


@dataclass
class CheckMaterial:
    """What an expert scoring a project in a check round reads instead of an application."""

    entry: CheckEntry
    check_round: CheckRound
    project: Project
    reports: list[ProgressReport]
    self_files: list[CheckFile]
    rectification_files: list[CheckFile]


def check_material(assignment: Assignment) -> CheckMaterial | None:
    """The material of the project an assignment on a check panel is about: its plan, the
    yearly reports filed, the self-assessment, summary and evidence files."""
    entry = (CheckEntry.objects.filter(round_id=assignment.panel.check_round_id,
                                       project__application_id=assignment.application_id)
             .select_related("round", "project__institution__region", "project__category")
             .prefetch_related(_files()).first())
    if entry is None:
        return None
    files = list(entry.files.all())
    return CheckMaterial(
        entry=entry, check_round=entry.round, project=entry.project,
        reports=filed_reports(entry.project),
        self_files=[f for f in files if f.purpose == SELF_ASSESSMENT],
        rectification_files=[f for f in files if f.purpose == RECTIFICATION])


@dataclass(frozen=True)
class OverdueCheckItem:
    """A self-assessment or a rectification report past its due date."""

    kind: str  # SELF_ASSESSMENT or RECTIFICATION
    entry: CheckEntry
    due_on: date
    days_overdue: int

    @property
    def project(self) -> Project:
        return self.entry.project

    @property
    def label(self) -> str:
        if self.kind == SELF_ASSESSMENT:
            return str(gettext_lazy("Self-assessment"))
        return str(gettext_lazy("Rectification report"))


def overdue_check_items(projects: QuerySet, today: date) -> list[OverdueCheckItem]:
    """Among `projects` (already scoped) under construction, the self-assessments not filed
    past their round's due date (round not closed) and the rectification reports not filed
    past their deadline (not re-checked yet), most overdue first. Two queries."""
    base = (CheckEntry.objects.filter(project__in=projects, project__state=ProjectState.ACTIVE)
            .select_related("round", "project__institution__region", "project__category"))
    items = [
        OverdueCheckItem(SELF_ASSESSMENT, e, e.round.self_assessment_due,
                         (today - e.round.self_assessment_due).days)
        for e in base.filter(submitted_at__isnull=True, round__self_assessment_due__lt=today)
        .exclude(round__state=CheckRoundState.CLOSED)
    ] + [
        OverdueCheckItem(RECTIFICATION, e, e.rectification_due, (today - e.rectification_due).days)
        for e in base.filter(result=CheckResult.RECTIFY, rectified_at__isnull=True,
                             recheck_result="", rectification_due__lt=today)
    ]
    return sorted(items, key=lambda i: (i.due_on, i.entry.project.title, i.kind))
