"""Optional section: graduate employment and the 计分卡 of the national layout (R33), from the
graduate records of the year's cohort half a year after graduation (at graduation where the
half-year survey has no records yet). The definitions are surveys/employment.py's: employment
rate = employed and self-employed ÷ graduates needing work; satisfaction on the 4-point scale
with "cannot judge" left out; groups under five graduates are not shown."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from vetq.institutions.models import Region
from vetq.surveys import employment
from vetq.surveys.employment_queries import tallies
from vetq.surveys.models import GraduateRecord, TrackingPoint

from .blocks import Chart, Column, Paragraph, Series, Table
from .sections import CITY, ReportContext, register

POINTS = (TrackingPoint.HALF_YEAR, TrackingPoint.GRADUATION)


def _records(ctx: ReportContext):
    """The cohort's records at the first point of POINTS that has any, and that point."""
    for point in POINTS:
        records = GraduateRecord.objects.filter(cohort=ctx.year, point=point)
        if records.exists():
            return records, point
    return None, None


def _metrics(records, keys=()):
    return {key: employment.metrics(tally) for key, tally in tallies(records, keys).items()}


def scorecard_rows(own, city=None) -> tuple:
    """The five indicators of the 计分卡, with the city's beside when given."""
    rows = (
        (_("Employment rate"), "%", "employment_rate"),
        (_("Mean monthly income"), _("yuan"), "pay_mean"),
        (_("Share self-employed"), "%", "self_employment_rate"),
        (_("Share employed in the field studied"), "%", "in_field_rate"),
        (_("Satisfied with the school"), "%", "satisfied_share"),
    )
    result = []
    for label, unit, field in rows:
        values = [getattr(m, field) if m is not None else None for m in (own, city)]
        cells = [v * 100 if v is not None and unit == "%" else v for v in values]
        result.append((label, unit, *(cells if city is not None else cells[:1])))
    return tuple(result)


@register("employment", gettext_lazy("Graduate employment"), order=70)
def graduate_employment(ctx: ReportContext) -> list:
    records, point = _records(ctx)
    if records is None:
        return []
    city_metrics = _metrics(records).get(())
    point_label = str(TrackingPoint(point).label)
    if ctx.scope == CITY:
        own, mine = city_metrics, records
    else:
        mine = records.filter(institution=ctx.institution)
        own = _metrics(mine).get(())
        if own is None:
            return []
    blocks = [_summary(ctx, own, point_label)]
    columns = [Column(_("Indicator")), Column(pgettext("measure", "Unit"))]
    if ctx.scope == CITY:
        columns.append(Column(str(ctx.year), "decimal"))
        rows = scorecard_rows(own)
    else:
        columns += [Column(_("The school"), "decimal"), Column(_("City average"), "decimal")]
        rows = scorecard_rows(own, city_metrics)
    blocks.append(Table(columns=tuple(columns), rows=rows,
                        caption=_("Scorecard (计分卡), graduates of %(year)s, %(point)s")
                        % {"year": ctx.year, "point": point_label},
                        note=_("A figure is not shown for fewer than five graduates or answers.")))
    blocks += _by_region(ctx, records) if ctx.scope == CITY else _by_major(ctx, mine)
    return blocks


def _summary(ctx: ReportContext, own, point_label: str) -> Paragraph:
    def pct(value):
        return "—" if value is None else f"{value * 100:.1f}%"

    return Paragraph(
        _("Of the %(graduates)s graduates of %(year)s (%(point)s), %(rate)s of those needing work "
          "were employed or self-employed (grade: %(grade)s); %(study)s went on to further study "
          "and %(local)s of those working stayed in the city.")
        % {"graduates": f"{own.graduates:,}", "year": ctx.year, "point": point_label,
           "rate": pct(own.employment_rate), "grade": _grade(own.grade),
           "study": pct(own.further_study_rate), "local": pct(own.local_share)})


def _grade(code: str) -> str:
    return {"excellent": _("excellent (at least 95%)"), "good": _("good (90–94%)"),
            "pass": _("pass (80–89%)"), "below_pass": _("below 80%")}.get(code, "—")


GROUP_COLUMNS = ("graduates", "employment_rate", "in_field_rate", "contract_rate", "local_share",
                 "pay_median")


def _group_columns(first: str) -> tuple:
    return (Column(first), Column(_("Graduates"), "int"), Column(_("Employment rate"), "percent"),
            Column(_("In the field"), "percent"), Column(_("Labour contract"), "percent"),
            Column(_("Working in the city"), "percent"),
            Column(_("Median monthly pay (yuan)"), "yuan"))


def _cells(metrics) -> tuple:
    return tuple(getattr(metrics, name) for name in GROUP_COLUMNS)


def _by_region(ctx: ReportContext, records) -> list:
    by_region = _metrics(records, ("institution__region_id",))
    regions = [r for r in Region.objects.order_by("order", "code") if (r.pk,) in by_region]
    if not regions:
        return []
    rows = tuple((r.name, *_cells(by_region[(r.pk,)])) for r in regions)
    return [
        Table(columns=_group_columns(_("Region")), rows=rows,
              caption=_("Graduate employment by region, %(year)s") % {"year": ctx.year}),
        Chart(kind="bar", title=_("Employment rate by region"), unit="%",
              categories=tuple(r.name for r in regions),
              series=(Series(_("Employment rate"), tuple(
                  None if by_region[(r.pk,)].employment_rate is None
                  else by_region[(r.pk,)].employment_rate * 100 for r in regions)),)),
    ]


def _by_major(ctx: ReportContext, records) -> list:
    by_major = _metrics(records, ("major__catalogue_code", "major__name"))
    if len(by_major) < 2:
        return []
    rows = tuple((f"{name}（{code}）", *_cells(m)) for (code, name), m in sorted(by_major.items()))
    return [Table(columns=_group_columns(_("Major")), rows=rows,
                  caption=_("Graduate employment by major, %(year)s") % {"year": ctx.year})]
