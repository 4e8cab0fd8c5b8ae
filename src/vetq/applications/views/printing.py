"""The printed application (申报书) as PDF (WeasyPrint) and Word (python-docx) downloads.

Both lay out the one `printing.PrintDocument`; whoever may read the application may print
it, and an application outside the user's scope is a 404.
"""

import io

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import path
from django.views.decorators.http import require_GET
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from vetq.accounts import scoping

from ..printing import PrintDocument, Table, application_document, file_name, printable

SERIF = "Noto Serif CJK SC"
SANS = "Noto Sans CJK SC"
PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def pdf_render(document: PrintDocument) -> bytes:
    """The document as an A4 PDF. Nothing is fetched: the template links no resources, and a
    fetcher that allows no protocol keeps it that way whatever the content says."""
    html = render_to_string("applications/print.html", {"document": document})
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=())).write_pdf()


def _style_font(style, family: str, size: int, *, bold: bool = False) -> None:
    """Set a style's font for Latin and Chinese text (w:eastAsia), dropping theme fonts,
    which would otherwise win over the named family."""
    style.font.name = family
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    fonts.set(qn("w:eastAsia"), family)


def _page_number(paragraph) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _table(doc, block: Table) -> None:
    if block.caption:
        doc.add_paragraph().add_run(block.caption).bold = True
    rows = block.rows or [["—"] + [""] * (len(block.columns) - 1)]
    table = doc.add_table(rows=1, cols=len(block.columns))
    table.style = doc.styles["Table Grid"]
    all_rows = [(block.columns, True), *((row, False) for row in rows)]
    if block.footer:
        all_rows.append((block.footer, True))
    for index, (cells, bold) in enumerate(all_rows):
        row = table.rows[0] if index == 0 else table.add_row()
        for column, value in enumerate(cells):
            paragraph = row.cells[column].paragraphs[0]
            paragraph.add_run(value).bold = bold
            if column in block.numeric and index:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.add_paragraph()


def docx_render(document: PrintDocument) -> bytes:
    """The document as a Word file: A4, a cover page without a page number, the sections
    with bordered tables, Chinese set in the Noto CJK fonts."""
    doc = Document()
    doc.core_properties.title = document.project
    _style_font(doc.styles["Normal"], SERIF, 11)
    _style_font(doc.styles["Title"], SANS, 26, bold=True)
    _style_font(doc.styles["Heading 1"], SANS, 14, bold=True)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(25), Mm(22)
    section.left_margin = section.right_margin = Mm(20)
    section.different_first_page_header_footer = True
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number(footer)

    for text, size in ((document.program, 16), (document.category, 20)):
        paragraph = doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(text).font.size = Pt(size)
    title = doc.add_paragraph(document.title, style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    cover = doc.add_table(rows=0, cols=2)
    cover.style = doc.styles["Table Grid"]
    for caption, value in document.cover:
        cells = cover.add_row().cells
        cells[0].paragraphs[0].add_run(caption).bold = True
        cells[1].paragraphs[0].add_run(value or "—")
    closing = doc.add_paragraph()
    closing.alignment = WD_ALIGN_PARAGRAPH.CENTER
    closing.add_run(document.call)
    closing.add_run().add_break(WD_BREAK.PAGE)

    for part in document.sections:
        doc.add_heading(part.heading, level=1)
        for block in part.blocks:
            if isinstance(block, Table):
                _table(doc, block)
            elif block.label:
                paragraph = doc.add_paragraph()
                paragraph.add_run(block.label_text).bold = True
                paragraph.add_run(block.text)
            else:
                doc.add_paragraph(block.text).paragraph_format.first_line_indent = Pt(22)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _download(data: bytes, name: str, content_type: str) -> FileResponse:
    return FileResponse(io.BytesIO(data), as_attachment=True, filename=name,
                        content_type=content_type)


def _application(request, pk: int):
    return get_object_or_404(printable(scoping.applications_for(request.user)), pk=pk)


@login_required
@require_GET
def print_pdf(request, pk: int):
    """The application as a PDF 申报书."""
    application = _application(request, pk)
    return _download(pdf_render(application_document(application)),
                     file_name(application, "pdf"), PDF_TYPE)


@login_required
@require_GET
def print_docx(request, pk: int):
    """The application as a Word 申报书, for schools that finish it by hand."""
    application = _application(request, pk)
    return _download(docx_render(application_document(application)),
                     file_name(application, "docx"), DOCX_TYPE)


urlpatterns = [
    path("<int:pk>/print.pdf", print_pdf, name="print_pdf"),
    path("<int:pk>/print.docx", print_docx, name="print_docx"),
]
