-- fct_satisfaction_monthly rolled up onto the nation; rates recomputed from the sums.
-- Incremental by month like its input (macros/monthly_incremental/); measures in
-- macros/monthly_measures.sql.

{{ monthly_rollup(ref('fct_satisfaction_province_monthly'), 'satisfaction', to='nation') }}
