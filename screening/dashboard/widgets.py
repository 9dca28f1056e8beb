"""The dashboard's selects render in Python: see config.widgets (shared with the public
trial list's filters)."""

from config.widgets import PlainSelect, PlainSelectMultiple, plain_widget

__all__ = ["PlainSelect", "PlainSelectMultiple", "plain_widget"]
