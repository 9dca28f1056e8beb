from django.urls import path

from . import contacts, criteria, recruitment, views

app_name = "dashboard"
urlpatterns = [
    path("", views.home, name="home"),
    path("applicants/", views.queue, name="queue"),
    path("applicants/search/", views.queue_search, name="queue_search"),
    path("applicants/export.csv", views.queue_export, name="queue_export"),
    path(
        "applicants/export.xlsx",
        views.queue_export,
        {"fmt": "xlsx"},
        name="queue_export_xlsx",
    ),
    path("applicants/bulk-assign/", contacts.queue_bulk_assign, name="queue_bulk_assign"),
    path("applicants/bulk-status/", views.queue_bulk_status, name="queue_bulk_status"),
    path("applicants/<str:reference>/", views.applicant, name="applicant"),
    path("applicants/<str:reference>/status/", views.applicant_status, name="applicant_status"),
    path("applicants/<str:reference>/notes/", views.applicant_note, name="applicant_note"),
    path("applicants/<str:reference>/assign/", views.applicant_assign, name="applicant_assign"),
    path(
        "applicants/<str:reference>/contact/", contacts.applicant_contact, name="applicant_contact"
    ),
    path("applicants/<str:reference>/verify/", contacts.applicant_verify, name="applicant_verify"),
    path("trials/<str:nct_id>/applicants/", views.queue, name="trial_queue"),
    path("trials/<str:nct_id>/settings/", views.trial_settings, name="trial_settings"),
    path("trials/<str:nct_id>/recruitment/", recruitment.insights, name="insights"),
    path(
        "trials/<str:nct_id>/screening-log.csv",
        recruitment.screening_log_export,
        {"fmt": "csv"},
        name="screening_log_csv",
    ),
    path(
        "trials/<str:nct_id>/screening-log.xlsx",
        recruitment.screening_log_export,
        {"fmt": "xlsx"},
        name="screening_log_xlsx",
    ),
    path(
        "trials/<str:nct_id>/recruitment/settings/",
        recruitment.recruitment_settings,
        name="recruitment_settings",
    ),
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
