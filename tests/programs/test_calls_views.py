"""The bureau's call pages: create with prefilled quotas, publish, close, extend, quotas,
attachments; who may see and do what."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from vetq.applications.models import Application
from vetq.audit.models import AuditEntry
from vetq.core.models import StoredFile
from vetq.programs.calls import call_close, call_create, call_publish
from vetq.programs.models import Call, CallAttachment, CallState, Category

pytestmark = pytest.mark.integration

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def english_and_private_media(settings, tmp_path):
    """Messages are checked by their English wording; uploads go to a throwaway folder."""
    settings.LANGUAGE_CODE = "en"
    settings.MEDIA_ROOT = tmp_path / "media"
    with translation.override("en"):
        yield


@pytest.fixture
def draft_call(program, bureau_user):
    now = timezone.now()
    return call_create(
        program=program, year=2020, title="2020年度项目申报", notice="请各校按时申报。",
        submission_deadline=now + timedelta(days=10),
        recommendation_deadline=now + timedelta(days=20),
        formal_check_deadline=now + timedelta(days=30),
        quotas={"brand_major": 20, "master_teacher_studio": 12}, by=bureau_user,
    )


@pytest.fixture
def published_call(draft_call, bureau_user):
    return call_publish(call=draft_call, by=bureau_user)


def _create_data(response, **changes) -> dict:
    """The create form as the bureau would post it unchanged, plus `changes`."""
    data = {
        "year": response.context["year"], "title": "2019年度项目申报", "notice": "通知正文",
        "submission_deadline": "2019-05-01T17:00", "recommendation_deadline": "2019-05-15T17:00",
        "formal_check_deadline": "2019-06-01T17:00",
    }
    for row in response.context["rows"]:
        for field in row:
            value = row.initial.get(field.name)
            if field.name == "open":
                if value:
                    data[field.html_name] = "on"
            elif value is not None:
                data[field.html_name] = value
    data.update(changes)
    return data


def _quota_inputs(response) -> dict[str, int | None]:
    return {row.category.code: row.initial["quota"] for row in response.context["rows"]}


def test_create_prefills_the_quotas_for_the_year(client, bureau_user, program):
    client.force_login(bureau_user)
    response = client.get(reverse("calls:create"), {"year": 2016})
    quotas = _quota_inputs(response)
    assert (quotas["brand_major"], quotas["quality_course"], quotas["training_base"]) == (20, 40, 8)
    assert quotas["industry_contribution_award"] is None
    studio = next(r for r in response.context["rows"] if r.category.code == "master_teacher_studio")
    assert studio.initial == {"open": True, "quota": 12, "per_school_cap": 2}


def test_create_prefill_counts_the_approved_applications(client, bureau_user, program, school):
    earlier = call_create(
        program=program, year=2016, title="2016", notice="",
        submission_deadline=timezone.now(), recommendation_deadline=timezone.now(),
        formal_check_deadline=timezone.now(), quotas={"brand_major": 70}, by=bureau_user,
    )
    call_category = earlier.call_categories.get()
    Application.objects.bulk_create(
        Application(call_category=call_category, institution=school, title=f"品牌专业{n}",
                    state="approved" if n < 70 else "rejected", created_by=bureau_user)
        for n in range(75)
    )
    client.force_login(bureau_user)
    response = client.get(reverse("calls:create"), {"year": 2019})
    assert _quota_inputs(response)["brand_major"] == 15


def test_year_change_reloads_only_the_category_rows(client, bureau_user, program):
    client.force_login(bureau_user)
    response = client.get(reverse("calls:create"), {"year": 2018}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.startswith('<div id="category-rows"')
    assert 'name="cat-brand_major-quota" value="34"' in body


def test_bureau_creates_a_call_with_the_prefilled_quotas(client, bureau_user, program):
    client.force_login(bureau_user)
    form = client.get(reverse("calls:create"), {"year": 2019})
    response = client.post(reverse("calls:create"), _create_data(form))
    call = Call.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("calls:detail", args=[call.pk])
    assert (call.year, call.state, call.title) == (2019, CallState.DRAFT, "2019年度项目申报")
    # Typed as Beijing time, stored as the instant it is.
    assert call.submission_deadline == datetime(2019, 5, 1, 9, 0, tzinfo=UTC)
    quotas = dict(call.call_categories.values_list("category__code", "quota"))
    assert quotas == {code: q for code, q in _quota_inputs(form).items() if q}
    assert quotas["brand_major"] == 50
    assert call.call_categories.get(category__code="master_teacher_studio").per_school_cap == 2


def test_create_asks_for_a_quota_of_an_open_category_without_target(client, bureau_user, program):
    client.force_login(bureau_user)
    form = client.get(reverse("calls:create"), {"year": 2019})
    data = _create_data(form, **{"cat-industry_contribution_award-open": "on"})
    response = client.post(reverse("calls:create"), data)
    row = next(r for r in response.context["rows"]
               if r.category.code == "industry_contribution_award")
    assert row.errors == {"quota": ["Type a quota for an open category."]}
    assert Call.objects.count() == 0


def test_create_refuses_deadlines_out_of_order_kindly(client, bureau_user, program):
    client.force_login(bureau_user)
    form = client.get(reverse("calls:create"), {"year": 2019})
    data = _create_data(form, recommendation_deadline="2019-04-01T17:00")
    response = client.post(reverse("calls:create"), data)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        "Deadlines must come in order: submission, recommendation, formal check."
    ]
    assert 'value="2019年度项目申报"' in response.content.decode()
    assert Call.objects.count() == 0


def test_publish_through_the_page(client, bureau_user, draft_call):
    client.force_login(bureau_user)
    response = client.post(reverse("calls:publish", args=[draft_call.pk]), follow=True)
    draft_call.refresh_from_db()
    assert draft_call.state == CallState.PUBLISHED
    assert [str(m) for m in response.context["messages"]] == [
        "The call is open and shown on the public portal."
    ]


def test_publish_refusal_is_a_message_and_changes_nothing(client, bureau_user, draft_call):
    Call.objects.filter(pk=draft_call.pk).update(
        submission_deadline=timezone.now() - timedelta(days=1)
    )
    client.force_login(bureau_user)
    response = client.post(reverse("calls:publish", args=[draft_call.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "The submission deadline has already passed; extend it first."
    ]
    draft_call.refresh_from_db()
    assert draft_call.state == CallState.DRAFT


def test_close_needs_a_reason(client, bureau_user, published_call):
    client.force_login(bureau_user)
    url = reverse("calls:close", args=[published_call.pk])
    response = client.post(url, {"reason": ""})
    assert response.context["close_form"].errors == {"reason": ["This field is required."]}
    published_call.refresh_from_db()
    assert published_call.state == CallState.PUBLISHED
    client.post(url, {"reason": "名额已满"})
    published_call.refresh_from_db()
    assert published_call.state == CallState.CLOSED
    assert AuditEntry.objects.get(action="call.close").after["reason"] == "名额已满"


def test_extend_through_the_page_takes_beijing_time(client, bureau_user, published_call):
    client.force_login(bureau_user)
    later = timezone.localtime(published_call.formal_check_deadline) + timedelta(days=40)
    data = {"submission_deadline": later.strftime("%Y-%m-%dT08:00"),
            "recommendation_deadline": later.strftime("%Y-%m-%dT09:00"),
            "formal_check_deadline": later.strftime("%Y-%m-%dT10:00"), "reason": "延期"}
    client.post(reverse("calls:extend", args=[published_call.pk]), data)
    published_call.refresh_from_db()
    assert timezone.localtime(published_call.submission_deadline).strftime("%Y-%m-%d %H:%M") == (
        later.strftime("%Y-%m-%d 08:00")
    )
    assert AuditEntry.objects.get(action="call.extend").after["reason"] == "延期"


def test_quota_edit_through_the_page(client, bureau_user, draft_call):
    call_category = draft_call.call_categories.get(category__code="brand_major")
    client.force_login(bureau_user)
    prefix = f"cc{call_category.pk}"
    client.post(reverse("calls:quota", args=[draft_call.pk, call_category.pk]),
                {f"{prefix}-quota": "18", f"{prefix}-per_region_cap": "3"})
    call_category.refresh_from_db()
    assert (call_category.quota, call_category.per_school_cap, call_category.per_region_cap) == (
        18, None, 3
    )


def test_quota_below_one_is_shown_in_its_row_and_changes_nothing(client, bureau_user, draft_call):
    call_category = draft_call.call_categories.get(category__code="brand_major")
    client.force_login(bureau_user)
    response = client.post(reverse("calls:quota", args=[draft_call.pk, call_category.pk]),
                           {f"cc{call_category.pk}-quota": "0"})
    row = next(r for r in response.context["rows"] if r["cc"].pk == call_category.pk)
    assert row["quota_form"].errors == {"quota": ["Ensure this value is greater than or equal to 1."]}
    call_category.refresh_from_db()
    assert call_category.quota == 20


def test_attachment_upload_and_remove(client, bureau_user, draft_call):
    client.force_login(bureau_user)
    upload = SimpleUploadedFile("申报书模板.pdf", PDF_BYTES)
    client.post(reverse("calls:attachment_add", args=[draft_call.pk]), {"file": upload})
    attachment = CallAttachment.objects.get(call=draft_call)
    assert attachment.file.original_name == "申报书模板.pdf"
    client.post(reverse("calls:attachment_remove", args=[draft_call.pk, attachment.pk]))
    assert (CallAttachment.objects.count(), StoredFile.objects.count()) == (0, 0)


def test_exe_renamed_pdf_is_refused_as_attachment(client, bureau_user, draft_call):
    client.force_login(bureau_user)
    upload = SimpleUploadedFile("通知.pdf", EXE_BYTES, content_type="application/pdf")
    response = client.post(reverse("calls:attachment_add", args=[draft_call.pk]),
                           {"file": upload}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Only PDF, Word, Excel and image files are accepted."
    ]
    assert (CallAttachment.objects.count(), StoredFile.objects.count()) == (0, 0)


def test_school_sees_apply_only_where_its_type_is_eligible(client, school_user, published_call):
    Category.objects.filter(code="brand_major").update(eligible_types=["higher_vocational"])
    client.force_login(school_user)
    response = client.get(reverse("calls:detail", args=[published_call.pk]))
    apply = {row["cc"].category.code: row["apply_url"] for row in response.context["rows"]}
    studio = published_call.call_categories.get(category__code="master_teacher_studio")
    assert apply == {"brand_major": None,
                     "master_teacher_studio": reverse("applications:create", args=[studio.pk])}
    body = response.content.decode()
    assert f'href="{reverse("applications:create", args=[studio.pk])}"' in body
    assert reverse("calls:publish", args=[published_call.pk]) not in body


def test_no_apply_button_once_the_call_is_closed(client, school_user, bureau_user, published_call):
    call_close(call=published_call, by=bureau_user, reason="提前结束")
    client.force_login(school_user)
    response = client.get(reverse("calls:detail", args=[published_call.pk]))
    assert [row["apply_url"] for row in response.context["rows"]] == [None, None]
