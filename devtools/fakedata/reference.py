"""Clinical reference data for the generator: value lists, code types, CVX vaccines, problems, allergies,
medications and lab panels. Codes are real code systems (CVX, LOINC, ICD-10-CM, SNOMED CT, RxNorm) used
the way OpenEMR stores them (schema doc §0.3, §1.10, §1.12, §1.15); the data itself is synthetic."""

# --- list_options ----------------------------------------------------------------------------------------
# list_id -> [(option_id, title, extra)] where extra may hold notes, codes, toggle_setting_1/2, activity.
# activity=0 rows are retired options that old rows still reference (OpenEMR then shows the raw value).
LIST_OPTIONS = {
    "sex": [
        ("Female", "Female", {"codes": "HL7:F"}),
        ("Male", "Male", {"codes": "HL7:M"}),
        ("UNK", "Unknown", {"codes": "HL7:UNK"}),
    ],
    "marital": [
        ("married", "Married", {}), ("single", "Single", {}), ("divorced", "Divorced", {}),
        ("widowed", "Widowed", {}), ("separated", "Separated", {}),
        ("domestic partner", "Domestic Partner", {}),
        ("civil_union", "Civil union", {"activity": 0}),
    ],
    "language": [
        ("english", "English", {"notes": "en"}), ("spanish", "Spanish", {"notes": "es"}),
        ("chinese", "Chinese", {"notes": "zh"}), ("vietnamese", "Vietnamese", {"notes": "vi"}),
        ("japanese", "Japanese", {"notes": "ja"}), ("korean", "Korean", {"notes": "ko"}),
        ("french", "French", {"notes": "fr"}), ("arabic", "Arabic", {"notes": "ar"}),
        ("russian", "Russian", {"notes": "ru"}), ("portuguese", "Portuguese", {"notes": "pt"}),
        ("declne_to_specfy", "Declined To Specify", {}),
        ("latin", "Latin", {"notes": "la", "activity": 0}),
    ],
    "race": [
        ("white", "White", {"notes": "2106-3"}),
        ("black_or_afri_amer", "Black or African American", {"notes": "2054-5"}),
        ("asian", "Asian", {"notes": "2028-9"}),
        ("amer_ind_or_alaska_native", "American Indian or Alaska Native", {"notes": "1002-5"}),
        ("native_hawai_or_pac_island", "Native Hawaiian or Other Pacific Islander", {"notes": "2076-8"}),
        ("declne_to_specfy", "Declined To Specify", {}),
    ],
    "ethnicity": [
        ("hisp_or_latin", "Hispanic or Latino", {"notes": "2135-2"}),
        ("not_hisp_or_latin", "Not Hispanic or Latino", {"notes": "2186-5"}),
        ("decline_to_specify", "Declined To Specify", {}),
    ],
    "yesno": [("YES", "YES", {}), ("NO", "NO", {})],
    "apptstat": [
        ("-", "- None", {"notes": "FEFDCF|0"}),
        ("*", "* Reminder done", {"notes": "FFC9F8|0"}),
        ("+", "+ Chart pulled", {"notes": "87FF1F|0"}),
        ("x", "x Canceled", {"notes": "BFBFBF|0"}),
        ("?", "? No show", {"notes": "BFBFBF|0"}),
        ("@", "@ Arrived", {"notes": "FF2414|10", "toggle_setting_1": 1}),
        ("~", "~ Arrived late", {"notes": "FF6619|10", "toggle_setting_1": 1}),
        ("!", "! Left w/o visit", {"notes": "0BBA34|0", "toggle_setting_1": 1}),
        ("#", "# Ins/fin issue", {"notes": "FFFF2B|10"}),
        ("<", "< In exam room", {"notes": "52D9DE|10"}),
        (">", "> Checked out", {"notes": "FEFDCF|0", "toggle_setting_2": 1}),
        ("$", "$ Coding done", {"notes": "C0FF96|0"}),
        ("%", "% Canceled < 24h", {"notes": "BFBFBF|0"}),
        ("^", "^ Pending", {"notes": "D0E1FF|0"}),
        ("AVM", "AVM Confirmed", {"notes": "F0F8FF|0"}),
        ("SMS", "SMS Confirmed", {"notes": "F0F8FF|0"}),
        ("EMAIL", "EMAIL Confirmed", {"notes": "F0F8FF|0"}),
        ("CALL", "CALL Callback requested", {"notes": "FFDBE2|5"}),
    ],
    "drug_route": [
        ("1", "Per Oris", {"notes": "PO", "codes": "NCI-CONCEPT-ID:C38288"}),
        ("2", "Per Rectum", {"notes": "PR", "codes": "NCI-CONCEPT-ID:C38295"}),
        ("3", "To Skin", {"notes": "TOP", "codes": "NCI-CONCEPT-ID:C38304"}),
        ("4", "To Affected Area", {"notes": "TOP"}),
        ("5", "Sublingual", {"notes": "SL", "codes": "NCI-CONCEPT-ID:C38300"}),
        ("6", "OS", {"notes": "OS"}), ("7", "OD", {"notes": "OD"}), ("8", "OU", {"notes": "OU"}),
        ("9", "SQ", {"notes": "SC"}), ("10", "IM", {"notes": "IM"}), ("11", "IV", {"notes": "IV"}),
        ("12", "Per Nostril", {"notes": "NS"}), ("13", "Both Ears", {}), ("14", "Left Ear", {}),
        ("15", "Right Ear", {}),
        ("intradermal", "Intradermal", {"notes": "ID", "codes": "NCI-CONCEPT-ID:C38238"}),
        ("intramuscular", "Intramuscular", {"notes": "IM", "codes": "NCI-CONCEPT-ID:C28161"}),
        ("intranasal", "Intranasal", {"notes": "NS", "codes": "NCI-CONCEPT-ID:C38284"}),
        ("subcutaneous", "Subcutaneous", {"notes": "SC", "codes": "NCI-CONCEPT-ID:C38299"}),
        ("inhale", "Inhale", {"notes": "RESPIR", "codes": "NCI-CONCEPT-ID:C38216"}),
        ("bymouth", "By mouth", {"notes": "PO", "activity": 0}),
    ],
    "drug_form": [
        ("1", "suspension", {}), ("2", "tablet", {}), ("3", "capsule", {}), ("4", "solution", {}),
        ("5", "tsp", {}), ("6", "ml", {}), ("7", "units", {}), ("8", "inhalations", {}), ("9", "gtts(drops)", {}),
        ("10", "cream", {}), ("11", "ointment", {}), ("12", "puff", {}),
    ],
    "drug_units": [
        ("1", "mg", {}), ("2", "mg/1cc", {}), ("3", "mg/2cc", {}), ("4", "mg/3cc", {}), ("5", "mg/4cc", {}),
        ("6", "mg/5cc", {}), ("7", "mcg", {}), ("8", "grams", {}), ("9", "mL", {}),
    ],
    "drug_interval": [
        ("1", "b.i.d.", {"codes": "BID"}), ("2", "t.i.d.", {"codes": "TID"}), ("3", "q.i.d.", {"codes": "QID"}),
        ("4", "q.3h", {"codes": "Q3H"}), ("5", "q.4h", {"codes": "Q4H"}), ("6", "q.5h", {"codes": "Q5H"}),
        ("7", "q.6h", {"codes": "Q6H"}), ("8", "q.8h", {"codes": "Q8H"}), ("9", "q.d.", {"codes": "QD"}),
        ("10", "a.c.", {"codes": "AC"}), ("11", "p.c.", {"codes": "PC"}), ("12", "a.m.", {"codes": "AM"}),
        ("13", "p.m.", {"codes": "PM"}), ("14", "ante", {}), ("15", "h", {}), ("16", "h.s.", {"codes": "HS"}),
        ("17", "p.r.n.", {"codes": "PRN"}), ("18", "stat", {"codes": "STAT", "activity": 0}),
        ("19", "Weekly", {"codes": "WEEKLY"}), ("20", "Monthly", {"codes": "MONTHLY"}),
    ],
    "outcome": [
        ("0", "Unassigned", {}), ("1", "Resolved", {}), ("2", "Improved", {}), ("3", "Status quo", {}),
        ("4", "Worse", {}), ("5", "Pending followup", {}),
    ],
    "occurrence": [
        ("0", "Unknown or N/A", {}), ("1", "First", {}), ("6", "Early Recurrence (<2 Mo)", {}),
        ("7", "Late Recurrence (2-12 Mo)", {}), ("8", "Delayed Recurrence (> 12 Mo)", {}),
        ("4", "Chronic/Recurrent", {}), ("5", "Acute on Chronic", {}),
    ],
    "severity_ccda": [
        ("unassigned", "Unassigned", {}), ("mild", "Mild", {"codes": "SNOMED-CT:255604002"}),
        ("mild_to_moderate", "Mild to moderate", {"codes": "SNOMED-CT:371923003"}),
        ("moderate", "Moderate", {"codes": "SNOMED-CT:6736007"}),
        ("moderate_to_severe", "Moderate to severe", {"codes": "SNOMED-CT:371924009"}),
        ("severe", "Severe", {"codes": "SNOMED-CT:24484000"}),
        ("life_threatening_severity", "Life threatening severity", {"codes": "SNOMED-CT:442452003"}),
        ("fatal", "Fatal", {"codes": "SNOMED-CT:399166001"}),
    ],
    "reaction": [
        ("unassigned", "Unassigned", {}), ("hives", "Hives", {"codes": "SNOMED-CT:247472004"}),
        ("nausea", "Nausea", {"codes": "SNOMED-CT:422587007"}),
        ("shortness_of_breath", "Shortness of Breath", {"codes": "SNOMED-CT:267036007"}),
        ("swelling", "Swelling", {"codes": "SNOMED-CT:65124004", "activity": 0}),
    ],
    "condition-verification": [
        ("unconfirmed", "Unconfirmed", {}), ("provisional", "Provisional", {}),
        ("differential", "Differential", {}), ("confirmed", "Confirmed", {}), ("refuted", "Refuted", {}),
        ("entered-in-error", "Entered in Error", {}),
    ],
    "allergyintolerance-verification": [
        ("unconfirmed", "Unconfirmed", {}), ("confirmed", "Confirmed", {}), ("refuted", "Refuted", {}),
        ("entered-in-error", "Entered in Error", {}),
    ],
    "ord_status": [
        ("pending", "Pending", {}), ("routed", "Routed", {}), ("complete", "Complete", {}),
        ("canceled", "Canceled", {}),
    ],
    "ord_priority": [("high", "High", {}), ("normal", "Normal", {})],
    "proc_rep_status": [
        ("final", "Final", {}), ("review", "Reviewed", {}), ("prelim", "Preliminary", {}),
        ("cancel", "Canceled", {}), ("error", "Error", {}), ("correct", "Corrected", {}),
    ],
    "proc_res_status": [
        ("final", "Final", {}), ("prelim", "Preliminary", {}), ("cancel", "Canceled", {}),
        ("error", "Error", {}), ("correct", "Corrected", {}), ("incomplete", "Incomplete", {}),
    ],
    "proc_res_abnormal": [
        ("no", "No", {"codes": "HL7:N"}), ("yes", "Yes", {"codes": "HL7:A"}), ("high", "High", {"codes": "HL7:H"}),
        ("low", "Low", {"codes": "HL7:L"}), ("vhigh", "Above upper panic limits", {"codes": "HL7:HH"}),
        ("vlow", "Below lower panic limits", {"codes": "HL7:LL"}),
    ],
    "Immunization_Manufacturer": [
        ("PFR", "Pfizer, Inc", {}), ("MSD", "Merck and Co., Inc.", {}), ("SKB", "GlaxoSmithKline", {}),
        ("PMC", "Sanofi Pasteur", {}), ("MOD", "Moderna US, Inc.", {}), ("SEQ", "Seqirus", {}),
        ("NOV", "Novartis Pharmaceutical Corporation", {"activity": 0}),
    ],
    "immunization_administered_site": [
        ("left_deltoid", "Left Deltoid", {"notes": "LD"}), ("right_deltoid", "Right Deltoid", {"notes": "RD"}),
        ("left_arm", "Left Arm", {"notes": "LA"}), ("right_arm", "Right Arm", {"notes": "RA"}),
        ("left_thigh", "Left Thigh", {"notes": "LT"}), ("right_thigh", "Right Thigh", {"notes": "RT"}),
        ("left_vastus_lateralis", "Left Vastus Lateralis", {"notes": "LVL"}),
        ("nasal", "Nasal", {"notes": "NS"}),
    ],
    "Immunization_Completion_Status": [
        ("Completed", "completed", {}), ("Refused", "Refused", {}), ("Not_Administered", "Not Administered", {}),
        ("Partially_Administered", "Partially Administered", {}),
    ],
    "immunization_refusal_reason": [
        ("00", "Parental decision", {}), ("01", "Religious exemption", {}), ("03", "Patient decision", {}),
    ],
    "immunization_informationsource": [
        ("new_immunization_record", "New Immunization Record", {}),
        ("hist_inf_src_unspecified", "Historical information -source unspecified", {}),
    ],
    "Clinical_Note_Type": [
        ("progress_note", "Progress Note", {"codes": "LOINC:11506-3"}),
        ("history_physical", "History & Physical", {"codes": "LOINC:34117-2"}),
        ("consultation_note", "Consultation Note", {"codes": "LOINC:11488-4"}),
        ("nurse_note", "Nurse Note", {"codes": "LOINC:34746-8"}),
        ("discharge_summary", "Discharge Summary", {"codes": "LOINC:18842-5"}),
        ("evaluation_note", "Evaluation Note", {"codes": "LOINC:51848-0", "activity": 0}),
    ],
    "Clinical_Note_Category": [
        ("clinical", "Clinical", {}), ("general", "General", {}),
    ],
    "Plan_of_Care_Type": [
        ("plan_of_care", "Plan of Care", {}), ("test_or_order", "Test/Order", {}), ("procedure", "Procedure", {}),
        ("appointments", "Appointments", {}), ("instructions", "Instructions", {}), ("goal", "Goal", {}),
        ("health_concern", "Health Concern", {}), ("medication", "Medication", {}),
        ("intervention", "Intervention", {}),
    ],
    "care_plan_status": [
        ("draft", "Pending", {}), ("active", "Active", {}), ("on-hold", "On Hold", {}),
        ("revoked", "Revoked", {}), ("completed", "Completed", {}), ("entered-in-error", "Entered in Error", {}),
        ("unknown", "Unknown", {}),
    ],
    "medication-usage-category": [
        ("inpatient", "Inpatient", {}), ("outpatient", "Outpatient", {}), ("community", "Home/Community", {}),
        ("patientspecified", "Patient Specified", {}),
    ],
    "medication-request-intent": [
        ("proposal", "Proposal", {}), ("plan", "Plan", {}), ("order", "Order", {}),
        ("original-order", "Original Order", {}),
    ],
    "_ActEncounterCode": [
        ("AMB", "ambulatory", {}), ("EMER", "emergency", {}), ("HH", "home health", {}),
        ("VR", "virtual", {}),
    ],
    # Legacy vaccine names (immunizations.immunization_id), used when a row has no CVX code.
    "immunizations": [
        ("1", "DTaP 1", {}), ("2", "DTaP 2", {}), ("5", "Hepatitis B 1", {}), ("9", "IPV 1", {}),
        ("15", "MMR 1", {}), ("20", "Influenza", {}), ("25", "Pneumococcal", {}), ("30", "Tetanus booster", {}),
    ],
}

