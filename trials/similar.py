"""Similar trials, computed when trials are written and stored on each trial.

A trial's page shows a few other trials that share its conditions or keywords, open ones
first, then those sharing the most terms, then by NCT number. Searching the catalogue for
them on every page view grows with the catalogue (26–40 ms at 10,000 trials, measured by
`make bench`), so the importer stores each written trial's list in
`Trial.similar_nct_ids` and the page reads that list back by primary key.

The lists are computed in memory from one read of every trial's condition terms (an
inverted index: term → trials). A term shared by more than `COMMON_TERM_TRIALS` trials
("cancer") would make each trial compare itself with thousands of others, so such a term
only adds to the count of candidates that a rarer term already found, or, for a trial
with common terms only, offers its first `COMMON_TERM_SAMPLE` trials in catalogue order.
On a small catalogue no term is that common, and the result is exact.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from trials.models import Trial

SIMILAR_LIMIT = 4
COMMON_TERM_TRIALS = 500
COMMON_TERM_SAMPLE = 100


@dataclass(frozen=True)
class _Entry:
    nct_id: str
    open_rank: int
    terms: tuple[str, ...]


def _terms(condition_terms: str) -> tuple[str, ...]:
    return tuple(t for t in condition_terms.strip("|").split("|") if t)[:20]


class SimilarIndex:
    """Every trial's condition terms, inverted: built once, asked for many trials."""

    def __init__(self, entries: Iterable[tuple[int, str, int, str]]) -> None:
        """`entries`: (pk, nct_id, open_rank, condition_terms) of every trial."""
        self.entries: dict[int, _Entry] = {}
        postings: dict[str, list[int]] = defaultdict(list)
        for pk, nct_id, open_rank, condition_terms in entries:
            entry = _Entry(nct_id, open_rank, _terms(condition_terms))
            self.entries[pk] = entry
            for term in entry.terms:
                postings[term].append(pk)
        # Catalogue order within each term: open trials first, then by NCT number.
        self.postings = {
            term: sorted(pks, key=lambda pk: (self.entries[pk].open_rank, self.entries[pk].nct_id))
            for term, pks in postings.items()
        }
        self._sets: dict[str, frozenset[int]] = {}

    @classmethod
    def from_database(cls) -> SimilarIndex:
        rows = Trial.objects.order_by().values_list("pk", "nct_id", "open_rank", "condition_terms")
        return cls(rows.iterator(chunk_size=5_000))

    def _set(self, term: str) -> frozenset[int]:
        if term not in self._sets:
            self._sets[term] = frozenset(self.postings[term])
        return self._sets[term]

    def similar(self, pk: int, *, limit: int = SIMILAR_LIMIT) -> list[str]:
        """The NCT numbers of up to `limit` trials most like trial `pk`, best first."""
        entry = self.entries.get(pk)
        if entry is None or not entry.terms:
            return []
        terms = sorted(entry.terms, key=lambda t: len(self.postings.get(t, ())))
        shared: Counter[int] = Counter()
        common: list[str] = []
        for term in terms:
            trials = self.postings.get(term, [])
            if len(trials) > COMMON_TERM_TRIALS:
                common.append(term)
            else:
                shared.update(trials)
        if not shared:
            for term in common:
                shared.update(self.postings[term][:COMMON_TERM_SAMPLE])
        else:
            for term in common:
                members = self._set(term)
                for candidate in list(shared):
                    if candidate in members:
                        shared[candidate] += 1
        shared.pop(pk, None)
        best = sorted(
            shared,
            key=lambda c: (self.entries[c].open_rank, -shared[c], self.entries[c].nct_id),
        )
        return [self.entries[c].nct_id for c in best[:limit]]


def similar_refresh(*, trial_ids: Iterable[int] | None = None) -> int:
    """Compute and store the similar trials of `trial_ids` and of the trials that share a
    term with them (every trial when None): a newly imported trial then also appears on
    its neighbours' pages.

    One read of the catalogue's terms, then UPDATEs for the lists that changed only.
    Returns how many trials' lists changed.
    """
    index = SimilarIndex.from_database()
    if trial_ids is None:
        pks = set(index.entries)
    else:
        pks = set()
        for pk in trial_ids:
            pks.add(pk)
            for term in index.entries[pk].terms if pk in index.entries else ():
                trials = index.postings.get(term, [])
                if len(trials) <= COMMON_TERM_TRIALS:
                    pks.update(trials)
    stored = dict(Trial.objects.order_by().values_list("pk", "similar_nct_ids").iterator())
    changed = [
        Trial(pk=pk, similar_nct_ids=ids)
        for pk in sorted(pks)
        if pk in stored and stored[pk] != (ids := index.similar(pk))
    ]
    with transaction.atomic():
        Trial.objects.bulk_update(changed, ["similar_nct_ids"], batch_size=1_000)
    return len(changed)
