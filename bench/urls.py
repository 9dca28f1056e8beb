"""The portal's URLs plus the benchmark's ceiling: a view that does nothing.

"hello" passes through the same middleware stack as every page, so a page's requests per
second divided by hello's say how much the page itself costs.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

from config import urls as portal_urls

HELLO_PATH = "/bench/hello/"


@require_GET
def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"hello", content_type="text/plain")


urlpatterns = [path(HELLO_PATH.strip("/") + "/", hello, name="bench_hello")]
urlpatterns += portal_urls.urlpatterns
