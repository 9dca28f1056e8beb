"""The dashboard's selects render in Python exactly as Django's templates render them."""

import re

import pytest
from django import forms
from hypothesis import given
from hypothesis import strategies as st

from screening.dashboard.widgets import PlainSelect, PlainSelectMultiple, plain_widget

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
    ours = plain(choices=CHOICES).render("status", value, attrs)
    theirs = django_html(django, "status", value, attrs)
    assert tags(ours) == tags(theirs)


@given(st.text(max_size=30), st.lists(st.text(max_size=12), max_size=5))
def test_any_value_and_labels_are_escaped_alike(value, labels):
    choices = [(label, label) for label in labels]
    ours = PlainSelect(choices=choices).render("q", value, {"id": "x"})
    theirs = forms.Select(choices=choices).render("q", value, {"id": "x"})
    assert tags(ours) == tags(theirs)


def test_only_plain_selects_are_swapped():
    select, radio = forms.Select(), forms.RadioSelect()
    plain_widget(select)
    plain_widget(radio)
    assert type(select) is PlainSelect and type(radio) is forms.RadioSelect
