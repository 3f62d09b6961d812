"""The patient's chart, one module per page family (issues, medications, vitals, labs, appointments,
immunizations, visits, the health summary, the profile), each building its own dataclasses from OpenEMR's
rows with the rules of records.openemr.meaning. records.queries re-exports them as one facade."""


