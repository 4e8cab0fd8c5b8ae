"""The typed blocks a report section returns, and how a cell value is written.

A section says *what* it shows (a heading, a paragraph, a table with the format of each
column, a chart with its series); the three renderers (the web page, Word and PDF) say how.
Blocks are stored with the generated report as plain JSON (`block_to_data`), so the web page
of a published report shows exactly what its files show.

Column formats: text, int, decimal (two places), number (as precise as given: 12.50 → 12.5,
1000 → 1,000), percent (a ratio: 0.853 → 85.3%), yuan
(1,234,567), wanyuan (123.4567, the column says 万元), yiyuan (1.23, the column says 亿元) and
money (元, 万元 or 亿元 by size, as core.money.format_money writes it).
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from vetq.core.money import YI, format_money, format_wanyuan, format_yuan

FORMATS = ("text", "int", "decimal", "number", "percent", "yuan", "wanyuan", "yiyuan", "money")
CHART_KINDS = ("bar", "line")
NUMERIC = frozenset(FORMATS) - {"text"}


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 3  # chapters are level 2, set by the assembly


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Column:
    label: str
    format: str = "text"

    def __post_init__(self):
        if self.format not in FORMATS:
            raise ValueError(f"unknown column format {self.format!r}")

    @property
    def numeric(self) -> bool:
        return self.format in NUMERIC


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]
    rows: tuple[tuple, ...]
    caption: str = ""
    total: tuple | None = None  # a last row set apart (合计)
    note: str = ""

    def __post_init__(self):
        width = len(self.columns)
        for row in (*self.rows, *((self.total,) if self.total is not None else ())):
            if len(row) != width:
                raise ValueError(f"a row of {len(row)} cells in a table of {width} columns")


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple  # Decimal, int or None, one per category


@dataclass(frozen=True)
class Chart:
    kind: str
    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str = ""
    horizontal: bool = False
    stacked: bool = False

    def __post_init__(self):
        if self.kind not in CHART_KINDS:
            raise ValueError(f"unknown chart kind {self.kind!r}")
        for series in self.series:
            if len(series.values) != len(self.categories):
                raise ValueError(f"series {series.name!r} does not have one value per category")


Block = Heading | Paragraph | Table | Chart


@dataclass
class Chapter:
    """One chapter of a report: a registered section's output or a narrative section."""

    code: str
    title: str
    blocks: list = field(default_factory=list)
    narrative: bool = False


# --- Values ----------------------------------------------------------------------------------


def _json_value(value):
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        raise TypeError("report values must not be floats: use Decimal")
    return str(value)


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, float):
        raise TypeError("report values must not be floats: use Decimal")
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _places(number: Decimal, places: int) -> str:
    quantum = Decimal(1).scaleb(-places)
    return f"{number.quantize(quantum, rounding=ROUND_HALF_UP):,.{places}f}"


def format_cell(value, fmt: str, language: str = "zh-hans") -> str:
    """A cell as the reader sees it; an empty cell is "—"."""
    if fmt == "text":
        return "—" if value is None or value == "" else str(value)
    number = _decimal(value)
    if number is None:
        return "—" if value is None or value == "" else str(value)
    if fmt == "int":
        return _places(number, 0)
    if fmt == "decimal":
        return _places(number, 2)
    if fmt == "number":
        places = max(0, -number.normalize().as_tuple().exponent)
        return _places(number, min(places, 4))
    if fmt == "percent":
        return _places(number * 100, 1) + "%"
    if fmt == "yuan":
        return format_yuan(number)
    if fmt == "wanyuan":
        return format_wanyuan(number)
    if fmt == "yiyuan":
        text = f"{(number / YI).quantize(Decimal('0.0001'), rounding=ROUND_HALF_UP):,.4f}"
        return text.rstrip("0").rstrip(".")
    return format_money(number, language)


def ratio(part, whole) -> Decimal | None:
    """part ÷ whole as a Decimal, None when the whole is zero (never a division by zero)."""
    whole = Decimal(whole or 0)
    if whole == 0:
        return None
    return Decimal(part or 0) / whole


def statistic(value: float | None, places: int = 6) -> Decimal | None:
    """A statistic computed as a float (a share, a correlation) as a Decimal for a cell."""
    if value is None:
        return None
    return Decimal(str(round(value, places)))


def chart_number(value) -> float | None:
    """A value for drawing only (matplotlib and ECharts take floats); never for arithmetic."""
    number = _decimal(value)
    return None if number is None else float(number)


# --- JSON ------------------------------------------------------------------------------------


def block_to_data(block: Block) -> dict:
    if isinstance(block, Heading):
        return {"type": "heading", "text": str(block.text), "level": block.level}
    if isinstance(block, Paragraph):
        return {"type": "paragraph", "text": str(block.text)}
    if isinstance(block, Table):
        return {
            "type": "table", "caption": str(block.caption), "note": str(block.note),
            "columns": [{"label": str(c.label), "format": c.format} for c in block.columns],
            "rows": [[_json_value(v) for v in row] for row in block.rows],
            "total": None if block.total is None else [_json_value(v) for v in block.total],
        }
    if isinstance(block, Chart):
        return {
            "type": "chart", "kind": block.kind, "title": str(block.title),
            "unit": str(block.unit), "horizontal": block.horizontal, "stacked": block.stacked,
            "categories": [str(c) for c in block.categories],
            "series": [{"name": str(s.name), "values": [_json_value(v) for v in s.values]}
                       for s in block.series],
        }
    raise TypeError(f"not a report block: {block!r}")


def block_from_data(data: dict) -> Block:
    kind = data["type"]
    if kind == "heading":
        return Heading(data["text"], data.get("level", 3))
    if kind == "paragraph":
        return Paragraph(data["text"])
    if kind == "table":
        return Table(
            columns=tuple(Column(c["label"], c["format"]) for c in data["columns"]),
            rows=tuple(tuple(row) for row in data["rows"]),
            caption=data.get("caption", ""), note=data.get("note", ""),
            total=None if data.get("total") is None else tuple(data["total"]),
        )
    if kind == "chart":
        return Chart(
            kind=data["kind"], title=data["title"], unit=data.get("unit", ""),
            horizontal=data.get("horizontal", False), stacked=data.get("stacked", False),
            categories=tuple(data["categories"]),
            series=tuple(Series(s["name"], tuple(s["values"])) for s in data["series"]),
        )
    raise ValueError(f"unknown block type {kind!r}")


def chapter_to_data(chapter: Chapter) -> dict:
    return {"code": chapter.code, "title": str(chapter.title), "narrative": chapter.narrative,
            "blocks": [block_to_data(b) for b in chapter.blocks]}


def chapter_from_data(data: dict) -> Chapter:
    return Chapter(code=data["code"], title=data["title"], narrative=data.get("narrative", False),
                   blocks=[block_from_data(b) for b in data["blocks"]])
