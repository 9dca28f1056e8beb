from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme, urlencode


def admin_login_redirect(request: HttpRequest) -> HttpResponseRedirect:
    """Send the admin's own sign-in form to allauth's, which asks for the second factor
    and counts failures; Django's admin form would do neither."""
    target = request.GET.get("next", "/admin/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/admin/"
    return HttpResponseRedirect(f"{resolve_url('account_login')}?{urlencode({'next': target})}")
