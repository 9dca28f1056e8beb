"""The forms of a rendered page, as a browser would submit them (standard library parser).

Tests use it to post a page's own form back (the Django admin's long change forms) and
the fuzz suite uses it to find every form a page offers and the names of its fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Field:
    name: str
    kind: str  # input type, "textarea" or "select"
    value: str = ""
    checked: bool = False
    options: list[str] = field(default_factory=list)
    selected: list[str] = field(default_factory=list)
    multiple: bool = False


@dataclass
class Form:
    action: str
    method: str
    fields: list[Field] = field(default_factory=list)

    def names(self) -> list[str]:
        return list(dict.fromkeys(f.name for f in self.fields))

    def choices(self, name: str) -> list[str]:
        """Every value the page offers for `name` (radios, checkboxes, options)."""
        values: list[str] = []
        for f in self.fields:
            if f.name != name:
                continue
            if f.kind == "select":
                values += f.options
            elif f.kind in ("radio", "checkbox"):
                values.append(f.value or "on")
            else:
                values.append(f.value)
        return values

    def data(self) -> dict[str, list[str]]:
        """What submitting the form unchanged sends (no submit button pressed)."""
        sent: dict[str, list[str]] = {}
        for f in self.fields:
            if f.kind in ("submit", "button", "image", "reset", "file"):
                continue
            if f.kind in ("radio", "checkbox"):
                if f.checked:
                    sent.setdefault(f.name, []).append(f.value or "on")
            elif f.kind == "select":
                chosen = f.selected or ([] if f.multiple else f.options[:1])
                if chosen:
                    sent.setdefault(f.name, []).extend(chosen)
            else:
                sent.setdefault(f.name, []).append(f.value)
        return sent


class _Parser(HTMLParser):
    def __init__(self, url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.url = url
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._textarea: Field | None = None
        self._select: Field | None = None
        self._in_option = False
        self._option: str | None = None
        self._option_text = ""
        self._option_selected = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = Form(
                action=a.get("action") or self.url, method=(a.get("method") or "get").lower()
            )
            self.forms.append(self._form)
            return
        if self._form is None or not a.get("name"):
            if tag == "option" and self._select is not None:
                self._start_option(a)
            return
        if tag == "input":
            self._form.fields.append(
                Field(
                    name=a["name"],
                    kind=(a.get("type") or "text").lower(),
                    value=a.get("value", ""),
                    checked="checked" in a,
                )
            )
        elif tag == "textarea":
            self._textarea = Field(name=a["name"], kind="textarea")
            self._form.fields.append(self._textarea)
        elif tag == "select":
            self._select = Field(name=a["name"], kind="select", multiple="multiple" in a)
            self._form.fields.append(self._select)

    def _start_option(self, a: dict[str, str]) -> None:
        self._end_option()  # </option> may be left out
        self._in_option = True
        self._option = a.get("value")
        self._option_text = ""
        self._option_selected = "selected" in a

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._end_option()
            self._select = None
        elif tag == "option":
            self._end_option()

    def _end_option(self) -> None:
        if self._select is None or not self._in_option:
            return
        self._in_option = False
        value = self._option if self._option is not None else self._option_text.strip()
        self._select.options.append(value)
        if self._option_selected:
            self._select.selected.append(value)
        self._option, self._option_text = None, ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            # A textarea's first newline belongs to the markup, not the value.
            self._textarea.value += data if self._textarea.value else data.removeprefix("\n")
        elif self._select is not None and self._in_option:
            self._option_text += data


def page_forms(html: str, url: str) -> list[Form]:
    """The forms of `html` (served at `url`, the action of a form without one)."""
    parser = _Parser(url)
    parser.feed(html)
    parser.close()
    return parser.forms
