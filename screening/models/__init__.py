from .applications import Application, Draft, Note, StatusChange, Verdict
from .notifications import EmailOptOut, Notification

__all__ = ["Application", "Draft", "EmailOptOut", "Note", "Notification", "StatusChange", "Verdict"]
