"""The patient's chart. No PHI in URLs: only internal numbers (encounter, report id) and LOINC codes."""

from django.urls import path, re_path

from records import views

app_name = "records"
urlpatterns = [
    path("", views.summary, name="summary"),
    path("visits/", views.visits, name="visits"),
    path("visits/<int:encounter>/", views.visit_detail, name="visit_detail"),
    path("visits/<int:encounter>/print/", views.visit_print, name="visit_print"),
    path("medications/", views.medications, name="medications"),
    path("problems/", views.problems, name="problems"),
    path("allergies/", views.allergies, name="allergies"),
    path("immunizations/", views.immunizations, name="immunizations"),
    path("results/", views.results, name="results"),
    path("results/<int:report_id>/", views.result_detail, name="result_detail"),
    path("results/download.csv", views.results_download, name="results_download"),
    # A LOINC (or local) result code: letters, digits, dot, dash, underscore; result_code is varchar(31).
    re_path(r"^results/analyte/(?P<code>[A-Za-z0-9][A-Za-z0-9._-]{0,30})/$", views.analyte, name="analyte"),
    path("vitals/", views.vitals, name="vitals"),
    path("appointments/", views.appointments, name="appointments"),
    path("profile/", views.profile, name="profile"),
]
