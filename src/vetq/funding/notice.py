"""The grant notice (立项及经费下达通知) as a Word file: the approval of one project, the money
promised and who pays it (R28), the tranche plan, the construction period, and the school's
obligations (use of funds, expenditure reports, acceptance; R29, R30).

The text is built once as plain data by `notice_content`; `notice_docx` lays it out with
python-docx, Chinese set in the Noto CJK fonts through w:eastAsia.
"""

import io
from dataclasses import dataclass
from datetime import date

from django.utils import formats
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from vetq.core.money import format_wanyuan, format_yuan

from .budget import ZERO
from .expenditure import construction_years, overspend_tolerance, percent_text
from .exports import payer_name
from .models import Grant

SERIF = "Noto Serif CJK SC"
SANS = "Noto Sans CJK SC"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class NoticeContent:
    title: str
    addressee: str
    paragraphs: list[str]
    table_caption: str
    table_columns: list[str]
    table_rows: list[list[str]]
    table_total: list[str]
    obligations_heading: str
    obligations: list[str]
    issuer: str
    issued_on: str


def _day(value: date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _amount_text(amount) -> str:
    return _("%(yuan)s yuan (%(wan)s ten thousand yuan)") % {
        "yuan": format_yuan(amount), "wan": format_wanyuan(amount)}


def _period(grant: Grant) -> str:
    years = construction_years(grant)
    if len(years) == 1:
        return str(years[0])
    return f"{years[0]}–{years[-1]}"


def notice_content(grant: Grant, tranches: list, today: date) -> NoticeContent:
    """The notice's text for `grant` with its live `tranches` (in order), in the active
    language."""
    promised = sum((t.amount for t in tranches), ZERO)
    program = grant.program
    source = f"{program.title}（{program.document}）" if program.document else program.title
    paragraphs = [
        _("Under %(program)s, the project “%(title)s” of your school, in the category "
          "%(category)s, is approved in %(year)s.")
        % {"program": source, "title": grant.application.title,
           "category": grant.category.name, "year": grant.year},
        _("The project is granted %(amount)s, paid by %(payer)s.")
        % {"amount": _amount_text(promised), "payer": payer_name(grant)},
    ]
    if grant.commissioned:
        paragraphs.append(_("The project is commissioned by the city, which pays its grant."))
    paragraphs.append(_("The construction period is %(period)s.") % {"period": _period(grant)})
    rows = [[str(t.seq), _day(t.due_date), str(t.get_condition_display()), format_yuan(t.amount)]
            for t in tranches]
    obligations = [
        _("1. Use of funds: the grant is spent only on this project, by the items of its budget "
          "plan, and accounted for separately; the co-funding promised by the school and its "
          "partners is to be raised as planned."),
        _("2. Expenditure reports: each year of the construction period the school reports its "
          "spending by budget item and the co-funding received; spending more than "
          "%(percent)s%% over an item's plan is flagged for review.")
        % {"percent": percent_text(overspend_tolerance(grant))},
        _("3. Acceptance: the project is checked at mid-term and accepted at the end of its "
          "construction period. Tranches that depend on a check are paid only after it is "
          "passed; money paid may be recovered after a failed acceptance or a withdrawal."),
    ]
    return NoticeContent(
        title=_("Notice of project approval and funding"),
        addressee=_("%(school)s:") % {"school": grant.institution.name},
        paragraphs=paragraphs,
        table_caption=_("Tranche plan"),
        table_columns=[_("Tranche"), _("Due date"), _("Condition"), _("Amount (yuan)")],
        table_rows=rows,
        table_total=[_("Total"), "", "", format_yuan(promised)],
        obligations_heading=_("Obligations of the school"),
        obligations=obligations,
        issuer=_("Wuxi Municipal Education Bureau"),
        issued_on=_day(today),
    )


def _style_font(style, family: str, size: int, *, bold: bool = False) -> None:
    style.font.name = family
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    fonts.set(qn("w:eastAsia"), family)


def _body(doc, text: str) -> None:
    paragraph = doc.add_paragraph(text)
    paragraph.paragraph_format.first_line_indent = Pt(24)


def _tranche_table(doc, content: NoticeContent) -> None:
    doc.add_paragraph().add_run(content.table_caption).bold = True
    table = doc.add_table(rows=1, cols=len(content.table_columns))
    table.style = doc.styles["Table Grid"]
    rows = [(content.table_columns, True), *((r, False) for r in content.table_rows),
            (content.table_total, True)]
    for index, (cells, bold) in enumerate(rows):
        row = table.rows[0] if index == 0 else table.add_row()
        for column, value in enumerate(cells):
            paragraph = row.cells[column].paragraphs[0]
            paragraph.add_run(value).bold = bold
            if column == len(cells) - 1 and index:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def notice_docx(content: NoticeContent) -> bytes:
    """The notice as an A4 Word document."""
    doc = Document()
    doc.core_properties.title = content.title
    _style_font(doc.styles["Normal"], SERIF, 14)
    _style_font(doc.styles["Title"], SANS, 20, bold=True)
    _style_font(doc.styles["Heading 1"], SANS, 14, bold=True)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)

    doc.add_paragraph(content.title, style="Title").alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(content.addressee)
    for text in content.paragraphs:
        _body(doc, text)
    _tranche_table(doc, content)
    doc.add_heading(content.obligations_heading, level=1)
    for text in content.obligations:
        _body(doc, text)
    for text in (content.issuer, content.issued_on):
        doc.add_paragraph(text).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def notice_file_name(grant: Grant) -> str:
    return f"grant-notice-{grant.pk}.docx"
