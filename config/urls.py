from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from config.views import healthz

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="trials:list", permanent=False), name="home"),
    path("", include("screening.patient.urls")),
    path("trials/", include("trials.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]
