-- Online payment per unit × month received (Resolution 01/NQ-CP 2022, target var online_payment_target):
-- dossiers paid online (DuocThanhToanTrucTuyen 1 or 2) among dossiers with fees (TongPhiLePhi > 0).
-- Incremental by month like its input (macros/monthly_incremental/): rebuilds the months its input
-- can have changed since the last run.
-- depends_on: {{ ref('log_dossier_month_versions') }}

{{ monthly_unit_fact('payment', counted_when='fee_dossiers > 0') }}
