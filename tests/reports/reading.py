"""Reading generated files back: Word through python-docx, PDF text through pypdf."""

import io

from docx import Document
from pypdf import PdfReader


def docx_of(report) -> Document:
    with report.docx.file.open("rb") as handle:
        return Document(io.BytesIO(handle.read()))


def headings(document) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]


def tables(document) -> list[list[list[str]]]:
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]


def table_with(document, first_cell: str) -> list[list[str]]:
    """The first table with a row starting with `first_cell`."""
    for table in tables(document):
        if any(row[0] == first_cell for row in table):
            return table
    raise AssertionError(f"no table has a row {first_cell!r}")


def row_of(table: list[list[str]], first_cell: str) -> list[str]:
    return next(row for row in table if row[0] == first_cell)


def pdf_text(report) -> str:
    with report.pdf.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
        return "\n".join(page.extract_text() for page in reader.pages)


def pdf_pages(report) -> int:
    with report.pdf.file.open("rb") as handle:
        return len(PdfReader(io.BytesIO(handle.read())).pages)
