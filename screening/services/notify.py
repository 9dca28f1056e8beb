"""The emails the portal sends, each built from its event and queued through the outbox.

What goes into an email: the trial, a reference code, a private link, what happens next.
What never does: answers, the evaluation or its verdict, the patient's name. Coordinators'
alerts carry even less: a trial and a link to the dashboard, where access is checked.
The patient is greeted generically, so a forwarded or shared-screen email tells nothing.
"""

import hashlib
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import TrialMembership, User
from screening.models import Application, Draft, Notification, StatusChange
from screening.services.outbox import notification_queue
from trials.models import Trial

STOP_SALT = "screening.notify.stop"

# Statuses a patient hears about: "new" is the confirmation itself, and a withdrawal is
# the patient's own act, confirmed on screen (their address is erased with it).
PATIENT_STATUSES = frozenset(Application.Status.values) - {
    Application.Status.NEW,
    Application.Status.WITHDRAWN,
}


def _absolute(view_name: str, args: list[str] | None = None) -> str:
    return f"{settings.SITE_URL}{reverse(view_name, args=args)}"


def status_url(application: Application) -> str:
    """The patient's private status page: the only door to their application."""
    token = application.status_token
    return _absolute("screening:status", [token])


def resume_url(draft: Draft) -> str:
    """Where a patient picks up an unfinished questionnaire, on any device."""
    return _absolute("screening:resume", [draft.token])


def dashboard_url() -> str:
    return _absolute("dashboard:queue")


def preferences_url() -> str:
    return _absolute("account_notifications")


def stop_url(notification: Notification) -> str:
    """A link that stops emails to this notification's address. It carries a signed row
    id, never the address itself."""
    token = signing.dumps(notification.pk, salt=STOP_SALT)
    return _absolute("email_stop", [token])


def stop_token_notification(token: str) -> Notification | None:
    """The notification a stop link was made for, or None for a forged or stale link."""
    try:
        notification_id = signing.loads(token, salt=STOP_SALT)
    except signing.BadSignature:
        return None
    return Notification.objects.filter(pk=notification_id).first()


def _trial_context(trial: Trial) -> dict[str, str]:
    return {"trial_nct_id": trial.nct_id, "trial_title": trial.brief_title}


def notify_application_received(*, application: Application) -> Notification | None:
    """Patient: we have your application; its reference, its private link, what comes next."""
    return notification_queue(
        key=f"application-received:{application.pk}",
        template="application-received",
        to_email=application.email,
        language=application.language,
        context={
            **_trial_context(application.trial),
            "reference": application.reference,
            "status_url": status_url(application),
            "patient": True,
        },
    )


def notify_status_changed(*, application: Application, change: StatusChange) -> Notification | None:
    """Patient: the study team moved the application on, said in plain words."""
    if change.to_status not in PATIENT_STATUSES or change.to_status == change.from_status:
        return None
    return notification_queue(
        key=f"status-changed:{change.pk}",
        template="status-changed",
        to_email=application.email,
        language=application.language,
        context={
            **_trial_context(application.trial),
            "reference": application.reference,
            "status": change.to_status,
            "status_url": status_url(application),
            "patient": True,
        },
    )


def notify_resume_link(*, draft: Draft) -> Notification | None:
    """Patient: the link to finish a saved questionnaire, sent when they ask for it.

    Asking twice within a minute (a double tap) sends one email.
    """
    minute = timezone.now().strftime("%Y-%m-%dT%H:%M")
    return notification_queue(
        key=f"resume-link:{draft.pk}:{minute}",
        template="resume-link",
        to_email=draft.email,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        context={**_trial_context(draft.trial), "resume_url": resume_url(draft), "patient": True},
    )


def notify_draft_reminder(*, draft: Draft) -> Notification | None:
    """Patient: the one reminder about an unfinished questionnaire, in the language they
    last asked for a resume link in."""
    language = (
        Notification.objects.filter(key__startswith=f"resume-link:{draft.pk}:")
        .order_by("-id")
        .values_list("language", flat=True)
        .first()
    ) or settings.LANGUAGE_CODE
    return notification_queue(
        key=f"draft-reminder:{draft.pk}",
        template="draft-reminder",
        to_email=draft.email,
        language=language,
        context={**_trial_context(draft.trial), "resume_url": resume_url(draft), "patient": True},
    )


def notify_coordinators_new_applicant(*, application: Application) -> list[Notification]:
    """Each team member who wants every new applicant: that there is one, on which trial,
    and the dashboard's address, in the member's own language (`User.language`). Nothing
    about the applicant."""
    memberships = TrialMembership.objects.filter(
        trial_id=application.trial_id,
        notify=TrialMembership.Notify.INSTANT,
        user__is_active=True,
    ).select_related("user")
    queued = []
    for membership in memberships:
        notification = notification_queue(
            key=f"new-applicant:{application.pk}:{membership.user_id}",
            template="new-applicant",
            to_email=membership.user.email,
            language=membership.user.language,
            context={
                **_trial_context(application.trial),
                "dashboard_url": dashboard_url(),
                "preferences_url": preferences_url(),
            },
        )
        if notification is not None:
            queued.append(notification)
    return queued


def notify_coordinator_digest(
    *, user: User, local_date: date, trials: list[dict[str, Any]]
) -> Notification | None:
    """A coordinator's daily digest: per trial, how many new applicants, and the dashboard,
    in the coordinator's own language (`User.language`).

    `trials` holds {"trial_nct_id", "trial_title", "count"} and nothing else.
    """
    return notification_queue(
        key=f"digest:{user.pk}:{local_date.isoformat()}",
        template="coordinator-digest",
        to_email=user.email,
        language=user.language,
        context={
            "trials": trials,
            "total": sum(t["count"] for t in trials),
            "date": local_date.isoformat(),
            "dashboard_url": dashboard_url(),
            "preferences_url": preferences_url(),
        },
    )


def _message_id(notification: Notification) -> str:
    # The same for every attempt at one row, so that the rare duplicate a killed worker
    # can cause is shown once by mail systems that thread on Message-ID.
    digest = hashlib.sha256(notification.key.encode()).hexdigest()[:16]
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<notification-{notification.pk}-{digest}@{domain}>"


def notification_message(*, notification: Notification) -> EmailMultiAlternatives:
    """Render a row into the email itself: subject, text and HTML, in its language."""
    context = {**notification.context, "site_url": settings.SITE_URL}
    headers = {"Message-ID": _message_id(notification)}
    if context.get("patient"):
        context["stop_url"] = stop_url(notification)
        headers["List-Unsubscribe"] = f"<{context['stop_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    name = notification.template
    with translation.override(notification.language):
        subject = render_to_string(f"emails/{name}-subject.txt", context)
        text = render_to_string(f"emails/{name}-body.txt", context)
        html = render_to_string(f"emails/{name}-body.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        to=[notification.to_email],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message
