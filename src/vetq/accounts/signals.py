"""Permission changes made outside the membership services (the Django admin's user flags,
groups and permissions) are audited too."""

from django.db.models.signals import m2m_changed, pre_save
from django.dispatch import receiver

from vetq.audit.services import audit_log

from .models import User

WATCHED_FLAGS = ("is_active", "is_staff", "is_superuser")


@receiver(pre_save, sender=User)
def audit_flag_changes(sender, instance: User, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    previous = User.objects.filter(pk=instance.pk).values(*WATCHED_FLAGS).first()
    if previous is None:
        return
    changed = {f: getattr(instance, f) for f in WATCHED_FLAGS if previous[f] != getattr(instance, f)}
    if changed:
        audit_log(
            action="user.flags",
            obj=instance,
            before={f: previous[f] for f in changed},
            after=changed,
        )


@receiver(m2m_changed, sender=User.groups.through)
@receiver(m2m_changed, sender=User.user_permissions.through)
def audit_group_and_permission_changes(sender, instance, action, pk_set, model, reverse, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear"} or reverse:
        return
    names = sorted(str(obj) for obj in model.objects.filter(pk__in=pk_set or []))
    audit_log(
        action=f"user.{model._meta.model_name}.{action.removeprefix('post_')}",
        obj=instance,
        after={"items": names},
    )
