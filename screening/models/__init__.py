from .applications import Application, Draft, Note, StatusChange, Verdict
from .notifications import Notification

__all__ = ["Application", "Draft", "Note", "Notification", "StatusChange", "Verdict"]
