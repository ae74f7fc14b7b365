{{
    config(
        materialized='incremental',
        incremental_strategy='replace_months',
        on_schema_change='append_new_columns',
        pre_hook="{{ stage_months_to_rebuild(['dossier_ends']) }}",
        post_hook="{{ record_monthly_build() }}",
        indexes=[{'columns': ['month_start']}],
    )
}}

-- fct_online_payment_monthly rolled up onto the nation; share and target flag recomputed from the sums.
-- Incremental by month like its input (macros/monthly_incremental.sql): rebuilds the months its input
-- can have changed since the last run.
-- depends_on: {{ ref('log_dossier_month_versions') }}

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
