"""The acceptance results notice (项目验收结果通知) as a Word file, for the bureau: the projects
rated in a year (optionally of one category) with their scores and ratings, how many of each,
and what each rating means for the money (R18, R31).

`results_content` builds the text as plain data; `results_docx` lays it out with python-docx,
Chinese set in the Noto CJK fonts through w:eastAsia as in the grant notice.
"""

import io
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils import formats
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm

from vetq.funding.notice import SANS, SERIF, _style_font

from .acceptance import score_text
from .models import Acceptance, Rating

RATING_ORDER = {Rating.EXCELLENT: 0, Rating.PASS: 1, Rating.FAIL: 2}


@dataclass(frozen=True)
class ResultsContent:
    title: str
    paragraphs: list[str]
    table_columns: list[str]
    table_rows: list[list[str]]
    consequences_heading: str
    consequences: list[str]
    issuer: str
    issued_on: str


def acceptances_rated(acceptances: QuerySet, *, year: int | None = None,
                      category: str = "") -> list[Acceptance]:
    """The acceptances of `year` (when rated) and `category` (its code), excellent first,
    then pass, then fail, each by score from the highest."""
    if year:
        acceptances = acceptances.filter(rated_at__year=year)
    if category:
        acceptances = acceptances.filter(project__category__code=category)
    rows = list(acceptances.select_related("project__institution", "project__category__program"))
    return sorted(rows, key=lambda a: (RATING_ORDER[a.rating], -a.score, a.project.title))


def _program_title(acceptances: list[Acceptance]) -> str:
    if not acceptances:
        return _("the program")
    program = acceptances[0].project.category.program
    return f"{program.title}（{program.document}）" if program.document else program.title


def results_content(acceptances: list[Acceptance], *, year: int | None,
                    today: date) -> ResultsContent:
    """The notice's text in the active language."""
    counts = {value: sum(1 for a in acceptances if a.rating == value) for value in Rating.values}
    figures = {"program": _program_title(acceptances), "count": len(acceptances),
               "year": year, "excellent": counts[Rating.EXCELLENT], "pass": counts[Rating.PASS],
               "fail": counts[Rating.FAIL]}
    if year:
        summary = _("Under %(program)s, the education bureau accepted %(count)s project(s) in "
                    "%(year)s: %(excellent)s rated excellent, %(pass)s rated pass and %(fail)s "
                    "rated fail. The results are as follows.") % figures
    else:
        summary = _("Under %(program)s, the education bureau has accepted %(count)s project(s): "
                    "%(excellent)s rated excellent, %(pass)s rated pass and %(fail)s rated "
                    "fail. The results are as follows.") % figures
    paragraphs = [summary]
    rows = [[str(index), a.project.institution.name, a.project.title,
             a.project.category.name, score_text(a.score), str(a.get_rating_display())]
            for index, a in enumerate(acceptances, start=1)]
    consequences = [
        _("1. Projects rated excellent or pass are closed; the tranches payable on passing "
          "acceptance are paid by their payers."),
        _("2. Projects rated excellent are also paid the tranches reserved for an excellent "
          "rating, such as the master teacher studios' completion bonus (R18)."),
        _("3. Projects rated pass are not paid the tranches reserved for an excellent rating."),
        _("4. Projects rated fail are paid nothing more; the bureau decides how much of the money "
          "paid is recovered."),
    ]
    return ResultsContent(
        title=_("Notice of project acceptance results"),
        paragraphs=paragraphs,
        table_columns=[_("No."), _("School"), _("Project"), _("Category"), _("Score"),
                       _("Rating")],
        table_rows=rows,
        consequences_heading=_("Consequences of the ratings"),
        consequences=consequences,
        issuer=_("Wuxi Municipal Education Bureau"),
        issued_on=formats.date_format(today, "DATE_FORMAT"),
    )


def results_docx(content: ResultsContent) -> bytes:
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
    for text in content.paragraphs:
        doc.add_paragraph(text).paragraph_format.first_line_indent = Mm(10)
    table = doc.add_table(rows=1, cols=len(content.table_columns))
    table.style = doc.styles["Table Grid"]
    for column, value in enumerate(content.table_columns):
        table.rows[0].cells[column].paragraphs[0].add_run(value).bold = True
    for cells in content.table_rows:
        row = table.add_row()
        for column, value in enumerate(cells):
            row.cells[column].paragraphs[0].add_run(value)
    doc.add_heading(content.consequences_heading, level=1)
    for text in content.consequences:
        doc.add_paragraph(text).paragraph_format.first_line_indent = Mm(10)
    for text in (content.issuer, content.issued_on):
        doc.add_paragraph(text).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def results_file_name(year: int | None, today: date) -> str:
    return f"acceptance-results-{year or today.year}.docx"
