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

-- fct_online_service_monthly rolled up onto today's 34 provinces (province_code_current; a split
-- commune's counts divided by share, so counts can be fractional); shares recomputed from the sums.
-- Incremental by month like its input (macros/monthly_incremental.sql): rebuilds the months its input
-- can have changed since the last run.
-- depends_on: {{ ref('log_dossier_month_versions') }}

{% set counts = [
    'received_total',
    'received_online',
    'received_eligible',
    'received_online_eligible',
    'received_full_online_level',
    'received_online_full_online_level',
] %}

with rolled as (
    {{ rollup_to_provinces(ref('fct_online_service_monthly'), counts) }}
)

select
    month_start,
    province_code_current,
    {%- for col in counts %}
        {{ col }},
    {%- endfor %}
    received_online / nullif(received_total, 0) as online_share,
    received_online_eligible / nullif(received_eligible, 0) as online_share_eligible,
    received_online_full_online_level / nullif(received_full_online_level, 0) as full_online_share
from rolled
