"""Full-text search reads a stored vector, Trial.search_vector, instead of an expression.

Ranking recomputed to_tsvector over the search document of every matching trial; the
stored column is computed once per write (trials.services). On PostgreSQL this fills the
column for existing trials and swaps migration 0003's expression index for a GIN index on
the column. The SQL is trials.models.SEARCH_VECTOR frozen as it stands here. SQLite gets
the column, left NULL (it searches with LIKE), and no index.
"""

import django.contrib.postgres.search
from django.db import migrations

OLD_INDEX = "trials_trial_search_gin"
INDEX = "trials_trial_search_vector_gin"
# Also the expression migration 0003 indexed.
VECTOR = "to_tsvector('english'::regconfig, COALESCE(search_document, ''))"


def fill_and_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"UPDATE trials_trial SET search_vector = {VECTOR}")
        schema_editor.execute(f"DROP INDEX IF EXISTS {OLD_INDEX}")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON trials_trial USING gin (search_vector)"
        )


def restore_expression_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {OLD_INDEX} ON trials_trial USING gin ({VECTOR})"
        )


class Migration(migrations.Migration):
    dependencies = [("trials", "0003_search_gin_index")]

    operations = [
        migrations.AddField(
            model_name="trial",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(fill_and_index, restore_expression_index),
    ]
