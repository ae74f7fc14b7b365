-- fct_online_payment_monthly rolled up onto the nation; share and target flag recomputed from the sums.

with rolled as (
    {{ rollup_to_nation(ref('fct_online_payment_province_monthly'), ['fee_dossiers', 'paid_online_dossiers']) }}
)

select
    month_start,

    fee_dossiers,
    paid_online_dossiers,
    paid_online_dossiers / nullif(fee_dossiers, 0) as online_payment_share,
    {{ var('online_payment_target') }}::numeric as target_share,
    paid_online_dossiers / nullif(fee_dossiers, 0) >= {{ var('online_payment_target') }}::numeric as meets_target
from rolled