# --- code_types and codes ---------------------------------------------------------------------------------
# (ct_key, ct_id, ct_seq, ct_diag, ct_proc, ct_term, ct_problem, ct_drug, ct_external, ct_fee, ct_label)
CODE_TYPES = [
    ("CPT4", 1, 2, 0, 1, 0, 0, 0, 0, 1, "CPT4 Procedure/Service"),
    ("ICD9", 2, 1, 1, 0, 0, 0, 0, 0, 0, "ICD9 Diagnosis"),
    ("HCPCS", 3, 3, 0, 1, 0, 0, 0, 0, 1, "HCPCS Procedure/Service"),
    ("CVX", 100, 100, 0, 0, 0, 0, 0, 0, 0, "CVX Immunization"),
    ("ICD10", 102, 102, 1, 0, 0, 1, 0, 4, 0, "ICD10 Diagnosis"),
    ("SNOMED-CT", 107, 107, 0, 0, 1, 1, 0, 7, 0, "SNOMED-CT"),
    ("RXCUI", 109, 109, 0, 0, 0, 0, 1, 0, 0, "RXCUI Medication"),
    ("LOINC", 110, 110, 0, 0, 1, 0, 0, 0, 0, "LOINC"),
]

# CVX vaccines as loaded by OpenEMR from cvx_codes.sql: bare integers, never zero-padded (schema doc §1.10).
# (code, code_text, code_text_short, manufacturer MVX)
CVX = [
    ("3", "measles, mumps and rubella virus vaccine", "MMR", "MSD"),
    ("8", "hepatitis B vaccine, pediatric or pediatric/adolescent dosage", "Hep B, adolescent or pediatric", "MSD"),
    ("10", "poliovirus vaccine, inactivated", "IPV", "PMC"),
    ("20", "diphtheria, tetanus toxoids and acellular pertussis vaccine", "DTaP", "PMC"),
    ("21", "varicella virus vaccine", "varicella", "MSD"),
    ("33", "pneumococcal polysaccharide vaccine, 23 valent", "pneumococcal polysaccharide PPV23", "MSD"),
    ("43", "hepatitis B vaccine, adult dosage", "Hep B, adult", "SKB"),
    ("52", "hepatitis A vaccine, adult dosage", "Hep A, adult", "SKB"),
    ("62", "human papilloma virus vaccine, quadrivalent", "HPV, quadrivalent", "MSD"),
    ("83", "hepatitis A vaccine, pediatric/adolescent dosage, 2 dose schedule", "Hep A, ped/adol, 2 dose", "SKB"),
    ("88", "influenza virus vaccine, unspecified formulation", "influenza, unspecified formulation", "SEQ"),
    ("113", "tetanus and diphtheria toxoids, adsorbed, preservative free, for adult use (5 Lf of tetanus "
            "toxoid and 2 Lf of diphtheria toxoid)", "Td (adult), 5 Lf tetanus toxoid, preservative free, adsorbed",
     "PMC"),
    ("115", "tetanus toxoid, reduced diphtheria toxoid, and acellular pertussis vaccine, adsorbed", "Tdap", "SKB"),
    ("133", "pneumococcal conjugate vaccine, 13 valent", "Pneumococcal conjugate PCV 13", "PFR"),
    ("140", "Influenza, seasonal, injectable, preservative free", "Influenza, seasonal, injectable, preservative "
            "free", "SEQ"),
    ("150", "Influenza, injectable, quadrivalent, preservative free", "influenza, injectable, quadrivalent, "
            "preservative free", "SEQ"),
    ("165", "Human Papillomavirus 9-valent vaccine", "HPV9", "MSD"),
    ("187", "zoster vaccine recombinant", "zoster recombinant", "SKB"),
    ("207", "SARS-COV-2 (COVID-19) vaccine, mRNA, spike protein, LNP, preservative free, 100 mcg/0.5mL dose or "
            "50 mcg/0.25mL dose", "COVID-19, mRNA, LNP-S, PF, 100 mcg/0.5mL dose or 50 mcg/0.25mL dose", "MOD"),
    ("208", "SARS-COV-2 (COVID-19) vaccine, mRNA, spike protein, LNP, preservative free, 30 mcg/0.3mL dose",
     "COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose", "PFR"),
    ("215", "Pneumococcal conjugate vaccine 15-valent", "PCV15", "MSD"),
    ("216", "Pneumococcal conjugate vaccine 20-valent", "PCV20", "PFR"),
]
# Vaccines a child gets versus an adult, by CVX code.
CVX_CHILD = ["8", "20", "10", "3", "21", "83", "133", "88", "150", "165"]
CVX_ADULT = ["150", "140", "88", "115", "113", "187", "133", "33", "43", "52", "208", "207", "216", "215", "62"]

