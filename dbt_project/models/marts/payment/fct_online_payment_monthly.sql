-- Online payment per unit × month received (Resolution 01/NQ-CP 2022, target var online_payment_target):
-- dossiers paid online (DuocThanhToanTrucTuyen 1 or 2) among dossiers with fees (TongPhiLePhi > 0).
-- Incremental by month like its input (macros/monthly_incremental/): rebuilds the months its input
-- can have changed since the last run.
-- depends_on: {{ ref('log_dossier_month_versions') }}

select
    month_start,
    unit_key,
    unit_code,
    province_code_current,
    {{ monthly_measure_columns('payment') }}
from {{ ref('fct_unit_month_dossier_counts') }}
where
    fee_dossiers > 0
    {% if is_incremental() %}
        and month_start in (select m.month_start from {{ months_to_rebuild() }} as m)
    {% endif %}
