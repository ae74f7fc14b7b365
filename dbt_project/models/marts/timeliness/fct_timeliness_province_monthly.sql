-- fct_timeliness_monthly rolled up onto today's 34 provinces (province_code_current; a split commune's
-- counts divided by share, so counts can be fractional), per field × month; rates recomputed from the
-- sums.

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
