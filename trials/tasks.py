"""Celery tasks of the catalogue: the daily registry sync."""

from __future__ import annotations

from celery import shared_task

from trials.importers.client import RegistryClient
from trials.models import RegistrySyncQuery
from trials.sync import registry_sync, registry_sync_saved, sync_query_for

# A full (non-incremental) query can page through thousands of studies: far above the
# default task limit, below the broker's 2-hour visibility timeout (acks_late).
SYNC_TIME_LIMIT = 90 * 60


@shared_task(acks_late=True, time_limit=SYNC_TIME_LIMIT, soft_time_limit=SYNC_TIME_LIMIT - 60)
def registry_sync_daily() -> int:
    """Run every enabled `RegistrySyncQuery` (celery beat, daily); the number of runs."""
    with RegistryClient() as client:
        return len(registry_sync_saved(client=client))


@shared_task(acks_late=True, time_limit=SYNC_TIME_LIMIT, soft_time_limit=SYNC_TIME_LIMIT - 60)
def registry_sync_query(query_id: int) -> int | None:
    """Run one saved query now (the admin's "Run now"); the run's id."""
    saved = RegistrySyncQuery.objects.filter(pk=query_id).first()
    if saved is None:
        return None
    with RegistryClient() as client:
        return registry_sync(query=sync_query_for(saved=saved), client=client, saved=saved).pk
