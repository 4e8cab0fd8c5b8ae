"""Who may see and change calls, from the refused side; query counts of the call lists."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory, membership
from vetq.audit.models import AuditEntry
from vetq.programs.calls import call_attachment_add, call_create, call_publish
from vetq.programs.models import Call, CallCategory, CallState, Program

pytestmark = pytest.mark.integration

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def draft_call(program, bureau_user):
    now = timezone.now()
    return call_create(
        program=program, year=2020, title="2020年度项目申报", notice="",
        submission_deadline=now + timedelta(days=10),
        recommendation_deadline=now + timedelta(days=20),
        formal_check_deadline=now + timedelta(days=30),
        quotas={"brand_major": 20}, by=bureau_user,
    )


@pytest.fixture
def attachment(draft_call, bureau_user):
    upload = SimpleUploadedFile("通知.pdf", PDF_BYTES)
    return call_attachment_add(call=draft_call, upload=upload, by=bureau_user)


def _writes(call, attachment) -> list[tuple[str, list, dict]]:
    call_category = call.call_categories.get()
    later = (timezone.localtime(call.formal_check_deadline) + timedelta(days=5)).strftime(
        "%Y-%m-%dT%H:%M"
    )
    return [
        ("calls:create", [], {"year": "2019", "title": "x"}),
        ("calls:publish", [call.pk], {}),
        ("calls:close", [call.pk], {"reason": "x"}),
        ("calls:extend", [call.pk], {"submission_deadline": later, "recommendation_deadline": later,
                                     "formal_check_deadline": later, "reason": "x"}),
        ("calls:quota", [call.pk, call_category.pk], {f"cc{call_category.pk}-quota": "99"}),
        ("calls:attachment_add", [call.pk], {"file": SimpleUploadedFile("a.pdf", PDF_BYTES)}),
        ("calls:attachment_remove", [call.pk, attachment.pk], {}),
    ]


def test_school_user_is_refused_every_change(client, school_user, draft_call, attachment):
    client.force_login(school_user)
    audited = AuditEntry.objects.count()
    assert client.get(reverse("calls:create")).status_code == 403
    statuses = {name: client.post(reverse(name, args=args), data).status_code
                for name, args, data in _writes(draft_call, attachment)}
    assert statuses == {name: 403 for name, _, _ in _writes(draft_call, attachment)}
    draft_call.refresh_from_db()
    assert draft_call.state == CallState.DRAFT
    assert draft_call.call_categories.get().quota == 20
    assert (Call.objects.count(), draft_call.attachments.count()) == (1, 1)
    assert AuditEntry.objects.count() == audited


def test_region_officer_is_refused_publishing(client, regions, draft_call):
    officer = UserFactory(username="officer")
    membership(officer, "region_officer", region=regions["liangxi"])
    client.force_login(officer)
    assert client.post(reverse("calls:publish", args=[draft_call.pk])).status_code == 403
    draft_call.refresh_from_db()
    assert draft_call.state == CallState.DRAFT


def test_anonymous_is_sent_to_log_in_for_the_list_and_refused_changes(client, draft_call):
    response = client.get(reverse("calls:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert client.get(reverse("calls:create")).status_code == 403
    assert client.post(reverse("calls:publish", args=[draft_call.pk])).status_code == 403


def test_draft_call_is_hidden_from_schools(client, school_user, bureau_user, draft_call, attachment):
    client.force_login(school_user)
    assert client.get(reverse("calls:detail", args=[draft_call.pk])).status_code == 404
    download = reverse("calls:attachment", args=[draft_call.pk, attachment.pk])
    assert client.get(download).status_code == 404
    assert list(client.get(reverse("calls:list")).context["calls"]) == []
    client.force_login(bureau_user)
    assert client.get(reverse("calls:detail", args=[draft_call.pk])).status_code == 200
    assert client.get(download).status_code == 200
    assert list(client.get(reverse("calls:list")).context["calls"]) == [draft_call]


def test_draft_attachment_is_not_downloadable_anonymously(client, draft_call, attachment):
    download = reverse("calls:attachment", args=[draft_call.pk, attachment.pk])
    assert client.get(download).status_code == 404


def test_attachment_of_another_call_is_not_found(client, program, bureau_user, draft_call,
                                                 attachment):
    call_publish(call=draft_call, by=bureau_user)
    other = Call.objects.create(
        program=program, year=2019, title="2019", state=CallState.PUBLISHED,
        submission_deadline=draft_call.submission_deadline,
        recommendation_deadline=draft_call.recommendation_deadline,
        formal_check_deadline=draft_call.formal_check_deadline,
    )
    assert client.get(reverse("calls:attachment", args=[other.pk, attachment.pk])).status_code == 404


def test_school_reads_a_published_call(client, school_user, bureau_user, draft_call):
    call_publish(call=draft_call, by=bureau_user)
    client.force_login(school_user)
    response = client.get(reverse("calls:detail", args=[draft_call.pk]))
    assert response.status_code == 200
    assert response.context["can_manage"] is False
    assert list(client.get(reverse("calls:list")).context["calls"]) == [draft_call]


def _many_calls(program, count: int) -> None:
    """`count` published calls, each with two categories, in a program of its own so that
    each call can have its own year."""
    other = Program.objects.create(
        code=f"count-{count}", title="计数用项目", period_start=1990, period_end=2030,
        budget_yuan=1, policy_file="-", policy_sha256="0" * 64, loaded_at=timezone.now(),
    )
    categories = list(program.categories.order_by("order")[:2])
    now = timezone.now()
    for year in range(1990, 1990 + count):
        call = Call.objects.create(
            program=other, year=year, title=f"{year}年度", state=CallState.PUBLISHED,
            submission_deadline=now, recommendation_deadline=now, formal_check_deadline=now,
        )
        CallCategory.objects.bulk_create(
            CallCategory(call=call, category=category, quota=5) for category in categories
        )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["bureau_user", "school_user"])
def test_call_list_query_count_does_not_grow(client, program, who, request):
    client.force_login(request.getfixturevalue(who))
    url = reverse("calls:list")
    _many_calls(program, 1)
    one = _queries(client, url)
    _many_calls(program, 19)
    assert len(client.get(url).context["calls"]) == 20
    assert _queries(client, url) == one


def test_portal_call_list_query_count_does_not_grow(client, program):
    url = reverse("portal:calls")
    _many_calls(program, 1)
    one = _queries(client, url)
    _many_calls(program, 19)
    assert len(client.get(url).context["calls"]) == 20
    assert _queries(client, url) == one
