"""A trial's published eligibility text as inclusion and exclusion items.

The parser lives in the pure engine (`screening.engine.criteria_items`), which the
drafter reads too; this module keeps the names the trial page uses.
"""

from screening.engine.criteria_items import (
    Criteria,
    CriteriaItem,
    Item,
    Section,
    criteria_items,
    markdown_html,
    parse_criteria,
    plain_text,
    unescape,
)

__all__ = [
    "Criteria",
    "CriteriaItem",
    "Item",
    "Section",
    "criteria_items",
    "markdown_html",
    "parse_criteria",
    "plain_text",
    "unescape",
]
