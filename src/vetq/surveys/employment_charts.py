"""The JSON of the employment charts, in the format static/vetq/survey-charts.js draws:
{type, labels, unit, horizontal, series: [{name, data, dashed?}], marks: [{name, value, series}]}.
Percentages are rounded to one place, pay to the yuan; None is a gap, never a zero. Groups
whose figures are suppressed (too few graduates) are left out of the charts; the tables
beside them say so."""

from decimal import Decimal

from django.utils.translation import gettext as _

from .employment import LOCATIONS, Metrics
from .employment_queries import Figures
from .models import Location

HORIZONTAL_FROM = 8  # labels; more than this and the bars lie down


def percent(value: Decimal | None) -> float | None:
    return None if value is None else float(round(value * 100, 1))


def yuan(value: Decimal | None) -> float | None:
    return None if value is None else float(round(value))


def _bars(groups: list[Figures], series: list[tuple[str, str]], city: Metrics, *,
          unit: str = "%", convert=percent) -> dict:
    shown = [group for group in groups if not group.metrics.suppressed]
    marks = []
    for index, (_name, field) in enumerate(series):
        value = convert(getattr(city, field))
        if value is not None:  # the line takes its series' colour
            marks.append({"name": _("City"), "value": value, "series": index})
    return {
        "type": "bar", "labels": [group.label for group in shown], "unit": unit,
        "horizontal": len(shown) > HORIZONTAL_FROM, "min": 0 if unit == "%" else None,
        "max": 100 if unit == "%" else None,
        "series": [{"name": name, "data": [convert(getattr(g.metrics, field)) for g in shown]}
                   for name, field in series],
        "marks": marks,
    }


def dashboard_charts(groups: list[Figures], city: Metrics, total: Figures) -> list[dict]:
    """The charts of one breakdown, each with the city's figure as a dashed line."""
    places = [(str(label), f"{place}_share") for place, label in
              zip(LOCATIONS, [Location(p).label for p in LOCATIONS], strict=True)]
    split_labels = [name for name, _field in places]
    split = {
        "type": "bar", "labels": split_labels, "unit": "%", "horizontal": False,
        "min": 0, "max": 100, "marks": [],
        "series": ([{"name": total.label,
                     "data": [percent(getattr(total.metrics, f)) for _n, f in places]}]
                   if total.key != "city" else [])
        + [{"name": _("City"), "data": [percent(getattr(city, f)) for _n, f in places]}],
    }
    return [
        {"key": "employment", "title": _("Employment rate"),
         "data": _bars(groups, [(_("Employment rate"), "employment_rate")], city)},
        {"key": "in_field", "title": _("In-field rate"),
         "data": _bars(groups, [(_("In-field rate"), "in_field_rate")], city)},
        {"key": "local", "title": _("Working in the city"),
         "data": _bars(groups, [(_("Share working in the city"), "local_share")], city)},
        {"key": "location", "title": _("Where graduates work"), "data": split},
        {"key": "pay", "title": _("Median monthly pay (yuan)"),
         "data": _bars(groups, [(_("Median monthly pay"), "pay_median")], city,
                       unit="", convert=yuan)},
        {"key": "satisfaction", "title": _("Share satisfied"),
         "data": _bars(groups, [(_("Graduates satisfied with the school"), "satisfied_share"),
                                (_("Employers satisfied"), "employer_satisfied_share")], city)},
    ]


def trend_chart(scoped: list[Figures], city: list[Figures], *, label: str, whole: bool) -> dict:
    """Employment and in-field rates by cohort; the city's dashed beside a narrower scope."""
    series = []
    for name, field in ((_("Employment rate"), "employment_rate"),
                        (_("In-field rate"), "in_field_rate")):
        if not whole:
            series.append({"name": f"{label} · {name}",
                           "data": [percent(getattr(f.metrics, field)) for f in scoped]})
        series.append({"name": f"{_('City')} · {name}", "dashed": not whole,
                       "data": [percent(getattr(f.metrics, field)) for f in city]})
    return {"type": "line", "labels": [f.label for f in city], "unit": "%", "min": 0,
            "max": 100, "series": series, "marks": []}
