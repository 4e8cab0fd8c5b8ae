"""Optional section: how the majors fit the industries (R32, 专业结构与产业结构吻合度), the
figures of surveys.alignment_queries: the share of students counted towards each industry
against the industry's share of output (or employment); per-industry gap and structural
deviation (share of students ÷ share of the industry − 1); the similarity 1 − ½Σ|p − q|;
Pearson's correlation; coverage of the local and the pillar industries against the policy's
targets. docs/surveys.md explains each in a sentence."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from vetq.surveys.alignment import Status
from vetq.surveys.alignment_queries import AlignmentData, Problem, Scope, survey_rules

from .blocks import Chart, Column, Paragraph, Series, Table, statistic
from .sections import CITY, ReportContext, register

STATUS_LABELS = {
    Status.UNDER: gettext_lazy("Under-served"),
    Status.BALANCED: gettext_lazy("Balanced"),
    Status.OVER: gettext_lazy("Over-served"),
    Status.NOT_LOCAL: gettext_lazy("No local output"),
    Status.ABSENT: pgettext_lazy("industry", "Absent"),
}
MEASURE_LABELS = {"output_value": gettext_lazy("output value"),
                  "employment": gettext_lazy("employment")}


def _pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _number(value, places: int = 3) -> str:
    return "—" if value is None else f"{value:.{places}f}"


@register("alignment", gettext_lazy("How the majors fit the industries"), order=60)
def majors_and_industries(ctx: ReportContext) -> list:
    rules = survey_rules(ctx.program)
    measure = rules.industry_measures[0]
    data = AlignmentData([ctx.year], rules=rules)
    if ctx.scope == CITY:
        result = data.scope(ctx.year, measure, Scope.CITY)
    else:
        result = data.scope(ctx.year, measure, Scope.SCHOOL, ctx.institution.code)
    if result.problem == Problem.NO_ENROLMENT:
        return []
    if result.problem == Problem.NO_INDUSTRY or result.alignment is None:
        return [Paragraph(_("No industry figures were entered for %(year)s: the fit of the majors "
                            "with the industries cannot be computed.") % {"year": ctx.year})]
    fit = result.alignment
    blocks = [Paragraph(
        _("Compared with the industries' shares of %(measure)s in %(year)s, the majors' "
          "similarity index is %(similarity)s (1 means the shares of students match the "
          "industries' exactly), Pearson's correlation %(pearson)s and the mean structural "
          "deviation %(deviation)s. The majors serve %(served)s of %(local)s local industries "
          "(%(coverage)s, target %(local_target)s) and %(pillar_served)s of %(pillars)s pillar "
          "industries (target %(pillar_target)s).")
        % {"measure": MEASURE_LABELS.get(measure, measure), "year": ctx.year,
           "similarity": _number(fit.similarity), "pearson": _number(fit.pearson),
           "deviation": _number(fit.total_deviation), "served": fit.local_served,
           "local": fit.local_industries, "coverage": _pct(fit.coverage),
           "local_target": _pct(result.local_target), "pillar_served": fit.pillar_served,
           "pillars": fit.pillar_industries, "pillar_target": _pct(result.pillar_target)})]
    under = [row.label for row in fit.under_served][:5]
    over = [row.label for row in fit.over_served][:5]
    if under or over:
        blocks.append(Paragraph(
            _("Most under-served: %(under)s. Most over-served: %(over)s.")
            % {"under": "、".join(under) or "—", "over": "、".join(over) or "—"}))
    rows = tuple((row.label + ("★" if row.pillar else ""), statistic(row.enrolment_share),
                  statistic(row.industry_share), statistic(row.gap),
                  statistic(row.deviation, 4), str(STATUS_LABELS[row.status]))
                 for row in fit.rows if row.served or row.local)
    blocks.append(Table(
        columns=(Column(_("Industry")), Column(_("Share of students"), "percent"),
                 Column(_("Share of the industry"), "percent"), Column(_("Gap"), "percent"),
                 Column(_("Structural deviation"), "number"), Column(_("Served"))),
        rows=rows, caption=_("Majors against industries, %(year)s") % {"year": ctx.year},
        note=_("★ pillar industry. Gap: share of students − share of the industry; structural "
               "deviation: share of students ÷ share of the industry − 1.")))
    shown = [row for row in fit.rows if row.served or row.local]
    blocks.append(Chart(
        kind="bar", horizontal=True, title=_("Share of students and share of the industry"),
        categories=tuple(row.label for row in shown), unit="%",
        series=(Series(_("Share of students"),
                       tuple(statistic(row.enrolment_share * 100, 2) for row in shown)),
                Series(_("Share of the industry"),
                       tuple(statistic(row.industry_share * 100, 2) for row in shown)))))
    if ctx.scope == CITY:
        regions = data.regions_of(ctx.year, measure, data.regions)
        with_fit = [r for r in regions if r.alignment is not None]
        if with_fit:
            blocks.append(Table(
                columns=(Column(_("Region")), Column(_("Similarity"), "number"),
                         Column(_("Pearson's correlation"), "number"),
                         Column(_("Mean structural deviation"), "number"),
                         Column(_("Local industries served"), "percent"),
                         Column(_("Pillar industries served"), "percent")),
                rows=tuple((r.name, statistic(r.alignment.similarity, 3),
                            statistic(r.alignment.pearson, 3),
                            statistic(r.alignment.total_deviation, 3),
                            statistic(r.alignment.coverage),
                            statistic(r.alignment.pillar_coverage)) for r in with_fit),
                caption=_("Fit by region, %(year)s") % {"year": ctx.year}))
    return blocks
