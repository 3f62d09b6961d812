"""Plain language for what OpenEMR stores in clinicians' shorthand: lab test names, units, medication directions.

Presentation only: the query layer's dataclasses keep OpenEMR's own text (the FHIR download and the CSV carry it
unchanged); templates and the PDF call these through the `plain_*` filters. Every lookup falls back to the
original text, so an unknown code never hides what the lab wrote.
"""

import re
from urllib.parse import urlencode

# The common tests a primary-care patient sees, by LOINC code: (plain name, one line on what it measures).
# Curated by hand from the tests' LOINC long names; a test not listed keeps the lab's own name.
LAB_TESTS = {
    "2345-7": ("Glucose (blood sugar)", "The amount of sugar in your blood."),
    "2339-0": ("Glucose (blood sugar)", "The amount of sugar in your blood."),
    "4548-4": ("Hemoglobin A1c", "Your average blood sugar over the past 2 to 3 months."),
    "2823-3": ("Potassium", "A mineral that helps your nerves and muscles, including your heart, work."),
    "2951-2": ("Sodium", "A salt that keeps the water in your body in balance."),
    "2075-0": ("Chloride", "A salt that keeps the water and acid in your body in balance."),
    "2028-9": ("Carbon dioxide (bicarbonate)", "Shows the acid balance of your blood."),
    "3094-0": ("Urea nitrogen (BUN)", "A waste product your kidneys remove; shows how well they work."),
    "2160-0": ("Creatinine", "A waste product from muscles; shows how well your kidneys filter."),
    "33914-3": ("Kidney filtering rate (eGFR)", "An estimate of how well your kidneys filter your blood."),
    "17861-6": ("Calcium", "A mineral for bones, muscles and nerves."),
    "2093-3": ("Cholesterol, total", "All the cholesterol (a fat) in your blood."),
    "2085-9": ("HDL cholesterol (\u201cgood\u201d cholesterol)", "Cholesterol that protects your heart."),
    "13457-7": ("LDL cholesterol (\u201cbad\u201d cholesterol)", "Cholesterol that can build up in arteries."),
    "2089-1": ("LDL cholesterol (\u201cbad\u201d cholesterol)", "Cholesterol that can build up in arteries."),
    "2571-8": ("Triglycerides", "A kind of fat in your blood."),
    "6690-2": ("White blood cells", "Cells that fight infection."),
    "789-8": ("Red blood cells", "Cells that carry oxygen around your body."),
    "718-7": ("Hemoglobin", "The protein in red blood cells that carries oxygen."),
    "4544-3": ("Hematocrit", "How much of your blood is made of red blood cells."),
    "787-2": ("Red blood cell size (MCV)", "The average size of your red blood cells."),
    "785-6": ("Hemoglobin per red cell (MCH)", "How much hemoglobin each red blood cell holds."),
    "786-4": ("Hemoglobin concentration (MCHC)", "How concentrated the hemoglobin in your red cells is."),
    "788-0": ("Red cell size variation (RDW)", "How much your red blood cells vary in size."),
    "777-3": ("Platelets", "Cell pieces that help your blood clot."),
    "1742-6": ("Liver enzyme ALT", "An enzyme that can rise when the liver is irritated."),
    "1920-8": ("Liver enzyme AST", "An enzyme found in the liver and muscles."),
    "6768-6": ("Alkaline phosphatase", "An enzyme from the liver and bones."),
    "1975-2": ("Bilirubin, total", "A yellow substance the liver clears from the blood."),
    "2885-2": ("Protein, total", "All the protein in your blood."),
    "1751-7": ("Albumin", "The main protein in your blood, made by the liver."),
    "3016-3": ("Thyroid-stimulating hormone (TSH)", "Shows how well your thyroid gland is working."),
    "3024-7": ("Thyroxine, free (free T4)", "A thyroid hormone."),
    "2132-9": ("Vitamin B12", "A vitamin your nerves and blood cells need."),
    "1989-3": ("Vitamin D", "A vitamin for strong bones."),
    "2276-4": ("Ferritin", "How much iron your body has stored."),
    "2498-4": ("Iron", "The amount of iron in your blood."),
    "2857-1": ("Prostate-specific antigen (PSA)", "A protein made by the prostate."),
    "5811-5": ("Urine concentration (specific gravity)", "How concentrated your urine is."),
    "75622-1": ("HIV screening test", "Looks for signs of HIV infection."),
}

# Words for the flags, once ("explain High, Low, reference range, Corrected once, in words").
GLOSSARY = (
    ("Reference range", "The range of results the lab sees in most healthy people. Being a little outside it is "
                        "common and is not always a problem; your care team looks at the whole picture."),
    ("High / Low", "The result is above or below the lab's reference range."),
    ("Critical", "The result is far outside the range; the lab calls your care team about these."),
    ("Corrected", "The lab changed a result after first reporting it. The value shown is the corrected one."),
    ("Preliminary", "Not the final result yet: the lab may still update it."),
)

