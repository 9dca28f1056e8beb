from .applications import Application, Draft, Note, StatusChange, Verdict
from .consent import ConsentText
from .contacts import ApplicationOpened, ClosingReason, ContactAttempt, PointVerification
from .criteria import Criterion
from .matching import SavedSearch
from .notifications import EmailOptOut, Notification

__all__ = [
    "Application",
    "ApplicationOpened",
    "ClosingReason",
    "ContactAttempt",
    "PointVerification",
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
