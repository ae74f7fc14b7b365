-- fct_online_payment_monthly rolled up onto today's 34 provinces (province_code_current; a split
-- commune's counts divided by share, so counts can be fractional); share and target flag recomputed from
-- the sums.

with rolled as (
    {{ rollup_to_provinces(ref('fct_online_payment_monthly'), ['fee_dossiers', 'paid_online_dossiers']) }}
)

select
    month_start,
    province_code_current,
    fee_dossiers,
    paid_online_dossiers,
    paid_online_dossiers / nullif(fee_dossiers, 0) as online_payment_share,
    {{ var('online_payment_target') }}::numeric as target_share,
    paid_online_dossiers / nullif(fee_dossiers, 0) >= {{ var('online_payment_target') }}::numeric as meets_target
from rolled
