"""The dashboard's and the trial list's selects and inputs render in Python exactly as
Django's templates render them (config.widgets)."""

import datetime
import re

import pytest
from django import forms
from django.utils.safestring import mark_safe
from django_filters.fields import BaseCSVField
from django_filters.widgets import BaseCSVWidget
from hypothesis import given
from hypothesis import strategies as st

from config.widgets import (
    PlainCSVSelect,
    PlainDateInput,
    PlainEmailInput,
    PlainHiddenInput,
    PlainNumberInput,
    PlainSelect,
    PlainSelectMultiple,
    PlainTextInput,
    plain_widget,
)

CHOICES = [
    ("", "Any"),
    ("new", "New"),
    ("in_review", 'In "review" & <more>'),
    ("Group", [("a", "A"), ("b", "B")]),
    (3, "Three"),
]


def tags(html):
    """The markup without the whitespace Django's templates leave between tags."""
    return re.sub(r">\s+<", "><", str(html)).strip()


def django_html(widget_class, name, value, attrs):
    return widget_class(choices=CHOICES).render(name, value, attrs)


@pytest.mark.parametrize(
    ("plain", "django", "value"),
    [
        (PlainSelect, forms.Select, "new"),
        (PlainSelect, forms.Select, None),
        (PlainSelect, forms.Select, "b"),
        (PlainSelect, forms.Select, 3),
        (PlainSelectMultiple, forms.SelectMultiple, ["new", "a"]),
        (PlainSelectMultiple, forms.SelectMultiple, []),
    ],
)
def test_the_markup_is_django_s_own(plain, django, value):
    attrs = {"id": "id_status", "class": "form-select is-invalid", "aria-invalid": "true"}
    attrs["data-safe"] = mark_safe("<kept>")
    ours = plain(choices=CHOICES).render("status", value, attrs)
    theirs = django_html(django, "status", value, attrs)
    assert tags(ours) == tags(theirs)


@given(st.text(max_size=30), st.lists(st.text(max_size=12), max_size=5))
def test_any_value_and_labels_are_escaped_alike(value, labels):
    choices = [(label, label) for label in labels]
    ours = PlainSelect(choices=choices).render("q", value, {"id": "x"})
    theirs = forms.Select(choices=choices).render("q", value, {"id": "x"})
    assert tags(ours) == tags(theirs)


INPUT_ATTRS = {
    "id": "id_q",
    "class": "form-control",
    "required": True,
    "disabled": False,
    "maxlength": 200,
    "aria-describedby": 'id_q_helptext "x" & <y>',
    "data-safe": mark_safe("<kept>"),
}


@pytest.mark.parametrize(
    ("plain", "django", "init", "value"),
    [
        (PlainTextInput, forms.TextInput, {}, "asthma"),
        (PlainTextInput, forms.TextInput, {}, None),
        (PlainTextInput, forms.TextInput, {}, ""),
        (PlainTextInput, forms.TextInput, {}, mark_safe('<b>"safe"</b>')),
        (PlainTextInput, forms.TextInput, {"attrs": {"type": "search"}}, 'a "b" <c>'),
        (PlainNumberInput, forms.NumberInput, {"attrs": {"min": 0, "max": 120}}, 42),
        (PlainNumberInput, forms.NumberInput, {}, 0),
        (PlainEmailInput, forms.EmailInput, {}, "a@example.org"),
        (PlainDateInput, forms.DateInput, {"format": "%Y-%m-%d"}, datetime.date(2026, 3, 4)),
        (PlainDateInput, forms.DateInput, {"attrs": {"type": "date"}}, None),
        (PlainHiddenInput, forms.HiddenInput, {}, "x&y"),
    ],
)
def test_inputs_are_django_s_own(plain, django, init, value):
    ours = plain(**init).render("q", value, dict(INPUT_ATTRS))
    theirs = django(**init).render("q", value, dict(INPUT_ATTRS))
    assert tags(ours) == tags(theirs)


@given(st.one_of(st.none(), st.text(max_size=30), st.integers()), st.text(max_size=20))
def test_any_input_value_and_attribute_is_escaped_alike(value, attribute):
    attrs = {"id": "x", "placeholder": attribute}
    ours = PlainTextInput().render("q", value, dict(attrs))
    theirs = forms.TextInput().render("q", value, dict(attrs))
    assert tags(ours) == tags(theirs)


def test_an_ordering_select_is_django_filter_s_own():
    csv_select = BaseCSVField()._get_widget_class(forms.Select)  # as OrderingFilter makes it
    swapped = csv_select()
    plain_widget(swapped)
    assert type(swapped) is PlainCSVSelect and isinstance(swapped, BaseCSVWidget)
    choices = [("", "Triage order"), ("-score", "Score (highest first)"), ("name", 'A "to" <Z>')]
    for value in (None, "", "-score", ["name"], ["name", "-score"]):
        ours = PlainCSVSelect(choices=choices).render("order", value, {"id": "id_order"})
        theirs = csv_select(choices=choices).render("order", value, {"id": "id_order"})
        assert tags(ours) == tags(theirs)


def test_only_plain_widgets_are_swapped():
    class Custom(forms.TextInput):
        template_name = "custom.html"

    select, radio, text, custom = forms.Select(), forms.RadioSelect(), forms.TextInput(), Custom()
    for widget in (select, radio, text, custom):
        plain_widget(widget)
    assert type(select) is PlainSelect and type(radio) is forms.RadioSelect
    assert type(text) is PlainTextInput and type(custom) is Custom
