"""Scale data for the benchmark: thousands of trials, a hundred thousand applications.

Trials are varied copies of the real records in data/ctgov, each mapped through the real
importer (`study_from_record`) and built with the importer's own field builders, so that
the denormalized search fields are exactly what `trial_upsert` would store. Rows are
written with `bulk_create` in batches. Everything derives from one random seed, and a
marker row records the scale: a second run with the same scale writes nothing.

Run it alone with `python -m bench seed`; `python -m bench` seeds before it measures.
"""

from __future__ import annotations

import copy
import json
import random
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import AuditEvent, TrialMembership, User
from bench.engine import ANSWERS
from screening.eligibility import evaluate
from screening.explain import evaluation_snapshot
from screening.models import Application, Criterion, Note, StatusChange
from screening.questions import answers_validate
from screening.selectors import trial_criteria
from screening.services.criteria import criteria_load_reference
from trials.importers.ctgov import study_from_record
from trials.models import Location, Official, OverallStatus, Sex, Trial
from trials.services import (
    trial_fields_from_study,
    trial_import_paths,
    trial_officials_from_study,
    trial_search_vectors_refresh,
    trial_sites_from_study,
)
from trials.similar import similar_refresh

REFERENCE_TRIAL = "NCT04356287"
COORDINATOR_EMAIL = "coordinator@bench.example"
COORDINATOR_PASSWORD = "bench-coordinator-password"  # noqa: S105 - a throwaway bench DB
COORDINATOR_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXB"  # noqa: S105
MARKER_TABLE = "bench_seed_marker"
BATCH = 2000

