from django import template
from django.utils.translation import get_language

from vetq.core.money import format_money, format_wanyuan, format_yuan

register = template.Library()


@register.filter
def yuan(value):
    """100000 → '100,000' (元)."""
    return format_yuan(value)


@register.filter
def wanyuan(value):
    """100000 → '10' (万元)."""
    return format_wanyuan(value)


@register.filter
def money(value):
    """100000 → '10万元' in Chinese, '100,000 yuan' in English."""
    return format_money(value, get_language() or "zh-hans")
