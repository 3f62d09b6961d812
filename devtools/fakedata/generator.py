"""Deterministic generator of an OpenEMR clinic: reference tables, then one patient at a time.

Determinism: every random choice comes from random.Random seeded with (seed, pid) or (seed, "reference"),
and every date is relative to `today`; ids and encounter numbers are assigned here, in order, never read
back from the database. The same seed and today give the same rows.

Row shapes follow ../shared/openemr-schema.md: pid numbered from 1, binary(16) uuids (some NULL), zero dates
where OpenEMR leaves them, forms rows for every encounter form, varchar pc_pid, PHP-serialized recurrences.
"""

import datetime
import itertools
import math
import random
import unicodedata
from dataclasses import dataclass

from devtools.fakedata import names, reference
from devtools.fakedata.php import php_serialize

D = datetime.date
DT = datetime.datetime
TD = datetime.timedelta

# --- Column orders (the generator's view of each table; the writer keeps those the target has) -----------
COLUMNS = {
    "facility": ("id", "uuid", "name", "phone", "fax", "street", "city", "state", "postal_code", "country_code",
                 "email", "website", "service_location", "billing_location", "pos_code", "facility_npi",
                 "primary_business_entity", "inactive", "organization_type", "date_created", "last_updated"),
    "users": ("id", "uuid", "username", "password", "authorized", "fname", "mname", "lname", "suffix", "title",
              "valedictory", "specialty", "npi", "facility", "facility_id", "active", "calendar", "portal_user",
              "abook_type", "email", "phone", "physician_type", "see_auth", "organization", "date_created",
              "last_updated"),
    "list_options": ("list_id", "option_id", "title", "seq", "is_default", "option_value", "notes", "codes",
                     "toggle_setting_1", "toggle_setting_2", "activity", "timestamp", "last_updated"),
    "code_types": ("ct_key", "ct_id", "ct_seq", "ct_diag", "ct_proc", "ct_term", "ct_problem", "ct_drug",
                   "ct_external", "ct_fee", "ct_label", "ct_active", "ct_claim"),
    "codes": ("id", "code_text", "code_text_short", "code", "code_type", "modifier", "fee", "active", "reportable"),
    "openemr_postcalendar_categories": ("pc_catid", "pc_constant_id", "pc_catname", "pc_catcolor", "pc_catdesc",
                                        "pc_recurrspec", "pc_duration", "pc_cattype", "pc_active", "pc_seq"),
    "patient_data": ("id", "pid", "uuid", "pubpid", "title", "fname", "mname", "lname", "suffix", "preferred_name",
                     "DOB", "sex", "street", "street_line_2", "city", "state", "postal_code", "country_code",
                     "county", "phone_home", "phone_biz", "phone_cell", "phone_contact", "contact_relationship",
                     "email", "email_direct", "language", "status", "race", "ethnicity", "providerID",
                     "ref_providerID", "care_team_provider", "care_team_facility", "care_team_status",
                     "allow_patient_portal", "hipaa_mail", "hipaa_voice", "hipaa_notice", "hipaa_message",
                     "hipaa_allowsms", "hipaa_allowemail", "allow_imm_reg_use", "allow_imm_info_share",
                     "allow_health_info_ex", "regdate", "date", "deceased_date", "deceased_reason",
                     "gender_identity", "pronoun", "sex_identified", "interpreter_needed", "occupation", "ss",
                     "drivers_license", "last_updated"),
    "form_encounter": ("id", "uuid", "date", "reason", "facility", "facility_id", "pid", "encounter",
                       "onset_date", "sensitivity", "pc_catid", "provider_id", "supervisor_id",
                       "billing_facility", "pos_code", "class_code", "referring_provider_id",
                       "ordering_provider_id", "date_end", "last_update"),
    "forms": ("id", "date", "encounter", "form_name", "form_id", "pid", "user", "groupname", "authorized",
              "deleted", "formdir", "issue_id", "provider_id"),
    "form_vitals": ("id", "uuid", "date", "pid", "user", "groupname", "authorized", "activity", "bps", "bpd",
                    "weight", "height", "temperature", "temp_method", "pulse", "respiration", "note", "BMI",
                    "BMI_status", "waist_circ", "head_circ", "oxygen_saturation", "last_updated"),
    "lists": ("id", "uuid", "date", "type", "subtype", "title", "begdate", "enddate", "occurrence", "diagnosis",
              "activity", "comments", "pid", "user", "groupname", "outcome", "reaction", "verification",
              "severity_al", "erx_source", "erx_uploaded", "modifydate", "list_option_id"),
    "lists_medication": ("id", "list_id", "drug_dosage_instructions", "usage_category", "usage_category_title",
                         "request_intent", "request_intent_title", "prescription_id", "is_primary_record"),
    "issue_encounter": ("id", "uuid", "pid", "list_id", "encounter", "resolved", "created_at", "updated_at"),
    "prescriptions": ("id", "uuid", "patient_id", "date_added", "date_modified", "provider_id", "encounter",
                      "start_date", "drug", "drug_id", "rxnorm_drugcode", "form", "dosage", "quantity", "size",
                      "unit", "route", "interval", "substitute", "refills", "per_refill", "medication", "note",
                      "active", "user", "end_date", "indication", "txDate", "usage_category",
                      "usage_category_title", "request_intent", "request_intent_title", "drug_dosage_instructions",
                      "diagnosis", "erx_source", "erx_uploaded"),
    "immunizations": ("id", "uuid", "patient_id", "administered_date", "immunization_id", "cvx_code",
                      "manufacturer", "lot_number", "administered_by_id", "administered_by", "education_date",
                      "vis_date", "note", "create_date", "update_date", "created_by", "amount_administered",
                      "amount_administered_unit", "expiration_date", "route", "administration_site",
                      "added_erroneously", "completion_status", "information_source", "refusal_reason",
                      "ordering_provider", "encounter_id"),
    "procedure_type": ("procedure_type_id", "parent", "name", "lab_id", "procedure_code", "procedure_type",
                       "description", "standard_code", "units", "range", "seq", "activity"),
    "billing": ("id", "date", "code_type", "code", "pid", "provider_id", "user", "groupname", "authorized",
                "encounter", "code_text", "billed", "activity", "modifier", "units", "fee", "justify"),
    "procedure_order": ("procedure_order_id", "uuid", "provider_id", "patient_id", "encounter_id", "date_collected",
                        "date_ordered", "order_priority", "order_status", "patient_instructions", "activity",
                        "control_id", "lab_id", "specimen_type", "clinical_hx", "history_order", "order_diagnosis",
                        "procedure_order_type", "order_intent", "location_id"),
    "procedure_order_code": ("procedure_order_id", "procedure_order_seq", "procedure_code", "procedure_name",
                             "procedure_source", "diagnoses", "do_not_send", "procedure_order_title",
                             "procedure_type"),
    "procedure_report": ("procedure_report_id", "uuid", "procedure_order_id", "procedure_order_seq",
                         "date_collected", "date_collected_tz", "date_report", "date_report_tz", "source",
                         "specimen_num", "report_status", "review_status", "report_notes"),
    "procedure_result": ("procedure_result_id", "uuid", "procedure_report_id", "result_data_type", "result_code",
                         "result_text", "date", "facility", "units", "result", "range", "abnormal", "comments",
                         "document_id", "result_status"),
    "openemr_postcalendar_events": ("pc_eid", "uuid", "pc_catid", "pc_multiple", "pc_aid", "pc_pid", "pc_title",
                                    "pc_time", "pc_hometext", "pc_informant", "pc_eventDate", "pc_endDate",
                                    "pc_duration", "pc_recurrtype", "pc_recurrspec", "pc_recurrfreq",
                                    "pc_startTime", "pc_endTime", "pc_alldayevent", "pc_eventstatus",
                                    "pc_sharing", "pc_apptstatus", "pc_facility", "pc_billing_location",
                                    "pc_sendalertsms", "pc_sendalertemail", "pc_room"),
    "form_clinical_notes": ("id", "uuid", "form_id", "date", "pid", "encounter", "user", "groupname",
                            "authorized", "activity", "code", "codetext", "description", "clinical_notes_type",
                            "clinical_notes_category", "note_related_to", "last_updated"),
    "form_care_plan": ("id", "date", "pid", "encounter", "user", "groupname", "authorized", "activity", "code",
                       "codetext", "description", "care_plan_type", "note_related_to", "date_end", "plan_status",
                       "proposed_date"),
    "form_clinical_instructions": ("id", "pid", "encounter", "user", "instruction", "date", "activity"),
    "form_soap": ("id", "date", "pid", "user", "groupname", "authorized", "activity", "subjective", "objective",
                  "assessment", "plan"),
}
TABLES = tuple(COLUMNS)

