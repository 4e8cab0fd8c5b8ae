"""Optional section: the performance evaluations (绩效评价, R29) submitted for the year — the
schools' self-evaluations and those of the education and finance bureaus — from
projects.evaluation_queries: how many got each grade, and their totals on 0–100."""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vetq.projects.evaluation_queries import evaluations_for_year, grade_choices, grade_counts
from vetq.projects.models import EvaluatorRole

from .blocks import Column, Paragraph, Table
from .sections import CITY, ReportContext, register


def _mean(values: list[Decimal]) -> Decimal | None:
    return sum(values, Decimal(0)) / len(values) if values else None


@register("evaluations", gettext_lazy("Performance evaluations"), order=50)
def performance_evaluations(ctx: ReportContext) -> list:
    evaluations = list(evaluations_for_year(ctx.year, ctx.institution))
    if not evaluations:
        return []
    grades = grade_choices(ctx.program)
    rows = []
    for role, label in EvaluatorRole.choices:
        mine = [e for e in evaluations if e.evaluator == role]
        if not mine:
            continue
        counts = grade_counts(mine)
        rows.append((str(label), len(mine), *(counts[code] for code, _name in grades),
                     _mean([e.total for e in mine if e.total is not None])))
    blocks = [
        Paragraph(_("%(count)s performance evaluations were submitted for %(year)s.")
                  % {"count": len(evaluations), "year": ctx.year}),
        Table(columns=(Column(_("Evaluated by")), Column(_("Evaluations"), "int"),
                       *(Column(str(name), "int") for _code, name in grades),
                       Column(_("Mean total"), "decimal")),
              rows=tuple(rows), caption=_("Performance evaluations by evaluator, %(year)s")
              % {"year": ctx.year}),
    ]
    names = dict(grades)
    listed = evaluations if ctx.scope != CITY else [
        e for e in evaluations if e.evaluator != EvaluatorRole.SCHOOL]
    if listed:
        blocks.append(Table(
            columns=(Column(_("School")), Column(_("Subject")), Column(_("Evaluated by")),
                     Column(_("Total"), "decimal"), Column(_("Grade"))),
            rows=tuple((e.institution.name,
                        e.project.title if e.project_id else _("The school's year"),
                        str(e.get_evaluator_display()), e.total, names.get(e.grade, e.grade))
                       for e in listed),
            caption=_("Evaluations, %(year)s") % {"year": ctx.year}))
    return blocks
