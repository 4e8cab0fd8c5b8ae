"""Writes to accounts: memberships (permission changes, audited) and API tokens."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from vetq.audit.services import audit_log

from .models import ApiToken, Membership, User


def _membership_snapshot(m: Membership) -> dict:
    return {
        "user": m.user.get_username(),
        "role": m.role,
        "region": m.region.code if m.region_id else None,
        "institution": m.institution.code if m.institution_id else None,
        "department": m.department.code if m.department_id else None,
    }


@transaction.atomic
def membership_grant(*, user: User, role: str, by=None, region=None, institution=None,
                     department=None) -> Membership:
    """Give a user a role with its scope; audited. Refuses a scope the role does not take
    (ValidationError) and returns the existing membership if it is already there."""
    membership = Membership(
        user=user, role=role, region=region, institution=institution, department=department
    )
    membership.clean()
    existing = Membership.objects.filter(
        user=user, role=role, region=region, institution=institution, department=department
    ).first()
    if existing is not None:
        return existing
    membership.save()
    audit_log(action="membership.grant", actor=by, obj=user, after=_membership_snapshot(membership))
    return membership


@transaction.atomic
def membership_revoke(*, membership: Membership, by=None) -> None:
    """Take a role away; audited."""
    before = _membership_snapshot(membership)
    user = membership.user
    membership.delete()
    audit_log(action="membership.revoke", actor=by, obj=user, before=before)


def token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create an API token; the clear key is returned once and never stored."""
    if not name.strip():
        raise ValidationError("a token needs a name")
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=user, name=name.strip(), prefix=key[5:13], key_sha256=ApiToken.digest(key)
    )
    audit_log(action="api_token.create", actor=user, obj=user, after={"token": str(token)})
    return token, key


def token_authenticate(key: str) -> User | None:
    """The active user a bearer key belongs to, or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_sha256=ApiToken.digest(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
