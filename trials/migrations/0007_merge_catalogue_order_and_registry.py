"""Joins main's catalogue-order migration with the registry and condition-term branch."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("trials", "0006_trial_contact_deadline_days"),
        ("trials", "0006_condition_terms_trigram"),
    ]

    operations: list[migrations.operations.base.Operation] = []
