from django.urls import path

from audit import staff_views

app_name = "staff_audit"
urlpatterns = [
    path("", staff_views.report, name="report"),
    path("export.csv", staff_views.export_csv, name="export"),
]
