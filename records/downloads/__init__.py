"""The whole record to take away: PDF printouts and a FHIR R4 bundle, built only from records.queries.

- record.py   gathers one patient's record (for a date range) from the query layer's public functions, so
              whatever the pages hide (sensitive visits, erroneous rows, unreleased results) stays out here too;
- pdf.py      renders the printouts with WeasyPrint from templates/records/pdf/;
- fhir.py     builds the US Core-shaped FHIR R4 Bundle and checks it with fhirclient's 4.0.1 models;
- calendar.py one upcoming appointment as an iCalendar file.
Each download is audited (audit.log.record_view, code record.downloaded) with a summary of what it held.
"""
