-- Run on the filtered REPLICA only (topology 2), never on the clinic's
-- primary: the primary's schema belongs to OpenEMR and its upgrades.
--
-- openemr_postcalendar_events has no index on pc_pid, so the portal's
-- "my appointments" query (pc_pid = <patient> and a date range) otherwise
-- scans the clinic's whole future calendar for every patient page.
-- Measured at 100k patients: about 270 ms without this index, about 0.3 ms
-- with it.
--
-- The replica applies row events from the primary by primary key, so an
-- extra secondary index here does not disturb replication. Re-check it after
-- an OpenEMR upgrade that rebuilds the table (SHOW INDEX FROM
-- openemr.openemr_postcalendar_events); on MariaDB you may write
-- CREATE INDEX IF NOT EXISTS. If the replica writes a binary log, run
-- SET SESSION sql_log_bin = 0; first.
--
-- Usage: mariadb -u root openemr < replica-pc_pid-index.sql
CREATE INDEX portal_pc_pid ON openemr.openemr_postcalendar_events (pc_pid, pc_eventDate);

-- Visit notes and care plans. OpenEMR gives form_clinical_notes no index on
-- form_id and form_care_plan no index at all (not even a primary key), so
-- the visit summary of a visit that has such a form scans the whole table
-- once per view. These two indexes make those reads index lookups. On
-- form_care_plan (no primary key) the index also spares the replica a
-- table scan for every replicated row change.
CREATE INDEX portal_form_id ON openemr.form_clinical_notes (form_id);
CREATE INDEX portal_care_plan_id ON openemr.form_care_plan (id);