NON_RECURRING_SPEC = php_serialize({
    "event_repeat_freq": "0", "event_repeat_freq_type": "0", "event_repeat_on_num": "1",
    "event_repeat_on_day": "0", "event_repeat_on_freq": "0", "exdate": "",
})
LAB_NAME = "Riverside Reference Laboratory"
RANGE_TEXT = {"2093-3": "<200", "2571-8": "<150", "2085-9": ">40", "13457-7": "<100"}
MEDS_BY_ICD = {}
for _med in reference.MEDICATIONS:
    MEDS_BY_ICD.setdefault(_med[8], []).append(_med)
PANEL_BY_CODE = {panel[0]: panel for panel in reference.LAB_PANELS}
CVX_MANUFACTURER = {code: mvx for code, _, _, mvx in reference.CVX}
CHILD_PROBLEM_CODES = {"J45.909", "J30.9", "H66.90", "J01.90", "S93.409A", "J20.9", "N39.0", "E66.9"}
LANG_POOL_WEIGHTS = [pool[4] for pool in names.NAME_POOLS]


@dataclass
class GeneratorOptions:
    patients: int
    seed: int
    today: datetime.date
    heavy_pid: int | None = 2
    heavy_encounters: int = 2000


def _uuid(rng):
    """A random RFC 4122 version-4 uuid as OpenEMR's binary(16) bytes."""
    n = rng.getrandbits(128)
    n = (n & ~(0xF000 << 64)) | (4 << 76)
    n = (n & ~(0xC000 << 48)) | (0x8000 << 48)
    return n.to_bytes(16, "big")


def _verification(rng, rich, usual=("confirmed", "confirmed", "unconfirmed", "")):
    """lists.verification: mostly confirmed/unconfirmed/empty; 3% refuted and 2% entered in error (§1.6)."""
    roll = rng.random()
    if not rich and roll < 0.03:
        return "refuted"
    if not rich and roll < 0.05:
        return "entered-in-error"
    return rng.choice(usual)


def _ascii(text):
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


