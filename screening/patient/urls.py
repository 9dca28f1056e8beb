from django.urls import path

from . import views

app_name = "screening"
urlpatterns = [
    path("trials/<str:nct_id>/check/", views.start, name="start"),
    path("trials/<str:nct_id>/check/continue/", views.dispatch, name="continue"),
    path("trials/<str:nct_id>/check/step/<slug:step>/", views.step, name="step"),
    path("trials/<str:nct_id>/check/later/", views.save, name="save"),
    path("trials/<str:nct_id>/check/result/", views.result, name="result"),
    path("trials/<str:nct_id>/apply/", views.apply, name="apply"),
    path("trials/<str:nct_id>/apply/done/", views.confirmation, name="confirmation"),
    path("resume/<str:token>/", views.resume, name="resume"),
    path("status/<str:status_token>/", views.status, name="status"),
    path("status/<str:status_token>/withdraw/", views.withdraw, name="withdraw"),
]
