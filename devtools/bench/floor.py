"""The raw-SQL floor: for each page, the minimal SELECTs that page needs, written by hand with the same
meaning and the same bounds as records/queries.py (active issues, active prescriptions, forms.deleted = 0,
sensitive encounters hidden, DNR/TNP dropped, 20 rows a page, the latest 20 orders for "recent results", the
appointment window with recurring series, 100 points of analyte history, 60 vitals readings for the trends),
timed directly over one MySQLdb connection on the same SELECT-only account with a READ ONLY session.

Joins replace the page's separate name lookups where SQL can do it in one statement. The floor covers only the
OpenEMR reads: not the session, user, OTP device and account lookups, nor the audit row every page writes
before it shows anything, nor template rendering, which is what the page/floor ratio shows.
"""

import datetime
import statistics
import time
from zoneinfo import ZoneInfo

SENSITIVE = ("SELECT s.encounter FROM form_encounter s WHERE s.pid = %(pid)s AND s.encounter IS NOT NULL "
             "AND s.sensitivity IS NOT NULL AND s.sensitivity NOT IN ('', 'normal')")
NOT_SENSITIVE = "(fe.sensitivity IS NULL OR fe.sensitivity IN ('', 'normal'))"
ZERO = "'1000-01-02'"
PROVIDER = "u.fname, u.mname, u.lname, u.suffix, u.valedictory"

DEMOGRAPHICS = ("SELECT fname, mname, lname, suffix, preferred_name, DOB, pubpid, sex, providerID, "
                "allow_patient_portal FROM patient_data WHERE pid = %(pid)s")

ISSUES = (
    "SELECT l.id, l.type, l.title, l.begdate, l.enddate, l.diagnosis, l.outcome, l.verification, l.reaction, "
    "l.severity_al, (SELECT lm.drug_dosage_instructions FROM lists_medication lm WHERE lm.list_id = l.id "
    "ORDER BY lm.id DESC LIMIT 1) AS instructions "
    "FROM lists l WHERE l.pid = %(pid)s AND l.type IN ({types}) AND {state} "
    "AND NOT EXISTS (SELECT 1 FROM lists_medication x WHERE x.list_id = l.id AND x.prescription_id > 0) "
    "ORDER BY l.begdate DESC, l.id DESC"
)
ACTIVE_ISSUE = (f"(l.enddate IS NULL OR l.enddate < {ZERO} OR l.enddate > NOW()) AND l.outcome <> 1 "
                "AND l.verification NOT IN ('refuted', 'entered-in-error') "
                "AND (l.type <> 'medication' OR l.activity IS NULL OR l.activity <> 0)")
ENDED_ISSUE = f"(l.outcome = 1 OR (l.enddate >= {ZERO} AND l.enddate <= NOW()))"

PRESCRIPTIONS = (
    f"SELECT p.id, p.drug, p.start_date, p.end_date, p.date_added, p.dosage, p.size, p.unit, p.form, p.route, "
    f"p.`interval`, p.quantity, p.refills, p.drug_dosage_instructions, p.indication, {PROVIDER} "
    "FROM prescriptions p LEFT JOIN users u ON u.id = p.provider_id "
    "WHERE p.patient_id = %(pid)s AND {state} "
    f"AND (p.encounter IS NULL OR p.encounter NOT IN ({SENSITIVE})) "
    "ORDER BY p.start_date DESC, p.date_added DESC, p.id DESC"
)
CURRENT_RX = f"p.active = 1 AND (p.end_date IS NULL OR p.end_date < {ZERO} OR p.end_date >= %(today)s)"

VITALS = (
    "SELECT v.id, v.date, v.weight, v.height, v.temperature, v.bps, v.bpd, v.pulse, v.respiration, v.BMI, "
    "v.BMI_status, v.oxygen_saturation FROM form_vitals v WHERE v.pid = %(pid)s AND v.id IN ("
    "SELECT f.form_id FROM forms f WHERE f.pid = %(pid)s AND f.formdir = 'vitals' AND f.deleted = 0 "
    f"AND (f.encounter IS NULL OR f.encounter NOT IN ({SENSITIVE}))) "
    "ORDER BY v.date IS NULL, v.date DESC, v.id DESC LIMIT {limit}"
)
VITALS_COUNT = ("SELECT COUNT(*) FROM form_vitals v WHERE v.pid = %(pid)s AND v.id IN ("
                "SELECT f.form_id FROM forms f WHERE f.pid = %(pid)s AND f.formdir = 'vitals' AND f.deleted = 0 "
                f"AND (f.encounter IS NULL OR f.encounter NOT IN ({SENSITIVE})))")

