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

-- Online share per unit × month (docs/KPIS.md, "Online share"): new dossiers received in the
-- month only; among all, among eligible procedures (TOAN_TRINH or MOT_PHAN), and among TOAN_TRINH.
-- Incremental by month like its input (macros/monthly_incremental.sql): rebuilds the months its input
-- can have changed since the last run.
-- depends_on: {{ ref('log_dossier_month_versions') }}

select
    month_start,
    unit_key,
    unit_code,
    province_code_current,
    received_total,
    received_online,
    received_eligible,
    received_online_eligible,
    received_full_online_level,
    received_online_full_online_level,
    received_online::numeric / nullif(received_total, 0) as online_share,
    received_online_eligible::numeric / nullif(received_eligible, 0) as online_share_eligible,
    received_online_full_online_level::numeric / nullif(received_full_online_level, 0) as full_online_share
from {{ ref('fct_unit_month_dossier_counts') }}
where
    received_total > 0
    {% if is_incremental() %}
        and month_start in (select m.month_start from {{ months_to_rebuild() }} as m)
    {% endif %}
