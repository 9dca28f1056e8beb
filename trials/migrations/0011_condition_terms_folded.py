"""Trial.condition_terms folded like a typed condition (no accents), so that "diabète" or
"Sjögren" typed by a patient finds the trials whose registry terms say "diabetes" or
"Sjögren syndrome" (trials.folding.condition_fold). Re-folds the stored terms in place;
the records are not needed."""

from django.db import migrations

BATCH = 2_000


def fold_terms(apps, schema_editor):
    from trials.folding import condition_fold

    Trial = apps.get_model("trials", "Trial")
    # Read first, then write: no write while a read cursor is open on the same table.
    rows = list(Trial.objects.order_by().values_list("pk", "condition_terms"))
    changed = []
    for pk, stored in rows:
        terms = sorted({condition_fold(t) for t in stored.strip("|").split("|") if t.strip()})
        folded = f"|{'|'.join(terms)}|" if terms else ""
        if folded != stored:
            changed.append(Trial(pk=pk, condition_terms=folded))
    Trial.objects.bulk_update(changed, ["condition_terms"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [("trials", "0010_trial_criteria_digest")]

    operations = [migrations.RunPython(fold_terms, migrations.RunPython.noop)]
