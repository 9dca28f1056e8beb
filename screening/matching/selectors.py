"""Reads for "Find trials for me": places, condition terms, candidates and matches.

Candidates are the trials that take applicants, for the patient's condition, with a
recruiting site within the distance they can travel. The database does the cheap part
(status, condition, the distance's bounding box); the engine (`matching.engine`) the
rest, once per distinct set of criteria.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from django.core.cache import cache
from django.db.models import Q

from screening.eligibility import answers_with_derived, criterion_outcome
from screening.matching.engine import (
    QuestionDomain,
    Shape,
    Standing,
    known_likelihood,
    rank_key,
    standing,
)
from screening.questions import QUESTIONS
from screening.reference import ENCODED
from screening.selectors import _code_encoding, criteria_by_digest, trial_criteria
from trials.folding import condition_fold
from trials.geo import (
    OPEN_SITE_STATUSES,
    Place,
    bounding_box,
    distance_km,
    name_fold,
    place_get,
    places_all,
    places_search,
)
from trials.models import Location, Trial

__all__ = ["Place", "place_get", "places_all", "places_search"]

# The distances a patient may pick, in km; None: anywhere.
DISTANCES = (25, 50, 100, 250, 500, 1000)

TERMS_CACHE_SECONDS = 600


def condition_terms_all() -> list[tuple[str, int]]:
    """The catalogue's condition terms (conditions, keywords, MeSH terms) of open trials,
    as (term in lower case, trials), most used first. Cached 10 minutes."""
    found = cache.get("matching:terms:v2")
    if found is not None:
        return [tuple(row) for row in found]  # type: ignore[misc]
    counts: dict[str, int] = {}
    for terms in (
        Trial.objects.taking_applicants()
        .order_by()
        .values_list("condition_terms", flat=True)
        .iterator(chunk_size=2000)
    ):
        for term in terms.strip("|").split("|"):
            if term:
                counts[term] = counts.get(term, 0) + 1
    result = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    cache.set("matching:terms:v2", result, TERMS_CACHE_SECONDS)
    return result


def condition_terms_search(query: str, *, limit: int = 10) -> list[tuple[str, int]]:
    """Terms that contain `query`, those starting with it first; "scleroderma" finds
    the MeSH term "scleroderma, systemic" of the systemic sclerosis trials. Case and
    accents are ignored: "Sjögren" finds "sjogren syndrome" and "Behcet" "behçet"."""
    text = name_fold(query)
    if len(text) < 2:
        return []
    terms = [(t, name_fold(t[0])) for t in condition_terms_all()]
    first = [t for t, folded in terms if folded.startswith(text)]
    then = [t for t, folded in terms if text in folded and not folded.startswith(text)]
    return (first + then)[:limit]


# How alike a typed condition and a catalogue term must be to offer the term instead
# (difflib's ratio, 0–1). 0.85 lets a slip or two through in a word of ten letters
# ("sclerodrema" 0.91, "astma" 0.91, "diabetis" 0.88) and keeps near-misses out
# ("cancer du sein" ~ "cancer skin" 0.80, "astma" ~ "asctm" 0.80).
CLOSE_RATIO = 0.85


def condition_terms_close(query: str, *, limit: int = 5) -> list[tuple[str, int]]:
    """Terms spelled close to `query`, for a condition that no term contains: a typo
    ("sclerodrema" finds "scleroderma, systemic") or words in another order. Each term,
    and each run of as many of its words as the query has, is compared with difflib's
    ratio (at least `CLOSE_RATIO`); best first, then the most used. Shape as
    `condition_terms_search`: (term, open trials)."""
    text = name_fold(query)
    if len(text) < 4:
        return []
    typed = text.replace(",", " ").split()
    as_typed = SequenceMatcher(autojunk=False)
    as_typed.set_seq2(" ".join(typed))
    any_order = SequenceMatcher(autojunk=False)
    any_order.set_seq2(" ".join(sorted(typed)))
    scored: list[tuple[float, int, str]] = []
    for term, trials in condition_terms_all():
        words = name_fold(term).replace(",", " ").split()
        pieces = [(any_order, " ".join(sorted(words)))] + [
            (as_typed, " ".join(words[i : i + len(typed)]))
            for i in range(max(1, len(words) - len(typed) + 1))
        ]
        best = 0.0
        for matcher, piece in pieces:
            matcher.set_seq1(piece)
            if matcher.real_quick_ratio() >= CLOSE_RATIO and matcher.quick_ratio() >= CLOSE_RATIO:
                best = max(best, matcher.ratio())
        if best >= CLOSE_RATIO:
            scored.append((best, trials, term))
    scored.sort(key=lambda item: (-item[0], -item[1], item[2]))
    return [(term, trials) for _ratio, trials, term in scored[:limit]]


def condition_filter(condition: str) -> Q:
    """Trials one of whose condition terms contains the condition's words in order,
    case and accents aside (both sides folded by `trials.folding.condition_fold`)."""
    return Q(condition_terms__contains=condition_fold(condition))


def question_domains() -> dict[str, QuestionDomain]:
    return {
        key: QuestionDomain(
            key=key,
            type=q.type,
            min=q.min,
            max=q.max,
            choices=tuple(choice for choice, _label in q.choices),
            known=known_likelihood(type_=q.type, clinical=q.clinical),
            order=order,
        )
        for order, (key, q) in enumerate(QUESTIONS.items())
    }


@dataclass
class Candidate:
    """One open trial for the condition, with its nearest open site."""

    pk: int
    nct_id: str
    brief_title: str
    overall_status: str
    km: float | None = None
    site: str = ""
    standing: Standing | None = None


@dataclass
class Search:
    """The trials of one search: candidates (within reach) grouped by shape, and the
    open trials for the condition left out for distance."""

    shapes: list[Shape] = field(default_factory=list)
    too_far: int = 0
    total: int = 0  # open trials for the condition, before distance


def search_run(
    *,
    condition: str,
    latitude: float | None = None,
    longitude: float | None = None,
    max_km: float | None = None,
) -> Search:
    """The candidates for a condition and a place. Two queries (trials, then their open
    sites), a third when a criteria digest is new to this process (`criteria_by_digest`).

    With a place, each candidate's nearest open site and its distance in km (haversine)
    are set; with `max_km` too, trials without an open site that near are counted in
    `too_far` and left out.
    """
    trials = Trial.objects.taking_applicants().filter(condition_filter(condition)).order_by()
    rows = list(
        trials.values_list(
            "pk",
            "nct_id",
            "brief_title",
            "overall_status",
            "sex",
            "minimum_age",
            "maximum_age",
            "healthy_volunteers",
            "criteria_digest",
        )
    )
    search = Search(total=len(rows))
    if not rows:
        return search
    nearest: dict[int, tuple[float, str]] = {}
    located = latitude is not None and longitude is not None
    if located:
        sites = Location.objects.filter(
            trial_id__in=[row[0] for row in rows],
            latitude__isnull=False,
            longitude__isnull=False,
            status__in=OPEN_SITE_STATUSES,
        ).order_by()
        if max_km is not None:
            low, high, west, east = bounding_box(latitude, longitude, max_km)  # type: ignore[arg-type]
            sites = sites.filter(
                latitude__gte=low, latitude__lte=high, longitude__gte=west, longitude__lte=east
            )
        for trial_id, lat, lon, facility, city, country in sites.values_list(
            "trial_id", "latitude", "longitude", "facility", "city", "country"
        ):
            km = distance_km(latitude, longitude, lat, lon)  # type: ignore[arg-type]
            if max_km is not None and km > max_km:
                continue
            if trial_id not in nearest or km < nearest[trial_id][0]:
                name = ", ".join(p for p in (facility, city, country) if p)
                nearest[trial_id] = (km, name)
    kept = []
    for row in rows:
        if located and max_km is not None and row[0] not in nearest:
            search.too_far += 1
            continue
        kept.append(row)
    contents = criteria_by_digest({row[-1]: row[0] for row in kept if row[-1]})
    listing = Trial()
    by_shape: dict[tuple[Any, ...], Shape] = {}
    for pk, nct_id, title, status, *limits, digest in kept:
        code = "" if digest else nct_id
        key = (*limits, digest, code if _has_code(code) else "")
        shape = by_shape.get(key)
        if shape is None:
            listing.sex, listing.minimum_age, listing.maximum_age, listing.healthy_volunteers = (
                limits
            )
            listing.nct_id = key[-1]
            encoded = contents[digest] if digest else _code_encoding(key[-1])
            specs = trial_criteria(trial=listing, encoded=encoded)
            shape = by_shape[key] = Shape(specs=tuple(specs))
        km, site = nearest.get(pk, (None, ""))
        shape.members.append(Candidate(pk, nct_id, title, status, km, site))
    search.shapes = list(by_shape.values())
    return search


def _has_code(nct_id: str) -> bool:
    return nct_id in ENCODED


@dataclass
class Matches:
    """The matches page: ranked trials and the ones not shown, by reason."""

    shown: list[Candidate]
    not_shown: dict[str, int]
    possible: int


def matches_rank(*, search: Search, answers: Mapping[str, Any]) -> Matches:
    """Every candidate screened on `answers` (validated), ranked by `rank_key`; the ones
    the answers rule out counted by the first reason: age, sex, or another answer."""
    values = answers_with_derived(answers)
    shown: list[Candidate] = []
    not_shown = {"too_far": search.too_far, "age": 0, "sex": 0, "answers": 0}
    for shape in search.shapes:
        result = standing([criterion_outcome(spec, values) for spec in shape.specs])
        for candidate in shape.members:
            candidate.standing = result
        if result.verdict == "not_eligible":
            reason = (
                "age"
                if "age" in result.failed_basic
                else "sex"
                if "sex" in result.failed_basic
                else "answers"
            )
            not_shown[reason] += shape.count
        else:
            shown.extend(shape.members)
    shown.sort(
        key=lambda c: rank_key(c.standing.verdict, c.standing.score, c.km, c.nct_id)  # type: ignore[union-attr]
    )
    return Matches(shown=shown, not_shown=not_shown, possible=len(shown))