# A share of the copies keep their record's conditions; the others get one or two of these,
# so that searches and the "similar trials" box meet realistic term overlap.
CONDITIONS = [
    "Asthma", "Type 2 Diabetes", "Hypertension", "Breast Cancer", "Lung Cancer",
    "Prostate Cancer", "Colorectal Cancer", "Melanoma", "Rheumatoid Arthritis", "Lupus",
    "Systemic Sclerosis", "Multiple Sclerosis", "Parkinson Disease", "Alzheimer Disease",
    "Depression", "Anxiety Disorders", "Schizophrenia", "Obesity", "Heart Failure",
    "Atrial Fibrillation", "Coronary Artery Disease", "Stroke", "Chronic Kidney Disease",
    "COPD", "Cystic Fibrosis", "Crohn Disease", "Ulcerative Colitis", "Psoriasis",
    "Atopic Dermatitis", "Migraine", "Epilepsy", "HIV Infections", "Hepatitis C",
    "COVID-19", "Influenza", "Osteoarthritis", "Osteoporosis", "Chronic Pain",
    "Sickle Cell Disease", "Leukemia", "Lymphoma", "Endometriosis", "Dysphagia",
]  # fmt: skip
TITLE_OPENINGS = [
    "A Study of", "Safety and Efficacy of", "A Randomized Trial of", "Long-term Follow-up of",
    "Pilot Study of", "Phase 2 Study of", "Observational Cohort in", "Dose-finding Study in",
]  # fmt: skip
CITIES = [
    ("Paris", "France"), ("Lyon", "France"), ("Lille", "France"), ("Berlin", "Germany"),
    ("Munich", "Germany"), ("Madrid", "Spain"), ("Milan", "Italy"), ("Rome", "Italy"),
    ("London", "United Kingdom"), ("Leeds", "United Kingdom"), ("Boston", "United States"),
    ("Houston", "United States"), ("Seattle", "United States"), ("Toronto", "Canada"),
    ("Montreal", "Canada"), ("Sydney", "Australia"), ("Tokyo", "Japan"),
    ("Sao Paulo", "Brazil"), ("Warsaw", "Poland"), ("Amsterdam", "Netherlands"),
]  # fmt: skip
# Where each bench city's sites are (city centres, degrees), so distances can be measured.
CITY_POINTS = {
    "Paris": (48.8566, 2.3522), "Lyon": (45.764, 4.8357), "Lille": (50.6292, 3.0573),
    "Berlin": (52.52, 13.405), "Munich": (48.1351, 11.582), "Madrid": (40.4168, -3.7038),
    "Milan": (45.4642, 9.19), "Rome": (41.9028, 12.4964), "London": (51.5072, -0.1276),
    "Leeds": (53.8008, -1.5491), "Boston": (42.3601, -71.0589), "Houston": (29.7604, -95.3698),
    "Seattle": (47.6062, -122.3321), "Toronto": (43.6532, -79.3832),
    "Montreal": (45.5017, -73.5673), "Sydney": (-33.8688, 151.2093), "Tokyo": (35.6762, 139.6503),
    "Sao Paulo": (-23.5558, -46.6396), "Warsaw": (52.2297, 21.0122),
    "Amsterdam": (52.3676, 4.9041),
}  # fmt: skip
STATUS_WEIGHTS = {
    OverallStatus.RECRUITING: 30,
    OverallStatus.NOT_YET_RECRUITING: 10,
    OverallStatus.ENROLLING_BY_INVITATION: 3,
    OverallStatus.ACTIVE_NOT_RECRUITING: 12,
    OverallStatus.COMPLETED: 30,
    OverallStatus.TERMINATED: 6,
    OverallStatus.WITHDRAWN: 3,
    OverallStatus.UNKNOWN: 6,
}
AGE_LIMITS = [
    ("18 Years", None), ("18 Years", "65 Years"), ("18 Years", "75 Years"),
    ("12 Years", "17 Years"), ("65 Years", None), ("6 Months", "5 Years"), (None, None),
    ("40 Years", "80 Years"),
]  # fmt: skip
APPLICATION_STATUS_WEIGHTS = {
    Application.Status.NEW: 40,
    Application.Status.IN_REVIEW: 20,
    Application.Status.CONTACTED_1: 10,
    Application.Status.CONTACTED_2: 4,
    Application.Status.CONTACTED_3: 2,
    Application.Status.VISIT_SCHEDULED: 5,
    Application.Status.ENROLLED: 4,
    Application.Status.NOT_ELIGIBLE: 8,
    Application.Status.NOT_INTERESTED: 4,
    Application.Status.UNREACHABLE: 2,
    Application.Status.WITHDRAWN: 1,
}
FIRST_NAMES = ["Ana", "Ben", "Chloé", "David", "Emma", "Farid", "Grace", "Hugo", "Inès", "Jon"]
LAST_NAMES = ["Martin", "Bernard", "Dubois", "Smith", "Okafor", "Nguyen", "Rossi", "Kowalski"]
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class Scale:
    """How much data to seed; the marker compares all of it."""

    trials: int = 10_000
    applications: int = 100_000
    # Applications on the coordinator's queue trial (the reference trial).
    queue_applications: int = 5_000
    encoded_share: float = 0.10
    seed: int = 20_250_611

    def key(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


@dataclass(frozen=True)
class SeedReport:
    seeded: bool
    seconds: float
    counts: dict[str, int]


def seed(scale: Scale, *, log: Any = print) -> SeedReport:
    """Fill the current database to `scale` unless the marker says it already is.

    A database seeded with another scale is flushed first: the bench owns its database.
    """
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    if _marker() == scale.key():
        return SeedReport(False, time.perf_counter() - started, _counts())
    if _marker() is not None or Trial.objects.exists():
        log("bench: the database holds other data; flushing it")
        if connection.vendor == "postgresql":
            # TRUNCATE refuses tables with deferred checks pending in this transaction.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        call_command("flush", interactive=False, verbosity=0)
    _Seeder(scale, log=log).run()
    _marker_write(scale.key())
    return SeedReport(True, time.perf_counter() - started, _counts())


def _counts() -> dict[str, int]:
    models_ = [Trial, Location, Criterion, Application, StatusChange, Note, AuditEvent]
    return {m._meta.verbose_name_plural.replace(" ", "_"): m.objects.count() for m in models_}


def _marker() -> str | None:
    with connection.cursor() as cursor:
        if MARKER_TABLE not in connection.introspection.table_names(cursor):
            return None
        cursor.execute(f"SELECT scale FROM {MARKER_TABLE}")  # noqa: S608 - a constant
        row = cursor.fetchone()
    return row[0] if row else None


def _marker_write(key: str) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (scale TEXT NOT NULL)")
        cursor.execute(f"DELETE FROM {MARKER_TABLE}")  # noqa: S608 - a constant
        cursor.execute(f"INSERT INTO {MARKER_TABLE} (scale) VALUES (%s)", [key])  # noqa: S608


def marker_clear() -> None:
    """Forget the marker, so that the next `seed` starts from an empty database."""
    with connection.cursor() as cursor:
        if MARKER_TABLE in connection.introspection.table_names(cursor):
            cursor.execute(f"DROP TABLE {MARKER_TABLE}")


@contextmanager
def explicit_timestamps(*fields: models.DateTimeField) -> Iterator[None]:
    """Let bulk_create store the given auto_now/auto_now_add fields as set on the rows.

    Seeded history needs spread-out dates; the fields are restored on exit.
    """
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _field(model: type[models.Model], name: str) -> Any:
    return model._meta.get_field(name)


def _batches(rows: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def reference_code(n: int) -> str:
    """A distinct 8-character application reference for each n (a scrambled base-31 n)."""
    base = len(REFERENCE_ALPHABET)
    value = (n * 1_000_003 + 7_919) % base**8  # 1_000_003 is prime to 31: one-to-one
    chars = []
    for _ in range(8):
        value, digit = divmod(value, base)
        chars.append(REFERENCE_ALPHABET[digit])
    return "".join(chars)


class _Seeder:
    def __init__(self, scale: Scale, *, log: Any) -> None:
        self.scale = scale
        self.rng = random.Random(scale.seed)  # noqa: S311 - reproducible, not secret
        self.log = log
        self.now = timezone.now().replace(microsecond=0)

    def step(self, label: str, fn: Any) -> Any:
        started = time.perf_counter()
        result = fn()
        self.log(f"bench: seeded {label} in {time.perf_counter() - started:.1f} s")
        return result

    def run(self) -> None:
        with transaction.atomic():
            self.step("the real trials and the reference criteria", self.real_trials)
            self.step("trial copies", self.trial_copies)
            self.step("encoded criteria", self.encoded_criteria)
            self.step("coordinators", self.coordinators)
            self.step("applications", self.applications)
            self.step("status changes, notes and audit rows", self.history)
        if connection.vendor == "postgresql":
            # The steady state autovacuum keeps in production: statistics, and a
            # visibility map so that counts are index-only scans. VACUUM cannot run in a
            # transaction (the test suite's), where ANALYZE alone is what can be had.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")

    def real_trials(self) -> None:
        report = trial_import_paths(paths=[settings.BASE_DIR / "data" / "ctgov"])
        if report.failed:
            raise RuntimeError(f"real trials failed to import: {report.failures}")
        criteria_load_reference()

    def trial_copies(self) -> None:
        records = []
        for path in sorted((settings.BASE_DIR / "data" / "ctgov").glob("*.json")):
            record = json.loads(path.read_text(encoding="utf-8"))
            # Results and derived sections are large and never read by the portal.
            records.append({"protocolSection": record["protocolSection"], "hasResults": False})
        all_sites = [
            site
            for record in records
            for site in record["protocolSection"]
            .get("contactsLocationsModule", {})
            .get("locations", [])
        ]
        missing = self.scale.trials - Trial.objects.count()
        trials: list[Trial] = []
        studies = []
        for n in range(max(0, missing)):
            data = study_from_record(self.varied(records[n % len(records)], n, all_sites))
            studies.append(data)
            trials.append(Trial(nct_id=data.nct_id, **trial_fields_from_study(data)))
        for batch in _batches(trials):
            Trial.objects.bulk_create(batch)
            trial_search_vectors_refresh(trials=Trial.objects.filter(pk__in=[t.pk for t in batch]))
        sites = [
            s
            for t, d in zip(trials, studies, strict=True)
            for s in trial_sites_from_study(trial=t, data=d)
        ]
        for batch in _batches(sites):
            Location.objects.bulk_create(batch)
        officials = [
            o
            for t, d in zip(trials, studies, strict=True)
            for o in trial_officials_from_study(trial=t, data=d)
        ]
        for batch in _batches(officials):
            Official.objects.bulk_create(batch)
        if trials:
            similar_refresh()

    def varied(self, base: dict[str, Any], n: int, all_sites: list[Any]) -> dict[str, Any]:
        """A plausible new study from a real one: other id, title, conditions, sites, ages."""
        rng = self.rng
        record = copy.deepcopy(base)
        p = record["protocolSection"]
        ident = p["identificationModule"]
        ident["nctId"] = f"NCT9{n:07d}"
        conditions = p.setdefault("conditionsModule", {})
        if rng.random() < 0.7:
            conditions["conditions"] = rng.sample(CONDITIONS, rng.choice((1, 1, 2)))
        topic = conditions.get("conditions", ["Healthy Volunteers"])[0]
        ident["briefTitle"] = f"{rng.choice(TITLE_OPENINGS)} {topic}: {ident['briefTitle']}"[:300]
        ident.pop("acronym", None)
        p["statusModule"]["overallStatus"] = rng.choices(
            list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values())
        )[0]
        start = datetime(2015, 1, 1) + timedelta(days=rng.randrange(0, 3650))  # noqa: DTZ001
        p["statusModule"]["startDateStruct"] = {"date": start.strftime("%Y-%m-%d")}
        eligibility = p.setdefault("eligibilityModule", {})
        eligibility["sex"] = rng.choices([Sex.ALL, Sex.FEMALE, Sex.MALE], weights=[8, 1, 1])[0]
        low, high = rng.choice(AGE_LIMITS)
        for key, value in (("minimumAge", low), ("maximumAge", high)):
            if value is None:
                eligibility.pop(key, None)
            else:
                eligibility[key] = value
        # Most studies have a handful of sites; a few have dozens.
        count = rng.choice((0, 1, 1, 1, 2, 3, 4, 6, 10, 40))
        sites = []
        for site in rng.sample(all_sites, min(count, len(all_sites))):
            site = dict(site)
            site["city"], site["country"] = rng.choice(CITIES)
            lat, lon = CITY_POINTS[site["city"]]
            site["geoPoint"] = {"lat": lat, "lon": lon}
            sites.append(site)
        p.setdefault("contactsLocationsModule", {})["locations"] = sites
        return record

    def encoded_criteria(self) -> None:
        reference = Trial.objects.get(nct_id=REFERENCE_TRIAL)
        rows = list(Criterion.objects.filter(trial=reference).values())
        # The real trials already have their own criteria, drafted on import.
        others = list(
            Trial.objects.exclude(pk=reference.pk)
            .filter(criteria__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        chosen = self.rng.sample(others, int(len(others) * self.scale.encoded_share))
        copies = [
            Criterion(**{**row, "id": None, "trial_id": trial_id})
            for trial_id in chosen
            for row in rows
        ]
        for batch in _batches(copies):
            Criterion.objects.bulk_create(batch)

    def coordinators(self) -> None:
        self.coordinator = User.objects.create_user(
            email=COORDINATOR_EMAIL, password=COORDINATOR_PASSWORD, first_name="Queue"
        )
        self.queue_trial = Trial.objects.get(nct_id=REFERENCE_TRIAL)
        TrialMembership.objects.create(user=self.coordinator, trial=self.queue_trial)
        # A colleague per busy trial, sharing one password hash (hashing is slow on purpose).
        password = User.objects.get(pk=self.coordinator.pk).password
        team_trials = list(Trial.objects.order_by("pk").values_list("pk", flat=True)[:200])
        users = User.objects.bulk_create(
            User(email=f"team{i}@bench.example", password=password, first_name=f"Team {i}")
            for i in range(len(team_trials))
        )
        TrialMembership.objects.bulk_create(
            TrialMembership(user=u, trial_id=t) for u, t in zip(users, team_trials, strict=True)
        )
        self.team = {t: u.pk for u, t in zip(users, team_trials, strict=True)}

    def answer_sets(self, count: int = 60) -> list[dict[str, Any]]:
        rng = self.rng
        sets = []
        for _ in range(count):
            answers = dict(ANSWERS)
            answers["age"] = rng.randrange(16, 85)
            answers["sex"] = rng.choice(("female", "male"))
            answers["mrss"] = rng.randrange(5, 45)
            answers["fvc_pct_predicted"] = rng.randrange(35, 110)
            answers["disease_duration_years"] = rng.choice((0.5, 1.5, 3, 6))
            for key in ("past_renal_crisis", "cancer_or_myelodysplasia", "pregnant"):
                answers[key] = rng.random() < 0.1
            for key in ("mpap_mmhg", "cd4_10e6_l", "esr_mm_h"):
                if rng.random() < 0.5:
                    answers[key] = None
            sets.append(answers_validate(answers))
        return sets

    def applications(self) -> None:
        rng, scale = self.rng, self.scale
        trials = {t.pk: t for t in Trial.objects.prefetch_related("criteria")}
        queue_pk = self.queue_trial.pk
        others = [pk for pk in trials if pk != queue_pk]
        # A long tail: most trials get a few applications, some get hundreds.
        weights = [rng.paretovariate(1.2) for _ in others]
        rest = max(0, scale.applications - scale.queue_applications)
        targets = [queue_pk] * min(scale.queue_applications, scale.applications) + rng.choices(
            others, weights=weights, k=rest
        )
        answer_sets = self.answer_sets()
        snapshots: dict[tuple[Any, ...], dict[str, Any]] = {}
        statuses = list(APPLICATION_STATUS_WEIGHTS)
        status_weights = list(APPLICATION_STATUS_WEIGHTS.values())
        apps = []
        for n, trial_pk in enumerate(targets):
            trial = trials[trial_pk]
            which = rng.randrange(len(answer_sets))
            # Trials with criteria rows carry copies of the reference criteria, so the basic
            # rules (their shape) and the answers decide the evaluation; a real trial's own
            # drafted criteria are its alone.
            criteria = trial.criteria.all()
            own = any(c.origin == Criterion.Origin.DRAFTER for c in criteria)
            shape = (trial.pk if own else bool(criteria), *self.shape(trial), which)
            if shape not in snapshots:
                specs = trial_criteria(trial=trial)
                snapshots[shape] = evaluation_snapshot(
                    nct_id=trial.nct_id, evaluation=evaluate(specs, answer_sets[which])
                )
            evaluation = {**snapshots[shape], "trial": trial.nct_id}
            created = self.now - timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            apps.append(
                Application(
                    reference=reference_code(n),
                    status_token=f"bench-{n}-{rng.getrandbits(128):032x}",
                    trial_id=trial_pk,
                    full_name=f"{first} {last}",
                    email=f"patient{n}@bench.example",
                    phone=f"+33 6 {rng.randrange(10**8):08d}",
                    answers=answer_sets[which],
                    evaluation=evaluation,
                    verdict=evaluation["verdict"],
                    score=evaluation["score"],
                    consent_version="1",
                    consented_at=created,
                    status=rng.choices(statuses, weights=status_weights)[0],
                    status_changed_at=created,
                    assigned_to_id=self.team.get(trial_pk) if rng.random() < 0.3 else None,
                    created_at=created,
                    updated_at=created,
                )
            )
        fields = [_field(Application, n) for n in ("created_at", "updated_at", "status_changed_at")]
        with explicit_timestamps(*fields):
            for batch in _batches(apps):
                Application.objects.bulk_create(batch)
        self.apps = apps

    @staticmethod
    def shape(trial: Trial) -> tuple[Any, ...]:
        """What a trial without criteria rows is screened on (its basic rules)."""
        return (trial.sex, trial.minimum_age, trial.maximum_age, trial.healthy_volunteers)

    def history(self) -> None:
        rng = self.rng
        changes, notes, events = [], [], []
        for app in self.apps:
            actor = self.team.get(app.trial_id)
            if app.trial_id == self.queue_trial.pk:
                actor = self.coordinator.pk
            at = app.created_at
            steps = [] if app.status == Application.Status.NEW else [Application.Status.IN_REVIEW]
            if app.status not in (Application.Status.NEW, Application.Status.IN_REVIEW):
                steps.append(app.status)
            previous = Application.Status.NEW
            for status in steps:
                at += timedelta(hours=rng.randrange(1, 72))
                changes.append(
                    StatusChange(
                        application=app, from_status=previous, to_status=status, by_id=actor, at=at
                    )
                )
                events.append(self.event(actor, "application.status", app, at, previous, status))
                previous = status
            if actor is not None and rng.random() < 0.2:
                at += timedelta(hours=rng.randrange(1, 48))
                notes.append(
                    Note(
                        application=app,
                        author_id=actor,
                        text="Called; left a message.",
                        created_at=at,
                    )
                )
                events.append(self.event(actor, "application.note", app, at))
            if actor is not None and steps:
                events.append(self.event(actor, "application.view", app, app.created_at))
        with explicit_timestamps(
            _field(StatusChange, "at"), _field(Note, "created_at"), _field(AuditEvent, "at")
        ):
            for model, rows in ((StatusChange, changes), (Note, notes), (AuditEvent, events)):
                for batch in _batches(rows):
                    model.objects.bulk_create(batch)

    def event(
        self, actor: int | None, action: str, app: Application, at: datetime, *statuses: str
    ) -> AuditEvent:
        detail = dict(zip(("from_status", "to_status"), statuses, strict=False))
        return AuditEvent(
            actor_id=actor,
            action=action,
            target_type="application",
            target_id=app.reference,
            trial_id=self.trial_nct(app.trial_id),
            ip_address="127.0.0.1",
            detail=detail,
            at=at,
        )

    def trial_nct(self, pk: int) -> str:
        if not hasattr(self, "_nct"):
            self._nct = dict(Trial.objects.values_list("pk", "nct_id"))
        return self._nct[pk]
