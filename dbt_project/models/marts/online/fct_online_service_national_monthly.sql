-- fct_online_service_monthly rolled up onto the nation; shares recomputed from the sums.
-- Incremental by month like its input (macros/monthly_incremental/); measures in
-- macros/monthly_measures.sql.
-- depends_on: {{ ref('log_dossier_month_versions') }}

{{ monthly_rollup(ref('fct_online_service_province_monthly'), 'online', to='nation') }}
