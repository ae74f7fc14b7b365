-- fct_online_payment_monthly rolled up onto the nation; share and target flag recomputed from the sums.
-- Incremental by month like its input (macros/monthly_incremental/); measures in
-- macros/monthly_measures.sql.
-- depends_on: {{ ref('log_dossier_month_versions') }}

{{ monthly_rollup(ref('fct_online_payment_province_monthly'), 'payment', to='nation') }}
