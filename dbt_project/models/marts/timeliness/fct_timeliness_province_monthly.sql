{{
    config(
        materialized='incremental',
        incremental_strategy='replace_months',
        on_schema_change='append_new_columns',
        pre_hook="{{ stage_months_to_rebuild(['dossier_span']) }}",
        post_hook="{{ record_monthly_build() }}",
        indexes=[{'columns': ['month_start']}],
    )
}}

-- fct_timeliness_monthly rolled up onto today's 34 provinces (province_code_current; a split commune's
-- counts divided by share, so counts can be fractional), per field × month; rates recomputed from the
-- sums.
-- Incremental by month like its input (macros/monthly_incremental.sql): rebuilds the months its input
-- can have changed since the last run.
-- depends_on: {{ ref('log_dossier_month_versions') }}

{% set counts = [
    'received_total',
    'received_new',
    'received_online',
    'received_direct_postal',
    'carried_over',
    'resolved_total',
    'resolved_early',
    'resolved_on_time',
    'resolved_late',
    'in_progress_total',
    'in_progress_within',
    'in_progress_overdue',
    'index_handled',
    'index_timely',
] %}

with rolled as (
    {{ rollup_to_provinces(ref('fct_timeliness_monthly'), counts, ['field_code']) }}
)

select
    month_start,
    province_code_current,
    field_code,
    {%- for col in counts %}
        {{ col }},
    {%- endfor %}
    (resolved_early + resolved_on_time) / nullif(resolved_total, 0) as on_time_rate,
    index_timely / nullif(index_handled, 0) as index_timely_ratio
from rolled
