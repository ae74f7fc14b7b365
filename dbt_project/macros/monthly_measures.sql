{#- What each monthly topic counts per unit × month, and the rates it derives from those counts: the
    one list the unit facts select and the province and national rollups sum and recompute (a rate is
    always recomputed from summed counts, never averaged). `keys`, where given, are extra grouping
    columns. -#}
{% macro monthly_measures(topic) -%}
    {%- set target = var('online_payment_target') ~ '::numeric' -%}
    {%- set measures = {
        'timeliness': {
            'keys': ['field_code'],
            'counts': [
                'received_total', 'received_new', 'received_online', 'received_direct_postal', 'carried_over',
                'resolved_total', 'resolved_early', 'resolved_on_time', 'resolved_late',
                'in_progress_total', 'in_progress_within', 'in_progress_overdue',
                'index_handled', 'index_timely',
            ],
            'rates': [
                ('on_time_rate', 'resolved_early + resolved_on_time', 'resolved_total'),
                ('index_timely_ratio', 'index_timely', 'index_handled'),
            ],
        },
        'online': {
            'counts': [
                'received_total', 'received_online', 'received_eligible', 'received_online_eligible',
                'received_full_online_level', 'received_online_full_online_level',
            ],
            'rates': [
                ('online_share', 'received_online', 'received_total'),
                ('online_share_eligible', 'received_online_eligible', 'received_eligible'),
                ('full_online_share', 'received_online_full_online_level', 'received_full_online_level'),
            ],
        },
        'payment': {
            'counts': ['fee_dossiers', 'paid_online_dossiers'],
            'rates': [('online_payment_share', 'paid_online_dossiers', 'fee_dossiers')],
            'extras': [
                target ~ ' as target_share',
                'paid_online_dossiers::numeric / nullif(fee_dossiers, 0) >= ' ~ target ~ ' as meets_target',
            ],
        },
        'digitisation': {
            'counts': [
                'received_total', 'digitised_dossiers', 'vneid_dossiers', 'resolved_total',
                'electronic_result_dossiers',
            ],
            'rates': [
                ('digitised_share', 'digitised_dossiers', 'received_total'),
                ('electronic_result_share', 'electronic_result_dossiers', 'resolved_total'),
                ('vneid_share', 'vneid_dossiers', 'received_total'),
            ],
        },
        'satisfaction': {
            'counts': ['petitions_due', 'petitions_on_time', 'ratings_total', 'ratings_satisfied'],
            'rates': [
                ('petition_on_time_rate', 'petitions_on_time', 'petitions_due'),
                ('satisfaction_rate', 'ratings_satisfied', 'ratings_total'),
            ],
        },
    } -%}
    {{ return(measures[topic]) }}
{%- endmacro %}

{#- The topic's counts, then its rates (and fixed extras such as the payment target), as select-list
    lines without a trailing comma. -#}
{% macro monthly_measure_columns(topic) -%}
    {%- set measures = monthly_measures(topic) -%}
    {%- set columns = measures['counts'] | list -%}
    {%- for name, numerator, denominator in measures['rates'] -%}
        {%- do columns.append('(' ~ numerator ~ ')::numeric / nullif(' ~ denominator ~ ', 0) as ' ~ name) -%}
    {%- endfor -%}
    {%- do columns.extend(measures.get('extras', [])) -%}
    {{ columns | join(',\n    ') }}
{%- endmacro %}

{#- A unit-level monthly fact rolled up onto today's 34 provinces (`to='province'`, from the unit
    fact) or onto the nation (`to='nation'`, from the province fact); rates recomputed from the sums. -#}
{% macro monthly_rollup(relation, topic, to) -%}
    {%- set keys = monthly_measures(topic).get('keys', []) -%}
    {%- set counts = monthly_measures(topic)['counts'] -%}
    with rolled as (
        {% if to == 'province' -%}
            {{ rollup_to_provinces(relation, counts, keys) }}
        {%- elif to == 'nation' -%}
            {{ rollup_to_nation(relation, counts, keys) }}
        {%- else -%}
            {{ exceptions.raise_compiler_error("monthly_rollup: to is 'province' or 'nation', not " ~ to) }}
        {%- endif %}
    )

    select
        month_start,
        {%- if to == 'province' %}
            province_code_current,
        {%- endif %}
        {%- for key in keys %}
            {{ key }},
        {%- endfor %}
        {{ monthly_measure_columns(topic) }}
    from rolled
{%- endmacro %}

{#- A unit-level monthly fact that only selects its topic's measures from fct_unit_month_dossier_counts:
    the unit × month rows where `counted_when` holds, in the months this run rebuilds. -#}
{% macro monthly_unit_fact(topic, counted_when) -%}
    select
        month_start,
        unit_key,
        unit_code,
        province_code_current,
        {{ monthly_measure_columns(topic) }}
    from {{ ref('fct_unit_month_dossier_counts') }}
    where
        ({{ counted_when }})
        {%- if is_incremental() %}
            and month_start in (select m.month_start from {{ months_to_rebuild() }} as m)
        {%- endif %}
{%- endmacro %}