PATIENT_ORDERS = ("SELECT o.procedure_order_id FROM procedure_order o WHERE o.patient_id = %(pid)s "
                  f"AND o.activity = 1 AND (o.encounter_id NOT IN ({SENSITIVE}))")
RESULT_COLUMNS = ("r.procedure_result_id, r.procedure_report_id, r.result_code, r.result_text, r.date, r.units, "
                  "r.result, r.`range`, r.abnormal, r.comments, r.result_status")
RECENT_RESULTS = (
    f"SELECT {RESULT_COLUMNS}, rep.date_collected, rep.date_report FROM "
    "(SELECT o.procedure_order_id FROM procedure_order o WHERE o.patient_id = %(pid)s AND o.activity = 1 "
    f"AND o.encounter_id NOT IN ({SENSITIVE}) ORDER BY o.date_ordered DESC, o.procedure_order_id DESC LIMIT 20) "
    "AS recent JOIN procedure_report rep ON rep.procedure_order_id = recent.procedure_order_id "
    "JOIN procedure_result r ON r.procedure_report_id = rep.procedure_report_id "
    "WHERE r.result NOT IN ('DNR', 'TNP') "
    "ORDER BY COALESCE(r.date, rep.date_collected, rep.date_report) DESC, r.procedure_result_id DESC LIMIT 10"
)
REPORT_COLUMNS = ("rep.procedure_report_id, rep.procedure_order_id, rep.procedure_order_seq, rep.date_collected, "
                  "rep.date_report, rep.report_status, rep.review_status, o.date_ordered, oc.procedure_name, "
                  f"oc.procedure_code, {PROVIDER}")
REPORT_JOINS = ("FROM procedure_report rep JOIN procedure_order o ON o.procedure_order_id = rep.procedure_order_id "
                "LEFT JOIN procedure_order_code oc ON oc.procedure_order_id = rep.procedure_order_id "
                "AND oc.procedure_order_seq = rep.procedure_order_seq LEFT JOIN users u ON u.id = o.provider_id ")

# Appointments: single events from the start date on (no upper bound: the next ones whatever their distance),
# plus recurring series not ended before the start; without an index on pc_pid a series is looked for only from
# the lookback on (as records.queries reads them); pc_pid is varchar. Hidden events (pc_eventstatus -1) left out.
APPOINTMENTS = (
    "SELECT e.pc_eid, e.pc_aid, e.pc_title, e.pc_hometext, e.pc_eventDate, e.pc_endDate, e.pc_recurrtype, "
    "e.pc_recurrspec, e.pc_startTime, e.pc_endTime, e.pc_alldayevent, e.pc_apptstatus, c.pc_catname, "
    f"fa.name, {PROVIDER} FROM openemr_postcalendar_events e "
    "LEFT JOIN openemr_postcalendar_categories c ON c.pc_catid = e.pc_catid "
    "LEFT JOIN facility fa ON fa.id = e.pc_facility LEFT JOIN users u ON u.id = e.pc_aid "
    "WHERE e.pc_pid = %(spid)s AND e.pc_eventstatus <> -1 AND ((e.pc_recurrtype = 0 AND e.pc_eventDate >= {start}) "
    "OR (e.pc_recurrtype > 0 AND e.pc_eventDate >= %(series_from)s "
    "AND (e.pc_endDate IS NULL OR e.pc_endDate < '1000-01-02' OR e.pc_endDate >= {start})))"
)

VISIT_COLUMNS = f"fe.encounter, fe.date, fe.date_end, fe.reason, fe.facility, fe.facility_id, {PROVIDER}"
VISITS = (f"SELECT {VISIT_COLUMNS} FROM form_encounter fe LEFT JOIN users u ON u.id = fe.provider_id "
          f"WHERE fe.pid = %(pid)s AND fe.encounter IS NOT NULL AND {NOT_SENSITIVE} "
          "ORDER BY fe.date IS NULL, fe.date DESC, fe.encounter DESC LIMIT {limit}")

