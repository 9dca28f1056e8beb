"""The portal's message catalogues: extract, compile without system tools, list the gaps.

`make messages` runs `python -m config.translations`: it extracts every gettext string of
the portal's own code and templates into `locale/<lang>/LC_MESSAGES/django.po` (Django's
`makemessages`, which needs GNU xgettext), drops the entries no code uses any more,
compiles each catalogue to its `.mo` with polib (no system msgfmt needed), and prints
every entry still without a translation. Exit status 1 while any is missing.

The compiled `.mo` files are committed, so `make run` and `make test` need no gettext
tools; `tests/test_translations.py` holds them to their `.po` sources.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import polib

BASE_DIR = Path(__file__).resolve().parent.parent
LOCALE_DIR = BASE_DIR / "locale"
# Every language but the source one (English) has a catalogue.
TRANSLATED_LANGUAGES = ("fr",)
# What makemessages walks: the portal's own apps and templates. Tests, the benchmark
# harness and the data files are not user-facing.
SOURCES = ("accounts", "config", "screening", "trials", "templates")
IGNORED = (".venv", "tests", "bench", "data", "staticfiles", "test-artifacts", "scripts")


def catalogue_path(language: str, root: Path = LOCALE_DIR) -> Path:
    return root / language / "LC_MESSAGES" / "django.po"


def xgettext_available() -> bool:
    return shutil.which("xgettext") is not None and shutil.which("msgmerge") is not None


def extract(root: Path = BASE_DIR, languages: Iterable[str] = TRANSLATED_LANGUAGES) -> None:
    """Run makemessages in `root` (a checkout of the portal): update its catalogues in
    place, keeping existing translations. Raises CalledProcessError if extraction fails."""
    command = [sys.executable, "manage.py", "makemessages", "--no-location", "-v", "0"]
    for language in languages:
        command += ["-l", language]
    for pattern in IGNORED:
        command += ["--ignore", pattern]
    subprocess.run(command, cwd=root, check=True, env=_env())  # noqa: S603


def _env() -> dict[str, str]:
    import os

    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings")
    env.setdefault("SECRET_KEY", "extract-messages-only")
    env.setdefault("DEBUG", "1")
    return env


def drop_obsolete(po: polib.POFile) -> int:
    """Remove the entries no code uses any more (makemessages keeps them commented out)."""
    obsolete = po.obsolete_entries()
    for entry in obsolete:
        po.remove(entry)
    return len(obsolete)


def missing(po: polib.POFile) -> list[polib.POEntry]:
    """Entries a reader would see in English: untranslated, or fuzzy (a guess by msgmerge
    from a similar old string, which gettext does not use)."""
    return [
        entry
        for entry in po
        if not entry.obsolete and (not entry.translated() or "fuzzy" in entry.flags)
    ]


def compile_catalogue(po_path: Path) -> Path:
    """Write the `.mo` beside `po_path`, with polib (the same result as GNU msgfmt)."""
    po = polib.pofile(str(po_path))
    mo_path = po_path.with_suffix(".mo")
    po.save_as_mofile(str(mo_path))
    return mo_path


def main() -> int:
    if xgettext_available():
        extract()
    else:
        print("xgettext is not installed (apt-get install gettext): not extracting; compiling.")
    gaps = 0
    for language in TRANSLATED_LANGUAGES:
        path = catalogue_path(language)
        po = polib.pofile(str(path), wrapwidth=100)
        dropped = drop_obsolete(po)
        po.save()
        compile_catalogue(path)
        holes = missing(po)
        gaps += len(holes)
        total = len([e for e in po if not e.obsolete])
        done = total - len(holes)
        share = 100 * done / total if total else 100.0
        print(f"{path.relative_to(BASE_DIR)}: {done}/{total} translated ({share:.1f} %)", end="")
        print(f", {dropped} unused entries dropped" if dropped else "")
        for entry in holes:
            state = "fuzzy" if "fuzzy" in entry.flags else "untranslated"
            plural = f" / {entry.msgid_plural!r}" if entry.msgid_plural else ""
            print(f"  [{state}] {entry.msgid!r}{plural}")
    return 1 if gaps else 0


if __name__ == "__main__":
    raise SystemExit(main())
