"""Form helpers shared by every app's views."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _

from jiceng.core.errors import JicengError


def apply_error(form: forms.Form, error: JicengError, field_map: dict[str, str] | None = None) -> None:
    """Show a service's errors next to the fields they concern (or above the form)."""
    field_map = field_map or {}
    errors = error.errors or {None: [error.message]}
    for field, messages in errors.items():
        target = field_map.get(field, field)
        if target not in form.fields:
            target = None
        for message in messages:
            form.add_error(target, message)


class BootstrapMixin:
    """Adds Bootstrap classes and Chinese "required" messages to every field, including fields a
    subclass adds after ``__init__``; marks invalid fields for screen readers."""

    def _style(self):
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
                css = "form-check-input"
            elif isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)
            if field.required:
                choose = isinstance(widget, (forms.Select, forms.RadioSelect, forms.CheckboxSelectMultiple))
                msg = _("请选择%(label)s") if choose else _("请填写%(label)s")
                field.error_messages["required"] = msg % {"label": field.label}
            if isinstance(field, forms.ModelChoiceField) and field.empty_label == "---------":
                field.empty_label = _("请选择…")

    def full_clean(self):
        self._style()
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self._mark_invalid(name)

    def visible_fields(self):
        self._style()
        return super().visible_fields()

    def _mark_invalid(self, name):
        w = self.fields[name].widget
        if "is-invalid" not in w.attrs.get("class", ""):
            w.attrs["class"] = (w.attrs.get("class", "") + " is-invalid").strip()
        w.attrs["aria-invalid"] = "true"
        w.attrs["aria-describedby"] = f"{self[name].auto_id}-error"

    def add_error(self, field, error):
        super().add_error(field, error)
        if field and field in self.fields:
            self._mark_invalid(field)
