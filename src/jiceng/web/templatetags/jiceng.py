from django import template
from django.utils.http import urlencode

from jiceng.core.masking import mask_id_number, mask_name, mask_phone

register = template.Library()


@register.filter
def mask_id(value):
    return mask_id_number(value or "")


@register.filter
def mask_tel(value):
    return mask_phone(value or "")


@register.filter
def mask_person(value):
    return mask_name(value or "")


@register.simple_tag(takes_context=True)
def query_with(context, **kwargs):
    """The current query string with some parameters replaced (for pagination links)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        params[key] = value
    return "?" + urlencode(sorted((k, v) for k, v in params.items() if v not in ("", None)))


@register.filter
def field_error_id(field):
    return f"{field.auto_id}-error"


@register.filter
def audit_changes(entry):
    """An audit row's change as (field name, before, after), named and formatted for people."""
    from jiceng.audit.labels import audit_changes as changes

    return changes(entry)


@register.filter
def widget_kind(bound_field):
    from django import forms

    w = bound_field.field.widget
    if isinstance(w, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(w, forms.RadioSelect):
        return "radios"
    if isinstance(w, forms.CheckboxInput):
        return "checkbox"
    return "input"


@register.filter
def action_label(code):
    from jiceng.audit.labels import action_label as label

    return label(code or "")
