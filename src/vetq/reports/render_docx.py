"""The report as a Word document (python-docx): a title page, numbered chapters as
headings, tables with borders (numbers right-aligned, a bold total row), charts as pictures.
Chinese is set in the Noto CJK fonts through w:eastAsia, as in the grant notice."""

import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Mm, Pt, RGBColor

from vetq.funding.notice import SANS, SERIF, _style_font

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT_WIDTH = Mm(160)


def _setup(doc) -> None:
    _style_font(doc.styles["Normal"], SERIF, 12)
    _style_font(doc.styles["Title"], SANS, 24, bold=True)
    _style_font(doc.styles["Heading 1"], SANS, 16, bold=True)
    _style_font(doc.styles["Heading 2"], SANS, 13, bold=True)
    _style_font(doc.styles["Caption"], SANS, 10, bold=True)
    doc.styles["Normal"].paragraph_format.line_spacing = 1.4
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(30), Mm(25)
    section.left_margin, section.right_margin = Mm(25), Mm(25)


def _title_page(doc, view: dict) -> None:
    for _ in range(6):
        doc.add_paragraph()
    title = doc.add_paragraph(view["title"], style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for _ in range(8):
        doc.add_paragraph()
    for text in (view["issuer"], view["date"]):
        paragraph = doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(text)
        run.font.size = Pt(14)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _cell(cell, text: str, *, numeric: bool, bold: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.first_line_indent = Pt(0)
    paragraph.paragraph_format.line_spacing = 1.0
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if numeric else WD_ALIGN_PARAGRAPH.LEFT
    run = paragraph.add_run(text)
    run.font.size = Pt(9)
    run.bold = bold


def _table(doc, block: dict) -> None:
    if block["caption"]:
        doc.add_paragraph(block["caption"], style="Caption").alignment = WD_ALIGN_PARAGRAPH.CENTER
    rows = block["rows"] + ([block["total"]] if block["total"] else [])
    table = doc.add_table(rows=1, cols=len(block["headers"]))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header in zip(table.rows[0].cells, block["headers"], strict=True):
        _cell(cell, header["text"], numeric=header["numeric"], bold=True)
    for index, cells in enumerate(rows):
        is_total = block["total"] is not None and index == len(rows) - 1
        for cell, value in zip(table.add_row().cells, cells, strict=True):
            _cell(cell, value["text"], numeric=value["numeric"], bold=is_total)
    if block["note"]:
        note = doc.add_paragraph()
        run = note.add_run(block["note"])
        run.font.size = Pt(9)
        run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    else:
        doc.add_paragraph()


def report_docx(view: dict) -> bytes:
    """The presented report (present.present with pictures) as a Word file."""
    doc = Document()
    doc.core_properties.title = view["title"]
    doc.core_properties.author = view["issuer"]
    _setup(doc)
    _title_page(doc, view)
    for chapter in view["chapters"]:
        doc.add_heading(f"{chapter['label']}{chapter['title']}", level=1)
        for block in chapter["blocks"]:
            kind = block["type"]
            if kind == "heading":
                doc.add_heading(f"{block['label']}{block['text']}", level=2)
            elif kind == "paragraph":
                doc.add_paragraph(block["text"]).paragraph_format.first_line_indent = Pt(24)
            elif kind == "table":
                _table(doc, block)
            elif kind == "chart" and "png" in block:
                picture = doc.add_paragraph()
                picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
                picture.add_run().add_picture(io.BytesIO(block["png"]), width=TEXT_WIDTH)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
