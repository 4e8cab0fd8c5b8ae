"""Report blocks: how cells are written (money in 元, 万元 and 亿元 through core.money), their
JSON form, and the checks on malformed tables and charts."""

from decimal import Decimal

import pytest

from vetq.reports.blocks import (
    Chapter,
    Chart,
    Column,
    Heading,
    Paragraph,
    Series,
    Table,
    block_from_data,
    block_to_data,
    chapter_from_data,
    chapter_to_data,
    format_cell,
    ratio,
)
from vetq.reports.present import chapter_label, chinese_number

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("value", "fmt", "expected"), [
    (Decimal("1234567.5"), "yuan", "1,234,567.50"),
    (Decimal("1234567"), "wanyuan", "123.4567"),
    (Decimal("150000000"), "yiyuan", "1.5"),
    (Decimal("150000000"), "money", "1.5亿元"),
    (Decimal("63000"), "money", "6.3万元"),
    (Decimal("800"), "money", "800元"),
    (Decimal("0.8534"), "percent", "85.3%"),
    (Decimal("2.5"), "int", "3"),
    (12345, "int", "12,345"),
    ("85.5", "decimal", "85.50"),
    (Decimal("12.50"), "number", "12.5"),
    (Decimal("1000.00"), "number", "1,000"),
    (None, "int", "—"),
    ("", "text", "—"),
    ("梁溪区", "text", "梁溪区"),
])
def test_format_cell_writes_each_format(value, fmt, expected):
    assert format_cell(value, fmt, "zh-hans") == expected


def test_format_cell_money_in_english():
    assert format_cell(Decimal("63000"), "money", "en") == "63,000 yuan"


def test_format_cell_refuses_floats():
    with pytest.raises(TypeError):
        format_cell(0.1, "yuan")


def test_ratio_of_a_zero_whole_is_none_not_a_division_by_zero():
    assert ratio(3, 0) is None
    assert ratio(1, 4) == Decimal("0.25")


def test_a_table_row_of_the_wrong_width_is_refused():
    with pytest.raises(ValueError, match="2 cells in a table of 3 columns"):
        Table(columns=(Column("a"), Column("b"), Column("c")), rows=(("x", "y"),))


def test_a_series_without_a_value_per_category_is_refused():
    with pytest.raises(ValueError, match="one value per category"):
        Chart(kind="bar", title="t", categories=("a", "b"), series=(Series("s", (1,)),))


def test_unknown_formats_and_kinds_are_refused():
    with pytest.raises(ValueError):
        Column("a", "euro")
    with pytest.raises(ValueError):
        Chart(kind="pie", title="t", categories=(), series=())


def test_blocks_survive_their_json_form():
    blocks = [
        Heading("小节", level=3),
        Paragraph("段落"),
        Table(columns=(Column("学校"), Column("金额", "wanyuan")),
              rows=(("甲", Decimal("100000.00")),), caption="表", total=("合计", Decimal("100000.00")),
              note="注"),
        Chart(kind="line", title="趋势", categories=("2019", "2020"),
              series=(Series("在校生", (10, None)),), unit="人", stacked=False),
    ]
    data = [block_to_data(b) for b in blocks]
    assert data[2]["rows"] == [["甲", "100000.00"]]
    back = [block_from_data(d) for d in data]
    assert back[0] == blocks[0] and back[1] == blocks[1] and back[3] == blocks[3]
    assert back[2].rows == (("甲", "100000.00"),)
    assert format_cell(back[2].rows[0][1], "wanyuan") == "10"
    chapter = Chapter(code="x", title="章", blocks=blocks, narrative=True)
    assert chapter_from_data(chapter_to_data(chapter)).narrative is True


@pytest.mark.parametrize(("n", "text"), [(1, "一"), (9, "九"), (10, "十"), (12, "十二"),
                                         (20, "二十"), (35, "三十五")])
def test_chinese_chapter_numbers(n, text):
    assert chinese_number(n) == text


def test_chapter_labels_by_language():
    assert chapter_label(3, "zh-hans") == "三、"
    assert chapter_label(3, "en") == "3. "
