"""A trigram index on Trial.condition_terms, so that "Find trials for me" finds the open
trials for a condition ("systemic sclerosis" inside "|diffuse cutaneous systemic
sclerosis|") without reading every trial: LIKE '%term%' uses it (pg_trgm). Measured by
`python -m bench.matching`: the seq scan of 10,000 trials took 120-130 ms under load.

PostgreSQL only; SQLite keeps scanning, which at the demo's thousand trials is quick.
"""

from django.db import migrations

INDEX = "trials_trial_condition_terms_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON trials_trial "
            "USING gin (condition_terms gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("trials", "0008_open_rank_expanded_access")]

    operations = [migrations.RunPython(create, drop)]
