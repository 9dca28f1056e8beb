"""Select widgets rendered in Python rather than through one template per option.

Django renders a `<select>` from ``django/forms/widgets/select.html`` and includes
``select_option.html`` once per option. On the coordinator queue, with its filter, bulk
and assignment forms, that was the page's largest cost after the rows themselves
(measured by `make bench`); on the public trial list, the status, country, sex and
distance filters took about 4 ms of each request (measured in-process). These widgets
build the same markup from the same context (`Widget.get_context`: attributes, option
groups, selected state), escaped by `format_html`, so the HTML and its accessibility
attributes do not change.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


def _attrs(attrs: dict[str, Any]) -> SafeString:
    """Attributes as ``django/forms/widgets/attrs.html`` writes them: in order, False
    left out, True as a bare name, anything else as its string."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


class _PlainSelectMixin:
    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]  # type: ignore[attr-defined]
        parts = []
        for group_name, options, _index in widget["optgroups"]:
            rendered = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                (
                    ("" if o["value"] is None else o["value"], _attrs(o["attrs"]), o["label"])
                    for o in options
                ),
            )
            if group_name:
                rendered = format_html('<optgroup label="{}">{}</optgroup>', group_name, rendered)
            parts.append(rendered)
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            _attrs(widget["attrs"]),
            SafeString("".join(parts)),
        )


class PlainSelect(_PlainSelectMixin, forms.Select):
    pass


class PlainSelectMultiple(_PlainSelectMixin, forms.SelectMultiple):
    pass


PLAIN = {forms.Select: PlainSelect, forms.SelectMultiple: PlainSelectMultiple}


def plain_widget(widget: forms.Widget) -> None:
    """Render `widget` in Python if it is a plain Select or SelectMultiple (in place: the
    subclass adds no state, only `render`)."""
    plain = PLAIN.get(type(widget))
    if plain is not None:
        widget.__class__ = plain
