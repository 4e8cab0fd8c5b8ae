"""Calls on the public portal: published and closed ones only, with notice and attachments."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from vetq.programs.calls import call_attachment_add, call_close, call_create, call_publish

pytestmark = pytest.mark.integration

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def english_and_private_media(settings, tmp_path):
    settings.LANGUAGE_CODE = "en"
    settings.MEDIA_ROOT = tmp_path / "media"
    with translation.override("en"):
        yield


@pytest.fixture
def make_call(program, bureau_user):
    def make(year: int, *, publish: bool = True, days: int = 10):
        now = timezone.now()
        call = call_create(
            program=program, year=year, title=f"{year}年度职业教育质量提升工程项目申报",
            notice=f"{year}年度申报通知正文。",
            submission_deadline=now + timedelta(days=days),
            recommendation_deadline=now + timedelta(days=days + 10),
            formal_check_deadline=now + timedelta(days=days + 20),
            quotas={"brand_major": 20, "master_teacher_studio": 12}, by=bureau_user,
        )
        return call_publish(call=call, by=bureau_user) if publish else call

    return make


def test_draft_call_is_not_on_the_portal(client, make_call, bureau_user):
    draft = make_call(2020, publish=False)
    assert client.get(reverse("portal:call_detail", args=[draft.pk])).status_code == 404
    assert list(client.get(reverse("portal:calls")).context["calls"]) == []
    # Not even for the bureau: the portal shows what the public sees.
    client.force_login(bureau_user)
    assert client.get(reverse("portal:call_detail", args=[draft.pk])).status_code == 404


def test_portal_lists_published_and_closed_calls_newest_first(client, make_call, bureau_user):
    closed = call_close(call=make_call(2019), by=bureau_user, reason="结束")
    open_call = make_call(2020)
    make_call(2018, publish=False)
    response = client.get(reverse("portal:calls"))
    assert list(response.context["calls"]) == [open_call, closed]
    body = response.content.decode()
    assert "无锡市职业教育现代化品牌专业" in body
    assert timezone.localtime(open_call.submission_deadline).strftime("%Y-%m-%d %H:%M") in body
    assert "2018年度" not in body


def test_published_call_shows_notice_and_its_attachment_downloads(client, make_call, bureau_user):
    call = make_call(2020)
    upload = SimpleUploadedFile("申报书模板.pdf", PDF_BYTES)
    attachment = call_attachment_add(call=call, upload=upload, by=bureau_user)
    page = client.get(reverse("portal:call_detail", args=[call.pk])).content.decode()
    download = reverse("calls:attachment", args=[call.pk, attachment.pk])
    assert "2020年度申报通知正文。" in page
    assert f'href="{download}"' in page
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E7%94%B3%E6%8A%A5%E4%B9%A6%E6%A8%A1%E6%9D%BF.pdf"
    )
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_closed_call_attachment_still_downloads(client, make_call, bureau_user):
    call = make_call(2020)
    attachment = call_attachment_add(
        call=call, upload=SimpleUploadedFile("notice.pdf", PDF_BYTES), by=bureau_user
    )
    call_close(call=call, by=bureau_user, reason="结束")
    response = client.get(reverse("calls:attachment", args=[call.pk, attachment.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="notice.pdf"'


def test_home_lists_open_calls_with_their_deadline(client, make_call, bureau_user):
    open_call = make_call(2020)
    call_close(call=make_call(2019), by=bureau_user, reason="结束")
    response = client.get(reverse("portal:home"))
    assert list(response.context["open_calls"]) == [open_call]
    body = response.content.decode()
    deadline = timezone.localtime(open_call.submission_deadline).strftime("%Y-%m-%d %H:%M")
    assert f"Applications until {deadline}" in body
    assert reverse("portal:call_detail", args=[open_call.pk]) in body
    assert "2019年度职业教育质量提升工程项目申报" not in body


def test_home_says_when_no_call_is_open(client, program):
    body = client.get(reverse("portal:home")).content.decode()
    assert "No call is open at the moment." in body
    assert "Funded categories and targets" in body
