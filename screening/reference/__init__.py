"""Criteria encoded in code for trials we screen exactly, keyed by NCT id.

`criteria_load_reference` stores them as Criterion rows (editable in the admin); until it
has run, `screening.selectors.trial_criteria` screens these trials on the code encoding,
so an imported reference trial is never screened on its basics alone.
"""

from typing import Any

from screening.reference import nct04356287

# NCT id -> [(kind, number, published text, rule, verify note), ...] in published order.
ENCODED: dict[str, list[tuple[str, str, str, dict[str, Any], str]]] = {
    nct04356287.NCT_ID: nct04356287.CRITERIA,
}
