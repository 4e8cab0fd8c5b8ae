import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def random_upload_path(instance, filename: str) -> str:
    """Uploads are stored under random names; the user's file name is kept only as data."""
    extension = (instance.extension or "bin").lower()
    token = secrets.token_hex(16)
    return f"uploads/{token[:2]}/{token}.{extension}"


class StoredFile(models.Model):
    """An uploaded file, checked by content, stored under a random name (core/uploads.py)."""

    file = models.FileField(_("file"), upload_to=random_upload_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    extension = models.CharField(_("type"), max_length=10)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")

    def __str__(self) -> str:
        return self.original_name


class ScheduledRun(models.Model):
    """One run of a daily task on one day (core/schedule.py). The unique pair makes the
    scheduler enqueue each daily task once a day, however many schedulers run."""

    name = models.CharField(_("task"), max_length=100)
    day = models.DateField(_("day"))
    enqueued_at = models.DateTimeField(_("enqueued at"), auto_now_add=True)
    result_id = models.CharField(_("task result"), max_length=64, blank=True)

    class Meta:
        ordering = ["-day", "name"]
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        constraints = [
            models.UniqueConstraint(fields=["name", "day"], name="scheduled_run_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.day}"