class Generator:
    def __init__(self, writer, options):
        self.w = writer
        self.o = options
        self.today = options.today
        self.now = DT.combine(options.today, datetime.time(12, 0))
        self.zd = writer.zero_date
        self.zdt = writer.zero_datetime
        self.ids = {name: itertools.count(1) for name in (
            "form_encounter", "forms", "form_vitals", "lists", "lists_medication", "issue_encounter",
            "prescriptions", "immunizations", "billing", "procedure_order", "procedure_report", "procedure_result",
            "pc_eid", "clinical_notes_form", "clinical_notes", "care_plan", "clinical_instructions", "soap")}
        self.encounter_numbers = itertools.count(100001)
        for table, columns in COLUMNS.items():
            writer.declare(table, columns)

    # --- helpers ------------------------------------------------------------------------------------------
    def _next(self, name):
        return next(self.ids[name])

    def _maybe_uuid(self, rng, null_rate=0.03):
        return None if rng.random() < null_rate else _uuid(rng)

    def _form(self, rng, pid, enc, when, form_name, formdir, form_id, user, provider_id, deleted=None):
        if deleted is None:
            deleted = 1 if rng.random() < 0.02 else 0
        self.w.add("forms", (self._next("forms"), when, enc, form_name, form_id, pid, user, "Default", 1, deleted,
                             formdir, 0, provider_id))

    # --- reference tables ---------------------------------------------------------------------------------
    def reference(self):
        rng = random.Random(f"{self.o.seed}/reference")
        created = DT(2015, 6, 1, 9, 0)
        self.facilities = []
        for i, (name, phone, street, city, state, zip_code, primary) in enumerate(names.FACILITIES, start=1):
            self.w.add("facility", (i, _uuid(rng), name, phone, phone.replace("3", "9", 1), street, city, state,
                                    zip_code, "USA", f"info{i}@riverside.example.org", "https://riverside.example.org",
                                    1, 1 if primary else 0, 11, f"19{rng.randrange(10**7, 10**8)}", primary, 0,
                                    "prov", created, created))
            self.facilities.append((i, name))

        # users: 1 admin, then providers (about one per 200 patients, at least 5), a nurse, an inactive
        # provider who left the clinic, and an address-book entry (no username, OpenEMR's lab contacts).
        n_providers = max(5, math.ceil(self.o.patients / 200))
        self.providers = []  # (id, username, facility_id)
        self.w.add("users", (1, _uuid(rng), "admin", "NoLongerUsed", 1, "Administrator", "", "Administrator",
                             None, "", "", "", None, names.FACILITIES[0][0], 1, 1, 1, 0, "", None, None, None, 3,
                             None, created, created))
        user_id = 2
        for i in range(n_providers):
            if i < len(names.PROVIDERS):
                title, fname, mname, lname, valedictory, specialty = names.PROVIDERS[i]
            else:
                title = rng.choice(["Dr.", "Dr.", ""])
                fname, lname = rng.choice(names.PROVIDER_FIRST), rng.choice(names.PROVIDER_LAST)
                mname = rng.choice(["", "", "M."])
                valedictory, specialty = rng.choice(names.VALEDICTORIES), rng.choice(names.SPECIALTIES)
            facility_id = 1 + i % len(self.facilities)
            username = f"{_ascii(fname)[:1]}{_ascii(lname)}{user_id}"
            self.w.add("users", (user_id, _uuid(rng), username, "NoLongerUsed", 1, fname, mname, lname, None,
                                 title, valedictory, specialty, str(1000000000 + rng.randrange(10**9))[:10],
                                 self.facilities[facility_id - 1][1], facility_id, 1, 1, 1, "", 
                                 f"{username}@riverside.example.org", "(555) 201-3300",
                                 "attending_physician", 1, None, created, created))
            self.providers.append((user_id, username, facility_id))
            user_id += 1
        self.nurse = (user_id, "nurse.kelly")
        self.w.add("users", (user_id, _uuid(rng), "nurse.kelly", "NoLongerUsed", 0, "Kelly", "", "Brennan", None,
                             "", "RN", "Nursing", None, names.FACILITIES[0][0], 1, 1, 0, 0, "", None, None, None, 1,
                             None, created, created))
        user_id += 1
        self.departed = (user_id, "jmorrow")
        self.w.add("users", (user_id, None, "jmorrow", "NoLongerUsed", 1, "Jonathan", "", "Morrow", "Jr.", "Dr.",
                             "MD", "Family Medicine", "1234567893", names.FACILITIES[0][0], 1, 0, 0, 0, "", None,
                             None, None, 1, None, created, created))
        user_id += 1
        self.w.add("users", (user_id, _uuid(rng), None, None, 0, "", "", "", None, "", None, None, None, None, 0, 1,
                             0, 0, "ord_lab", "results@lab.example.org", "(555) 300-1000", None, 0, LAB_NAME,
                             created, created))

        seq_lists = 0
        for list_id, options in reference.LIST_OPTIONS.items():
            seq_lists += 10
            self.w.add("list_options", ("lists", list_id, list_id.replace("_", " ").title(), seq_lists, 0, 0, None,
                                        "", 0, 0, 1, created, created))
            for seq, (option_id, title, extra) in enumerate(options, start=1):
                self.w.add("list_options", (list_id, option_id, title, seq * 10, 1 if seq == 1 else 0, 0,
                                            extra.get("notes"), extra.get("codes", ""),
                                            extra.get("toggle_setting_1", 0), extra.get("toggle_setting_2", 0),
                                            extra.get("activity", 1), created, created))

        for key, ct_id, seq, diag, proc, term, problem, drug, external, fee, label in reference.CODE_TYPES:
            self.w.add("code_types", (key, ct_id, seq, diag, proc, term, problem, drug, external, fee, label, 1,
                                      1 if key in ("CPT4", "ICD10", "HCPCS") else 0))
        code_id = 1
        for code, text, short, _ in reference.CVX:
            self.w.add("codes", (code_id, text, short, code, 100, "", None, 1, 0))
            code_id += 1
        for code, text, fee in reference.CPT4:
            self.w.add("codes", (code_id, text, "", code, 1, "", fee, 1, 1))
            code_id += 1

        for catid, constant, name, color, duration, cattype in reference.CALENDAR_CATEGORIES:
            self.w.add("openemr_postcalendar_categories", (catid, constant, name, color, name, NON_RECURRING_SPEC,
                                                           duration, cattype, 1, catid))

        # The lab's catalogue (procedure_type, §1.12): an order type per panel and a result type per analyte,
        # with the range and units OpenEMR's portal shows where a result line carries none.
        type_id = 1
        for panel_code, panel_name, analytes in reference.LAB_PANELS:
            panel_id = type_id
            self.w.add("procedure_type", (panel_id, 0, panel_name[:63], 1, panel_code, "ord", panel_name, "", "",
                                          "", 0, 1))
            type_id += 1
            for seq, (loinc, name, units, low, high, decimals, kind) in enumerate(analytes, start=1):
                range_text = "Negative" if kind == "S" else RANGE_TEXT.get(
                    loinc, f"{low:.{decimals}f}-{high:.{decimals}f}")
                self.w.add("procedure_type", (type_id, panel_id, name[:63], 1, loinc, "res", name, f"LOINC:{loinc}",
                                              units, range_text, seq, 1))
                type_id += 1

        # Provider-only calendar events: pc_pid '' / '0' / NULL, as OpenEMR stores them (schema doc §1.14).
        for provider_id, _, facility_id in self.providers:
            for day in range(-14, 28, 7):
                when = self.today + TD(days=day)
                for pc_pid, catid, title, start in (("", 8, "Lunch", "12:00:00"), ("0", 2, "In Office", "08:00:00"),
                                                     (None, 11, "Reserved", "16:30:00")):
                    self.w.add("openemr_postcalendar_events", (
                        self._next("pc_eid"), _uuid(rng), catid, 0, str(provider_id), pc_pid, title,
                        DT.combine(when, datetime.time(7)), "", "1", when, self.zd, 3600 if catid == 8 else 900,
                        0, NON_RECURRING_SPEC, 0, start, start[:2] + ":45:00", 0, 1, 0, "-", facility_id,
                        facility_id, "NO", "NO", ""))

    # --- patients -----------------------------------------------------------------------------------------
    def patient(self, pid):
        rng = random.Random(f"{self.o.seed}/{pid}")
        heavy = pid == self.o.heavy_pid
        rich = pid == 1
        p = self._demographics(rng, pid, heavy)
        if heavy:
            n_enc = self.o.heavy_encounters
        elif rich:
            n_enc = 12
        elif rng.random() < 0.06:
            n_enc = 0
        else:
            n_enc = min(15, max(1, int(round(rng.gauss(6, 3.2)))))
        start = max(p["regdate"].date(), p["dob"] + TD(days=3))
        span = max(1, (self.today - start).days - 1)
        if heavy:
            offsets = sorted(rng.randrange(span) for _ in range(n_enc))
        else:
            offsets = sorted(rng.sample(range(span), min(n_enc, span)))
        if rich and offsets:
            # A visit eight days ago, the newest one, so the demo's latest results are recent and final.
            offsets = [offset for offset in offsets[:-1] if offset < span - 8] + [span - 8]
        encounters = []
        for offset in offsets:
            when = DT.combine(start + TD(days=offset), datetime.time(rng.randrange(8, 17), rng.choice((0, 15, 30, 45))))
            encounters.append(self._encounter(rng, p, when, first=not encounters))
        if rich and encounters:
            self._notes(rng, p, encounters[-1], force=True)  # the demo's latest visit has every kind of note
        problems = self._problems(rng, p, encounters, rich)
        self._allergies(rng, p, rich)
        self._medications(rng, p, problems, encounters, rich)
        self._immunizations(rng, p, encounters, rich)
        self._labs(rng, p, encounters, problems, heavy, rich)
        self._appointments(rng, p, encounters, rich)
        if pid == 4 and not heavy:
            self._every_odd_shape(rng, p)

    def _demographics(self, rng, pid, heavy):
        rich = pid == 1
        # pid 3 is always a legacy row (zero date of birth, NULL uuid, portal flag never set), so that every
        # data set, however small, has them; others get them at random.
        legacy = pid == 3 and not heavy
        pool = rng.choices(names.NAME_POOLS, weights=LANG_POOL_WEIGHTS)[0]
        female_names, male_names, last_names, language, _ = pool
        sex = rng.choices(["Female", "Male", "UNK"], weights=[51, 48, 1])[0]
        fname = rng.choice(female_names if sex == "Female" else male_names if sex == "Male" else
                           female_names + male_names)
        lname = rng.choice(last_names)
        age_days = int(min(100 * 365, max(20, rng.gauss(45, 22) * 365.25)))
        if heavy:
            age_days = max(age_days, 62 * 365)  # years of dialysis-style visits need a long history
        dob = self.today - TD(days=age_days)
        provider_id, provider_user, facility_id = rng.choice(self.providers)
        if rich:
            fname, lname, sex, dob, language = "Alice", "Martín", "Female", D(1980, 4, 12), "english"
            provider_id, provider_user, facility_id = self.providers[0]
        age = (self.today - dob).days / 365.25
        regdate = DT.combine(max(dob + TD(days=2), self.today - TD(days=rng.randrange(60, 12 * 365))),
                             datetime.time(9, 30))
        if rich:
            regdate = DT(2016, 2, 3, 10, 15)
        elif heavy:
            regdate = DT.combine(self.today - TD(days=20 * 365), datetime.time(9, 30))
        city, state, zip3 = rng.choice(names.CITIES)
        street = f"{rng.randrange(1, 999)} {rng.choice(names.STREETS)}"
        street2 = f"{rng.choice(names.UNIT_PREFIXES)} {rng.randrange(1, 40)}" if rng.random() < 0.2 else ""
        postal = f"{zip3}{rng.randrange(10, 99)}" + (f"-{rng.randrange(1000, 9999)}" if rng.random() < 0.1 else "")
        phone = lambda: f"(555) {rng.randrange(100, 999)}-{rng.randrange(1000, 9999)}"  # noqa: E731
        handle = _ascii(fname) or "patient"
        email = "" if rng.random() < 0.12 else f"{handle}.{_ascii(lname) or pid}{pid}@{rng.choice(names.EMAIL_DOMAINS)}"
        if rich:
            email = "alice@example.org"
        portal = "YES" if rich else rng.choices(["YES", "NO", ""], weights=[85, 8, 7])[0]
        if legacy:
            portal = ""
        care_team = [provider_id] + ([rng.choice(self.providers)[0]] if rng.random() < 0.3 else [])
        dob_value = dob
        if legacy or (not rich and rng.random() < 0.01):
            dob_value = self.zd  # legacy rows with a zero date of birth
        deceased = None
        if not rich and age > 60 and rng.random() < 0.02:
            deceased = DT.combine(self.today - TD(days=rng.randrange(10, 900)), datetime.time(4, 0))
        pubpid = str(pid) if rng.random() < 0.3 else f"RFC{pid:06d}"
        marital = "" if age < 18 else rng.choice(["married", "single", "divorced", "widowed", "separated",
                                                  "domestic partner", "civil_union", ""])
        registered = regdate
        self.w.add("patient_data", (
            pid, pid, None if (legacy or (not rich and rng.random() < 0.03)) else _uuid(rng), pubpid,
            "" if age < 18 else rng.choice(["Mr.", "Ms.", "Mrs.", "Dr.", ""]) if not rich else "Ms.",
            fname, rng.choice(names.MIDDLE_INITIALS) + "." if rng.random() < 0.3 else "", lname,
            rng.choice(names.SUFFIXES) if (sex == "Male" and rng.random() < 0.04) else None,
            rng.choice(["", "", "Sam", "Lu", "Bea"]) if rng.random() < 0.05 else None,
            dob_value, sex, street, street2, city, state, postal, "USA", "",
            phone() if rng.random() < 0.5 else "", phone() if rng.random() < 0.2 else "", phone(),
            phone() if rng.random() < 0.6 else "",
            rng.choice(names.CONTACT_RELATIONSHIPS) if rng.random() < 0.6 else "",
            email, "", language if rng.random() > 0.03 else "", marital,
            rng.choice(["white", "white", "black_or_afri_amer", "asian", "declne_to_specfy", "white|asian", ""]),
            rng.choice(["not_hisp_or_latin", "hisp_or_latin", "decline_to_specify", ""]), provider_id,
            None, "|".join(str(i) for i in care_team), str(facility_id), "active", portal,
            "YES", "YES", "YES", "", rng.choice(["YES", "NO"]), rng.choice(["YES", "NO"]),
            "YES", "YES", rng.choice(["YES", "NO", ""]), registered, registered, deceased,
            "Natural causes" if deceased else "", None, None, None, rng.choice(["no", "no", "yes", None]),
            None, f"900-{rng.randrange(10, 99)}-{rng.randrange(1000, 9999)}", "", registered,
        ))
        # Baseline body for vitals: US units (lb, in), as OpenEMR stores them.
        if age < 18:
            height = min(70.0, 20 + age * 2.6)
            bmi = rng.uniform(14.5, 21)
        else:
            height = rng.gauss(69.5 if sex == "Male" else 64.0, 2.8)
            bmi = max(17.0, rng.gauss(28, 5))
        return {
            "pid": pid, "dob": dob, "age": age, "sex": sex, "provider_id": provider_id,
            "provider_user": provider_user, "facility_id": facility_id, "regdate": regdate,
            "height": height, "weight": bmi * height * height / 703,
            "hypertensive": age >= 18 and rng.random() < 0.3,
        }

    def _encounter(self, rng, p, when, first):
        pid = p["pid"]
        provider_id, provider_user = p["provider_id"], p["provider_user"]
        if rng.random() < 0.15:
            provider_id, provider_user, _ = rng.choice(self.providers)
        if when.date() < self.today - TD(days=6 * 365) and rng.random() < 0.15:
            provider_id, provider_user = self.departed
        facility_id = p["facility_id"] if rng.random() < 0.85 else rng.randrange(1, len(self.facilities) + 1)
        enc_id = self._next("form_encounter")
        number = next(self.encounter_numbers)
        roll = rng.random()
        sensitivity = "high" if roll < 0.03 else None if roll < 0.06 else "" if roll < 0.07 else "normal"
        reason = rng.choice(reference.SENSITIVE_REASONS if sensitivity == "high" else reference.ENCOUNTER_REASONS)
        catid = 10 if first else rng.choice((5, 9, 9, 13))
        self.w.add("form_encounter", (
            enc_id, self._maybe_uuid(rng), when, reason, self.facilities[facility_id - 1][1], facility_id, pid,
            number, when if rng.random() < 0.3 else None, sensitivity, catid, provider_id, 0, facility_id, 11,
            "VR" if rng.random() < 0.05 else "AMB", 0, 0, when + TD(minutes=30) if rng.random() < 0.5 else None,
            when,
        ))
        self._form(rng, pid, number, when, "New Patient Encounter", "newpatient", enc_id, provider_user, provider_id,
                   deleted=0)
        enc = {"number": number, "date": when, "provider_id": provider_id, "user": provider_user,
               "sensitive": sensitivity == "high", "facility_id": facility_id}
        if rng.random() < 0.7:
            self._vitals(rng, p, enc)
        self._notes(rng, p, enc)
        self.w.add("billing", (self._next("billing"), when, "CPT4", rng.choice(("99213", "99214", "99213")), pid,
                               provider_id, 1, "Default", 1, number, "Office/outpatient visit, established patient",
                               1, 0 if rng.random() < 0.02 else 1, "", 1, 110.00, ""))
        return enc

    def _every_odd_shape(self, rng, p):
        """pid 4 always holds one of each shape issue 10 found in real OpenEMR data (elsewhere they come at
        random rates), so that every data set, however small, has them: items without a visit, a FLOAT of
        1e308, 40 nines in bps, a result of 1e308, refuted / entered-in-error / retired issues, all-day and
        past-midnight appointments, cancelled, no-show and hidden ones, one 9 months ahead, a series since 2022."""
        pid = p["pid"]
        when = DT.combine(self.today - TD(days=40), datetime.time(10, 0))
        enc = self._encounter(rng, p, when, first=False)
        vid = self._next("form_vitals")
        self.w.add("form_vitals", (vid, _uuid(rng), when, pid, self.nurse[1], "Default", 1, 1, "9" * 40, "85",
                                   160, 66, 98.6, "Oral", 70, 16, "", 25.8, "Overweight", 0, 0, 98, when))
        self._form(rng, pid, enc["number"], when, "Vitals", "vitals", vid, self.nurse[1], enc["provider_id"],
                   deleted=0)
        for amount in (1e308, 0.5):
            self.w.add("immunizations", (
                self._next("immunizations"), _uuid(rng), pid, when - TD(days=400), None, "141", "SKB", "AB12345",
                p["provider_id"], None, when.date(), when.date(), "", when, when, p["provider_id"], amount, "9",
                when.date(), "intramuscular", "left_deltoid", 0, "Completed", "new_immunization_record", None,
                p["provider_id"], None))
        order_id, report_id = self._next("procedure_order"), self._next("procedure_report")
        self.w.add("procedure_order", (order_id, _uuid(rng), enc["provider_id"], pid, enc["number"], when, when,
                                       "normal", "complete", "", 1, f"RFL{order_id:08d}", 1, "Blood", "", "0",
                                       "ICD10:Z00.00", "laboratory_test", "order", enc["facility_id"]))
        self.w.add("procedure_order_code", (order_id, 1, "51990-0", "Basic metabolic panel - Blood", "1",
                                            "ICD10:Z00.00", 0, "Basic metabolic panel - Blood", "laboratory_test"))
        self.w.add("procedure_report", (report_id, _uuid(rng), order_id, 1, when, "-0500", when + TD(days=1),
                                        "-0500", enc["provider_id"], f"S{report_id:09d}", "final", "reviewed", ""))
        self.w.add("procedure_result", (self._next("procedure_result"), _uuid(rng), report_id, "N", "2345-7",
                                        "Glucose [Mass/volume] in Serum or Plasma", when, LAB_NAME, "mg/dL", "1e308",
                                        "", "HH", "Interface overflow value", 0, "final"))
        for kind, title, verification, activity, enddate in (
                ("medical_problem", "Systemic lupus erythematosus (ruled out)", "refuted", 1, None),
                ("allergy", "Shellfish (entered on the wrong chart)", "entered-in-error", 1, None),
                ("medication", "Warfarin 5 mg tablet", "", 0, None)):
            self.w.add("lists", (self._next("lists"), _uuid(rng), when, kind, "", title, when, enddate, 0, "",
                                 activity, "", pid, p["provider_user"], "Default", 0, "", verification, None, "0",
                                 "0", when, None))
        weekly = php_serialize({"event_repeat_freq": "1", "event_repeat_freq_type": "1", "event_repeat_on_num": "1",
                                "event_repeat_on_day": "0", "event_repeat_on_freq": "0", "exdate": ""})
        for offset, start, end, duration, allday, status, eventstatus, recurrtype, spec, title in (
                (5, "00:00:00", "24:00:00", 86400, 1, "-", 1, 0, NON_RECURRING_SPEC, "Health fair"),
                (9, "23:30:00", "24:30:00", 3600, 0, "-", 1, 0, NON_RECURRING_SPEC, "Sleep study"),
                (12, "10:00:00", "10:15:00", 900, 0, "x", 1, 0, NON_RECURRING_SPEC, "Office Visit"),
                (15, "10:00:00", "10:15:00", 900, 0, "?", 1, 0, NON_RECURRING_SPEC, "Office Visit"),
                (18, "10:00:00", "10:15:00", 900, 0, "-", -1, 0, NON_RECURRING_SPEC, "Office Visit"),
                (270, "08:30:00", "09:00:00", 1800, 0, "-", 1, 0, NON_RECURRING_SPEC, "Annual physical"),
                (-4 * 365, "16:00:00", "16:45:00", 2700, 0, "-", 1, 1, weekly, "Physical therapy")):
            day = self.today + TD(days=offset)
            self.w.add("openemr_postcalendar_events", (
                self._next("pc_eid"), _uuid(rng), 5, 0, str(p["provider_id"]), str(pid), title,
                DT.combine(self.today - TD(days=3), datetime.time(9)), "", "1", day, None, duration, recurrtype,
                spec, 0, start, end, allday, eventstatus, 0, status, p["facility_id"], p["facility_id"], "NO", "NO",
                ""))

    def _vitals(self, rng, p, enc):
        vid = self._next("form_vitals")
        weight = round(p["weight"] * rng.uniform(0.97, 1.03), 1)
        height = round(p["height"], 1)
        bmi = round(weight / (height * height) * 703, 1)
        status = ("Underweight" if bmi < 18.5 else "Normal BL" if bmi < 25 else "Overweight" if bmi < 30
                  else "Obesity III" if bmi >= 40 else "Obese")
        sys_base = 138 if p["hypertensive"] else 118
        bps = int(rng.gauss(sys_base, 9))
        bpd = int(rng.gauss(bps * 0.64, 5))
        temperature = round(rng.gauss(98.4, 0.4) if rng.random() > 0.05 else rng.uniform(100.4, 102.8), 1)
        if rng.random() < 0.15:
            temperature = 0  # 0 = not recorded (VitalsService)
        if rng.random() < 0.2:
            height, bmi, status = 0, 0, ""
        bp_missing = rng.random() < 0.04
        bps_text, bpd_text = str(bps), str(bpd)
        if rng.random() < 0.002:
            bps_text = "9" * 40  # varchar(40): free text that no rounding holds (issue 10, item 9)
        self.w.add("form_vitals", (
            vid, self._maybe_uuid(rng), enc["date"], p["pid"], self.nurse[1], "Default", 1, 1,
            None if bp_missing else bps_text, None if bp_missing else bpd_text, weight, height, temperature,
            "Oral" if temperature else "", int(rng.gauss(74, 9)), rng.choice((14, 16, 16, 18, 0)),
            "" if rng.random() < 0.9 else "Patient anxious, BP repeated", bmi, status, 0, 0,
            rng.choice((97, 98, 99, 100, 96, 0)), enc["date"],
        ))
        self._form(rng, p["pid"], enc["number"], enc["date"], "Vitals", "vitals", vid, self.nurse[1],
                   enc["provider_id"])

    def _notes(self, rng, p, enc, force=False):
        pid, number, when, user = p["pid"], enc["number"], enc["date"], enc["user"]
        if force or rng.random() < 0.25:
            form_id = self._next("clinical_notes_form")
            for _ in range(rng.choice((1, 1, 2))):
                note_type, title = rng.choice([("progress_note", "Progress note"), ("nurse_note", "Nurse note"),
                                               ("consultation_note", "Consultation note")])
                code = {"progress_note": "LOINC:11506-3", "nurse_note": "LOINC:34746-8",
                        "consultation_note": "LOINC:11488-4"}[note_type]
                text = " ".join(rng.sample(reference.NOTE_SENTENCES, rng.randrange(2, 6)))
                self.w.add("form_clinical_notes", (
                    self._next("clinical_notes"), self._maybe_uuid(rng), form_id, when.date(), pid, str(number),
                    user, "Default", 1, 0 if rng.random() < 0.04 else 1, code, title, text, note_type, "clinical",
                    "", when))
            self._form(rng, pid, number, when, "Clinical Notes", "clinical_notes", form_id, user, enc["provider_id"])
        if force or rng.random() < 0.15:
            soap_id = self._next("soap")
            self.w.add("form_soap", (
                soap_id, when, pid, user, "Default", 1, 1, rng.choice(reference.NOTE_SENTENCES),
                "Vitals reviewed. Alert and oriented; lungs clear; heart regular rate and rhythm.",
                rng.choice(reference.PROBLEMS)[0], rng.choice(reference.INSTRUCTIONS)))
            self._form(rng, pid, number, when, "SOAP", "soap", soap_id, user, enc["provider_id"])
        if force or rng.random() < 0.2:
            ci_id = self._next("clinical_instructions")
            self.w.add("form_clinical_instructions", (ci_id, pid, str(number), user,
                                                      rng.choice(reference.INSTRUCTIONS), when, 1))
            self._form(rng, pid, number, when, "Clinical Instructions", "clinical_instructions", ci_id, user,
                       enc["provider_id"])
        if force or rng.random() < 0.08:
            plan_id = self._next("care_plan")
            goal, code, intervention = rng.choice(reference.CARE_PLAN_GOALS)
            status = rng.choice(("active", "active", "completed", "on-hold"))
            end = when + TD(days=180) if status == "completed" else None
            lines = [("goal", goal, code), ("plan_of_care", intervention, code),
                     ("instructions", rng.choice(reference.INSTRUCTIONS), "")]
            for care_type, text, line_code in lines[: rng.randrange(2, 4)]:
                self.w.add("form_care_plan", (plan_id, when, pid, str(number), user, "Default", 1, 1, line_code,
                                              text, text, care_type, "", end, status, when + TD(days=90)))
            self._form(rng, pid, number, when, "Care Plan Form", "care_plan", plan_id, user, enc["provider_id"])

    def _problems(self, rng, p, encounters, rich):
        pid = p["pid"]
        if rich:
            chosen = [reference.PROBLEMS[i] for i in (0, 2, 17, 20, 12)]
        else:
            pool = reference.PROBLEMS if p["age"] >= 18 else [
                problem for problem in reference.PROBLEMS if problem[1] in CHILD_PROBLEM_CODES]
            k = min(len(pool), max(0, int(rng.gauss(2.5 + p["age"] / 30, 1.6))))
            chosen = rng.sample(pool, k)
            if p["hypertensive"] and p["age"] >= 18 and reference.PROBLEMS[0] not in chosen:
                chosen.append(reference.PROBLEMS[0])
        problems = []
        for title, icd, snomed, chronic, sensitive in chosen:
            list_id = self._next("lists")
            start = p["regdate"].date() + TD(days=rng.randrange(0, max(1, (self.today - p["regdate"].date()).days)))
            begdate = DT.combine(start, datetime.time(0, 0))
            enddate, outcome, occurrence = None, 0, 4 if chronic else 1
            if not chronic:
                enddate = begdate + TD(days=rng.randrange(7, 40))
                outcome = 1 if rng.random() < 0.8 else 0
                if enddate.date() > self.today:
                    enddate = DT.combine(self.today + TD(days=rng.randrange(3, 30)), datetime.time(0))  # future end
            roll = rng.random()
            if chronic and roll < 0.05:
                enddate = self.zdt  # zero enddate: "no end date", i.e. still active (stats.php)
            elif chronic and roll < 0.08:
                outcome = 1  # resolved outcome with no end date (the dashboard hides it, the summary does not)
            elif chronic and roll < 0.14:
                enddate = begdate + TD(days=rng.randrange(200, 900))  # a chronic problem that was closed
                outcome = 2
            diagnosis = f"ICD10:{icd}" + (f";SNOMED-CT:{snomed}" if rng.random() < 0.6 else "")
            self.w.add("lists", (
                list_id, self._maybe_uuid(rng), begdate + TD(hours=9), "medical_problem", "", title, begdate,
                enddate, occurrence, diagnosis, 1, "", pid, p["provider_user"], "Default", outcome, "",
                _verification(rng, rich), None, "0", "0", begdate, None))
            problem = {"id": list_id, "icd": icd, "title": title, "begdate": begdate, "chronic": chronic,
                       "sensitive": sensitive, "resolved": outcome == 1, "enddate": enddate}
            problems.append(problem)
            # Link to visits: the first visit on/after onset, plus some later ones for chronic problems.
            linked = [e for e in encounters if e["date"] >= begdate]
            linked = linked[:1] + ([e for e in linked[1:] if rng.random() < 0.3] if chronic else [])
            for enc in linked[:40]:
                self.w.add("issue_encounter", (self._next("issue_encounter"), self._maybe_uuid(rng), pid, list_id,
                                               enc["number"], 1 if problem["resolved"] and enc is linked[-1] else 0,
                                               enc["date"], enc["date"]))
                self.w.add("billing", (self._next("billing"), enc["date"], "ICD10", icd, pid, enc["provider_id"], 1,
                                       "Default", 1, enc["number"], title, 1, 0 if rng.random() < 0.03 else 1, "",
                                       1, 0, ""))
        return problems

    def _allergies(self, rng, p, rich):
        if rich:
            chosen = [reference.ALLERGIES[0], reference.ALLERGIES[7]]
        else:
            chosen = rng.sample(reference.ALLERGIES, rng.choices((0, 1, 2, 3), weights=(50, 30, 14, 6))[0])
        for i, (title, code, drug) in enumerate(chosen):
            severity = rng.choice(("mild", "moderate", "moderate", "severe", "life_threatening_severity",
                                   "mild_to_moderate", "unassigned", None))
            reaction = rng.choice(("hives", "nausea", "shortness_of_breath", "unassigned", "swelling", ""))
            if rich:
                severity, reaction = ("severe", "hives") if i == 0 else ("moderate", "shortness_of_breath")
            begdate = DT.combine(p["dob"] + TD(days=rng.randrange(365, 365 * 10)), datetime.time(0))
            enddate = None
            if not rich and rng.random() < 0.08:
                enddate = begdate + TD(days=rng.randrange(365, 3650))  # outgrown / no longer allergic
            self.w.add("lists", (
                self._next("lists"), self._maybe_uuid(rng), p["regdate"], "allergy", "", title, begdate, enddate, 0,
                code, 1, "Reported by patient" if rng.random() < 0.3 else "", p["pid"], p["provider_user"],
                "Default", 1 if enddate else 0, reaction, _verification(rng, rich, ("confirmed", "unconfirmed", "")),
                severity,
                "0", "0", p["regdate"], None))

    def _medications(self, rng, p, problems, encounters, rich):
        pid = p["pid"]
        for problem in problems:
            meds = MEDS_BY_ICD.get(problem["icd"])
            if not meds or (not rich and rng.random() < 0.25):
                continue
            med = rng.choice(meds)
            drug, rxnorm, size, unit, form, route, interval, sig, icd, short = med
            start = problem["begdate"] + TD(days=rng.randrange(0, 10))
            enc = next((e for e in encounters if e["date"] >= problem["begdate"]), None)
            active, end_date = 1, None
            if short:
                end_date = (start + TD(days=10)).date()
                active = 1 if rng.random() < 0.5 else 0
            elif problem["enddate"] not in (None, self.zdt) and problem["enddate"] < self.now:
                end_date, active = problem["enddate"].date(), 0
            elif not rich and rng.random() < 0.08:
                active = 0  # soft-deleted (PrescriptionService::delete)
            if end_date and end_date > self.today:
                end_date = None
            list_id = self._next("lists")
            self.w.add("lists", (
                list_id, self._maybe_uuid(rng), start, "medication", "", drug, start,
                DT.combine(end_date, datetime.time(0)) if end_date else None, 0, f"RXCUI:{rxnorm}",
                0 if ((end_date and rng.random() < 0.5) or (not rich and rng.random() < 0.05)) else 1, "", pid,
                p["provider_user"], "Default",
                1 if end_date else 0, "", "", None, "0", "0", start, None))
            rx_id = self._next("prescriptions")
            provider_id = enc["provider_id"] if enc else p["provider_id"]
            self.w.add("prescriptions", (
                rx_id, self._maybe_uuid(rng), pid, start, start + TD(days=rng.randrange(0, 60)), provider_id,
                enc["number"] if (enc and rng.random() < 0.4) else None, start.date(), drug, 0, rxnorm, int(form), "1",
                str(rng.choice((30, 60, 90))), size, int(unit), route, int(interval), 1, rng.randrange(0, 6),
                rng.choice((30, 60, 90)), 1, "", active, p["provider_user"], end_date, problem["title"],
                self.zd if rng.random() < 0.8 else start.date(), "community", "Home/Community", "order", "Order", sig,
                f"ICD10:{icd}", 0, 0))
            self.w.add("lists_medication", (self._next("lists_medication"), list_id, sig, "community",
                                            "Home/Community", "order", "Order", rx_id, 1))
        # Patient-reported over-the-counter medicines: a lists row without a prescription.
        if rich or rng.random() < 0.2:
            drug, rxnorm, size, unit, form, route, interval, sig, icd, short = reference.MEDICATIONS[12]
            start = p["regdate"] + TD(days=30)
            list_id = self._next("lists")
            self.w.add("lists", (list_id, self._maybe_uuid(rng), start, "medication", "", drug, start, None, 0,
                                 f"RXCUI:{rxnorm}", 1, "Over the counter", pid, self.nurse[1], "Default", 0, "", "",
                                 None, "0", "0", start, None))
            self.w.add("lists_medication", (self._next("lists_medication"), list_id, sig, "patientspecified",
                                            "Patient Specified", "plan", "Plan", None, 0))
        # A prescription never added to the medication list (medication=0).
        if rich or rng.random() < 0.15:
            drug, rxnorm, size, unit, form, route, interval, sig, icd, short = reference.MEDICATIONS[18]
            start = DT.combine(self.today - TD(days=rng.randrange(20, 400)), datetime.time(11))
            self.w.add("prescriptions", (
                self._next("prescriptions"), self._maybe_uuid(rng), pid, start, start, p["provider_id"], None,
                start.date(), drug, 0, rxnorm, int(form), "1", "20", size, int(unit), route, int(interval), 1, 0, 0,
                0, "", 1, p["provider_user"], (start + TD(days=7)).date(), "Pain", self.zd, "community",
                "Home/Community", "order", "Order", sig, "", 0, 0))

    def _immunizations(self, rng, p, encounters, rich):
        pid = p["pid"]
        if p["age"] < 18:
            pool, count = reference.CVX_CHILD, rng.randrange(3, 12)
        else:
            pool, count = reference.CVX_ADULT, rng.choices(range(0, 9), weights=(12, 10, 14, 14, 14, 12, 10, 8, 6))[0]
        if rich:
            codes = ["150", "150", "140", "115", "208", "207", "187"]
        else:
            codes = [rng.choice(pool) for _ in range(count)]
        first = max(p["dob"] + TD(days=1), self.today - TD(days=15 * 365))
        span = max(1, (self.today - first).days)
        for i, cvx in enumerate(codes):
            when = DT.combine(first + TD(days=rng.randrange(span)), datetime.time(10, 15))
            if rich:
                when = DT.combine(self.today - TD(days=60 + 330 * i), datetime.time(10, 15))
            imm_id, roll = None, rng.random()
            erroneous = 1 if (roll < 0.03 or (rich and i == 1)) else 0
            if not rich and roll > 0.98:
                cvx, imm_id = "", 20  # legacy row: no CVX code, only the old list id
            elif not rich and roll > 0.97:
                cvx = "0" + cvx if len(cvx) == 1 else "999"  # zero-padded or unknown: matches no codes row
            status, refusal, amount = "Completed", None, 0.5
            if not rich and rng.random() < 0.03:
                status, refusal, amount = "Refused", "03", 0
            elif not rich and rng.random() < 0.002:
                amount = 1e308  # a FLOAT column holds what a typo put there (MariaDB clamps it to 3.4e38)
            enc = next((e for e in encounters if e["date"].date() == when.date()), None)
            provider_id = enc["provider_id"] if enc else p["provider_id"]
            self.w.add("immunizations", (
                self._next("immunizations"), self._maybe_uuid(rng), pid, when, imm_id, cvx,
                CVX_MANUFACTURER.get(cvx.lstrip("0"), "PMC"),
                f"{rng.choice('ABCDEFGHKLMN')}{rng.randrange(10**5, 10**6)}",
                provider_id if rng.random() < 0.9 else None, None if rng.random() < 0.9 else "Outside pharmacy",
                when.date(), when.date() - TD(days=rng.randrange(30, 400)), "" if rng.random() < 0.85 else
                "Patient tolerated well; observed 15 minutes.", when, self.zdt if rng.random() < 0.1 else when,
                provider_id, amount, "9", (when + TD(days=rng.randrange(60, 700))).date(),
                "intramuscular",
                rng.choice(("left_deltoid", "right_deltoid", "left_arm",
                            "left_thigh" if p["age"] < 3 else "right_arm")),
                erroneous, status, "new_immunization_record", refusal, p["provider_id"],
                # Most immunizations have no encounter (NULL), as in real OpenEMR data (issue 10, item 1).
                enc["number"] if enc else (0 if rng.random() < 0.05 else None)))

    def _labs(self, rng, p, encounters, problems, heavy, rich):
        if not encounters:
            return
        icds = {problem["icd"] for problem in problems}
        if heavy:
            target = round(self.o.heavy_encounters * 4.75)
            produced = 0
            while produced < target:
                enc = rng.choice(encounters)
                produced += self._lab_order(rng, p, enc, icds, ["51990-0", rng.choice(("58410-2", "24325-3"))])
            return
        for i, enc in enumerate(encounters):
            if rich:
                if i % 3 == 2 or i == len(encounters) - 1:
                    self._lab_order(rng, p, enc, icds | {"E11.9"}, ["57698-3", "51990-0", "58410-2", "4548-4"],
                                    flag_rate=0.35)
            elif rng.random() < 0.25:
                panels = rng.sample([c for c, _, _ in reference.LAB_PANELS if c != "2857-1" or p["sex"] == "Male"],
                                    rng.choice((1, 1, 2, 3)))
                self._lab_order(rng, p, enc, icds, panels)

    def _lab_order(self, rng, p, enc, icds, panels, flag_rate=0.15):
        """One procedure_order with a code, report and results per panel; returns the number of results."""
        pid, when = p["pid"], enc["date"]
        order_id = self._next("procedure_order")
        recent = (self.now - when).days < 3
        status = "pending" if recent and rng.random() < 0.5 else ("canceled" if rng.random() < 0.02 else "complete")
        diagnosis = f"ICD10:{sorted(icds)[0]}" if icds else "ICD10:Z00.00"
        self.w.add("procedure_order", (
            order_id, self._maybe_uuid(rng), enc["provider_id"], pid, enc["number"], when, when, "normal", status,
            "Fasting for 12 hours before the blood draw." if "57698-3" in panels else "",
            0 if rng.random() < 0.02 else 1,
            f"RFL{order_id:08d}", 1, "Blood", "", "0", diagnosis, "laboratory_test", "order", enc["facility_id"]))
        self._form(rng, pid, enc["number"], when, "Procedure Order", "procedure_order", order_id, enc["user"],
                   enc["provider_id"], deleted=0)
        produced = 0
        for seq, code in enumerate(panels, start=1):
            panel_code, panel_name, analytes = PANEL_BY_CODE[code]
            self.w.add("procedure_order_code", (order_id, seq, panel_code, panel_name, "1", diagnosis, 0, panel_name,
                                                "laboratory_test"))
            if status != "complete":
                continue
            report_id = self._next("procedure_report")
            reported = when + TD(days=rng.choice((1, 1, 2, 3)), hours=rng.randrange(0, 6))
            age_days = (self.now - reported).days
            review = "reviewed" if age_days > 5 and rng.random() < 0.9 else "received"
            report_status = rng.choices(("final", "prelim", "correct", "error", "cancel"), weights=(90, 5, 4, 1, 1))[0]
            self.w.add("procedure_report", (
                report_id, self._maybe_uuid(rng), order_id, seq, when, "-0500", reported, "-0500", enc["provider_id"],
                f"S{report_id:09d}", report_status, review,
                "" if rng.random() < 0.9 else "Specimen slightly hemolyzed."))
            for loinc, name, units, low, high, decimals, kind in analytes:
                produced += 1
                self.w.add("procedure_result", self._result(rng, report_id, reported, p, icds, loinc, name, units,
                                                            low, high, decimals, kind, report_status, flag_rate))
        return produced

    def _result(self, rng, report_id, when, p, icds, loinc, name, units, low, high, decimals, kind, report_status,
                flag_rate):
        roll = rng.random()
        comments = ""
        if kind == "S":
            value, abnormal, data_type, range_text = "Negative", "", "S", "Negative"
            if roll < flag_rate / 2:
                value, abnormal = rng.choice(("Trace", "1+", "2+")), "yes"
        else:
            data_type = "N"
            width = high - low
            centre = low + width / 2
            if loinc in ("4548-4", "2345-7") and "E11.9" in icds:
                centre = high + width * 0.6  # diabetics run high
            if loinc in ("2093-3", "13457-7") and "E78.5" in icds:
                centre = high + width * 0.2
            value_f = rng.gauss(centre, width / 5)
            if roll < 0.01:
                value_f = high + width * rng.uniform(1.5, 3)  # critical
            elif roll < 0.01 + flag_rate / 3:
                value_f = low - width * rng.uniform(0.05, 0.4)
            value_f = max(0.0, value_f)
            value = f"{value_f:.{decimals}f}"
            range_text = RANGE_TEXT.get(loinc, f"{low:.{decimals}f}-{high:.{decimals}f}")
            number = float(value)
            if number > high + width:
                abnormal = "vhigh"
            elif number < low - width / 2 and low > 0:
                abnormal = "vlow"
            elif number > high:
                abnormal = "high"
            elif number < low:
                abnormal = "low"
            else:
                abnormal = "no" if rng.random() < 0.7 else ""
            if rng.random() < 0.12:
                # Interfaces that store the raw HL7 OBX-8 flag instead of the list's option_id.
                abnormal = {"vhigh": "HH", "vlow": "LL", "high": "H", "low": "L", "no": "N", "": ""}[abnormal]
        if kind != "S" and rng.random() < 0.05:
            range_text = ""  # the lab sent no range: the catalogue's stands in (§1.12)
        if rng.random() < 0.0005:
            value, abnormal = "1e308", "HH"  # an interface's overflow sentinel, stored as text
        if rng.random() < 0.01:
            value, abnormal, comments = rng.choice(("DNR", "TNP")), "", "Specimen not suitable for testing."
        elif rng.random() < 0.02:
            comments = "Result confirmed by repeat analysis."
        status = {"prelim": "prelim", "correct": "correct", "error": "error", "cancel": "cancel"}.get(
            report_status, "final")
        return (self._next("procedure_result"), self._maybe_uuid(rng), report_id, data_type, loinc, name, when,
                LAB_NAME, units, value, range_text, abnormal, comments, 0, status)

    def _appointments(self, rng, p, encounters, rich):
        pid = p["pid"]
        pc_pid = str(pid)  # varchar in OpenEMR: always a string

        def add(day, catid, status, recurrtype=0, spec=NON_RECURRING_SPEC, end_date="none", hometext="", start=None,
                duration=None, allday=0, eventstatus=1):
            minutes = start if start is not None else rng.randrange(8 * 4, 16 * 4) * 15
            duration = duration or (1800 if catid == 10 else 900)
            # OpenEMR's editor does not wrap the end time: 23:30 + 1 h is '24:30:00', all day is 00:00-24:00
            # (schema doc §2.5); TIME holds up to 838:59:59.
            end_minutes = minutes + duration // 60
            if end_date == "none":
                end_date = None if rng.random() < 0.5 else self.zd  # non-recurring: NULL or the legacy zero date
            provider_id = p["provider_id"]
            title = reference.CALENDAR_CATEGORIES[catid - 1][2]
            self.w.add("openemr_postcalendar_events", (
                self._next("pc_eid"), self._maybe_uuid(rng, 0.05), catid, 0, str(provider_id), pc_pid, title,
                DT.combine(day - TD(days=rng.randrange(1, 40)), datetime.time(9, 5)), hometext, "1", day, end_date,
                duration, recurrtype, spec, 0, f"{minutes // 60:02d}:{minutes % 60:02d}:00",
                f"{end_minutes // 60:02d}:{end_minutes % 60:02d}:00", allday, eventstatus, 0, status, p["facility_id"],
                p["facility_id"], "NO", "YES" if rng.random() < 0.3 else "NO", ""))

        def hometext():
            roll = rng.random()
            if roll < 0.1:
                return ":text:Please bring your medication list and insurance card."
            if roll < 0.15:
                return "Fasting labs first — no food after midnight."
            return ""

        for enc in encounters[-30:]:  # the appointments behind recent visits (the heavy patient keeps 30)
            if rng.random() < 0.6:
                start = enc["date"].hour * 60 + enc["date"].minute
                add(enc["date"].date(), 9 if rng.random() < 0.7 else 5, rng.choice((">", ">", ">", "@", "$")),
                    start=start)
        for _ in range(rng.choice((0, 0, 1, 2))):  # missed and canceled ones
            day = self.today - TD(days=rng.randrange(5, 700))
            add(day, 9, rng.choice(("x", "?", "%", "!")), hometext=hometext())
        n_future = 2 if rich else rng.choices((0, 1, 2), weights=(55, 35, 10))[0]
        for i in range(n_future):
            # Up to a year ahead: the annual physical is booked 7-11 months out (issue 10, item 2).
            day = self.today + TD(days=rng.choice((rng.randrange(2, 120), rng.randrange(180, 350)))
                                  if not rich else 6 + 21 * i)
            add(day, rng.choice((9, 9, 13, 5)), rng.choice(("-", "-", "AVM", "^", "*")), hometext=hometext())
        if not rich:
            roll = rng.random()
            day = self.today + TD(days=rng.randrange(1, 200))
            if roll < 0.08:  # cancelled (x, % late), no-show (?) or hidden (eventstatus -1) ahead of today
                add(day, 9, rng.choice(("x", "x", "%", "?")), hometext=hometext())
            elif roll < 0.10:
                add(day, 9, "-", eventstatus=-1)
            elif roll < 0.13:  # an all-day event: pc_alldayevent 1, 00:00 to 24:00
                add(day, 13, "-", start=0, duration=86400, allday=1)
            elif roll < 0.15:  # 23:30 for an hour: pc_endTime '24:30:00'
                add(day, 5, "-", start=23 * 60 + 30, duration=3600)
            if rng.random() < 0.03:
                # A long-running weekly series (therapy, dialysis) that started years ago and has no end.
                first = self.today - TD(days=rng.randrange(2 * 365, 4 * 365))
                spec = {"event_repeat_freq": "1", "event_repeat_freq_type": "1", "event_repeat_on_num": "1",
                        "event_repeat_on_day": "0", "event_repeat_on_freq": "0", "exdate": ""}
                add(first, 5, "-", recurrtype=1, spec=php_serialize(spec), end_date=None,
                    hometext=":text:Weekly therapy session")
        if rich or rng.random() < 0.05:
            # A recurring series straddling today: weekly (type 1) or monthly on the Nth weekday (type 2),
            # with exceptions in exdate (yyyymmdd, comma separated) and an end of series in pc_endDate.
            first = self.today - TD(days=rng.randrange(14, 60))
            if rich or rng.random() < 0.6:
                step = TD(days=7 * rng.choice((1, 2)))
                spec = {"event_repeat_freq": str(step.days // 7), "event_repeat_freq_type": "1",
                        "event_repeat_on_num": "1", "event_repeat_on_day": "0", "event_repeat_on_freq": "0"}
                recurrtype = 1
            else:
                step = TD(days=28)
                spec = {"event_repeat_freq": "0", "event_repeat_freq_type": "0",
                        "event_repeat_on_num": str(min(4, (first.day - 1) // 7 + 1)),
                        "event_repeat_on_day": str((first.weekday() + 1) % 7), "event_repeat_on_freq": "1"}
                recurrtype = 2
            skipped = [first + step * k for k in (2, 5)]
            spec["exdate"] = ",".join(d.strftime("%Y%m%d") for d in skipped)
            add(first, 5, "-", recurrtype=recurrtype, spec=php_serialize(spec), end_date=first + step * 20,
                hometext=":text:Weekly blood pressure check with the nurse" if recurrtype == 1 else "")
