-- fct_timeliness_monthly rolled up onto the nation, per field × month; rates recomputed from the sums.

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
    {{ rollup_to_nation(ref('fct_timeliness_province_monthly'), counts, ['field_code']) }}
)

select
    month_start,

    field_code,
    {%- for col in counts %}
        {{ col }},
    {%- endfor %}
    (resolved_early + resolved_on_time) / nullif(resolved_total, 0) as on_time_rate,
    index_timely / nullif(index_handled, 0) as index_timely_ratio
from rolled
