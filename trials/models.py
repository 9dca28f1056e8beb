from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

# What full-text search reads, on PostgreSQL: the search document in English. The one
# definition: trial writers store it in Trial.search_vector (trials.services), which the
# selectors match and rank against; migration 0004 fills and indexes it with this as SQL.
SEARCH_CONFIG = "english"
SEARCH_VECTOR = SearchVector("search_document", config=SEARCH_CONFIG)


class OverallStatus(models.TextChoices):
    """Every overallStatus value of the ClinicalTrials.gov API v2, in words."""

    RECRUITING = "RECRUITING", _("Recruiting")
    NOT_YET_RECRUITING = "NOT_YET_RECRUITING", _("Not yet recruiting")
    ENROLLING_BY_INVITATION = "ENROLLING_BY_INVITATION", _("Enrolling by invitation")
    ACTIVE_NOT_RECRUITING = "ACTIVE_NOT_RECRUITING", _("Active, not recruiting")
    SUSPENDED = "SUSPENDED", _("Suspended")
    TERMINATED = "TERMINATED", _("Terminated")
    COMPLETED = "COMPLETED", _("Completed")
    WITHDRAWN = "WITHDRAWN", _("Withdrawn")
    UNKNOWN = "UNKNOWN", _("Unknown status")
    AVAILABLE = "AVAILABLE", _("Available")
    NO_LONGER_AVAILABLE = "NO_LONGER_AVAILABLE", _("No longer available")
    TEMPORARILY_NOT_AVAILABLE = "TEMPORARILY_NOT_AVAILABLE", _("Temporarily not available")
    APPROVED_FOR_MARKETING = "APPROVED_FOR_MARKETING", _("Approved for marketing")
    WITHHELD = "WITHHELD", _("Withheld")


# Which registry statuses take applicants: the one decision, made for every overallStatus
# of the API v2 data model (ClinicalTrials.gov "Overall Recruitment Status" and, for
# expanded access records, "Expanded Access Status"). Every status is listed, so a status
# added to OverallStatus without a decision fails at import time.
# Source: https://clinicaltrials.gov/data-api/about-api/study-data-structure (overallStatus).
STATUS_TAKES_APPLICANTS: dict[str, bool] = {
    OverallStatus.RECRUITING: True,
    OverallStatus.NOT_YET_RECRUITING: True,  # the team pre-screens before the first visit
    OverallStatus.ENROLLING_BY_INVITATION: True,  # the team invites from those who ask
    OverallStatus.ACTIVE_NOT_RECRUITING: False,
    OverallStatus.SUSPENDED: False,
    OverallStatus.TERMINATED: False,
    OverallStatus.COMPLETED: False,
    OverallStatus.WITHDRAWN: False,
    OverallStatus.UNKNOWN: False,  # not verified for two years: nobody to answer
    # Expanded access: "Available" means patients may request the treatment now.
    OverallStatus.AVAILABLE: True,
    OverallStatus.NO_LONGER_AVAILABLE: False,
    OverallStatus.TEMPORARILY_NOT_AVAILABLE: False,
    OverallStatus.APPROVED_FOR_MARKETING: False,  # prescribed, no longer requested here
    OverallStatus.WITHHELD: False,
}
if set(STATUS_TAKES_APPLICANTS) != set(OverallStatus.values):  # pragma: no cover
    raise ImportError("STATUS_TAKES_APPLICANTS must decide every OverallStatus")

# Statuses under which a patient can still hope to join; listed first by default.
OPEN_STATUSES = tuple(status for status, takes in STATUS_TAKES_APPLICANTS.items() if takes)


def status_takes_applicants(status: str) -> bool:
    """Whether a trial whose registry overallStatus is `status` takes applicants.

    False for a status outside the data model (never guessed open).
    """
    return STATUS_TAKES_APPLICANTS.get(status, False)


class TrialQuerySet(models.QuerySet["Trial"]):
    def taking_applicants(self) -> "TrialQuerySet":
        """Trials a patient may screen for and apply to now: an open registry status
        (`status_takes_applicants`) and screening left open by the study team."""
        return self.filter(overall_status__in=OPEN_STATUSES, screening_open=True)


class Sex(models.TextChoices):
    ALL = "ALL", _("All")
    FEMALE = "FEMALE", _("Female")
    MALE = "MALE", _("Male")


# Lazy labels, translated when shown; keyed by the stored value.
_STATUS_WORDS: dict[str, object] = {str(value): label for value, label in OverallStatus.choices}
_SEX_WORDS: dict[str, object] = {
    Sex.ALL: _("All sexes"),
    Sex.FEMALE: _("Women only"),
    Sex.MALE: _("Men only"),
}


