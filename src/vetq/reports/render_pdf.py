"""The report as PDF: the HTML template reports/pdf.html (A4 pages set with @page, page
numbers, CJK fonts) laid out by WeasyPrint, charts as embedded PNG pictures. WeasyPrint may
fetch nothing but the pictures embedded in the page (data: addresses)."""

from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher


def _inline_only() -> URLFetcher:
    return URLFetcher(allowed_protocols=("data",), allow_redirects=False, fail_on_errors=True)


def report_html(view: dict, language: str) -> str:
    return render_to_string("reports/pdf.html", {"report": view, "language": language})


def report_pdf(view: dict, language: str) -> bytes:
    """The presented report (present.present with pictures) as a PDF file."""
    html = HTML(string=report_html(view, language), url_fetcher=_inline_only(),
                base_url="data:,")
    return html.write_pdf()
