"""The patient's chart. No PHI in URLs: only internal numbers (encounter, report id) and LOINC codes."""

from django.urls import path, re_path

from records import download_views, views

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
    path("visits/<int:encounter>/summary.pdf", download_views.visit_pdf, name="visit_pdf"),
    path("downloads/", download_views.downloads, name="downloads"),
    path("downloads/health-record.pdf", download_views.record_pdf, name="record_pdf"),
    path("downloads/immunization-record.pdf", download_views.immunization_record_pdf,
         name="immunization_record_pdf"),
    path("downloads/medication-list.pdf", download_views.medication_list_pdf, name="medication_list_pdf"),
    path("downloads/health-record.fhir.json", download_views.fhir_bundle, name="fhir_bundle"),
    # An appointment occurrence: "<pc_eid>-<YYYY-MM-DD>", as records.queries builds Appointment.key.
    re_path(r"^appointments/(?P<key>\d{1,11}-\d{4}-\d\d-\d\d)\.ics$", download_views.appointment_ics,
            name="appointment_ics"),
]