CPT4 = [
    ("99213", "Office/outpatient visit, established patient, low complexity", 110.00),
    ("99214", "Office/outpatient visit, established patient, moderate complexity", 165.00),
    ("99203", "Office/outpatient visit, new patient, low complexity", 150.00),
    ("99395", "Periodic comprehensive preventive medicine, established patient, 18-39 years", 210.00),
    ("99396", "Periodic comprehensive preventive medicine, established patient, 40-64 years", 230.00),
    ("90471", "Immunization administration, first vaccine", 25.00),
    ("36415", "Collection of venous blood by venipuncture", 12.00),
]

# --- Problems: (title, ICD-10-CM, SNOMED CT, chronic?, sensitive?) ---------------------------------------
PROBLEMS = [
    ("Essential hypertension", "I10", "38341003", True, False),
    ("Type 2 diabetes mellitus without complications", "E11.9", "44054006", True, False),
    ("Hyperlipidemia, unspecified", "E78.5", "55822004", True, False),
    ("Asthma, unspecified", "J45.909", "195967001", True, False),
    ("Gastro-esophageal reflux disease without esophagitis", "K21.9", "235595009", True, False),
    ("Hypothyroidism, unspecified", "E03.9", "40930008", True, False),
    ("Osteoarthritis of knee", "M17.9", "239873007", True, False),
    ("Low back pain, unspecified", "M54.50", "279039007", False, False),
    ("Migraine, unspecified", "G43.909", "37796009", True, False),
    ("Obesity, unspecified", "E66.9", "414916001", True, False),
    ("Chronic kidney disease, stage 3 unspecified", "N18.30", "433144002", True, False),
    ("Atrial fibrillation, unspecified", "I48.91", "49436004", True, False),
    ("Allergic rhinitis, unspecified", "J30.9", "61582004", True, False),
    ("Vitamin D deficiency, unspecified", "E55.9", "34713006", False, False),
    ("Prediabetes", "R73.03", "714628002", True, False),
    ("Insomnia, unspecified", "G47.00", "193462001", False, False),
    ("Chronic obstructive pulmonary disease, unspecified", "J44.9", "13645005", True, False),
    ("Acute sinusitis, unspecified", "J01.90", "15805002", False, False),
    ("Urinary tract infection, site not specified", "N39.0", "68566005", False, False),
    ("Acute bronchitis, unspecified", "J20.9", "10509002", False, False),
    ("Sprain of ankle, initial encounter", "S93.409A", "44465007", False, False),
    ("Otitis media, unspecified", "H66.90", "65363002", False, False),
    ("Major depressive disorder, single episode", "F32.9", "35489007", True, True),
    ("Generalized anxiety disorder", "F41.1", "21897009", True, True),
    ("Alcohol dependence, uncomplicated", "F10.20", "7200002", True, True),
]