class Trial(models.Model):
    """One ClinicalTrials.gov study, mapped from its API v2 record (kept whole in `raw`)."""

    nct_id = models.CharField(_("NCT number"), max_length=11, unique=True)
    brief_title = models.TextField(_("title"))
    official_title = models.TextField(blank=True)
    acronym = models.CharField(max_length=100, blank=True)
    organization = models.CharField(max_length=500, blank=True)
    lead_sponsor = models.CharField(max_length=500, blank=True)
    lead_sponsor_class = models.CharField(max_length=40, blank=True)
    collaborators = models.JSONField(default=list, blank=True)
    overall_status = models.CharField(max_length=40, choices=OverallStatus.choices, db_index=True)
    phases = models.JSONField(default=list, blank=True)
    study_type = models.CharField(max_length=40, blank=True)
    conditions = models.JSONField(default=list, blank=True)
    keywords = models.JSONField(default=list, blank=True)
    brief_summary = models.TextField(blank=True)
    detailed_description = models.TextField(blank=True)
    eligibility_criteria = models.TextField(blank=True)
    sex = models.CharField(max_length=6, choices=Sex.choices, default=Sex.ALL)
    # Ages in years; None means open-ended ("N/A" or not given).
    minimum_age = models.FloatField(null=True, blank=True)
    maximum_age = models.FloatField(null=True, blank=True)
    healthy_volunteers = models.BooleanField(null=True, blank=True)
    std_ages = models.JSONField(default=list, blank=True)
    # ClinicalTrials.gov dates may be "2020-05" or "2020-05-21": the text is kept as given,
    # the date (first of the month when only a month is known) serves sorting and filters.
    first_submitted = models.DateField(null=True, blank=True)
    start_date = models.DateField(null=True, blank=True)
    start_date_text = models.CharField(max_length=10, blank=True)
    start_date_type = models.CharField(max_length=10, blank=True)
    primary_completion_date = models.DateField(null=True, blank=True)
    primary_completion_date_text = models.CharField(max_length=10, blank=True)
    primary_completion_date_type = models.CharField(max_length=10, blank=True)
    completion_date = models.DateField(null=True, blank=True)
    completion_date_text = models.CharField(max_length=10, blank=True)
    completion_date_type = models.CharField(max_length=10, blank=True)
    last_update = models.DateField(null=True, blank=True)
    enrollment = models.PositiveIntegerField(null=True, blank=True)
    enrollment_type = models.CharField(max_length=10, blank=True)
    central_contacts = models.JSONField(default=list, blank=True)
    # Whether the study team accepts pre-screening applications through the portal.
    screening_open = models.BooleanField(_("screening open"), default=True)
    # How many working days (Monday to Friday) a new applicant may wait for a first
    # contact before "Today's work" flags them as overdue.
    contact_deadline_days = models.PositiveSmallIntegerField(
        _("contact deadline (working days)"), default=2
    )
    raw = models.JSONField(default=dict, blank=True)
    # Denormalized at import (trial_upsert): the text full-text search reads (title,
    # acronym, conditions, keywords, summary) and the conditions and keywords as
    # "|term|term|" in lower case, so that filters and "similar trials" match whole terms
    # with one portable LIKE instead of reaching into JSON.
    search_document = models.TextField(blank=True, editable=False)
    condition_terms = models.TextField(blank=True, editable=False)
    # SEARCH_VECTOR stored at each write, so that ranking does not recompute it for every
    # match. PostgreSQL only: it stays NULL on SQLite, which searches search_document.
    search_vector = SearchVectorField(null=True, editable=False)
    imported_at = models.DateTimeField(auto_now=True)
    # The catalogue's first sort key, kept by the database itself: 0 for a trial open to
    # new patients (OPEN_STATUSES), 1 otherwise. Indexed with the rest of the catalogue
    # order (trial_catalogue_order), so that the list's first page is an index scan,
    # not a sort of every trial (measured by `make bench`, issue 14).
    open_rank = models.GeneratedField(
        expression=models.Case(
            models.When(overall_status__in=[str(s) for s in OPEN_STATUSES], then=0),
            default=1,
        ),
        output_field=models.SmallIntegerField(),
        db_persist=True,
        editable=False,
    )
    # Up to SIMILAR_LIMIT other trials sharing conditions or keywords with this one, best
    # first (NCT numbers), computed when the trial is imported (trials.similar), so that
    # its page never searches the catalogue for them.
    similar_nct_ids = models.JSONField(default=list, blank=True, editable=False)
    # A content hash of what screening reads of this trial's criteria ("" when it has
    # none), kept in step by every write of a criterion (screening.models.criteria), so
    # that screening every trial loads each distinct set of criteria once, not every row.
    criteria_digest = models.CharField(max_length=32, blank=True, default="", editable=False)

    objects = TrialQuerySet.as_manager()

    class Meta:
        ordering = ["nct_id"]
        indexes = [
            models.Index(
                "open_rank",
                models.F("start_date").desc(),
                "nct_id",
                name="trial_catalogue_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.nct_id} · {self.brief_title}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("trials:detail", args=[self.nct_id])

    def get_overall_status_display(self) -> str:
        """The status in words, as Django's generated method gives it (the value itself
        when it is not a choice), from a dict built once: Django's own rebuilds a dict of
        every choice, hashing each lazy label, on each call (about 70 µs, twice per card
        on the trial list, measured in-process)."""
        return str(_STATUS_WORDS.get(self.overall_status, self.overall_status))

    @property
    def is_open(self) -> bool:
        """Whether the registry status takes applicants (`status_takes_applicants`)."""
        return status_takes_applicants(self.overall_status)

    @property
    def takes_applicants(self) -> bool:
        """Whether a patient may screen for and apply to this trial now: its registry
        status takes applicants and the study team has not closed screening. The row
        form of `Trial.objects.taking_applicants()`."""
        return self.screening_open and status_takes_applicants(self.overall_status)

    @property
    def age_range_text(self) -> str:
        """Who may join by age, in words: "18 years and older", "12 to 24 years"."""
        low, high = self.minimum_age, self.maximum_age
        if low is None and high is None:
            return str(_("Any age"))
        if high is None:
            return _("%(age)s and older") % {"age": age_in_words(low)}
        if low is None or low == 0:
            return _("Up to %(age)s") % {"age": age_in_words(high)}
        return _("%(low)s to %(high)s") % {"low": age_in_words(low), "high": age_in_words(high)}

    @property
    def sex_text(self) -> str:
        words = _SEX_WORDS.get(self.sex)
        # get_sex_display() only for a value outside the choices: it is slow (see above).
        return str(words if words is not None else self.get_sex_display())

    def admits_age(self, age: float) -> bool:
        return (self.minimum_age is None or self.minimum_age <= age) and (
            self.maximum_age is None or age <= self.maximum_age
        )


def age_in_words(years: float) -> str:
    """An age stored in years, said in the unit it was published in ("6 months")."""
    for per_year, singular, plural in (
        (1, _("%(n)d year"), _("%(n)d years")),
        (12, _("%(n)d month"), _("%(n)d months")),
        (52, _("%(n)d week"), _("%(n)d weeks")),
        (365, _("%(n)d day"), _("%(n)d days")),
    ):
        count = years * per_year
        if abs(count - round(count)) < 1e-6 and round(count) >= 1:
            n = round(count)
            return (singular if n == 1 else plural) % {"n": n}
    return _("%(n)s years") % {"n": f"{years:.1f}"}


class Location(models.Model):
    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="locations")
    facility = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=40, blank=True)
    city = models.CharField(max_length=200, blank=True, db_index=True)
    state = models.CharField(max_length=200, blank=True)
    zip = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=100, blank=True, db_index=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    contacts = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["country", "city", "facility", "id"]

    def __str__(self) -> str:
        return ", ".join(p for p in (self.facility, self.city, self.country) if p)


