"""Select and input widgets rendered in Python rather than through templates.

Django renders a `<select>` from ``django/forms/widgets/select.html`` and includes
``select_option.html`` once per option, and an input through ``input.html`` and
``attrs.html``. On the coordinator queue, with its filter, bulk and assignment forms,
that was the page's largest cost after the rows themselves (measured by `make bench`);
on the public trial list, its nine filters took 13,200 of a request's 59,600 Python
calls with selects built by `format_html`, and 5,900 as rendered here (counted
in-process with cProfile). These
widgets build the same markup from the same context (`Widget.get_context`: attributes,
option groups, selected state), escaped as the templates escape it (`_text`), so the
HTML and its accessibility attributes do not change (tests/test_dashboard_widgets.py
compares them with Django's own).
"""

from __future__ import annotations

from html import escape
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django_filters.widgets import BaseCSVWidget


def _text(value: Any) -> str:
    """`conditional_escape` (what ``{{ value }}`` and ``{{ value|stringformat:'s' }}``
    write), without its lazy wrappers: a select's options are many."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return escape(str(value))


def _attrs(attrs: dict[str, Any]) -> str:
    """Attributes as ``django/forms/widgets/attrs.html`` writes them: in order, False
    left out, True as a bare name, anything else as its string."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class _PlainSelectMixin:
    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]  # type: ignore[attr-defined]
        parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'<optgroup label="{_text(group_name)}">')
            parts.extend(
                f'<option value="{_text("" if o["value"] is None else o["value"])}"'
                f"{_attrs(o['attrs']) if o['attrs'] else ''}>{_text(o['label'])}</option>"
                for o in options
            )
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        return SafeString("".join(parts))


class _PlainInputMixin:
    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        """``django/forms/widgets/input.html``: type, name, the value unless None, attrs."""
        widget = self.get_context(name, value, attrs)["widget"]  # type: ignore[attr-defined]
        shown = widget["value"]
        value_attr = "" if shown is None else f' value="{_text(shown)}"'
        return SafeString(
            f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'
            f"{value_attr}{_attrs(widget['attrs'])}>"
        )


class PlainTextInput(_PlainInputMixin, forms.TextInput):
    pass


class PlainNumberInput(_PlainInputMixin, forms.NumberInput):
    pass


class PlainEmailInput(_PlainInputMixin, forms.EmailInput):
    pass


class PlainDateInput(_PlainInputMixin, forms.DateInput):
    pass


class PlainHiddenInput(_PlainInputMixin, forms.HiddenInput):
    pass


class PlainSelect(_PlainSelectMixin, forms.Select):
    pass


class PlainSelectMultiple(_PlainSelectMixin, forms.SelectMultiple):
    pass


class PlainCSVSelect(BaseCSVWidget, PlainSelect):
    """django-filter's "CSVSelect" (an OrderingFilter's widget, a class it makes for each
    field from BaseCSVWidget and Select), its select in Python."""


PLAIN: dict[type[forms.Widget], type[forms.Widget]] = {
    forms.Select: PlainSelect,
    forms.SelectMultiple: PlainSelectMultiple,
    forms.TextInput: PlainTextInput,
    forms.NumberInput: PlainNumberInput,
    forms.EmailInput: PlainEmailInput,
    forms.DateInput: PlainDateInput,
    forms.HiddenInput: PlainHiddenInput,
}


def plain_widget(widget: forms.Widget) -> None:
    """Render `widget` in Python if it is exactly one of Django's plain selects or
    one-line inputs (in place: the subclass adds no state, only `render`)."""
    plain = PLAIN.get(type(widget))
    if plain is None and type(widget).__bases__ == (BaseCSVWidget, forms.Select):
        plain = PlainCSVSelect
    if plain is not None:
        widget.__class__ = plain