# --- Allergies: (title, diagnosis code string or "", drug?) ----------------------------------------------
ALLERGIES = [
    ("Penicillin", "RXCUI:7980", True), ("Sulfa (sulfonamide antibiotics)", "RXCUI:10180", True),
    ("Amoxicillin", "RXCUI:723", True), ("Codeine", "RXCUI:2670", True), ("Aspirin", "RXCUI:1191", True),
    ("Ibuprofen", "RXCUI:5640", True), ("Latex", "", False), ("Peanuts", "SNOMED-CT:91935009", False),
    ("Shellfish", "SNOMED-CT:300913006", False), ("Eggs", "", False), ("Bee stings", "", False),
    ("Cat dander", "", False), ("Tree pollen", "", False),
]

# --- Medications: (drug, RxNorm, strength, unit option, form option, route option, interval option,
#     instructions, indication ICD-10, short course?) -------------------------------------------------------
MEDICATIONS = [
    ("Lisinopril 10 MG Oral Tablet", "314076", "10", "1", "2", "1", "9", "Take 1 tablet by mouth once daily",
     "I10", False),
    ("Metformin hydrochloride 500 MG Oral Tablet", "861007", "500", "1", "2", "1", "1",
     "Take 1 tablet by mouth twice daily with meals", "E11.9", False),
    ("Atorvastatin 20 MG Oral Tablet", "617312", "20", "1", "2", "1", "16", "Take 1 tablet by mouth at bedtime",
     "E78.5", False),
    ("Levothyroxine sodium 0.05 MG Oral Tablet", "966222", "50", "7", "2", "1", "9",
     "Take 1 tablet by mouth every morning on an empty stomach", "E03.9", False),
    ("Amlodipine 5 MG Oral Tablet", "197361", "5", "1", "2", "1", "9", "Take 1 tablet by mouth once daily", "I10",
     False),
    ("Omeprazole 20 MG Delayed Release Oral Capsule", "198053", "20", "1", "3", "1", "9",
     "Take 1 capsule by mouth before breakfast", "K21.9", False),
    ("Albuterol 0.09 MG/ACTUAT Metered Dose Inhaler", "745679", "90", "7", "12", "inhale", "17",
     "Inhale 2 puffs every 4 to 6 hours as needed for wheezing", "J45.909", False),
    ("Sertraline 50 MG Oral Tablet", "312940", "50", "1", "2", "1", "9", "Take 1 tablet by mouth once daily",
     "F32.9", False),
    ("Metoprolol succinate 25 MG Extended Release Oral Tablet", "866427", "25", "1", "2", "1", "9",
     "Take 1 tablet by mouth once daily", "I48.91", False),
    ("Hydrochlorothiazide 25 MG Oral Tablet", "310798", "25", "1", "2", "1", "12",
     "Take 1 tablet by mouth every morning", "I10", False),
    ("Gabapentin 300 MG Oral Capsule", "310431", "300", "1", "3", "1", "2", "Take 1 capsule by mouth three times "
     "daily", "M54.50", False),
    ("Fluticasone propionate 0.05 MG/ACTUAT Nasal Spray", "896188", "50", "7", "12", "12", "9",
     "1 spray in each nostril once daily", "J30.9", False),
    ("Cholecalciferol 1000 UNT Oral Tablet", "392263", "1000", "7", "2", "1", "9",
     "Take 1 tablet by mouth once daily", "E55.9", False),
    ("Escitalopram 10 MG Oral Tablet", "349332", "10", "1", "2", "1", "9", "Take 1 tablet by mouth once daily",
     "F41.1", False),
    ("Apixaban 5 MG Oral Tablet", "1364445", "5", "1", "2", "1", "1", "Take 1 tablet by mouth twice daily",
     "I48.91", False),
    ("Amoxicillin 500 MG Oral Capsule", "308191", "500", "1", "3", "1", "2",
     "Take 1 capsule by mouth three times daily for 10 days", "J01.90", True),
    ("Azithromycin 250 MG Oral Tablet", "308460", "250", "1", "2", "1", "9",
     "Take 2 tablets on day 1, then 1 tablet daily on days 2 to 5", "J20.9", True),
    ("Prednisone 20 MG Oral Tablet", "312617", "20", "1", "2", "1", "9", "Take 2 tablets by mouth daily for 5 days",
     "J44.9", True),
    ("Ibuprofen 600 MG Oral Tablet", "197806", "600", "1", "2", "1", "2",
     "Take 1 tablet by mouth three times daily with food as needed for pain", "S93.409A", True),
    ("Nitrofurantoin 100 MG Oral Capsule", "1648755", "100", "1", "3", "1", "1",
     "Take 1 capsule by mouth twice daily for 5 days", "N39.0", True),
]

