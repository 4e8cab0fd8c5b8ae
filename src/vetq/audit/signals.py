"""Logins and failed logins are audited from day one."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .services import audit_log


def _ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    audit_log(action="auth.login", actor=user, obj=user, ip_address=_ip(request))


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_log(action="auth.logout", actor=user, obj=user, ip_address=_ip(request))


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    audit_log(
        action="auth.login_failed",
        object_type="accounts.user",
        object_repr=username,
        after={"username": username},
        ip_address=_ip(request),
    )
