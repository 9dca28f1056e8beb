from .applications import Application, Draft, Note, StatusChange, Verdict
from .consent import ConsentText
from .criteria import Criterion
from .matching import SavedSearch
from .notifications import EmailOptOut, Notification

__all__ = [
    "Application",
    "ConsentText",
    "Criterion",
    "Draft",
    "EmailOptOut",
    "Note",
    "Notification",
    "SavedSearch",
    "StatusChange",
    "Verdict",
]