OPTIONS = "SELECT list_id, option_id, title FROM list_options WHERE activity = 1 AND list_id IN ({lists})"


def _options(*lists):
    return OPTIONS.format(lists=", ".join(f"'{name}'" for name in lists))


def _issues(types, state=ACTIVE_ISSUE):
    return ISSUES.format(types=", ".join(f"'{t}'" for t in types), state=state)


def page_sql(name):
    """The statements of one page."""
    if name == "summary":
        return [
            _issues(("medical_problem", "allergy", "medication")),
            PRESCRIPTIONS.format(state=CURRENT_RX),
            VITALS.format(limit=1),
            RECENT_RESULTS,
            APPOINTMENTS.format(start="%(today)s"),
            VISITS.format(limit=5),
            _options("outcome", "condition-verification", "reaction", "severity_ccda",
                     "allergyintolerance-verification", "drug_units", "drug_form", "drug_route", "drug_interval",
                     "proc_res_status", "apptstat"),
        ]
    if name == "visits":
        return [
            f"SELECT DISTINCT YEAR(fe.date) AS y FROM form_encounter fe WHERE fe.pid = %(pid)s "
            f"AND fe.encounter IS NOT NULL AND {NOT_SENSITIVE} ORDER BY y DESC",
            f"SELECT COUNT(*) FROM form_encounter fe WHERE fe.pid = %(pid)s AND fe.encounter IS NOT NULL "
            f"AND {NOT_SENSITIVE}",
            VISITS.format(limit=20),
        ]
    if name == "visit":
        visible_order = "o.encounter_id = %(encounter)s AND o.patient_id = %(pid)s AND o.activity = 1"
        return [
            f"SELECT {VISIT_COLUMNS}, fa.name, fa.street, fa.city, fa.state, fa.postal_code, fa.phone "
            "FROM form_encounter fe LEFT JOIN users u ON u.id = fe.provider_id "
            "LEFT JOIN facility fa ON fa.id = fe.facility_id "
            f"WHERE fe.pid = %(pid)s AND fe.encounter = %(encounter)s AND {NOT_SENSITIVE} LIMIT 1",
            "SELECT f.formdir, f.form_id FROM forms f WHERE f.pid = %(pid)s AND f.encounter = %(encounter)s "
            "AND f.deleted = 0",
            "SELECT v.date, v.weight, v.height, v.temperature, v.bps, v.bpd, v.pulse, v.respiration, v.BMI, "
            "v.oxygen_saturation FROM forms f JOIN form_vitals v ON v.id = f.form_id AND v.pid = f.pid "
            "WHERE f.pid = %(pid)s AND f.encounter = %(encounter)s AND f.formdir = 'vitals' AND f.deleted = 0",
            "SELECT n.codetext, n.description, n.clinical_notes_type, n.date FROM forms f "
            "JOIN form_clinical_notes n ON n.form_id = f.form_id AND n.pid = f.pid WHERE f.pid = %(pid)s "
            "AND f.encounter = %(encounter)s AND f.formdir = 'clinical_notes' AND f.deleted = 0 "
            "AND (n.activity IS NULL OR n.activity <> 0)",
            "SELECT ci.instruction, ci.date FROM forms f JOIN form_clinical_instructions ci ON ci.id = f.form_id "
            "WHERE f.pid = %(pid)s AND f.encounter = %(encounter)s AND f.formdir = 'clinical_instructions' "
            "AND f.deleted = 0",
            "SELECT cp.codetext, cp.description, cp.care_plan_type, cp.date, cp.date_end FROM forms f "
            "JOIN form_care_plan cp ON cp.id = f.form_id AND cp.pid = f.pid WHERE f.pid = %(pid)s "
            "AND f.encounter = %(encounter)s AND f.formdir = 'care_plan' AND f.deleted = 0",
            "SELECT b.code_type, b.code, b.code_text FROM billing b WHERE b.pid = %(pid)s "
            "AND b.encounter = %(encounter)s AND b.activity = 1 "
            "AND b.code_type IN (SELECT ct_key FROM code_types WHERE ct_diag = 1) ORDER BY b.id",
            "SELECT l.title, l.diagnosis FROM lists l WHERE l.pid = %(pid)s AND l.id IN (SELECT ie.list_id "
            "FROM issue_encounter ie WHERE ie.pid = %(pid)s AND ie.encounter = %(encounter)s) ORDER BY l.id",
            f"SELECT p.id, p.drug, p.start_date, p.end_date, p.dosage, p.size, p.unit, p.form, p.route, "
            f"p.`interval`, p.quantity, p.refills, p.drug_dosage_instructions, {PROVIDER} FROM prescriptions p "
            "LEFT JOIN users u ON u.id = p.provider_id WHERE p.patient_id = %(pid)s "
            "AND p.encounter = %(encounter)s AND p.active = 1",
            "SELECT i.id, i.administered_date, i.cvx_code, c.code_text_short, i.manufacturer, i.lot_number, "
            "i.amount_administered, i.route FROM immunizations i LEFT JOIN codes c ON c.code = i.cvx_code "
            "AND c.code_type = (SELECT ct_id FROM code_types WHERE ct_key = 'CVX') "
            "WHERE i.patient_id = %(pid)s AND i.encounter_id = %(encounter)s AND i.added_erroneously = 0",
            f"SELECT {REPORT_COLUMNS} {REPORT_JOINS} WHERE {visible_order}",
            f"SELECT {RESULT_COLUMNS} FROM procedure_result r JOIN procedure_report rep "
            "ON rep.procedure_report_id = r.procedure_report_id JOIN procedure_order o "
            f"ON o.procedure_order_id = rep.procedure_order_id WHERE {visible_order} "
            "AND r.result NOT IN ('DNR', 'TNP') ORDER BY r.procedure_report_id, r.procedure_result_id",
            "SELECT oc.procedure_order_id, oc.procedure_order_seq, oc.procedure_name FROM procedure_order_code oc "
            f"JOIN procedure_order o ON o.procedure_order_id = oc.procedure_order_id WHERE {visible_order}",
            APPOINTMENTS.format(start="%(today)s"),
            _options("drug_units", "drug_form", "drug_route", "drug_interval", "Clinical_Note_Type",
                     "Plan_of_Care_Type", "proc_res_status", "proc_rep_status", "apptstat"),
        ]
    if name == "medications":
        return [PRESCRIPTIONS.format(state=CURRENT_RX), _issues(("medication",)),
                _options("drug_units", "drug_form", "drug_route", "drug_interval")]
    if name == "problems":
        return [_issues(("medical_problem",)), _options("outcome", "condition-verification")]
    if name == "allergies":
        return [_issues(("allergy",)), _options("reaction", "severity_ccda", "allergyintolerance-verification")]
    if name == "immunizations":
        return [
            "SELECT i.id, i.administered_date, i.immunization_id, i.cvx_code, c.code_text_short, c.code_text, "
            "i.manufacturer, i.lot_number, i.amount_administered, i.amount_administered_unit, i.route, "
            "i.administration_site, i.completion_status FROM immunizations i LEFT JOIN codes c "
            "ON c.code = i.cvx_code AND c.code_type = (SELECT ct_id FROM code_types WHERE ct_key = 'CVX') "
            "WHERE i.patient_id = %(pid)s AND i.added_erroneously = 0 "
            f"AND (i.encounter_id IS NULL OR i.encounter_id NOT IN ({SENSITIVE})) "
            "ORDER BY i.administered_date DESC, i.id DESC",
            _options("immunizations", "Immunization_Manufacturer", "drug_route", "immunization_administered_site",
                     "Immunization_Completion_Status", "drug_units"),
        ]
    if name == "results":
        page = (f"SELECT rep.procedure_report_id FROM procedure_report rep WHERE rep.procedure_order_id IN "
                f"({PATIENT_ORDERS}) ORDER BY rep.date_report DESC, rep.date_collected DESC, "
                "rep.procedure_report_id DESC LIMIT 20")
        return [
            f"SELECT COUNT(*) FROM procedure_report rep WHERE rep.procedure_order_id IN ({PATIENT_ORDERS})",
            f"SELECT {REPORT_COLUMNS} {REPORT_JOINS} WHERE rep.procedure_report_id IN "
            f"(SELECT procedure_report_id FROM ({page}) AS p) ORDER BY rep.date_report DESC",
            f"SELECT {RESULT_COLUMNS} FROM procedure_result r WHERE r.procedure_report_id IN "
            f"(SELECT procedure_report_id FROM ({page}) AS p) AND r.result NOT IN ('DNR', 'TNP') "
            "ORDER BY r.procedure_report_id, r.procedure_result_id",
            _options("proc_res_status", "proc_rep_status"),
        ]
    if name == "result":
        return [
            f"SELECT {REPORT_COLUMNS} {REPORT_JOINS} WHERE rep.procedure_report_id = %(report)s "
            f"AND rep.procedure_order_id IN ({PATIENT_ORDERS})",
            f"SELECT {RESULT_COLUMNS} FROM procedure_result r WHERE r.procedure_report_id = %(report)s "
            "AND r.result NOT IN ('DNR', 'TNP') ORDER BY r.procedure_result_id",
            _options("proc_res_status", "proc_rep_status"),
        ]
    if name == "analyte":
        return [
            f"SELECT {RESULT_COLUMNS}, rep.date_collected, rep.date_report FROM procedure_result r "
            "JOIN procedure_report rep ON rep.procedure_report_id = r.procedure_report_id "
            f"WHERE r.result_code = %(analyte)s AND rep.procedure_order_id IN ({PATIENT_ORDERS}) "
            "AND r.result NOT IN ('DNR', 'TNP') "
            "ORDER BY rep.date_collected DESC, r.procedure_result_id DESC LIMIT 100",
            _options("proc_res_status"),
        ]
    if name == "vitals":
        return [VITALS_COUNT, VITALS.format(limit=20), VITALS.format(limit=60)]
    if name == "appointments":
        return [APPOINTMENTS.format(start="%(past_start)s"), _options("apptstat")]
    if name == "profile":
        return [
            "SELECT title, fname, mname, lname, suffix, preferred_name, DOB, pubpid, street, street_line_2, city, "
            "state, postal_code, country_code, phone_home, phone_biz, phone_cell, phone_contact, "
            "contact_relationship, email, providerID, care_team_provider, sex, gender_identity, pronoun, "
            "language, status, deceased_date FROM patient_data WHERE pid = %(pid)s",
            f"SELECT u.id, {PROVIDER} FROM users u WHERE u.id IN (SELECT providerID FROM patient_data "
            "WHERE pid = %(pid)s)",
            _options("sex", "gender_identity", "pronoun", "language", "marital"),
        ]
    raise KeyError(name)


