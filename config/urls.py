from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from accounts import preferences
from accounts.views import admin_login_redirect
from config.language import language_switch
from config.views import favicon, healthz

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="trials:list", permanent=False), name="home"),
    path("", include("screening.patient.urls")),
    path("trials/", include("trials.urls")),
    path("find/", include("screening.matching.urls")),
    path("dashboard/", include("screening.dashboard.urls")),
    # The admin signs in through allauth too, so two-factor and lockout apply to staff.
    path("admin/login/", admin_login_redirect),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    # Browsers ask for /favicon.ico when a page names no icon (or before it loads).
    path("favicon.ico", favicon),
    path("language/<str:code>/", language_switch, name="language"),
    path(
        "account/notifications/",
        preferences.notification_preferences,
        name="account_notifications",
    ),
    path("email/stop/<str:token>/", preferences.email_stop, name="email_stop"),
]
