"""Attachments: accepted by content, never by name; capped per file and per application;
zip bombs refused; downloaded as attachments, only by those who may see the application."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from tests.factories import UserFactory, membership
from tests.fixtures_applications import PDF_BYTES, pdf_upload
from vetq.applications.models import Attachment
from vetq.applications.services import application_create, application_transition
from vetq.audit.models import AuditEntry
from vetq.core.models import StoredFile

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def english(settings, tmp_path):
    """Messages are checked by their English wording; uploads go to a temporary directory."""
    settings.LANGUAGE_CODE = "en"
    settings.MEDIA_ROOT = tmp_path
    with translation.override("en"):
        yield


@pytest.fixture
def blank(call_category, school, school_user):
    """A fresh brand-major draft with no attachments."""
    return application_create(call_category=call_category("brand_major"), institution=school,
                              by=school_user, title="品牌专业建设")


def zipped(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = zipped({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


def upload(client, application, name: str, data: bytes, slot: str = "supporting"):
    return client.post(
        reverse("applications:attachment_upload", args=[application.pk]),
        {"slot": slot, "file": SimpleUploadedFile(name, data), "next": "edit"}, follow=True,
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.mark.parametrize(("name", "data", "kind"), [
    ("方案.pdf", PDF_BYTES, "pdf"), ("方案.docx", DOCX, "docx"), ("预算.xlsx", XLSX, "xlsx"),
    ("照片.png", PNG, "png"), ("named-wrongly.doc", PDF_BYTES, "pdf"),
])
def test_documents_are_accepted_by_content(client, school_user, blank, name, data, kind):
    client.force_login(school_user)
    response = upload(client, blank, name, data)
    assert response.redirect_chain == [(reverse("applications:edit", args=[blank.pk]), 302)]
    assert messages_of(response) == [f"{name} is attached."]
    attachment = Attachment.objects.get()
    assert (attachment.slot, attachment.file.extension, attachment.file.original_name) == (
        "supporting", kind, name)
    assert attachment.file.file.name.endswith(f".{kind}")
    assert name not in attachment.file.file.name
    entry = AuditEntry.objects.get(action="application.attachment_add")
    assert entry.after["file"] == name


def test_an_exe_renamed_pdf_is_refused(client, school_user, blank):
    client.force_login(school_user)
    response = upload(client, blank, "plan.pdf", EXE)
    assert messages_of(response) == [
        "plan.pdf was not attached: Only PDF, Word, Excel and image files are accepted."]
    assert (Attachment.objects.count(), StoredFile.objects.count()) == (0, 0)


def test_a_zip_bomb_docx_is_refused(client, school_user, blank):
    bomb = zipped({"word/document.xml": b"\x00" * (2 * 1024 * 1024)})
    assert len(bomb) * 100 < 2 * 1024 * 1024
    client.force_login(school_user)
    response = upload(client, blank, "plan.docx", bomb)
    assert messages_of(response) == [
        "plan.docx was not attached: The file unpacks to far more than its size (a zip bomb?)."]
    assert Attachment.objects.count() == 0


def test_a_file_over_the_cap_is_refused(client, school_user, blank, settings):
    settings.VETQ_UPLOAD_MAX_BYTES = 1024 * 1024
    client.force_login(school_user)
    response = upload(client, blank, "big.pdf", PDF_BYTES + b"0" * (1024 * 1024))
    assert messages_of(response) == [
        "big.pdf was not attached: The file is larger than the limit of 1 MB."]
    assert Attachment.objects.count() == 0


def test_the_application_total_is_capped(client, school_user, blank, settings):
    settings.VETQ_APPLICATION_MAX_BYTES = len(PDF_BYTES) * 2
    client.force_login(school_user)
    upload(client, blank, "one.pdf", PDF_BYTES)
    upload(client, blank, "two.pdf", PDF_BYTES)
    response = upload(client, blank, "three.pdf", PDF_BYTES)
    assert messages_of(response)[-1] == (
        "three.pdf was not attached: The attachments of one application may total at most "
        f"{len(PDF_BYTES) * 2 / (1024 * 1024):g} MB.")
    assert sorted(a.file.original_name for a in Attachment.objects.all()) == ["one.pdf", "two.pdf"]


def test_an_unknown_slot_is_refused(client, school_user, blank):
    client.force_login(school_user)
    response = upload(client, blank, "plan.pdf", PDF_BYTES, slot="secret")
    assert messages_of(response) == [
        "Kind of attachment: Select a valid choice. secret is not one of the available choices."]
    assert Attachment.objects.count() == 0


def test_no_upload_to_a_submitted_application(client, school_user, draft):
    application = application_transition(application=draft(), action="submit", by=school_user)
    before = StoredFile.objects.count()
    client.force_login(school_user)
    response = upload(client, application, "late.pdf", PDF_BYTES)
    assert messages_of(response) == ["This application is Submitted; only a draft can be changed."]
    assert StoredFile.objects.count() == before


def test_the_owner_downloads_as_an_attachment(client, school_user, blank):
    client.force_login(school_user)
    upload(client, blank, "实施方案.pdf", PDF_BYTES)
    attachment = Attachment.objects.get()
    response = client.get(reverse("applications:attachment_download",
                                  args=[blank.pk, attachment.pk]))
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E5%AE%9E%E6%96%BD%E6%96%B9%E6%A1%88.pdf")
    assert response["X-Content-Type-Options"] == "nosniff"


def _submitted_with_attachment(draft, school_user):
    application = application_transition(application=draft(), action="submit", by=school_user)
    return application, application.attachments.get()


def test_another_school_cannot_download(client, draft, school_user, other_school):
    application, attachment = _submitted_with_attachment(draft, school_user)
    stranger = UserFactory(username="yixing-school")
    membership(stranger, "school_user", institution=other_school)
    client.force_login(stranger)
    url = reverse("applications:attachment_download", args=[application.pk, attachment.pk])
    assert client.get(url).status_code == 404


def test_only_the_region_officer_of_the_schools_region_downloads(client, draft, school_user,
                                                                 region_officer, regions):
    application, attachment = _submitted_with_attachment(draft, school_user)
    url = reverse("applications:attachment_download", args=[application.pk, attachment.pk])
    officer = UserFactory(username="yixing-officer")
    membership(officer, "region_officer", region=regions["yixing"])
    client.force_login(officer)
    assert client.get(url).status_code == 404
    client.force_login(region_officer)
    assert client.get(url).status_code == 200


def test_an_attachment_of_another_application_is_not_found_through_this_one(
        client, school_user, blank, draft):
    other = draft()
    foreign = other.attachments.get()
    client.force_login(school_user)
    url = reverse("applications:attachment_download", args=[blank.pk, foreign.pk])
    assert client.get(url).status_code == 404


def test_the_school_removes_an_attachment_of_its_draft(client, school_user, blank,
                                                        django_capture_on_commit_callbacks):
    client.force_login(school_user)
    upload(client, blank, "plan.pdf", PDF_BYTES)
    attachment = Attachment.objects.get()
    path = Path(attachment.file.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("applications:attachment_delete",
                                       args=[blank.pk, attachment.pk]), {"next": "edit"},
                               follow=True)
    assert messages_of(response)[-1] == "plan.pdf is removed."
    assert (Attachment.objects.count(), StoredFile.objects.count()) == (0, 0)
    assert AuditEntry.objects.get(action="application.attachment_delete").before["file"] == (
        "plan.pdf")
    assert not path.exists()


def test_no_removal_from_a_submitted_application(client, school_user, draft):
    application, attachment = _submitted_with_attachment(draft, school_user)
    client.force_login(school_user)
    client.post(reverse("applications:attachment_delete", args=[application.pk, attachment.pk]))
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_the_detail_page_links_each_attachment(client, school_user, blank):
    client.force_login(school_user)
    upload(client, blank, "plan.pdf", pdf_upload().read())
    attachment = Attachment.objects.get()
    page = client.get(reverse("applications:detail", args=[blank.pk])).content.decode()
    link = reverse("applications:attachment_download", args=[blank.pk, attachment.pk])
    assert f'<td>Supporting evidence</td>\n    <td><a href="{link}">plan.pdf</a></td>' in page