# UCUM-style unit codes as labs send them -> how people write them.
_UNITS = {
    "10*3/ul": "\u00d710\u00b3/\u00b5L", "10*6/ul": "\u00d710\u2076/\u00b5L", "10*9/l": "\u00d710\u2079/L",
    "10*12/l": "\u00d710\u00b9\u00b2/L", "10^3/ul": "\u00d710\u00b3/\u00b5L", "10^6/ul": "\u00d710\u2076/\u00b5L",
    "k/ul": "\u00d710\u00b3/\u00b5L", "m/ul": "\u00d710\u2076/\u00b5L", "x10e3/ul": "\u00d710\u00b3/\u00b5L",
    "x10e6/ul": "\u00d710\u2076/\u00b5L", "ug/dl": "\u00b5g/dL", "ug/l": "\u00b5g/L", "ug/ml": "\u00b5g/mL",
    "umol/l": "\u00b5mol/L", "uiu/ml": "\u00b5IU/mL", "[iu]/l": "IU/L", "[iu]/ml": "IU/mL", "u/l": "U/L",
    "ml/min/{1.73_m2}": "mL/min/1.73 m\u00b2", "ml/min/1.73m2": "mL/min/1.73 m\u00b2", "mg/dl": "mg/dL",
    "g/dl": "g/dL", "mmol/l": "mmol/L", "meq/l": "mEq/L", "ng/ml": "ng/mL", "pg/ml": "pg/mL", "fl": "fL",
    "pg": "pg", "%": "%", "{ratio}": "(ratio)", "1": "",
}

# Medication routes (OpenEMR's drug_route titles) and intervals (drug_interval titles, Latin abbreviations).
_ROUTES = {
    "per oris": "by mouth", "po": "by mouth", "by mouth": "by mouth", "oral": "by mouth", "per rectum": "rectally",
    "to skin": "on the skin", "topical": "on the skin", "to affected area": "on the affected area",
    "sublingual": "under the tongue", "os": "in the left eye", "od": "in the right eye", "ou": "in both eyes",
    "subcutaneous": "as an injection under the skin", "sq": "as an injection under the skin",
    "sc": "as an injection under the skin", "im": "as an injection into a muscle",
    "intramuscular": "as an injection into a muscle", "iv": "into a vein", "intravenous": "into a vein",
    "per nostril": "in the nose", "nasal": "in the nose", "both ears": "in both ears", "left ear": "in the left ear",
    "right ear": "in the right ear", "inhale": "by inhaling it", "inhalation": "by inhaling it",
    "transdermal": "as a patch on the skin", "vaginal": "vaginally", "other/miscellaneous": "",
    "intradermal": "as an injection into the skin", "intranasal": "in the nose",
}
_INTERVALS = {
    "bid": "twice a day", "tid": "three times a day", "qid": "four times a day", "qd": "once a day",
    "daily": "once a day", "once daily": "once a day", "twice daily": "twice a day", "q3h": "every 3 hours",
    "q4h": "every 4 hours", "q5h": "every 5 hours", "q6h": "every 6 hours", "q8h": "every 8 hours",
    "qh": "every hour", "qod": "every other day", "qam": "every morning", "qpm": "every evening",
    "hs": "at bedtime", "ac": "before meals", "pc": "after meals", "prn": "when needed", "stat": "right away",
    "q12h": "every 12 hours", "q24h": "once a day", "weekly": "once a week", "qweek": "once a week",
    "am": "in the morning", "pm": "in the evening", "monthly": "once a month", "h": "every hour",
}
_PLURALS = {"tablet": "tablets", "capsule": "capsules", "puff": "puffs", "inhalations": "inhalations",
            "unit": "units", "gtts(drops)": "drops", "tsp": "teaspoons", "ml": "mL"}
_SINGULARS = {"gtts(drops)": "drop", "tsp": "teaspoon", "ml": "mL"}
_FORM_VERBS = {"cream": "Apply", "ointment": "Apply", "gel": "Apply", "lotion": "Apply", "patch": "Apply",
               "drops": "Use", "spray": "Use", "inhaler": "Use", "puff": "Use", "puffs": "Use",
               "suppository": "Insert", "injection": "Inject", "gtts(drops)": "Use",
               "inhalations": "Use"}
_LOINC_SYSTEM = "2.16.840.1.113883.6.1"
_MEDLINEPLUS_CONNECT = "https://connect.medlineplus.gov/application"


def _key(text):
    return re.sub(r"[.\s]+", " ", (text or "").strip().lower()).strip()


