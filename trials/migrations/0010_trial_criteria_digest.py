"""Trial.criteria_digest (kept by screening.models.criteria), and the index that serves
screening every trial taking applicants (`screening.selectors.trials_screen_all`, "Find
trials for me") from the index alone: partial on the trials taking applicants
(`Trial.objects.taking_applicants()`: OPEN_STATUSES as of this migration, and screening
open), keyed by the digest and the listing's sex and ages, with the NCT number, title and
id carried along. An index-only scan reads about 120 pages for 4,300 open trials of the
10,000 bench trials, where the heap scan read 2,300 (`python -m bench.matching`).
`tests/test_screen_all_plan.py` asserts the plan; a change of OPEN_STATUSES needs this
index again with the new list.

PostgreSQL only (INCLUDE); SQLite scans, which at the demo's thousand trials is quick.
"""

from django.db import migrations, models

INDEX = "trial_screening_taking"
OPEN_STATUSES = ("RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION", "AVAILABLE")


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        statuses = ", ".join(f"'{status}'" for status in OPEN_STATUSES)
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON trials_trial "
            "(criteria_digest, sex, minimum_age, maximum_age, healthy_volunteers) "
            "INCLUDE (nct_id, brief_title, id) "
            f"WHERE screening_open AND overall_status IN ({statuses})"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("trials", "0009_condition_terms_trigram")]

    operations = [
        migrations.AddField(
            model_name="trial",
            name="criteria_digest",
            field=models.CharField(blank=True, default="", editable=False, max_length=32),
        ),
        migrations.RunPython(create, drop),
    ]
