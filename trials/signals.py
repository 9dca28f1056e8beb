"""What the catalogue announces, for the apps that build on it.

`trials` knows nothing about applicants or screening (DESIGN.md, "Boundaries"): it sends
these signals, and an app that derives something from trials connects a receiver in its
`AppConfig.ready()` (screening drafts the criteria of a written trial, and looks for saved
searches the new trials fit after an import: `screening/apps.py`).
"""

from django.dispatch import Signal

trial_written = Signal()
"""Sent by `trials.services` when an import created or changed a trial (never for a record
identical to the stored one), with `sender=Trial` and keyword arguments:

- `trial`: the saved `Trial`, its sites and officials already written;
- `created`: True for a new trial;
- `criteria_changed`: True when the published eligibility text is new or differs from the
  text stored before.

Sent inside the write's transaction: what a receiver writes commits with the trial, and a
receiver that raises rolls the whole write back (the import reports the record failed).
"""

catalogue_imported = Signal()
"""Sent by `trials.services` once an import has finished writing, when it created or
changed at least one trial, with `sender=Trial` and keyword argument:

- `trial_ids`: the primary keys of the trials it created or changed.

Sent after the import's own transactions (each record commits on its own), so a receiver
sees every written trial; what it starts (an email job) should run after commit.
"""
