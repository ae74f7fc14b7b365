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

-- fct_digitisation_monthly rolled up onto the nation; shares recomputed from the sums.
-- Incremental by month like its input (macros/monthly_incremental.sql): rebuilds the months its input
-- can have changed since the last run.
-- depends_on: {{ ref('log_dossier_month_versions') }}

{% set counts = [
    'received_total',
    'digitised_dossiers',
    'vneid_dossiers',
    'resolved_total',
    'electronic_result_dossiers',
] %}

with rolled as (
    {{ rollup_to_nation(ref('fct_digitisation_province_monthly'), counts) }}
)

select
    month_start,
    
    {%- for col in counts %}
        {{ col }},
    {%- endfor %}
    digitised_dossiers / nullif(received_total, 0) as digitised_share,
    electronic_result_dossiers / nullif(resolved_total, 0) as electronic_result_share,
    vneid_dossiers / nullif(received_total, 0) as vneid_share
from rolled
