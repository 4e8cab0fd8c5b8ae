"""Charts of the Word and PDF reports, drawn with matplotlib as PNG pictures (the web page
draws the same chart specs with ECharts).

Chinese needs a CJK font: the set-up installs Noto CJK (scripts/system-deps.sh pdf). The font
is found on the system by its file and registered with matplotlib by path; without one the
chart is refused rather than drawn with empty boxes in place of the characters. Only the
object API (Figure) is used, never pyplot: no global state, safe in threads."""

import io
from functools import lru_cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from .blocks import Chart, chart_number  # noqa: E402

# Families in order of preference, and the font files that hold them.
FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
            "WenQuanYi Micro Hei", "Droid Sans Fallback")
FILE_HINTS = ("notosanscjk", "sourcehansans", "wqy-zenhei", "wqy-microhei", "droidsansfallback")
PALETTE = ("#0d6efd", "#9ec5fe", "#dc3545", "#198754", "#fd7e14", "#6f42c1")
WIDTH_INCHES = 6.3  # 16 cm, the text width of an A4 page with the report's margins
DPI = 150


class ChartFontMissing(RuntimeError):
    """No CJK font on the system: charts would show empty boxes instead of Chinese."""


@lru_cache(maxsize=1)
def cjk_family() -> str:
    """The CJK font family matplotlib draws with, registering the system's font files by
    path; raises ChartFontMissing when there is none."""
    for path in font_manager.findSystemFonts():
        if any(hint in Path(path).name.lower().replace("_", "") for hint in FILE_HINTS):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue
    known = {entry.name for entry in font_manager.fontManager.ttflist}
    for family in FAMILIES:
        if family in known:
            return family
    raise ChartFontMissing("no CJK font found for the report charts: install fonts-noto-cjk "
                           "(scripts/system-deps.sh pdf)")


def _number_text(value: float, _position=None) -> str:
    if abs(value) >= 100 or value == int(value):
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _text_inches(text: str, points: float = 8) -> float:
    """About how wide a label is: a CJK character is square, a Latin one about half as wide."""
    ems = sum(1.0 if ord(ch) > 0x2E80 else 0.55 for ch in str(text))
    return ems * points / 72


def _layout(figure, chart: Chart, height: float, *, legend: bool, rotated: bool) -> None:
    """Margins set from the labels' lengths: the layout engines that measure every text take
    about 40 % of the drawing time."""
    longest = max((_text_inches(label) for label in chart.categories), default=0.3)
    top = 0.38 + (0.26 if legend else 0)
    if chart.horizontal:
        left, bottom = longest + 0.25, 0.55 if chart.unit else 0.35
    else:
        left = 0.75 if chart.unit else 0.6
        bottom = (longest * 0.5 + 0.35) if rotated else 0.4
    figure.subplots_adjust(left=min(left / WIDTH_INCHES, 0.5), right=1 - 0.2 / WIDTH_INCHES,
                           top=1 - top / height, bottom=min(bottom / height, 0.5))


def chart_png(chart: Chart) -> bytes:
    """The chart as a PNG picture 16 cm wide."""
    family = cjk_family()
    rows = len(chart.categories)
    count = max(1, len(chart.series))
    if chart.horizontal:
        per_row = 0.3 if chart.stacked else 0.18 * count + 0.08
        height = max(2.6, 1.3 + per_row * rows)
    else:
        height = 3.4
    legend = len(chart.series) > 1 or chart.stacked
    rotated = not chart.horizontal and rows > 6
    figure = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI)
    _layout(figure, chart, height, legend=legend, rotated=rotated)
    axes = figure.add_subplot()
    font = {"family": family}
    labels = list(chart.categories)
    positions = list(range(rows))
    series = [[chart_number(v) or 0.0 for v in s.values] for s in chart.series]
    if chart.kind == "line":
        for index, (spec, values) in enumerate(zip(chart.series, series, strict=True)):
            axes.plot(positions, values, marker="o", color=PALETTE[index % len(PALETTE)],
                      label=spec.name)
        axes.set_xticks(positions, labels, fontfamily=family)
    else:
        width = 0.7 if chart.stacked else 0.8 / count
        base = [0.0] * rows
        for index, (spec, values) in enumerate(zip(chart.series, series, strict=True)):
            offset = 0 if chart.stacked else (index - (count - 1) / 2) * width
            where = [p + offset for p in positions]
            colour = PALETTE[index % len(PALETTE)]
            if chart.horizontal:
                axes.barh(where, values, height=width, left=base if chart.stacked else None,
                          color=colour, label=spec.name)
            else:
                axes.bar(where, values, width=width, bottom=base if chart.stacked else None,
                         color=colour, label=spec.name)
            if chart.stacked:
                base = [b + v for b, v in zip(base, values, strict=True)]
        if chart.horizontal:
            axes.set_yticks(positions, labels, fontfamily=family)
            axes.invert_yaxis()
            axes.xaxis.set_major_formatter(FuncFormatter(_number_text))
        else:
            axes.set_xticks(positions, labels, fontfamily=family, rotation=30 if rotated else 0,
                            ha="right" if rotated else "center")
    value_axis = axes.xaxis if chart.horizontal else axes.yaxis
    if chart.unit:
        value_axis.set_label_text(chart.unit, fontdict={**font, "fontsize": 8})
    if not chart.horizontal:
        axes.yaxis.set_major_formatter(FuncFormatter(_number_text))
    figure.suptitle(chart.title, fontfamily=family, fontsize=11, y=1 - 0.08 / height,
                    va="top")
    axes.grid(axis="x" if chart.horizontal else "y", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    if legend:
        # Above the plot, under the title: never over the bars, and no search for a place.
        figure.legend(loc="upper center", ncols=min(len(chart.series), 4), frameon=False,
                      bbox_to_anchor=(0.5, 1 - 0.36 / height), prop={"family": family, "size": 8})
    for tick in (*axes.get_xticklabels(), *axes.get_yticklabels()):
        tick.set_fontfamily(family)
        tick.set_fontsize(8)
    buffer = io.BytesIO()
    # Fast zlib level: the pictures are small either way, and encoding is a fifth of the time.
    figure.savefig(buffer, format="png", pil_kwargs={"compress_level": 1})
    return buffer.getvalue()