NEEDS = {"visit": "encounter", "result": "report", "analyte": "analyte"}


def _add_months(day, months):
    # A copy of records.chart.appointments._add_months: this module is imported before django.setup(), so it
    # cannot import the chart (which imports the models).
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for candidate in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)


def params_for(pid, ids, *, months=6, tz="America/New_York", indexed=False, lookback_days=3 * 365):
    today = datetime.datetime.now(ZoneInfo(tz)).date()
    past_start = today - datetime.timedelta(days=365)
    return {
        # With an index on pc_pid a series is found whenever it started; without, from the lookback on.
        "series_from": datetime.date(1000, 1, 2) if indexed else past_start - datetime.timedelta(days=lookback_days),
        "pid": pid, "spid": str(pid),  # pc_pid is varchar: compare as a string, as the portal does
        "today": today, "window_end": _add_months(today, months),
        "past_start": today - datetime.timedelta(days=365),
        "encounter": ids.get("encounter"), "report": ids.get("report"), "analyte": ids.get("analyte"),
    }


def time_page(conn, name, params, repeats):
    """Median wall time (ms) of all of the page's statements, fetching every row, over `repeats` runs."""
    statements = page_sql(name)
    runs = []
    with conn.cursor() as cur:
        for _ in range(repeats + 1):  # the first run warms the buffer pool and is discarded
            start = time.perf_counter()
            for sql in statements:
                cur.execute(sql, params)
                cur.fetchall()
            runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs[1:])
