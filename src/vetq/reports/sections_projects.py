"""Built-in section: the projects under construction, their yearly progress reports, mid-term
checks and acceptance ratings (R18, R29, R31). States are those on the day the report is
generated; reports, checks and ratings are those of the report's year."""

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vetq.projects.models import (
    Acceptance,
    CheckEntry,
    CheckKind,
    CheckResult,
    ProgressReport,
    Project,
    ProjectState,
    Rating,
)
from vetq.projects.models import ReportState as ProgressState

from .blocks import Chart, Column, Paragraph, Series, Table
from .sections import CITY, ReportContext, register


def _projects(ctx: ReportContext):
    projects = Project.objects.filter(grant__program=ctx.program, grant__year__lte=ctx.year)
    return projects if ctx.institution is None else projects.filter(institution=ctx.institution)


@register("projects", gettext_lazy("Projects, checks and acceptance"), order=40)
def projects(ctx: ReportContext) -> list:
    if ctx.program is None:
        return []
    projects = _projects(ctx)
    blocks = _city_projects(ctx, projects) if ctx.scope == CITY else _school_projects(ctx, projects)
    return blocks + _progress_reports(ctx, projects) + _midterm(ctx, projects) \
        + _acceptances(ctx, projects)


def _city_projects(ctx: ReportContext, projects) -> list:
    states = ProjectState.values
    rows = list(projects.order_by().values("category__name", "category__order").annotate(
        n=Count("id"), **{state: Count("id", filter=Q(state=state)) for state in states})
        .order_by("category__order", "category__name"))
    if not rows:
        return [Paragraph(_("No project had been approved by the end of %(year)s.")
                          % {"year": ctx.year})]
    cells = [(r["category__name"], r["n"], *(r[s] for s in states)) for r in rows]
    totals = tuple(sum(c[i] for c in cells) for i in range(1, len(cells[0])))
    return [
        Paragraph(_("%(count)s projects approved up to %(year)s: %(active)s under construction, "
                    "%(closed)s closed after acceptance, %(failed)s failed and %(withdrawn)s "
                    "withdrawn.")
                  % {"count": totals[0], "year": ctx.year,
                     **{state: totals[1 + i] for i, state in enumerate(states)}}),
        Table(columns=(Column(_("Category")), Column(_("Projects"), "int"),
                       *(Column(str(label), "int") for label in ProjectState.labels)),
              rows=tuple(cells), caption=_("Projects by category and state"),
              total=(_("Total"), *totals),
              note=_("States on the day the report was generated.")),
        Chart(kind="bar", horizontal=True, stacked=True, title=_("Projects by category and state"),
              categories=tuple(c[0] for c in cells), unit=_("projects"),
              series=tuple(Series(str(label), tuple(c[2 + i] for c in cells))
                           for i, label in enumerate(ProjectState.labels))),
    ]


def _school_projects(ctx: ReportContext, projects) -> list:
    listed = list(projects.select_related("category").order_by("starts_on", "pk"))
    if not listed:
        return []
    return [Table(
        columns=(Column(_("Project")), Column(_("Category")), Column(_("Construction period")),
                 Column(_("State")), Column(_("Acceptance rating"))),
        rows=tuple((p.title, p.category.name,
                    f"{p.starts_on:%Y-%m-%d} – {p.due_on:%Y-%m-%d}", str(p.get_state_display()),
                    str(p.get_rating_display()) if p.rating else "") for p in listed),
        caption=_("The school's projects"),
        note=_("States on the day the report was generated."))]


def _progress_reports(ctx: ReportContext, projects) -> list:
    counts = ProgressReport.objects.filter(project__in=projects, due_on__year=ctx.year) \
        .order_by().aggregate(n=Count("id"), **{s: Count("id", filter=Q(state=s))
                                                for s in ProgressState.values})
    if not counts["n"]:
        return []
    return [Paragraph(
        _("%(count)s yearly progress reports were due in %(year)s: %(accepted)s accepted, "
          "%(submitted)s awaiting the bureau, %(returned)s returned for revision and %(due)s "
          "not yet filed.")
        % {"count": counts["n"], "year": ctx.year, **{s: counts[s] for s in ProgressState.values}})]


def _midterm(ctx: ReportContext, projects) -> list:
    counts = CheckEntry.objects.filter(project__in=projects, round__kind=CheckKind.MIDTERM,
                                       decided_at__year=ctx.year) \
        .order_by().aggregate(n=Count("id"), **{r: Count("id", filter=Q(result=r))
                                                for r in CheckResult.values})
    if not counts["n"]:
        return []
    return [Paragraph(
        _("%(count)s projects had their mid-term check decided in %(year)s: %(excellent)s "
          "excellent, %(pass)s pass, %(rectify)s to rectify and %(fail)s fail.")
        % {"count": counts["n"], "year": ctx.year, **{r: counts[r] for r in CheckResult.values}})]


def _acceptances(ctx: ReportContext, projects) -> list:
    accepted = list(Acceptance.objects.filter(project__in=projects, rated_at__year=ctx.year)
                    .select_related("project__institution", "project__category")
                    .order_by("-score", "project__title"))
    if not accepted:
        return [Paragraph(_("No project was accepted in %(year)s.") % {"year": ctx.year})]
    counts = {r: sum(1 for a in accepted if a.rating == r) for r in Rating.values}
    return [
        Paragraph(_("%(count)s projects were accepted in %(year)s: %(excellent)s rated "
                    "excellent, %(pass)s pass and %(fail)s fail.")
                  % {"count": len(accepted), "year": ctx.year, **counts}),
        Table(columns=(Column(_("School")), Column(_("Project")), Column(_("Category")),
                       Column(_("Score"), "decimal"), Column(_("Rating"))),
              rows=tuple((a.project.institution.name, a.project.title, a.project.category.name,
                          a.score, str(a.get_rating_display())) for a in accepted),
              caption=_("Acceptance ratings, %(year)s") % {"year": ctx.year}),
    ]
