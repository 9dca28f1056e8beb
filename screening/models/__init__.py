from .applications import Application, Draft, Note, StatusChange, Verdict
from .criteria import Criterion
from .notifications import EmailOptOut, Notification

__all__ = [
    "Application",
    "Criterion",
    "Draft",
    "EmailOptOut",
    "Note",
    "Notification",
    "StatusChange",
    "Verdict",
]
