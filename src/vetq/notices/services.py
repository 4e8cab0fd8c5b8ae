"""Sending notices: one in-app row per user and an e-mail (console backend by default)."""

import logging

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from .kinds import render
from .models import Notice

logger = logging.getLogger(__name__)


def notice_send(*, users, kind: str, params: dict, url: str = "") -> list[Notice]:
    """Notify each user once, in-app and by e-mail; the e-mail goes after the transaction
    commits, so a refused change never sends anything."""
    recipients = {u.pk: u for u in users if u is not None and u.is_active}.values()
    notices = Notice.objects.bulk_create(
        [Notice(user=user, kind=kind, params=params, url=url) for user in recipients]
    )
    emails = [user.email for user in recipients if user.email]
    if emails:
        transaction.on_commit(lambda: _mail(emails, kind, params, url))
    return notices


def _mail(emails: list[str], kind: str, params: dict, url: str) -> None:
    if url.startswith("/"):
        url = settings.VETQ_BASE_URL.rstrip("/") + url
    with translation.override(settings.LANGUAGE_CODE):
        subject = render(kind, params)[:150]
        body = subject + ("\n\n" + _("Open: %(url)s") % {"url": url} if url else "")
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in emails]
    try:
        send_mass_mail(messages, fail_silently=False)
    except OSError:
        logger.exception("notice e-mail could not be sent (%s)", kind)


def notice_mark_read(*, user, notice_ids=None) -> int:
    from django.utils import timezone

    notices = Notice.objects.filter(user=user, read_at__isnull=True)
    if notice_ids is not None:
        notices = notices.filter(pk__in=notice_ids)
    return notices.update(read_at=timezone.now())
