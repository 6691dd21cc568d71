"""``{{ amount|yuan }}``: yuan with two decimals and thousands separators (30,000.00), the same in every
language; empty for None."""
from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def yuan(value):
    if value is None or value == "":
        return ""
    try:
        return f"{Decimal(value):,.2f}"
    except (InvalidOperation, TypeError, ValueError):
        return value
