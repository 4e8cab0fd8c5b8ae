from .scoping import memberships


def roles(request):
    """The signed-in user's memberships, role codes and unread notices, for the navigation."""
    user = getattr(request, "user", None)
    items = memberships(user) if user is not None else []
    unread = 0
    if user is not None and user.is_authenticated:
        from vetq.notices.models import Notice

        unread = Notice.objects.filter(user=user, read_at__isnull=True).count()
    return {"memberships": items, "role_codes": {m.role for m in items}, "unread_notices": unread}
