"""Fill Trial.criteria_digest for the trials that already have criteria (see
`screening.models.criteria`): from here on every write of a criterion keeps it."""

from django.db import migrations

from screening.models.criteria import content_digest, criteria_content


def fill(apps, schema_editor):
    Criterion = apps.get_model("screening", "Criterion")
    Trial = apps.get_model("trials", "Trial")
    rows: dict[int, list] = {}
    for trial_id, *row in (
        Criterion.objects.order_by()
        .values_list("trial_id", "kind", "number", "rule", "origin")
        .iterator(chunk_size=5000)
    ):
        rows.setdefault(trial_id, []).append(row)
    by_digest: dict[str, list[int]] = {}
    for trial_id, items in rows.items():
        by_digest.setdefault(content_digest(criteria_content(items)), []).append(trial_id)
    for digest, ids in by_digest.items():
        for start in range(0, len(ids), 500):
            Trial.objects.filter(pk__in=ids[start : start + 500]).update(criteria_digest=digest)


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0010_draft_carried_answers"),
        ("trials", "0010_trial_criteria_digest"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
