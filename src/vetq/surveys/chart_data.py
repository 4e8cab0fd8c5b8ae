"""The JSON the survey charts are drawn from (static/vetq/survey-charts.js): numbers rounded
for reading, None where a figure is undefined (the chart leaves a gap, never a zero)."""


def percent_value(share: float | None, digits: int = 1) -> float | None:
    """A share as a percentage for a chart: 0.4444 → 44.4."""
    return None if share is None else round(share * 100, digits)


def index_value(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def line_chart(labels: list[str], series: list[dict], *, unit: str = "",
               min_value: float | None = None, max_value: float | None = None) -> dict:
    """A line per series over `labels` (years). A series may be `dashed` (a comparison, such
    as the city's)."""
    return {"type": "line", "labels": labels, "unit": unit, "min": min_value, "max": max_value,
            "series": series}


def bar_chart(labels: list[str], series: list[dict], *, unit: str = "%",
              horizontal: bool = False, marks: list[dict] | None = None) -> dict:
    """Bars per series over `labels`; `marks` are reference lines ({name, value, series}: the
    index of the series whose colour the line takes), such as the city's average."""
    return {"type": "bar", "labels": labels, "unit": unit, "horizontal": horizontal,
            "series": series, "marks": marks or []}
