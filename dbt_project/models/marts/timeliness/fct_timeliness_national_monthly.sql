-- fct_timeliness_monthly rolled up onto the nation, per field × month; rates recomputed from the sums.
-- Incremental by month like its input (macros/monthly_incremental/); measures in
-- macros/monthly_measures.sql.
-- depends_on: {{ ref('log_dossier_month_versions') }}

{{ monthly_rollup(ref('fct_timeliness_province_monthly'), 'timeliness', to='nation') }}
