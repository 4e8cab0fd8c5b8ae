"""The section registry: a section registered by any module plugs into the reports of its
scope without touching the report code; optional sections come in only when the module whose
data they read exists; a failing section is recorded on the report."""

import pytest
from django.utils import translation

from tests.reports.reading import docx_of, headings, row_of, table_with
from vetq.reports import sections
from vetq.reports.blocks import Column, Paragraph, Table
from vetq.reports.errors import ReportRefused
from vetq.reports.generation import report_generate
from vetq.reports.models import QualityReport, ReportState
from vetq.reports.sections import ReportContext, register, sections_for, unregister

pytestmark = pytest.mark.integration


@pytest.fixture
def contests():
    """A later feature's section (skills contests), city reports only, registered here as its
    own app would register it."""

    @register("contests", "技能大赛", order=65, scopes={"city"})
    def build(ctx: ReportContext) -> list:
        return [Paragraph(f"{ctx.year}年全市学生在技能大赛中获奖。"),
                Table(columns=(Column("赛项"), Column("获奖数", "int")),
                      rows=(("数控车", 12), ("电子商务", 7)), total=("合计", 19))]

    yield build
    unregister("contests")


@pytest.fixture
def broken():
    @register("broken", "出错的章节", order=15)
    def build(ctx: ReportContext) -> list:
        raise ZeroDivisionError("division by zero")

    yield build
    unregister("broken")


def test_a_registered_section_plugs_into_the_reports_of_its_scope(funded, generated, contests,
                                                                  school):
    city = generated(charts=False)
    mine = generated(school, charts=False)

    assert "contests" in [s.code for s in sections_for("city")]
    assert "contests" not in [s.code for s in sections_for("school")]
    document = docx_of(city)
    assert any(h.endswith("技能大赛") for h in headings(document))
    assert row_of(table_with(document, "数控车"), "合计") == ["合计", "19"]
    assert "技能大赛" not in [c["title"] for c in mine.content["chapters"]]


def test_sections_keep_their_order_and_an_empty_one_is_left_out(funded, generated):
    @register("empty", "空章节", order=25)
    def empty(ctx):
        return []

    try:
        report = generated(charts=False)
    finally:
        unregister("empty")
    codes = [c["code"] for c in report.content["chapters"]]
    order = [s.code for s in sections_for("city")]
    assert "empty" not in codes
    assert codes[:4] == ["overview", "program_progress", "funding", "projects"]
    assert codes == sorted(codes, key=order.index)


def test_scopes_are_checked():
    with pytest.raises(ValueError):
        register("nowhere", "x", order=1, scopes={"region"})


def test_optional_sections_need_the_module_they_read(monkeypatch):
    imported = []
    monkeypatch.setattr(sections, "BUILT_IN", ())
    monkeypatch.setattr(sections, "OPTIONAL", {
        "vetq.reports.blocks": ("vetq.surveys.no_such_module",),
        "vetq.reports.present": ("vetq.surveys.models",),
    })
    monkeypatch.setattr(sections.importlib, "import_module", imported.append)
    monkeypatch.setattr(sections, "autodiscover_modules", lambda name: imported.append(name))

    sections.discover()

    assert imported == ["vetq.reports.present", "report_sections"]


def test_a_failing_section_is_recorded_with_its_name(funded, generated, broken):
    report = QualityReport.objects.create(year=2020)

    with pytest.raises(Exception, match="出错的章节"):
        report_generate(report.pk)

    report.refresh_from_db()
    assert report.state == ReportState.FAILED
    assert "出错的章节" in report.error and "division by zero" in report.error
    assert report.step == "failed" and report.progress < 100
    assert report.pdf is None and report.docx is None


def test_a_failed_regeneration_keeps_the_earlier_files(funded, generated, broken):
    unregister("broken")
    first = generated(charts=False)
    register("broken", "出错的章节", order=15)(broken)

    with pytest.raises(Exception, match="division by zero"):
        report_generate(first.pk)

    first.refresh_from_db()
    assert first.state == ReportState.FAILED
    assert first.pdf is not None and first.content["chapters"]


def test_a_published_report_is_not_generated_again(funded, generated):
    report = generated(charts=False)
    QualityReport.objects.filter(pk=report.pk).update(state=ReportState.PUBLISHED)

    with translation.override("en"), pytest.raises(ReportRefused, match="unpublish it first"):
        report_generate(report.pk)
    report.refresh_from_db()
    assert report.state == ReportState.PUBLISHED
