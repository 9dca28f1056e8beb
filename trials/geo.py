"""Where trials take place: the catalogue's cities, and distances to their sites.

A place is a city of the catalogue's own sites, at the mean of its sites' coordinates
(ClinicalTrials.gov `locations[].geoPoint`); nothing is looked up with a third party.
Distances are great-circle kilometres by the haversine formula on the IUGG mean Earth
radius (6371.0088 km); `bounding_box` lets the database discard far sites first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Avg, Count, F, FloatField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import ASin, Cos, Power, Radians, Sin, Sqrt
from django.utils.text import slugify
from django.utils.translation import gettext as _

from trials.folding import text_fold
from trials.models import Location, Trial

# Mean Earth radius (IUGG, Moritz 2000), in km: the haversine's sphere.
EARTH_RADIUS_KM = 6371.0088

# Site statuses under which a site can take a patient (ClinicalTrials.gov
# LocationStatus); a site without a status counts when its trial is open.
OPEN_SITE_STATUSES = ("RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION", "")

PLACES_CACHE_SECONDS = 600


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points in degrees, in km (haversine formula)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lon: float, km: float) -> tuple[float, float, float, float]:
    """(min lat, max lat, min lon, max lon) of a box holding every point within `km`.

    A cheap pre-filter; the haversine decides. Near a pole or across the antimeridian,
    the longitude range opens to the whole circle.
    """
    dlat = math.degrees(km / EARTH_RADIUS_KM)
    low, high = lat - dlat, lat + dlat
    if low <= -90 or high >= 90:
        return max(low, -90.0), min(high, 90.0), -180.0, 180.0
    dlon = math.degrees(km / (EARTH_RADIUS_KM * math.cos(math.radians(lat))))
    if lon - dlon < -180 or lon + dlon > 180:
        return low, high, -180.0, 180.0
    return low, high, lon - dlon, lon + dlon


@dataclass(frozen=True)
class Place:
    """A city of the catalogue's sites, at the mean of its sites' coordinates."""

    id: str
    name: str
    latitude: float
    longitude: float
    sites: int = 0


def places_all() -> list[Place]:
    """Every city with a located site of an open trial, biggest first (cached 10 min).

    The id is a slug of "city state country", stable across imports, safe in a URL.
    """
    found = cache.get("trials:places:v1")
    if found is not None:
        return [Place(*row) for row in found]
    rows = (
        Location.objects.filter(
            trial__in=Trial.objects.taking_applicants().order_by().values("pk"),
            latitude__isnull=False,
            longitude__isnull=False,
        )
        .exclude(city="")
        .values("city", "state", "country")
        .annotate(lat=Avg("latitude"), lon=Avg("longitude"), n=Count("id"))
        .order_by("-n", "city", "state", "country")
    )
    places: dict[str, Place] = {}
    for row in rows:
        name = ", ".join(p for p in (row["city"], row["state"], row["country"]) if p)
        pid = slugify(name)[:80]
        if pid and pid not in places:
            places[pid] = Place(pid, name, round(row["lat"], 4), round(row["lon"], 4), row["n"])
    result = list(places.values())
    cache.set(
        "trials:places:v1",
        [(p.id, p.name, p.latitude, p.longitude, p.sites) for p in result],
        PLACES_CACHE_SECONDS,
    )
    return result


def place_get(place_id: str) -> Place | None:
    return next((p for p in places_all() if p.id == place_id), None)


def name_fold(text: str) -> str:
    """`text` for matching a typed city: case-folded, accents dropped (Unicode NFKD
    without combining marks), spaces collapsed; "Montréal" and "MONTREAL" fold alike."""
    return text_fold(text)


def places_search(query: str, *, limit: int = 10) -> list[Place]:
    """Cities whose name starts with, then contains, `query`, then holds all its words
    ("Montreal, Canada" finds "Montreal, Quebec, Canada"); case- and accent-insensitive
    ("Montréal" finds "Montreal", "Quebec" finds "Québec")."""
    text = name_fold(query)
    if len(text) < 2:
        return []
    words = text.replace(",", " ").split()
    every = [(p, name_fold(p.name)) for p in places_all()]
    found = [p for p, name in every if name.startswith(text)]
    found += [p for p, name in every if text in name and p not in found]
    found += [p for p, name in every if p not in found and all(w in name for w in words)]
    return found[:limit]


def _site_km(latitude: float, longitude: float) -> Any:
    """The haversine as a database expression over a Location row's coordinates."""
    phi = math.radians(latitude)
    half_dphi = (Radians(F("latitude")) - Value(phi)) / Value(2.0)
    half_dlambda = (Radians(F("longitude")) - Value(math.radians(longitude))) / Value(2.0)
    a = Power(Sin(half_dphi), 2) + Value(math.cos(phi)) * Cos(Radians(F("latitude"))) * Power(
        Sin(half_dlambda), 2
    )
    return Value(2 * EARTH_RADIUS_KM) * ASin(Sqrt(a))


def trials_near(
    trials: QuerySet[Trial], *, latitude: float, longitude: float, max_km: float | None
) -> QuerySet[Trial]:
    """`trials` with `distance_km`, the distance to their nearest open located site,
    nearest first; with `max_km`, only those with such a site that near.

    One query: a correlated subquery on the sites, bounded by the bounding box.
    """
    sites = Location.objects.filter(
        trial=OuterRef("pk"),
        latitude__isnull=False,
        longitude__isnull=False,
        status__in=OPEN_SITE_STATUSES,
    )
    if max_km is not None:
        low, high, west, east = bounding_box(latitude, longitude, max_km)
        sites = sites.filter(
            latitude__gte=low, latitude__lte=high, longitude__gte=west, longitude__lte=east
        )
    nearest = sites.annotate(km=_site_km(latitude, longitude)).order_by("km").values("km")[:1]
    found = trials.annotate(distance_km=Subquery(nearest, output_field=FloatField()))
    if max_km is not None:
        found = found.filter(distance_km__lte=max_km)
    else:
        found = found.filter(distance_km__isnull=False)
    return found.order_by("distance_km", "nct_id")


def sites_by_distance(sites: list[Location], *, latitude: float, longitude: float) -> list[Any]:
    """The sites nearest first, each with `distance_km` set (None, last, when unlocated)."""
    for site in sites:
        site.distance_km = (  # type: ignore[attr-defined]
            None
            if site.latitude is None or site.longitude is None
            else distance_km(latitude, longitude, site.latitude, site.longitude)
        )
    return sorted(
        sites,
        key=lambda s: (s.distance_km is None, s.distance_km or 0.0),  # type: ignore[attr-defined]
    )


# The browser's location, once the patient shared it: (latitude, longitude) rounded to
# about 1 km, on the session only, never in a URL.
SESSION_NEAR = "near_point"


def near_point(request: Any, near: str) -> Place | None:
    """Where to measure from: "here" (the browser's location on the session), or a city
    of the catalogue by id or name; None when neither is known."""
    text = near.strip()
    if not text:
        return None
    if text == "here":
        point = request.session.get(SESSION_NEAR) if hasattr(request, "session") else None
        if not point:
            return None
        return Place("here", _("your location"), float(point[0]), float(point[1]))
    found = place_get(text) or next(iter(places_search(text, limit=1)), None)
    return found
