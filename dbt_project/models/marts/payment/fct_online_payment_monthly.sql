-- Online payment per unit × month received (Resolution 01/NQ-CP 2022, target var online_payment_target):
-- dossiers paid online (DuocThanhToanTrucTuyen 1 or 2) among dossiers with fees (TongPhiLePhi > 0).

select
    month_start,
    unit_key,
    unit_code,
    province_code_current,
    fee_dossiers,
    paid_online_dossiers,
    paid_online_dossiers::numeric / nullif(fee_dossiers, 0) as online_payment_share,
    {{ var('online_payment_target') }}::numeric as target_share,
    paid_online_dossiers::numeric / nullif(fee_dossiers, 0) >= {{ var('online_payment_target') }}::numeric
        as meets_target
from {{ ref('int_unit_month_dossier_counts') }}
where fee_dossiers > 0
