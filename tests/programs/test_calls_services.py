"""Call services: default quotas, deadlines, publish / close / extend, attachments, all audited."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from tests.factories import UserFactory, membership
from vetq.audit.models import AuditEntry
from vetq.core.models import StoredFile
from vetq.core.uploads import UploadRefused
from vetq.programs.calls import (
    CallRefused,
    call_attachment_add,
    call_attachment_remove,
    call_close,
    call_create,
    call_extend,
    call_publish,
    call_set_quota,
    calls_for,
    default_quota,
)
from vetq.programs.models import Call, CallAttachment, CallState

pytestmark = pytest.mark.integration

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64


@pytest.fixture(autouse=True)
def english_and_private_media(settings, tmp_path):
    """Messages are checked by their English wording; uploads go to a throwaway folder."""
    settings.LANGUAGE_CODE = "en"
    settings.MEDIA_ROOT = tmp_path / "media"
    with translation.override("en"):
        yield


def _deadlines(days: int = 10) -> dict:
    now = timezone.now()
    return {
        "submission_deadline": now + timedelta(days=days),
        "recommendation_deadline": now + timedelta(days=days + 10),
        "formal_check_deadline": now + timedelta(days=days + 20),
    }


def _draft(program, by, *, year: int = 2020, quotas=None, **deadlines) -> Call:
    return call_create(
        program=program, year=year, title=f"{year}年度项目申报", notice="请按时申报。",
        **(deadlines or _deadlines()), quotas=quotas or {"brand_major": 20}, by=by,
    )


def _audit(action: str) -> AuditEntry:
    return AuditEntry.objects.get(action=action)


def test_default_quota_spreads_the_target_over_the_five_years(program):
    brand_major = program.categories.get(code="brand_major")
    assert default_quota(brand_major, 2016) == 20


def test_default_quota_spreads_what_is_left_over_the_years_left(program):
    brand_major = program.categories.get(code="brand_major")
    assert default_quota(brand_major, 2019, approved_so_far=70) == 15


def test_default_quota_rounds_up(program):
    featured_major = program.categories.get(code="featured_major")  # target 50
    assert default_quota(featured_major, 2018) == 17


def test_default_quota_is_zero_once_the_target_is_met(program):
    brand_major = program.categories.get(code="brand_major")
    assert default_quota(brand_major, 2020, approved_so_far=104) == 0


def test_default_quota_is_none_without_a_target(program):
    award = program.categories.get(code="industry_contribution_award")
    assert award.target is None
    assert default_quota(award, 2018) is None


def test_create_takes_the_policy_per_school_cap(program, bureau_user):
    call = _draft(program, bureau_user, quotas={"master_teacher_studio": 12, "brand_major": 20})
    caps = dict(call.call_categories.values_list("category__code", "per_school_cap"))
    assert caps == {"master_teacher_studio": 2, "brand_major": None}
    assert _audit("call.create").after["quotas"] == {"master_teacher_studio": 12, "brand_major": 20}


def test_create_refuses_deadlines_out_of_order(program, bureau_user):
    deadlines = _deadlines()
    deadlines["recommendation_deadline"] = deadlines["submission_deadline"] - timedelta(hours=1)
    with pytest.raises(CallRefused) as refusal:
        _draft(program, bureau_user, **deadlines)
    assert str(refusal.value) == (
        "Deadlines must come in order: submission, recommendation, formal check."
    )
    assert Call.objects.count() == 0


def test_create_refuses_a_second_call_for_the_year(program, bureau_user):
    _draft(program, bureau_user)
    with pytest.raises(CallRefused) as refusal:
        _draft(program, bureau_user)
    assert str(refusal.value) == "There is already a call for 2020."
    assert Call.objects.count() == 1


def test_create_refuses_a_year_outside_the_program(program, bureau_user):
    with pytest.raises(CallRefused) as refusal:
        _draft(program, bureau_user, year=2021)
    assert str(refusal.value) == "The year must lie within the program's period."


def test_publish_opens_a_draft_and_is_audited(program, bureau_user):
    call = call_publish(call=_draft(program, bureau_user), by=bureau_user)
    assert call.state == CallState.PUBLISHED
    assert call.published_at is not None
    entry = _audit("call.publish")
    assert (entry.before["state"], entry.after["state"]) == ("draft", "published")
    assert entry.actor == bureau_user


def test_publish_refuses_a_published_call(program, bureau_user):
    call = call_publish(call=_draft(program, bureau_user), by=bureau_user)
    with pytest.raises(CallRefused) as refusal:
        call_publish(call=call, by=bureau_user)
    assert str(refusal.value) == "Only a draft call can be published."


def test_close_ends_submission_now_and_is_audited_with_its_reason(program, bureau_user):
    call = call_publish(call=_draft(program, bureau_user), by=bureau_user)
    planned = call.submission_deadline
    closed = call_close(call=call, by=bureau_user, reason="名额已满")
    assert closed.state == CallState.CLOSED
    assert closed.submission_deadline == closed.closed_at
    assert closed.submission_deadline < planned
    entry = _audit("call.close")
    assert entry.before["state"] == "published"
    assert entry.before["submission_deadline"] == planned.isoformat()
    assert (entry.after["state"], entry.after["reason"]) == ("closed", "名额已满")


def test_close_refuses_a_draft_and_a_missing_reason(program, bureau_user):
    call = _draft(program, bureau_user)
    with pytest.raises(CallRefused) as refusal:
        call_close(call=call, by=bureau_user, reason="提前结束")
    assert str(refusal.value) == "Only an open call can be closed."
    call_publish(call=call, by=bureau_user)
    with pytest.raises(CallRefused) as refusal:
        call_close(call=call, by=bureau_user, reason="  ")
    assert str(refusal.value) == "Please give a reason."
    call.refresh_from_db()
    assert call.state == CallState.PUBLISHED


def test_extend_moves_deadlines_later_and_is_audited(program, bureau_user):
    call = call_publish(call=_draft(program, bureau_user), by=bureau_user)
    before = call.submission_deadline
    later = {name: getattr(call, name) + timedelta(days=5) for name in _deadlines()}
    call = call_extend(call=call, by=bureau_user, reason="应学校请求", **later)
    assert call.submission_deadline == before + timedelta(days=5)
    entry = _audit("call.extend")
    assert entry.before["submission_deadline"] == before.isoformat()
    assert entry.after["submission_deadline"] == (before + timedelta(days=5)).isoformat()
    assert entry.after["reason"] == "应学校请求"


def test_extend_refuses_an_earlier_deadline(program, bureau_user):
    call = call_publish(call=_draft(program, bureau_user), by=bureau_user)
    earlier = {name: getattr(call, name) for name in _deadlines()}
    earlier["formal_check_deadline"] -= timedelta(hours=1)
    with pytest.raises(CallRefused) as refusal:
        call_extend(call=call, by=bureau_user, reason="调整", **earlier)
    assert str(refusal.value) == "An extension can only move deadlines later."
    assert AuditEntry.objects.filter(action="call.extend").count() == 0


def test_extend_reopens_a_closed_call(program, bureau_user):
    call = call_publish(call=_draft(program, bureau_user), by=bureau_user)
    call = call_close(call=call, by=bureau_user, reason="系统维护")
    call = call_extend(call=call, by=bureau_user, reason="维护结束",
                       submission_deadline=timezone.now() + timedelta(days=3),
                       recommendation_deadline=call.recommendation_deadline,
                       formal_check_deadline=call.formal_check_deadline)
    assert call.state == CallState.PUBLISHED
    assert call.closed_at is None
    entry = _audit("call.extend")
    assert (entry.before["state"], entry.after["state"]) == ("closed", "published")


def test_set_quota_is_audited(program, bureau_user):
    call = _draft(program, bureau_user)
    call_category = call.call_categories.get()
    call_set_quota(call_category=call_category, quota=25, per_region_cap=4, by=bureau_user)
    call_category.refresh_from_db()
    assert (call_category.quota, call_category.per_region_cap) == (25, 4)
    entry = _audit("call.quota")
    assert entry.before == {"quota": 20, "per_school_cap": None, "per_region_cap": None}
    assert entry.after == {"category": "brand_major", "quota": 25, "per_school_cap": None,
                           "per_region_cap": 4}


def test_attachment_add_stores_a_pdf_and_is_audited(program, bureau_user):
    call = _draft(program, bureau_user)
    upload = SimpleUploadedFile("申报通知.pdf", PDF_BYTES)
    attachment = call_attachment_add(call=call, upload=upload, by=bureau_user)
    assert (attachment.file.original_name, attachment.file.content_type) == (
        "申报通知.pdf", "application/pdf"
    )
    assert _audit("call.attachment_add").after["file"] == "申报通知.pdf"


@pytest.mark.parametrize(("name", "data", "message"), [
    ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64,
     "Only PDF, Word, Excel and image files are accepted."),
    ("photo.png", PNG_BYTES, "Only PDF, Word and Excel files can be attached to a notice."),
])
def test_attachment_add_refuses_anything_but_documents(program, bureau_user, name, data, message):
    call = _draft(program, bureau_user)
    with pytest.raises(UploadRefused) as refusal:
        call_attachment_add(call=call, upload=SimpleUploadedFile(name, data), by=bureau_user)
    assert str(refusal.value) == message
    assert (CallAttachment.objects.count(), StoredFile.objects.count()) == (0, 0)
    assert AuditEntry.objects.filter(action="call.attachment_add").count() == 0


def test_attachment_remove_deletes_the_file_once_committed(
    program, bureau_user, django_capture_on_commit_callbacks
):
    call = _draft(program, bureau_user)
    attachment = call_attachment_add(
        call=call, upload=SimpleUploadedFile("附件.pdf", PDF_BYTES), by=bureau_user
    )
    storage, name = attachment.file.file.storage, attachment.file.file.name
    with django_capture_on_commit_callbacks(execute=True):
        call_attachment_remove(attachment=attachment, by=bureau_user)
    assert (CallAttachment.objects.count(), StoredFile.objects.count()) == (0, 0)
    assert storage.exists(name) is False
    assert _audit("call.attachment_remove").before["file"] == "附件.pdf"


def test_calls_for_shows_drafts_to_the_bureau_only(program, bureau_user, school_user):
    draft = _draft(program, bureau_user, year=2019)
    published = call_publish(call=_draft(program, bureau_user, year=2020), by=bureau_user)
    assert list(calls_for(bureau_user)) == [published, draft]
    assert list(calls_for(school_user)) == [published]
    officer = UserFactory(username="officer")
    membership(officer, "region_officer", region=school_user.memberships.get().institution.region)
    assert list(calls_for(officer)) == [published]
