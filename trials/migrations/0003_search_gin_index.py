"""A GIN index for full-text search over Trial.search_document, on PostgreSQL only.

The indexed expression is exactly what trials.selectors builds with
SearchVector("search_document", config="english"), so the planner can use the index;
change one and you must change the other. SQLite has no GIN: it searches with LIKE.
"""

from django.db import migrations

INDEX = "trials_trial_search_gin"
EXPRESSION = "to_tsvector('english'::regconfig, COALESCE(search_document, ''))"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON trials_trial USING gin ({EXPRESSION})"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("trials", "0002_search_document")]

    operations = [migrations.RunPython(create_index, drop_index)]
