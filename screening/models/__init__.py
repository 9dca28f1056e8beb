from .applications import Application, Draft, Note, StatusChange, Verdict
from .consent import ConsentText
from .notifications import Notification

__all__ = [
    "Application",
    "ConsentText",
    "Draft",
    "Note",
    "Notification",
    "StatusChange",
    "Verdict",
]