class Official(models.Model):
    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="officials")
    name = models.CharField(max_length=300)
    affiliation = models.CharField(max_length=500, blank=True)
    role = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class RegistrySyncQuery(models.Model):
    """A query that keeps part of the catalogue in step with ClinicalTrials.gov, daily.

    Set by staff in the admin; the beat job `trials.tasks.registry_sync_daily` runs every
    enabled one. With `incremental`, each run asks only for studies updated since the
    day before the last successful run started (a day of overlap: the registry's
    LastUpdatePostDate is a date, not a time).
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    condition = models.CharField(
        _("condition"), max_length=200, blank=True, help_text=_("For example: scleroderma")
    )
    statuses = models.JSONField(
        _("overall statuses"),
        default=list,
        blank=True,
        help_text=_("ClinicalTrials.gov overallStatus values; empty: every status."),
    )
    country = models.CharField(_("country"), max_length=100, blank=True)
    incremental = models.BooleanField(_("only studies updated since the last run"), default=True)
    enabled = models.BooleanField(_("run daily"), default=True)
    synced_through = models.DateField(
        _("last successful run started on"), null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("registry sync query")
        verbose_name_plural = _("registry sync queries")

    def __str__(self) -> str:
        return self.name


class RegistrySyncRun(models.Model):
    """One run of a registry query (daily or by `import_trials --fetch`) and its counts.

    `closed` counts trials this run moved from taking applicants to not (their open
    applications stay with their team); `failures` lists each study skipped, as
    {"nct_id", "field", "problem"}.
    """

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        PARTIAL = "partial", _("Some studies failed")
        FAILED = "failed", _("Failed")

    query = models.ForeignKey(
        RegistrySyncQuery, on_delete=models.SET_NULL, null=True, blank=True, related_name="runs"
    )
    parameters = models.JSONField(_("query as run"), default=dict)
    started_at = models.DateTimeField(_("started"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    failures = models.JSONField(default=list, blank=True)
    error = models.TextField(_("why the run stopped"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("registry sync run")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} · {self.get_status_display()}"
