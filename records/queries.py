"""Every clinical read from OpenEMR, always given the session's pid, returning plain dataclasses: the facade.

The reads live in records/chart/ (one module per page family) and OpenEMR's meaning of its flags in
records/openemr/meaning.py (one small rule each, citing openemr-schema.md); read-tolerant column types in
records/openemr/columns.py. This module re-exports the same names as before the split (public functions,
dataclasses, constants and the helpers other modules build on), so `from records import queries` keeps working.

Each page function issues a fixed number of SQL queries whatever the size of the record, and its rows read grow
with the patient's record, never with the clinic (tests/records/test_audit_and_queries.py, test_rows_read.py).
"""

from records.chart.base import (  # noqa: F401
    PAGE_SIZE,
    SEVERE_ALLERGY,
    SEVERITY_ORDER,
    RECENT_ORDERS,
    PAST_APPOINTMENT_DAYS,
    UPCOMING_APPOINTMENTS,
    UPCOMING_HORIZON_DAYS,
    _no_date,
    _active_issue_q,
    _ended_issue_q,
    _page_memo,
    _page,
    _hidden_encounters,
    _sensitive_encounters,
    _visible,
    _released_q,
    _patient_orders,
    _patient_reports,
    _real_results,
    _vitals_forms,
    _int,
    _Names,
    _provider_names,
    PageInfo,
    _paginate,
    portal_allowed,
)
from records.chart.medications import (  # noqa: F401
    Medication,
    _list_medication,
    _prescription_rows,
    _prescription,
    MedicationsPage,
    medications,
)
from records.chart.issues import (  # noqa: F401
    Problem,
    Allergy,
    _ISSUE_FIELDS,
    _issue_rows,
    _problem,
    _allergy,
    _allergy_sort_key,
    ProblemsPage,
    problems,
    allergies,
)
from records.chart.vitals import (  # noqa: F401
    VitalsReading,
    _VITALS_FIELDS,
    _vitals,
    _vitals_queryset,
    VitalsPage,
    VITALS_TREND_READINGS,
    vitals,
)
from records.chart.labs import (  # noqa: F401
    LabResult,
    LabReport,
    _RESULT_FIELDS,
    _result,
    _reports_with_results,
    _catalogue_ranges,
    _REPORT_FIELDS,
    _recent_results,
    ReportsPage,
    lab_reports,
    lab_results_export,
    lab_report,
    AnalyteHistory,
    ANALYTE_HISTORY_LIMIT,
    analyte_history,
)
from records.chart.appointments import (  # noqa: F401
    Appointment,
    _calendar_index,
    CALENDAR_INDEX_RECHECK_SECONDS,
    calendar_pid_index,
    _appointment_rows,
    _occurrence_dates,
    _appointment,
    _sort_key,
    _appointment_lists,
    _row_order,
    _upcoming,
    _appointments,
    _upcoming_window,
    _add_months,
    AppointmentsPage,
    appointments,
)
from records.chart.immunizations import (  # noqa: F401
    Immunization,
    _cvx_names,
    _IMMUNIZATION_FIELDS,
    _immunization_rows,
    _immunizations,
    immunizations,
)
from records.chart.visits import (  # noqa: F401
    Visit,
    _VISIT_FIELDS,
    _visits_queryset,
    _visit,
    VisitsPage,
    visit_list,
    visits_between,
    Diagnosis,
    Note,
    CarePlanItem,
    Clinic,
    VisitSummary,
    _clinic,
    _encounter_diagnoses,
    _visit_orders,
    _visit_forms,
    visit_summary,
)
from records.chart.summary import (  # noqa: F401
    HealthSummary,
    health_summary,
)
from records.chart.profile import (  # noqa: F401
    Profile,
    CareTeamMember,
    profile,
)
