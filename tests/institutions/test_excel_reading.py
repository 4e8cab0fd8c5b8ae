"""core/excel.py: reading uploads and writing safe workbooks (no database)."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from tests.institutions.sheets import xlsx_upload
from vetq.core.excel import (
    Column,
    ExcelRefused,
    RowError,
    SheetSpec,
    cell_escape,
    cell_normalise,
    sheet_read,
    workbook_build,
)

pytestmark = pytest.mark.unit

COLUMNS = (Column("code", "学校代码"), Column("name", "学校名称"), Column("note", "备注", False))
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (4132.0, "4132"),
        (4132, "4132"),
        (1.5, "1.5"),
        (True, "1"),
        ("  梁溪区 ", "梁溪区"),
        ("\u3000梁溪区\u3000", "梁溪区"),
        ("４１３２０１", "413201"),
        ("ＡＢｃ１２", "ABc12"),
        ("无锡（江苏）", "无锡（江苏）"),
        ("'=1+1", "=1+1"),
        ("'abc", "'abc"),
    ],
)
def test_cell_normalise_gives_the_text_meant(value, expected):
    assert cell_normalise(value) == expected


def test_sheet_read_finds_header_below_a_title_and_skips_blank_rows():
    upload = xlsx_upload(
        ["无锡市职业学校名单"],
        [],
        ["学校代码", "学校名称", "其他"],
        [4132010001.0, " 甲校 ", "x"],
        [None, None, "only an unrelated column"],
        ["４１３２０１０００２", "乙校"],
    )
    sheet = sheet_read(upload, COLUMNS)
    assert [(row.number, row.values) for row in sheet.rows] == [
        (4, {"code": "4132010001", "name": "甲校"}),
        (6, {"code": "4132010002", "name": "乙校"}),
    ]


def test_sheet_read_accepts_english_code_names_as_headers():
    sheet = sheet_read(xlsx_upload(["Name", "CODE", "note"], ["甲校", "1", "n"]), COLUMNS)
    assert sheet.rows[0].values == {"code": "1", "name": "甲校", "note": "n"}
    sheet.error(sheet.rows[0], "code", "bad")
    assert sheet.errors == [RowError(2, "CODE", "bad")]


def test_sheet_read_reports_blank_required_columns_by_header():
    sheet = sheet_read(xlsx_upload(["学校代码", "学校名称"], ["1", None]), COLUMNS)
    assert sheet.require(sheet.rows[0], COLUMNS) == {"name"}
    assert sheet.errors == [RowError(2, "学校名称", "This column is required.")]


def test_sheet_read_refuses_a_sheet_without_the_header_row():
    with pytest.raises(ExcelRefused) as refusal:
        sheet_read(xlsx_upload(["学校代码", "名字"], ["1", "甲校"]), COLUMNS)
    assert refusal.value.message == "No header row found; these columns are missing: 学校名称."


def test_sheet_read_refuses_a_sheet_with_no_data_rows():
    with pytest.raises(ExcelRefused) as refusal:
        sheet_read(xlsx_upload(["学校代码", "学校名称"], [None, " "]), COLUMNS)
    assert refusal.value.message == "The sheet has a header row but no data rows."


@pytest.mark.parametrize("content", [PNG, "学校代码,学校名称\n1,甲校\n".encode()])
def test_sheet_read_refuses_content_that_is_not_xlsx_whatever_its_name(content):
    with pytest.raises(ExcelRefused) as refusal:
        sheet_read(SimpleUploadedFile("schools.xlsx", content), COLUMNS)
    assert refusal.value.message == "The file is not an Excel workbook (.xlsx)."


def test_sheet_read_refuses_a_zip_that_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    with pytest.raises(ExcelRefused) as refusal:
        sheet_read(SimpleUploadedFile("schools.xlsx", buffer.getvalue()), COLUMNS)
    assert refusal.value.message == "The file is not an Excel workbook (.xlsx)."


def test_sheet_read_refuses_a_damaged_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not-a-workbook")
    with pytest.raises(ExcelRefused) as refusal:
        sheet_read(SimpleUploadedFile("schools.xlsx", buffer.getvalue()), COLUMNS)
    assert refusal.value.message == "The workbook could not be read; it may be damaged."


def test_sheet_read_refuses_a_file_over_the_size_limit(settings):
    upload = xlsx_upload(["学校代码", "学校名称"], ["1", "甲校"])
    settings.VETQ_IMPORT_MAX_BYTES = upload.size - 1
    with pytest.raises(ExcelRefused) as refusal:
        sheet_read(upload, COLUMNS)
    assert refusal.value.message.startswith("The file is larger than ")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1:A2)", "'=SUM(A1:A2)"),
        ("+86", "'+86"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("甲校=1", "甲校=1"),
        (-1, -1),
        (None, None),
    ],
)
def test_cell_escape_defuses_formula_text_only(value, expected):
    assert cell_escape(value) == expected


def test_workbook_build_writes_bold_frozen_headers_widths_and_escaped_cells():
    columns = (Column("code", "学校代码", width=14), Column("name", "学校名称", width=30))
    content = workbook_build(SheetSpec("学校", columns, [("1", "=HYPERLINK(\"x\")")]))
    worksheet = load_workbook(io.BytesIO(content))["学校"]
    assert [cell.value for cell in worksheet[1]] == ["学校代码", "学校名称"]
    assert worksheet["A1"].font.b is True
    assert worksheet.freeze_panes == "A2"
    assert worksheet.column_dimensions["B"].width == 30
    assert worksheet["B2"].value == "'=HYPERLINK(\"x\")"
    assert worksheet["B2"].data_type == "s"
