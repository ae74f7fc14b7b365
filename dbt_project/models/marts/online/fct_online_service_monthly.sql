-- Online share per unit × month (docs/KPIS.md, "Online share"): new dossiers received in the
-- month only; among all, among eligible procedures (TOAN_TRINH or MOT_PHAN), and among TOAN_TRINH.
-- Incremental by month like its input (macros/monthly_incremental/): rebuilds the months its input
-- can have changed since the last run.
-- depends_on: {{ ref('log_dossier_month_versions') }}

{{ monthly_unit_fact('online', counted_when='received_total > 0') }}
