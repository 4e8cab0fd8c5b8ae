"""Optional section: the resource table (资源表) of the national layout, from the schools'
resource figures of the year and the ratios of surveys.resource_table (students per teacher,
equipment, funding, floor space and practice stations per student, …); a school's beside the
city's (all schools' figures added up, percentages weighted by teachers)."""

from collections import defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from vetq.surveys.models import SchoolResource
from vetq.surveys.resource_table import figures_sum, resource_table

from .blocks import Column, Paragraph, Table
from .sections import CITY, ReportContext, register


def _figures(ctx: ReportContext) -> dict[int, dict]:
    by_school: dict[int, dict] = defaultdict(dict)
    for school, indicator, value in SchoolResource.objects.filter(year=ctx.year).values_list(
            "institution_id", "indicator", "value"):
        by_school[school][indicator] = value
    return by_school


@register("resources", gettext_lazy("Resources (资源表)"), order=80)
def resources(ctx: ReportContext) -> list:
    by_school = _figures(ctx)
    if not by_school:
        return []
    city = resource_table(figures_sum(list(by_school.values())))
    if ctx.scope == CITY:
        return [
            Paragraph(_("%(schools)s schools reported their resource figures for %(year)s; the "
                        "table adds them up (percentages weighted by full-time teachers).")
                      % {"schools": len(by_school), "year": ctx.year}),
            Table(columns=(Column(_("Indicator")), Column(pgettext("measure", "Unit")),
                           Column(str(ctx.year), "number")),
                  rows=tuple((row.name, row.unit, row.value) for row in city),
                  caption=_("Resource table (资源表), %(year)s") % {"year": ctx.year}),
        ]
    own = by_school.get(ctx.institution.pk)
    if not own:
        return []
    mine = resource_table(own)
    return [Table(
        columns=(Column(_("Indicator")), Column(pgettext("measure", "Unit")),
                 Column(_("The school"), "number"), Column(_("All schools"), "number")),
        rows=tuple((row.name, row.unit, row.value, other.value)
                   for row, other in zip(mine, city, strict=True)),
        caption=_("Resource table (资源表), %(year)s") % {"year": ctx.year},
        note=_("All schools: the figures of every school that reported, added up; ratios "
               "computed from the sums."))]