def lab_name(name, code=""):
    """The plain name of a lab test: the curated one for a known LOINC code, else the lab's own text, with
    LOINC's bracketed property ("[Mass/volume]", "[#/volume]") and trailing "in Serum or Plasma" trimmed."""
    known = LAB_TESTS.get((code or "").strip())
    if known:
        return known[0]
    text = re.sub(r"\s*\[[^\]]*\]", "", name or "").strip()
    text = re.sub(r"\s+in (serum or plasma|blood|serum|plasma|urine)\b.*$", "", text, flags=re.I).strip()
    return text or (name or "").strip() or "Lab test"


def lab_about(code):
    """One line on what the test measures, or ""."""
    known = LAB_TESTS.get((code or "").strip())
    return known[1] if known else ""


def lab_info_url(code):
    """A MedlinePlus Connect link for a LOINC code: followed only if the patient chooses; never fetched here."""
    code = (code or "").strip()
    if not re.fullmatch(r"\d{1,7}-\d", code):
        return ""
    return _MEDLINEPLUS_CONNECT + "?" + urlencode({"mainSearchCriteria.v.cs": _LOINC_SYSTEM,
                                                    "mainSearchCriteria.v.c": code, "informationRecipient": "PAT"})


def unit(text):
    """Lab units in human form: "10*3/uL" -> "×10³/µL", "ug/dL" -> "µg/dL"; unknown units unchanged."""
    raw = (text or "").strip()
    if not raw:
        return ""
    known = _UNITS.get(raw.lower())
    if known is not None:
        return known
    return raw.replace("ug", "\u00b5g").replace("uL", "\u00b5L") if re.fullmatch(r"[A-Za-z/%]+", raw) else raw


def _lookup(table, text):
    key = _key(text)
    if key in table:
        return table[key]
    return table.get(key.replace(" ", ""), (text or "").strip())


def route(text):
    """ "Per Oris" -> "by mouth"; an unknown route is kept as written."""
    return _lookup(_ROUTES, text)


def interval(text):
    """ "b.i.d." -> "twice a day", "h.s." -> "at bedtime"; an unknown interval is kept as written."""
    return _lookup(_INTERVALS, text)


def directions(medication):
    """ "Take 1 tablet by mouth twice a day" from a Medication's dose, form, route and interval; "" when none
    of them is recorded (the prescriber's free-text instructions are shown as written, beside this)."""
    form = medication.form
    if form and medication.dosage:
        try:
            many = float(medication.dosage) != 1
        except ValueError:
            many = False
        form = (_PLURALS if many else _SINGULARS).get(form.lower(), form)
    dose = " ".join(p for p in (medication.dosage, form) if p)
    how = route(medication.route)
    when = interval(medication.interval)
    if not (dose or how or when):
        return ""
    verb = _FORM_VERBS.get((medication.form or "").strip().lower(), "Take")
    if "injection" in how and verb == "Take":
        verb = "Given"
    sentence = " ".join(p for p in (verb, dose, how, when) if p)
    return sentence[0].upper() + sentence[1:]


# Appointment status codes (OpenEMR's apptstat list: "-", "*", "+", "x", "?", "@", "~", "!", "#", "<", ">", "$",
# "%", "^", "&", "AVM", "SMS", "EMAIL" ...) in a patient's words; the list titles carry the code as a prefix.
_APPOINTMENT_WORDS = {
    "-": "Booked", "*": "Reminder sent", "+": "Confirmed", "x": "Cancelled", "?": "Missed", "@": "Arrived",
    "~": "Arrived late", "!": "Left without being seen", "#": "Insurance or payment issue", "<": "In the exam room",
    ">": "Completed", "$": "Coding done", "%": "Cancelled (less than 24 hours' notice)", "^": "Pending",
    "&": "Rescheduled", "avm": "Confirmed", "sms": "Confirmed", "email": "Confirmed", "cnf": "Confirmed",
}
_PAST_WORDS = {"x": "Cancelled", "%": "Cancelled", "?": "Missed", "!": "Missed", "@": "Completed",
               "~": "Completed", ">": "Completed", "<": "Completed", "$": "Completed", "&": "Rescheduled"}


def appointment_status(title, *, past):
    """A patient's word for an appointment status title such as "AVM Confirmed" or "x Canceled".

    Upcoming: what the status means ("Confirmed", "Booked"). Past: "Completed", "Missed" or "Cancelled" only where
    OpenEMR says so; a past appointment with no outcome recorded reads "Past appointment", never "Booked".
    """
    title = (title or "").strip()
    code = title.split(" ", 1)[0].lower() if title else "-"
    if code in ("none", ""):
        code = "-"
    if past:
        return _PAST_WORDS.get(code, "Past appointment")
    if code in _APPOINTMENT_WORDS:
        return _APPOINTMENT_WORDS[code]
    words = title.split(" ", 1)
    return words[1] if len(words) == 2 and len(words[0]) <= 5 else title or "Booked"
