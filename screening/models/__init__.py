from .applications import Application, Draft, Note, StatusChange, Verdict
from .criteria import Criterion
from .notifications import Notification

__all__ = ["Application", "Criterion", "Draft", "Note", "Notification", "StatusChange", "Verdict"]
