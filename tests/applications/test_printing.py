"""The printed application (申报书): PDF and Word downloads with the same content, scoped."""

import io
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import translation
from docx import Document

from tests.factories import UserFactory, membership
from vetq.applications.models import Application
from vetq.applications.printing import application_document, printable
from vetq.applications.services import application_transition
from vetq.programs.models import Category

pytestmark = pytest.mark.integration

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
HEADINGS = [
    "1. Basic information", "2. Goals", "3. Yearly milestones", "4. Budget",
    "5. Category specifics", "6. Attachments", "7. Review opinions",
]
BUDGET_ROWS = [
    ["Item", "Grant requested (yuan)", "School co-funding (yuan)", "Partner co-funding (yuan)",
     "Subtotal (yuan)"],
    ["Equipment", "80,000.00", "20,000.00", "0.00", "100,000.00"],
    ["Training", "12,345.60", "0.00", "5,000.00", "17,345.60"],
    ["Total", "92,345.60", "20,000.00", "5,000.00", "117,345.60"],
]


@pytest.fixture
def printed(draft):
    """A brand-major draft with two budget lines (given out of the form's order) and a team."""
    application = draft()
    application.budget = [
        {"item": "training", "amount": "12345.60", "school": "0.00", "partner": "5000.00"},
        {"item": "equipment", "amount": "80000.00", "school": "20000.00", "partner": "0.00"},
    ]
    application.team = [{"name": "王芳", "title": "讲师", "unit": "本校", "role": "课程开发"}]
    application.save()
    return application


def document_of(application):
    with translation.override("en"):
        return application_document(printable(Application.objects.all()).get(pk=application.pk))


def pdf_text(content: bytes) -> str:
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content,
                            capture_output=True, check=True)
    return result.stdout.decode()


def test_pdf_is_a_download_with_title_school_and_budget_total(client, printed, school, school_user):
    client.force_login(school_user)

    response = client.get(reverse("applications:print_pdf", args=[printed.pk]), **ENGLISH)
    content = b"".join(response.streaming_content)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="Application form-{printed.pk}.pdf"'
    assert content.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the PDF's text was not checked")
    text = pdf_text(content)
    assert "数控技术应用品牌专业建设" in text
    assert school.name in text
    assert "117,345.60" in text
    assert all(heading in text for heading in HEADINGS)


def test_pdf_embeds_the_chinese_fonts(client, printed, school_user):
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (poppler-utils) is not installed: the PDF's fonts were not checked")
    client.force_login(school_user)
    response = client.get(reverse("applications:print_pdf", args=[printed.pk]))

    fonts = subprocess.run(["pdffonts", "-"], input=b"".join(response.streaming_content),
                           capture_output=True, check=True).stdout.decode()

    assert "Noto-Serif-CJK-SC" in fonts
    assert "Noto-Sans-CJK-SC" in fonts


def test_docx_holds_title_sections_and_budget_table(client, printed, school, school_user):
    client.force_login(school_user)

    response = client.get(reverse("applications:print_docx", args=[printed.pk]), **ENGLISH)
    doc = Document(io.BytesIO(b"".join(response.streaming_content)))
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in doc.tables]

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="Application form-{printed.pk}.docx"'
    )
    assert doc.core_properties.title == "数控技术应用品牌专业建设"
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"] == HEADINGS
    assert [p.text for p in doc.paragraphs if p.style.name == "Title"] == ["Application form"]
    assert tables[0][1] == ["Project title", "数控技术应用品牌专业建设"]
    assert tables[0][2] == ["Applicant institution", school.name]
    assert BUDGET_ROWS in tables
    assert [["Name", "Title", "Unit", "Role in the project"],
            ["王芳", "讲师", "本校", "课程开发"]] in tables


def test_docx_sets_the_chinese_font_for_east_asian_text(client, printed, school_user):
    client.force_login(school_user)
    response = client.get(reverse("applications:print_docx", args=[printed.pk]))
    doc = Document(io.BytesIO(b"".join(response.streaming_content)))
    east_asia = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"

    assert doc.styles["Normal"].element.rPr.rFonts.get(east_asia) == "Noto Serif CJK SC"
    assert doc.styles["Heading 1"].element.rPr.rFonts.get(east_asia) == "Noto Sans CJK SC"
    assert all(table.style.name == "Table Grid" for table in doc.tables)


@pytest.mark.parametrize("name", ["applications:print_pdf", "applications:print_docx"])
def test_another_schools_application_does_not_print(client, draft, other_school, school_user,
                                                     name):
    yixing_user = UserFactory(username="yixing-school")
    membership(yixing_user, "school_user", institution=other_school)
    foreign = draft(institution=other_school, user=yixing_user, title="宜兴学校的申报")
    client.force_login(school_user)

    response = client.get(reverse(name, args=[foreign.pk]))

    assert response.status_code == 404
    assert client.get(reverse(name, args=[foreign.pk + 1000])).status_code == 404


def test_region_officer_prints_only_submitted_applications(client, printed, school_user,
                                                          region_officer):
    url = reverse("applications:print_docx", args=[printed.pk])
    client.force_login(region_officer)
    assert client.get(url).status_code == 404

    application_transition(application=printed, action="submit", by=school_user)

    assert client.get(url).status_code == 200


def test_print_needs_a_signed_in_user(client, printed):
    response = client.get(reverse("applications:print_pdf", args=[printed.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_document_cover_and_review_opinions(printed, school, school_user, region_officer):
    application_transition(application=printed, action="submit", by=school_user)
    application_transition(application=printed, action="recommend", by=region_officer,
                           comment="同意推荐")

    document = document_of(printed)
    opinions = document.sections[6].blocks[0]

    assert dict(document.cover)["Applicant institution"] == school.name
    assert dict(document.cover)["Region"] == "梁溪区"
    assert opinions.columns == ["Date", "Step", "By", "Opinion"]
    assert [row[1:] for row in opinions.rows] == [
        ["Recommend", region_officer.full_name, "同意推荐"],
    ]


def test_category_answers_use_the_applications_own_form_copy(draft, call_category):
    application = draft("training_base", with_major=False, title="智能制造实训基地")
    category = Category.objects.get(pk=application.category.pk)
    category.form["fields"][0]["label_en"] = "Renamed later"
    category.save()

    specifics = document_of(application).sections[4]

    assert [b.label for b in specifics.blocks] == [
        "Talent-training centre", "Teaching-research centre", "Technology-promotion centre",
        "Practice stations",
    ]
    assert [b.text for b in specifics.blocks] == ["说明", "说明", "说明", "40"]


def test_required_attachment_missing_is_listed_as_not_uploaded(printed):
    printed.attachments.all().delete()

    attachments = document_of(printed).sections[5].blocks[0]

    assert attachments.rows == [["1", "Implementation plan", "not uploaded", ""]]
