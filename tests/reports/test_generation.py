"""Generating quality reports (R34): the city's and a school's, read back from their Word file
(python-docx: headings, tables, numbers) and their PDF (pypdf: the Chinese text and the
numbers); progress after each step; failures recorded; files replaced by a new generation."""

import pytest
from django.utils import translation

from tests.reports.reading import docx_of, headings, pdf_text, row_of, table_with
from vetq.core.models import StoredFile
from vetq.core.money import format_wanyuan
from vetq.reports import generation
from vetq.reports.models import ReportState
from vetq.reports.sections import section, sections_for

pytestmark = pytest.mark.integration


def zh(text) -> str:
    """A msgid or lazy text in the site's language, as the reports are written."""
    with translation.override("zh-hans"):
        return translation.gettext(text) if isinstance(text, str) else str(text)


def squeeze(text: str) -> str:
    """Text without white space (the PDF breaks lines where the page does)."""
    return "".join(text.split())


def chapter(number: str, code: str) -> str:
    return number + zh(section(code).title)


def test_city_report_files_have_the_chapters_tables_and_numbers(funded, generated, school):
    report = generated()

    assert report.state == ReportState.READY and report.progress == 100 and report.error == ""
    document = docx_of(report)
    assert headings(document)[:4] == [chapter("一、", "overview"), chapter("二、", "program_progress"),
                                      chapter("三、", "funding"), chapter("四、", "projects")]
    payers = table_with(document, zh("the city"))
    assert row_of(payers, zh("the city"))[1:] == ["1", "10", format_wanyuan(funded["paid"]),
                                                  format_wanyuan(funded["paid"])]
    assert row_of(payers, "江阴市")[1:] == ["1", "12", "0", "0"]
    assert row_of(payers, zh("Total"))[1:3] == ["2", "22"]
    regions = table_with(document, "梁溪区")
    assert row_of(regions, "梁溪区")[-3:] == ["120", "360", "110"]
    progress = table_with(document, "无锡市职业教育现代化品牌专业")
    assert row_of(progress, "无锡市职业教育现代化品牌专业")[1:] == ["100", "2", "2", "2.0%", "98"]
    assert document.inline_shapes, "the charts are in the Word file as pictures"

    text = pdf_text(report)
    assert squeeze(report.content["title"]) in squeeze(text)
    for expected in (zh(section("funding").title), "无锡市职业教育现代化品牌专业", "梁溪区", "江阴市",
                     "360", format_wanyuan(funded["paid"])):
        assert expected in text
    assert report.pdf.extension == "pdf" and report.pdf.content_type == "application/pdf"
    assert report.pdf.original_name.endswith(".pdf")


def test_school_report_holds_its_own_grants_and_students(funded, generated, school, major):
    report = generated(school)

    document = docx_of(report)
    assert zh(section("overview").title) in headings(document)[0]
    grants = table_with(document, "梁溪品牌专业建设")
    assert row_of(grants, "梁溪品牌专业建设")[2:] == [
        "2020", zh("the city"), "10", format_wanyuan(funded["paid"]), format_wanyuan(funded["paid"])]
    assert row_of(table_with(document, major.name), major.name)[2:] == ["120", "360", "110"]
    text = pdf_text(report)
    assert "梁溪品牌专业建设" in text and school.name in squeeze(text)
    assert "江阴品牌专业建设" not in text, "another school's project is not in this school's report"


def test_progress_is_written_after_each_step(funded, generated, monkeypatch):
    seen = []
    original = generation.Progress.__call__

    def spy(self, step):
        original(self, step)
        report = generation.QualityReport.objects.get(pk=self.report_id)
        seen.append((step, report.progress, report.state))

    monkeypatch.setattr(generation.Progress, "__call__", spy)
    report = generated(charts=False)

    steps = [step for step, _percent, _state in seen]
    assert steps == ["start", *(f"section:{s.code}" for s in sections_for("city")),
                     "charts", "word", "pdf", "saving"]
    percents = [percent for _step, percent, _state in seen]
    assert percents == sorted(percents) and percents[0] == 0 and percents[-1] < 100
    assert {state for _step, _percent, state in seen} == {ReportState.GENERATING}
    assert (report.progress, report.step) == (100, "done")


def test_a_new_generation_replaces_the_files(funded, generated, django_capture_on_commit_callbacks):
    first = generated(charts=False)
    old = [first.docx, first.pdf]
    storage = first.pdf.file.storage
    assert all(storage.exists(f.file.name) for f in old)

    with django_capture_on_commit_callbacks(execute=True):
        second = generated(charts=False)

    assert {second.docx_id, second.pdf_id}.isdisjoint({f.pk for f in old})
    assert not StoredFile.objects.filter(pk__in=[f.pk for f in old]).exists()
    assert not any(storage.exists(f.file.name) for f in old)
    assert storage.exists(second.pdf.file.name)
    assert StoredFile.objects.count() == 2


def test_charts_can_be_left_out(funded, generated):
    report = generated(charts=False)

    assert len(docx_of(report).inline_shapes) == 0
    assert any(b["type"] == "chart" for c in report.content["chapters"] for b in c["blocks"])
