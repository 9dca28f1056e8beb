"""The pure engine: no Django imports (see /work/shared/DESIGN.md).

`criteria_items` splits published eligibility text into items, `drafter` proposes a
rule for one item, `units` converts measurement units.
"""
