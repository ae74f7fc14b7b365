-- fct_online_service_monthly rolled up onto today's 34 provinces (province_code_current; a split
-- commune's counts divided by share, so counts can be fractional); shares recomputed from the sums.
-- Incremental by month like its input (macros/monthly_incremental/); measures in
-- macros/monthly_measures.sql.
-- depends_on: {{ ref('log_dossier_month_versions') }}

{{ monthly_rollup(ref('fct_online_service_monthly'), 'online', to='province') }}
