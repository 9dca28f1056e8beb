from django.urls import path

from . import views

app_name = "matching"
urlpatterns = [
    path("", views.find_start, name="start"),
    path("you/", views.find_about, name="about"),
    path("location/", views.find_location, name="location"),
    path("terms/", views.find_terms, name="terms"),
    path("places/", views.find_places, name="places"),
    path("questions/", views.find_questions, name="questions"),
    path("matches/", views.find_matches, name="matches"),
    path("matches/<str:nct_id>/open/", views.find_open, name="open"),
    path("alerts/", views.alerts_start, name="alerts"),
    path("saved/<str:token>/", views.saved_show, name="saved"),
    path("saved/<str:token>/erase/", views.saved_erase, name="erase"),
]
