"""The generated content as the renderers lay it out: chapter numbers, cells written in the
reader's language, charts as specs (web) or pictures (Word, PDF)."""

import base64

from .blocks import Chart, Heading, Paragraph, Table, chapter_from_data, chart_number, format_cell

NUMERALS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九."""
    if n < 10:
        return NUMERALS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else NUMERALS[tens]) + "十" + (NUMERALS[ones] if ones else "")


def chapter_label(number: int, language: str) -> str:
    return f"{chinese_number(number)}、" if language.startswith("zh") else f"{number}. "


def subheading_label(number: int, language: str) -> str:
    return f"（{chinese_number(number)}）" if language.startswith("zh") else f"({number}) "


def chart_key(chapter: int, block: int) -> str:
    return f"chart-{chapter}-{block}"


def _cells(row, columns, language: str) -> list[dict]:
    return [{"text": format_cell(value, column.format, language), "numeric": column.numeric}
            for value, column in zip(row, columns, strict=True)]


def table_view(table: Table, language: str) -> dict:
    return {
        "type": "table", "caption": table.caption, "note": table.note,
        "headers": [{"text": c.label, "numeric": c.numeric} for c in table.columns],
        "rows": [_cells(row, table.columns, language) for row in table.rows],
        "total": None if table.total is None else _cells(table.total, table.columns, language),
    }


def chart_spec(chart: Chart) -> dict:
    """The chart for ECharts on the web page (numbers for drawing only)."""
    return {"kind": chart.kind, "title": chart.title, "unit": chart.unit,
            "horizontal": chart.horizontal, "stacked": chart.stacked,
            "categories": list(chart.categories),
            "series": [{"name": s.name, "data": [chart_number(v) for v in s.values]}
                       for s in chart.series]}


def charts_of(content: dict) -> dict:
    """Every chart of the content by its key."""
    found = {}
    for c, data in enumerate(content.get("chapters", []), start=1):
        for b, block in enumerate(chapter_from_data(data).blocks):
            if isinstance(block, Chart):
                found[chart_key(c, b)] = block
    return found


def present(content: dict, language: str, pictures: dict | None = None) -> dict:
    """The content laid out for a renderer; `pictures` (PNG bytes by chart key) puts the
    charts in as pictures, else they carry their ECharts spec."""
    chapters = []
    for c, data in enumerate(content.get("chapters", []), start=1):
        chapter = chapter_from_data(data)
        blocks = []
        sub = 0
        for b, block in enumerate(chapter.blocks):
            if isinstance(block, Heading):
                sub += 1
                blocks.append({"type": "heading", "text": block.text,
                               "label": subheading_label(sub, language)})
            elif isinstance(block, Paragraph):
                blocks.append({"type": "paragraph", "text": block.text})
            elif isinstance(block, Table):
                blocks.append(table_view(block, language))
            elif isinstance(block, Chart):
                key = chart_key(c, b)
                view = {"type": "chart", "key": key, "title": block.title,
                        "spec": chart_spec(block)}
                if pictures is not None and key in pictures:
                    view["png"] = pictures[key]
                    view["data_uri"] = "data:image/png;base64," + base64.b64encode(
                        pictures[key]).decode("ascii")
                blocks.append(view)
        chapters.append({"number": c, "label": chapter_label(c, language), "title": chapter.title,
                         "code": chapter.code, "narrative": chapter.narrative, "blocks": blocks})
    return {"title": content.get("title", ""), "issuer": content.get("issuer", ""),
            "year": content.get("year"), "date": content.get("date", ""), "chapters": chapters}
