import pytest
from django.urls import reverse

from vetq.notices.models import Notice
from vetq.notices.services import notice_send

pytestmark = pytest.mark.integration


def test_notice_is_listed_in_the_readers_language_and_marked_read(client, school_user, mailoutbox):
    notice_send(users=[school_user], kind="application.return",
                params={"title": "品牌专业", "institution": "某校", "comment": "补充预算"},
                url="/applications/1/")
    client.force_login(school_user)
    body = client.get(reverse("notices:list")).content.decode()
    assert "品牌专业" in body and "补充预算" in body
    client.cookies["django_language"] = "en"
    body = client.get(reverse("notices:list")).content.decode()
    assert "Returned for revision: 品牌专业 — 补充预算" in body
    notice = Notice.objects.get(user=school_user)
    response = client.post(reverse("notices:read"), {"notice": notice.pk, "next": notice.url})
    assert response["Location"] == "/applications/1/"
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_notice_email_goes_after_commit(school_user, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        notice_send(users=[school_user], kind="application.approve",
                    params={"title": "品牌专业"}, url="/applications/1/")
    assert len(mailoutbox) == 1
    assert "品牌专业" in mailoutbox[0].subject
    assert "http://127.0.0.1:8000/applications/1/" in mailoutbox[0].body


def test_notice_read_refuses_foreign_redirect(client, school_user):
    notice_send(users=[school_user], kind="application.approve", params={"title": "x"})
    client.force_login(school_user)
    response = client.post(reverse("notices:read"), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("notices:list")


def test_unread_badge_shows_count(client, school_user):
    notice_send(users=[school_user], kind="application.approve", params={"title": "x"})
    client.force_login(school_user)
    body = client.get(reverse("accounts:home")).content.decode()
    assert 'badge rounded-pill text-bg-danger">1<' in body


def test_other_users_notices_are_not_listed(client, school_user, bureau_user):
    notice_send(users=[bureau_user], kind="application.approve", params={"title": "秘密项目"})
    client.force_login(school_user)
    assert "秘密项目" not in client.get(reverse("notices:list")).content.decode()


def test_notice_list_query_count_does_not_grow(client, school_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(school_user)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("notices:list"))
        return len(ctx.captured_queries)

    notice_send(users=[school_user], kind="application.approve", params={"title": "a"})
    one = count()
    for n in range(19):
        notice_send(users=[school_user], kind="application.approve", params={"title": str(n)})
    assert count() == one
