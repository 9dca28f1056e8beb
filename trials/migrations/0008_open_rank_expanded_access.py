# open_rank follows trials.models.OPEN_STATUSES, which now holds the expanded-access
# status AVAILABLE (patients may request the treatment). Django cannot alter a generated
# column: the index that reads it is dropped, the column re-added, the index rebuilt.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('trials', '0007_registry_sync'),
    ]

    operations = [
        migrations.RemoveIndex(model_name='trial', name='trial_catalogue_order'),
        migrations.RemoveField(model_name='trial', name='open_rank'),
        migrations.AddField(
            model_name='trial',
            name='open_rank',
            field=models.GeneratedField(db_persist=True, expression=models.Case(models.When(overall_status__in=['RECRUITING', 'NOT_YET_RECRUITING', 'ENROLLING_BY_INVITATION', 'AVAILABLE'], then=0), default=1), output_field=models.SmallIntegerField()),
        ),
        migrations.AddIndex(
            model_name='trial',
            index=models.Index(models.F('open_rank'), models.OrderBy(models.F('start_date'), descending=True), models.F('nct_id'), name='trial_catalogue_order'),
        ),
    ]
