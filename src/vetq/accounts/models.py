import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from vetq.institutions.models import Department, Institution, Region

from .roles import SCOPE_OF_ROLE, Role


class User(AbstractUser):
    """A person who signs in. What it may do comes from its memberships."""

    full_name = models.CharField(_("full name"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username


class Membership(models.Model):
    """One role of a user, with the scope it applies to (a region, a school, a department)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("region"),
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships",
        verbose_name=_("institution"),
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("department"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["user", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            # A role with the same scope once per user; empty scopes compare equal.
            models.UniqueConstraint(
                "user", "role", Coalesce("region", Value(0)), Coalesce("institution", Value(0)),
                Coalesce("department", Value(0)), name="membership_unique",
            ),
        ]

    def __str__(self) -> str:
        scope = self.institution or self.region or self.department
        label = self.get_role_display()
        return f"{self.user} · {label}" + (f" · {scope}" if scope else "")

    def clean(self) -> None:
        scope = SCOPE_OF_ROLE[Role(self.role)]
        given = {
            "region": self.region_id is not None,
            "institution": self.institution_id is not None,
            "department": self.department_id is not None,
        }
        if scope == "region_optional":
            allowed = {"region"}
            required: set[str] = set()
        elif scope is None:
            allowed, required = set(), set()
        else:
            allowed, required = {scope}, {scope}
        extra = [k for k, v in given.items() if v and k not in allowed]
        missing = [k for k in required if not given[k]]
        if extra or missing:
            raise ValidationError(
                _("The role %(role)s needs exactly this scope: %(scope)s."),
                params={"role": self.get_role_display(), "scope": scope or "—"},
                code="membership_scope",
            )


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the API; only its SHA-256 is stored."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=60)
    prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    key_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def new_key() -> str:
        # A hex prefix (shown to identify the token) never starts with "-", so it is safe to
        # pass on a command line; the secret part follows.
        return f"vetq_{secrets.token_hex(4)}_{secrets.token_urlsafe(32)}"

    @staticmethod
    def digest(key: str) -> str:
        return _digest(key)
