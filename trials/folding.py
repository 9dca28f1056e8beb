"""Text folded for matching what people type against what the registry wrote.

Patients type "diabète", "Sjögren" or "MONTRÉAL"; the registry writes "Diabetes",
"Sjogren's Syndrome" or "Sjögren Syndrome", "Montreal". Both sides are folded the same way
before they are compared: case-folded, accents dropped (Unicode NFKD without combining
marks), spaces collapsed.
"""

from __future__ import annotations

import unicodedata


def text_fold(text: str) -> str:
    """`text` case-folded, without accents, its spaces collapsed: "Montréal" and
    "MONTREAL" fold alike, as do "Behçet" and "behcet"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.split())


def condition_fold(text: str) -> str:
    """A condition term as `Trial.condition_terms` stores it, and as a typed condition is
    compared with it: folded (`text_fold`), with "|" (the column's separator) as "/"."""
    return text_fold(text).replace("|", "/")
