"""The demo's quality reports: the 2019 city report and a school's, generated from the demo data
(with the yearly data, graduates and evaluations of the later demo modules) by the function the
background task runs, published, and read back — Word tables and PDF text checked against
figures computed here independently (funding.budget, surveys.employment)."""

import importlib
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings
from django.utils import translation

from tests.reports.reading import docx_of, pdf_text, row_of, table_with
from vetq.accounts.models import User
from vetq.core.money import format_wanyuan
from vetq.demo import quality_reports
from vetq.funding.budget import committed, municipal_grants
from vetq.programs.models import Program
from vetq.reports.models import QualityReport, ReportState

pytestmark = pytest.mark.integration

TODAY = date(2020, 9, 1)
LATER = [("vetq.demo.yearly_data", "yearly_data_write", False),
         ("vetq.demo.graduates", "graduates_write", False),
         ("vetq.demo.project_evaluations", "evaluations_write", True)]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo with its quality reports (the city's and one school's), built once for the
    module and rolled back at its end."""
    media = tmp_path_factory.mktemp("demo-reports-media")
    with (django_db_blocker.unblock(), override_settings(
            MEDIA_ROOT=media, EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
          pytest.MonkeyPatch.context() as patch, translation.override("zh-hans")):
        patch.delenv("VETQ_DEMO", raising=False)
        patch.setattr(quality_reports, "SCHOOL_REPORTS", 1)
        with transaction.atomic():
            out = StringIO()
            call_command("demo", stdout=out)
            program = Program.objects.get()
            bureau = User.objects.get(username="bureau")
            for module, name, with_bureau in LATER:
                try:
                    write = getattr(importlib.import_module(module), name)
                except (ImportError, AttributeError):
                    continue
                write(program=program, today=TODAY, **({"bureau": bureau} if with_bureau else {}))
            first = quality_reports.quality_reports_write(program=program, bureau=bureau,
                                                          today=TODAY)
            again = quality_reports.quality_reports_write(program=program, bureau=bureau,
                                                          today=TODAY)
            yield {"output": out.getvalue(), "first": first, "again": again, "program": program,
                   "media": media}
            transaction.set_rollback(True)


@pytest.fixture
def built(demo, db):
    return demo


@pytest.fixture(autouse=True)
def media_root(settings, demo):
    """The files the module's demo wrote (the suite's own fixture gives each test a new,
    empty folder)."""
    settings.MEDIA_ROOT = demo["media"]


def city() -> QualityReport:
    return QualityReport.objects.get(year=2019, institution=None)


def test_the_demo_publishes_the_city_report_and_a_school_s_once(built):
    # The demo command publishes them (its last step); running the step again adds nothing.
    assert "quality reports: 2 reports, 4 narratives" in built["output"]
    assert built["first"] == built["again"] == {"reports": 0, "narratives": 0}
    reports = QualityReport.objects.filter(year=2019)
    assert set(reports.values_list("state", flat=True)) == {ReportState.PUBLISHED}
    school = reports.get(institution__isnull=False)
    assert school.institution.memberships.filter(user__username="school").exists()
    assert f"{city().generated_at:%Y-%m-%d}" == "2020-01-15"
    assert f"{city().published_at:%Y-%m-%d}" == "2020-01-20"


def test_the_city_report_s_money_matches_the_budget(built):
    document = docx_of(city())
    with translation.override("zh-hans"):
        payers = table_with(document, translation.gettext("the city"))
        row = row_of(payers, translation.gettext("the city"))
    grants = municipal_grants(built["program"]).filter(year__lte=2019)
    assert row[1] == str(grants.count())
    assert row[2] == format_wanyuan(committed(grants))


def test_the_city_report_pdf_has_its_chapters_and_narratives(built):
    report = city()
    text = "".join(pdf_text(report).split())
    for chapter in report.content["chapters"]:
        assert "".join(chapter["title"].split()) in text
    assert "主要问题和改进措施" in text and "无锡市职业教育现代化品牌专业" in text
    assert report.content["chapters"][-1]["title"] == "主要问题和改进措施"


def test_the_scorecard_matches_the_employment_figures(built):
    from vetq.surveys import employment
    from vetq.surveys.employment_queries import tallies
    from vetq.surveys.models import GraduateRecord

    records = GraduateRecord.objects.filter(cohort=2019, point="half_year")
    if not records.exists():
        pytest.skip("the demo has no graduate records yet")
    expected = employment.metrics(tallies(records, ())[()]).employment_rate * 100
    document = docx_of(city())
    with translation.override("zh-hans"):
        label = translation.gettext("Employment rate")
    scorecard = next(t for t in [[[c.text for c in r.cells] for r in table.rows]
                                 for table in document.tables]
                     if any(r[0] == label and r[1] == "%" for r in t))
    assert row_of(scorecard, label)[2] == f"{expected:.2f}"


def test_the_school_report_has_its_own_narrative_and_grants(built):
    report = QualityReport.objects.get(year=2019, institution__isnull=False)
    titles = [c["title"] for c in report.content["chapters"]]
    assert "人才培养质量" in titles and titles[-1] == "主要问题和改进措施"
    text = "".join(pdf_text(report).split())
    assert "".join(report.institution.name.split()) in text


def test_the_portal_shows_the_demo_reports(built, client):
    page = client.get("/quality-reports/").content.decode()
    for report in QualityReport.objects.filter(year=2019):
        assert f'data-report="{report.pk}"' in page
