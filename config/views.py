"""Site-wide views that belong to no app: the health check and the icon."""

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_broker() -> str:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


def _emails_failed() -> int:
    from screening.services.outbox import notifications_failed_count

    return notifications_failed_count()


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The state of each dependency, for a load balancer and for monitoring.

    Shape: ``{"status": "ok" | "degraded" | "down", "database": "ok" | "error: <Kind>",
    "broker": ... (only with REDIS_URL), "emails_failed": <int> (with a database)}``.

    - "down", HTTP 503: no database. Nothing can be saved; take this instance out.
    - "degraded", HTTP 200: Redis (broker and cache) unreachable. Pages and applications
      still work: the cache and rate limits are skipped and emails wait in the outbox
      until the sweeper hands them to a worker. Keep serving; alert someone.
    - "ok", HTTP 200.

    ``emails_failed`` counts emails that failed for good (admin: resend them); it is for
    monitoring and does not change the status, since serving goes on regardless.
    """
    report: dict[str, str | int] = {}
    try:
        report["database"] = _check_database()
    except Exception as exc:  # any failure means "down"; say which kind, not the details
        report["database"] = f"error: {type(exc).__name__}"
    if settings.REDIS_URL:
        try:
            report["broker"] = _check_broker()
        except Exception as exc:
            report["broker"] = f"error: {type(exc).__name__}"
    if report["database"] != "ok":
        status, code = "down", 503
    else:
        try:
            report["emails_failed"] = _emails_failed()
        except Exception as exc:
            report["emails_failed_error"] = type(exc).__name__
        degraded = any(v != "ok" for k, v in report.items() if k == "broker")
        status, code = ("degraded", 200) if degraded else ("ok", 200)
    return JsonResponse({"status": status, **report}, status=code)


@require_safe
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """GET /favicon.ico, which browsers ask for on their own: to the site's SVG icon
    (pages name it in a ``<link rel="icon">``), resolved through the static storage."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