# --- Lab panels: order code, order name, [(LOINC, name, units, low, high, decimals, type)] ----------------
# type "N" numeric with a low-high range; "S" string results ("Negative").
LAB_PANELS = [
    ("58410-2", "CBC panel - Blood by Automated count", [
        ("6690-2", "Leukocytes [#/volume] in Blood", "10*3/uL", 4.0, 11.0, 1, "N"),
        ("789-8", "Erythrocytes [#/volume] in Blood", "10*6/uL", 4.2, 5.9, 2, "N"),
        ("718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", 12.0, 17.5, 1, "N"),
        ("4544-3", "Hematocrit [Volume Fraction] of Blood", "%", 36.0, 52.0, 1, "N"),
        ("787-2", "MCV [Entitic volume]", "fL", 80.0, 100.0, 0, "N"),
        ("777-3", "Platelets [#/volume] in Blood", "10*3/uL", 150.0, 400.0, 0, "N"),
    ]),
    ("51990-0", "Basic metabolic panel - Blood", [
        ("2951-2", "Sodium [Moles/volume] in Serum or Plasma", "mmol/L", 135.0, 145.0, 0, "N"),
        ("2823-3", "Potassium [Moles/volume] in Serum or Plasma", "mmol/L", 3.5, 5.1, 1, "N"),
        ("2075-0", "Chloride [Moles/volume] in Serum or Plasma", "mmol/L", 98.0, 107.0, 0, "N"),
        ("2028-9", "Carbon dioxide, total [Moles/volume] in Serum or Plasma", "mmol/L", 22.0, 29.0, 0, "N"),
        ("3094-0", "Urea nitrogen [Mass/volume] in Serum or Plasma", "mg/dL", 7.0, 20.0, 0, "N"),
        ("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "mg/dL", 0.6, 1.3, 2, "N"),
        ("2345-7", "Glucose [Mass/volume] in Serum or Plasma", "mg/dL", 70.0, 99.0, 0, "N"),
        ("17861-6", "Calcium [Mass/volume] in Serum or Plasma", "mg/dL", 8.5, 10.5, 1, "N"),
    ]),
    ("57698-3", "Lipid panel with direct LDL - Serum or Plasma", [
        ("2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", "mg/dL", 100.0, 199.0, 0, "N"),
        ("2571-8", "Triglyceride [Mass/volume] in Serum or Plasma", "mg/dL", 40.0, 149.0, 0, "N"),
        ("2085-9", "Cholesterol in HDL [Mass/volume] in Serum or Plasma", "mg/dL", 40.0, 90.0, 0, "N"),
        ("13457-7", "Cholesterol in LDL [Mass/volume] in Serum or Plasma by calculation", "mg/dL", 0.0, 99.0, 0,
         "N"),
    ]),
    ("4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", [
        ("4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "%", 4.0, 5.6, 1, "N"),
    ]),
    ("3016-3", "Thyrotropin [Units/volume] in Serum or Plasma", [
        ("3016-3", "Thyrotropin [Units/volume] in Serum or Plasma", "mIU/L", 0.4, 4.0, 2, "N"),
    ]),
    ("24325-3", "Hepatic function panel - Serum or Plasma", [
        ("1742-6", "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma", "U/L", 7.0, 56.0, 0,
         "N"),
        ("1920-8", "Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma", "U/L", 10.0, 40.0,
         0, "N"),
        ("1975-2", "Bilirubin.total [Mass/volume] in Serum or Plasma", "mg/dL", 0.1, 1.2, 1, "N"),
    ]),
    ("1989-3", "25-Hydroxyvitamin D3 [Mass/volume] in Serum or Plasma", [
        ("1989-3", "25-Hydroxyvitamin D3 [Mass/volume] in Serum or Plasma", "ng/mL", 30.0, 100.0, 0, "N"),
    ]),
    ("24356-8", "Urinalysis complete panel - Urine", [
        ("5792-7", "Glucose [Mass/volume] in Urine by Test strip", "", None, None, 0, "S"),
        ("20454-5", "Protein [Mass/volume] in Urine by Test strip", "", None, None, 0, "S"),
        ("5799-2", "Leukocyte esterase [Presence] in Urine by Test strip", "", None, None, 0, "S"),
        ("5811-5", "Specific gravity of Urine by Test strip", "", 1.005, 1.030, 3, "N"),
    ]),
    ("2857-1", "Prostate specific Ag [Mass/volume] in Serum or Plasma", [
        ("2857-1", "Prostate specific Ag [Mass/volume] in Serum or Plasma", "ng/mL", 0.0, 4.0, 2, "N"),
    ]),
]

ENCOUNTER_REASONS = [
    "Annual physical examination", "Follow-up: blood pressure", "Medication refill", "Cough and fever for 3 days",
    "Diabetes follow-up", "Sore throat", "Low back pain after lifting", "Flu vaccine", "Well visit",
    "Rash on both forearms", "Headache, recurring", "Follow-up on lab results", "Ear pain", "Fatigue",
    "Pre-operative evaluation", "Knee pain – worse on stairs", "Dizziness when standing up",
    "Urinary frequency and burning", "Anxiety and trouble sleeping", "Routine prenatal visit",
    "Chest tightness on exertion; patient reports symptoms started after a long flight and have persisted "
    "intermittently for two weeks, worse in the evenings, no fever, no recent injuries. Brought a list of home "
    "blood pressure readings and asked for a review of all current medications and supplements.",
    "Contrôle tension artérielle (patient préfère le français)", "Seguimiento de diabetes",
    "复诊：血压", "Telehealth check-in",
]
SENSITIVE_REASONS = ["Behavioral health consultation", "STI screening and counselling",
                     "Substance use follow-up", "Confidential counselling visit"]

NOTE_SENTENCES = [
    "Patient seen today for follow-up.", "Reports good adherence to current medications.",
    "No chest pain, shortness of breath or palpitations.", "Appetite and sleep are normal.",
    "Discussed diet and regular exercise; patient agrees with the plan.",
    "Blood pressure remains above goal; will adjust therapy.", "Reviewed recent laboratory results with patient.",
    "Symptoms improved since last visit.", "Mild tenderness on palpation, no swelling.",
    "Return to clinic in three months or sooner if symptoms worsen.",
    "Patient asked about the influenza vaccine; administered today.",
    "Counselled on smoking cessation.", "Family history reviewed and unchanged.",
    "Le patient signale une amélioration nette.", "Paciente refiere mejoría de los síntomas.",
    "患者自述症状有所改善。",
]
INSTRUCTIONS = [
    "Take your medications as prescribed and keep a log of your home blood pressure readings.",
    "Drink plenty of fluids and rest. Call us if the fever lasts more than three days.",
    "Walk 30 minutes a day, five days a week. Limit salt to less than 2,300 mg a day.",
    "Apply ice to the ankle for 20 minutes every 2 hours for the next 2 days and keep it elevated.",
    "Schedule fasting blood work one week before your next visit (no food after midnight).",
    "Use your inhaler before exercise. Bring it to every visit.",
]
CARE_PLAN_GOALS = [
    ("Reduce HbA1c to below 7%", "SNOMED-CT:698360004", "Diabetes self-management plan"),
    ("Blood pressure below 130/80 mmHg", "SNOMED-CT:395025006", "Hypertension monitoring"),
    ("Lose 5% of body weight in 6 months", "SNOMED-CT:289169006", "Weight reduction"),
    ("Walk 30 minutes a day, 5 days a week", "SNOMED-CT:229065009", "Exercise therapy"),
    ("Quit smoking", "SNOMED-CT:225323000", "Smoking cessation education"),
    ("LDL cholesterol below 100 mg/dL", "SNOMED-CT:183063000", "Low fat diet"),
]

# Visit categories (openemr_postcalendar_categories), OpenEMR's seeded rows 1..15:
# (pc_catid, constant id, name, color, duration seconds, cattype)
CALENDAR_CATEGORIES = [
    (1, "no_show", "No Show", "#dee2e6", 0, 0),
    (2, "in_office", "In Office", "#cce5ff", 0, 1),
    (3, "out_of_office", "Out Of Office", "#fdb172", 0, 1),
    (4, "vacation", "Vacation", "#e9ecef", 0, 1),
    (5, "office_visit", "Office Visit", "#ffecb4", 900, 0),
    (6, "holidays", "Holidays", "#8663ba", 86400, 2),
    (7, "closed", "Closed", "#2374ab", 86400, 2),
    (8, "lunch", "Lunch", "#ffd351", 3600, 1),
    (9, "established_patient", "Established Patient", "#93d3a2", 900, 0),
    (10, "new_patient", "New Patient", "#a2d9e2", 1800, 0),
    (11, "reserved", "Reserved", "#b02a37", 900, 1),
    (12, "health_and_behavioral_assessment", "Health and Behavioral Assessment", "#ced4da", 900, 0),
    (13, "preventive_care_services", "Preventive Care Services", "#d3c6ec", 900, 0),
    (14, "ophthalmological_services", "Ophthalmological Services", "#febe89", 900, 0),
    (15, "group_therapy", "Group Therapy", "#adb5bd", 3600, 3),
]
