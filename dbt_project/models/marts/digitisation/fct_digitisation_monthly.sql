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

-- Digitisation per unit × month: digitised components and VNeID-verified accounts among new dossiers
-- received in the month; electronic results among dossiers resolved in the month.
-- Incremental by month like its input (macros/monthly_incremental.sql): rebuilds the months its input
-- can have changed since the last run.
-- depends_on: {{ ref('log_dossier_month_versions') }}

select
    month_start,
    unit_key,
    unit_code,
    province_code_current,
    received_total,
    digitised_dossiers,
    vneid_dossiers,
    resolved_total,
    electronic_result_dossiers,
    digitised_dossiers::numeric / nullif(received_total, 0) as digitised_share,
    electronic_result_dossiers::numeric / nullif(resolved_total, 0) as electronic_result_share,
    vneid_dossiers::numeric / nullif(received_total, 0) as vneid_share
from {{ ref('fct_unit_month_dossier_counts') }}
where
    (received_total > 0 or resolved_total > 0)
    {% if is_incremental() %}
        and month_start in (select m.month_start from {{ months_to_rebuild() }} as m)
    {% endif %}
