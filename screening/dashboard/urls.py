from django.urls import path

from . import criteria, views

app_name = "dashboard"
urlpatterns = [
    path("", views.home, name="home"),
    path("applicants/", views.queue, name="queue"),
    path("applicants/search/", views.queue_search, name="queue_search"),
    path("applicants/export.csv", views.queue_export, name="queue_export"),
    path("applicants/bulk-status/", views.queue_bulk_status, name="queue_bulk_status"),
    path("applicants/<str:reference>/", views.applicant, name="applicant"),
    path("applicants/<str:reference>/status/", views.applicant_status, name="applicant_status"),
    path("applicants/<str:reference>/notes/", views.applicant_note, name="applicant_note"),
    path("applicants/<str:reference>/assign/", views.applicant_assign, name="applicant_assign"),
    path("trials/<str:nct_id>/applicants/", views.queue, name="trial_queue"),
    path("trials/<str:nct_id>/settings/", views.trial_settings, name="trial_settings"),
    path("trials/<str:nct_id>/criteria/", criteria.criteria_list, name="criteria"),
    path("trials/<str:nct_id>/criteria/new/", criteria.criterion_new, name="criterion_new"),
    path("trials/<str:nct_id>/criteria/<int:pk>/", criteria.criterion_edit, name="criterion_edit"),
    path(
        "trials/<str:nct_id>/criteria/<int:pk>/review/",
        criteria.criterion_review,
        name="criterion_review",
    ),
    path(
        "trials/<str:nct_id>/criteria/<int:pk>/delete/",
        criteria.criterion_delete_view,
        name="criterion_delete",
    ),
]
