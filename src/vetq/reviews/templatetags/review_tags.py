from django import template

register = template.Library()


@register.filter
def names_of(codes, names: dict) -> str:
    """`codes` joined as their names from `names` (the code itself where none is known)."""
    return "、".join(names.get(code, code) for code in codes or ())
