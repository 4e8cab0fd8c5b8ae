from .scoping import memberships


def roles(request):
    """The signed-in user's memberships and role codes, for the navigation."""
    user = getattr(request, "user", None)
    items = memberships(user) if user is not None else []
    return {"memberships": items, "role_codes": {m.role for m in items}}
