"""The French catalogue: complete, compiled as committed, and placeholders kept.

The completeness test extracts every gettext string of the portal afresh (GNU xgettext,
through makemessages) from a copy of the sources and fails on any without a French
translation. It may skip only on a machine without xgettext outside CI; in CI
(`.ci/run` installs gettext and sets CI) it always runs.
"""

from __future__ import annotations

import os
import re
import shutil

import polib
import pytest
from django.urls import reverse

from config.translations import (
    BASE_DIR,
    SOURCES,
    TRANSLATED_LANGUAGES,
    catalogue_path,
    extract,
    missing,
    xgettext_available,
)

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{\{\s*(\w+)\s*\}\}")


def _placeholders(text: str) -> list[str]:
    return sorted(a or b for a, b in PLACEHOLDER.findall(text))


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_every_user_facing_string_has_a_translation(language, tmp_path):
    if not xgettext_available():
        if os.environ.get("CI"):
            pytest.fail("CI must have GNU gettext (xgettext) to check the translations")
        pytest.skip("xgettext is not installed (apt-get install gettext); CI runs this test")
    for name in SOURCES:
        shutil.copytree(BASE_DIR / name, tmp_path / name, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(BASE_DIR / "manage.py", tmp_path / "manage.py")
    shutil.copytree(BASE_DIR / "locale", tmp_path / "locale")

    extract(root=tmp_path, languages=[language])

    po = polib.pofile(str(catalogue_path(language, tmp_path / "locale")))
    assert len(po) > 500, "extraction found too few strings: is the source list right?"
    gaps = [entry.msgid for entry in missing(po)]
    assert not gaps, (
        f"{len(gaps)} strings have no {language} translation; run `make messages`, "
        f"translate them in locale/{language}/LC_MESSAGES/django.po: {gaps[:20]}"
    )


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_the_committed_catalogue_is_complete_and_compiled(language):
    path = catalogue_path(language)
    po = polib.pofile(str(path))
    assert not [e.msgid for e in missing(po)]
    assert not po.obsolete_entries(), "run `make messages` to drop unused entries"
    compiled = {(e.msgctxt, e.msgid): e for e in polib.mofile(str(path.with_suffix(".mo")))}
    for entry in po.translated_entries():
        mo = compiled.get((entry.msgctxt, entry.msgid))
        assert mo is not None, f"{entry.msgid!r} is not compiled: run `make messages`"
        if entry.msgid_plural:
            assert mo.msgstr_plural == entry.msgstr_plural, entry.msgid
        else:
            assert mo.msgstr == entry.msgstr, f"{entry.msgid!r}: the .mo is stale"
    assert len(compiled) == len(po.translated_entries()), "the .mo holds unused entries"


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_translations_keep_every_placeholder_and_tag(language):
    po = polib.pofile(str(catalogue_path(language)))
    for entry in po.translated_entries():
        sources = [entry.msgid, entry.msgid_plural] if entry.msgid_plural else [entry.msgid]
        translations = list(entry.msgstr_plural.values()) or [entry.msgstr]
        expected = _placeholders(sources[-1])
        for text in translations:
            assert _placeholders(text) == expected, (entry.msgid, text)
        for tag in ("<strong>", "</strong>"):
            assert all(text.count(tag) == entry.msgid.count(tag) for text in translations)


def test_french_pages_read_in_french(client, db):
    response = client.get(reverse("trials:list"), HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9")
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Trouver un essai" in html and "Find a trial" not in html
