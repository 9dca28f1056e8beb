"""Site-wide views that belong to no app: the health check."""

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


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


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Report each dependency; 503 if any is down, so a load balancer stops sending traffic."""
    checks = {"database": _check_database}
    if settings.REDIS_URL:
        checks["broker"] = _check_broker
    report: dict[str, str] = {}
    for name, check in checks.items():
        try:
            report[name] = check()
        except Exception as exc:  # any failure means "down"; say which kind, not the details
            report[name] = f"error: {type(exc).__name__}"
    healthy = all(value == "ok" for value in report.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **report}, status=200 if healthy else 503
    )
