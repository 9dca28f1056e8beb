"""`{% failed_emails_notice %}`: on the dashboard home, staff see how many emails failed."""

from typing import Any

from django import template

from screening.services.outbox import notifications_failed_count

register = template.Library()


@register.inclusion_tag("dashboard/_failed_emails.html", takes_context=True)
def failed_emails_notice(context: dict[str, Any]) -> dict[str, Any]:
    """Renders nothing for anyone but staff (who alone can open the admin to resend)."""
    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_staff:
        return {"failed": 0}
    return {"failed": notifications_failed_count()}
