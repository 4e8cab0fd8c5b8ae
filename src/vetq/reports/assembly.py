"""Assembling a report's content: the registered sections of its scope and its narrative
sections, in order, as chapters of blocks (stored as JSON with the report)."""

from collections.abc import Callable
from datetime import date

from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .blocks import Chapter, Paragraph, chapter_to_data
from .models import NarrativeSection, QualityReport
from .sections import ReportContext, Section, sections_for

Progress = Callable[[str], None]


class SectionFailed(Exception):
    """A registered section raised; the message names the section."""


def report_title(year: int, institution) -> str:
    if institution is None:
        return _("Annual report on the quality of vocational education in Wuxi (%(year)s)") % {
            "year": year}
    return _("%(school)s: annual report on the quality of its education (%(year)s)") % {
        "school": institution.name, "year": year}


def report_issuer(institution) -> str:
    return _("Wuxi Municipal Education Bureau") if institution is None else institution.name


def paragraphs(text: str) -> list[Paragraph]:
    """A narrative's text as paragraphs: one per non-empty line."""
    return [Paragraph(line.strip()) for line in text.splitlines() if line.strip()]


def report_items(report: QualityReport, narratives=None) -> list[Section | NarrativeSection]:
    """The report's registered sections and narrative sections in order (a data section first
    at the same order)."""
    items = [((s.order, 0, 0), s) for s in sections_for(report.scope)]
    narratives = report.narratives.all() if narratives is None else narratives
    items += [((n.order, 1, n.pk), n) for n in narratives]
    return [item for _key, item in sorted(items, key=lambda pair: pair[0])]


def build_content(report: QualityReport, *, progress: Progress | None = None,
                  today: date | None = None) -> dict:
    """The report's chapters in the active language; `progress` is told each step
    ("section:<code>" or "narratives") before it runs. A section that raises stops the
    assembly with SectionFailed naming it."""
    ctx = ReportContext(year=report.year, institution=report.institution)
    chapters: list[Chapter] = []
    for item in report_items(report):
        if isinstance(item, NarrativeSection):
            if progress:
                progress("narratives")
            chapters.append(Chapter(code=f"narrative-{item.pk}", title=item.title,
                                    blocks=paragraphs(item.text), narrative=True))
            continue
        if progress:
            progress(f"section:{item.code}")
        try:
            blocks = item.build(ctx)
        except Exception as error:
            raise SectionFailed(_("The section “%(section)s” could not be assembled: %(error)s")
                                % {"section": item.title, "error": error}) from error
        if blocks:
            chapters.append(Chapter(code=item.code, title=str(item.title), blocks=list(blocks)))
    day = today or timezone.localdate()
    return {
        "title": report_title(report.year, report.institution),
        "issuer": report_issuer(report.institution),
        "year": report.year,
        "scope": report.scope,
        "language": get_language() or "zh-hans",
        "date": formats.date_format(day, "DATE_FORMAT"),
        "chapters": [chapter_to_data(c) for c in chapters],
    }
