-- fct_satisfaction_monthly rolled up onto today's 34 provinces (province_code_current; a split commune's
-- counts divided by share, so counts can be fractional); rates recomputed from the sums.
-- Incremental by month like its input (macros/monthly_incremental/); measures in
-- macros/monthly_measures.sql.

{{ monthly_rollup(ref('fct_satisfaction_monthly'), 'satisfaction', to='province') }}
