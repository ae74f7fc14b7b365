{#- Sum a unit-level monthly fact's counts onto today's 34 provinces: each unit's counts go to the
    province(s) of its current successor(s) with int_unit_province_weights' share, so a split old
    commune's figures are divided by area share (counts become fractional there). -#}
{% macro rollup_to_provinces(relation, count_columns, extra_keys=[]) -%}
    select
        f.month_start,
        coalesce(w.province_code_current, f.province_code_current) as province_code_current,
    {%- for key in extra_keys %}
            f.{{ key }},
    {%- endfor %}
    {%- for col in count_columns %}
            sum(f.{{ col }} * coalesce(w.weight, 1))::numeric as {{ col }}{{ "," if not loop.last }}
    {%- endfor %}
    from {{ relation }} as f
    left join {{ ref('int_unit_province_weights') }} as w
        on f.unit_key = w.unit_key
    where coalesce(w.province_code_current, f.province_code_current) is not null
    {%- if is_incremental() %}
        -- an incremental monthly model rolls up only the months it rebuilds (macros/monthly_incremental/)
        and f.month_start in (select m.month_start from {{ months_to_rebuild() }} as m)
    {%- endif %}
    group by
        f.month_start,
        coalesce(w.province_code_current, f.province_code_current)
    {%- for key in extra_keys %},
            f.{{ key }}
    {%- endfor %}
{%- endmacro %}

{#- Sum a province rollup onto the nation. -#}
{% macro rollup_to_nation(relation, count_columns, extra_keys=[]) -%}
    select
        f.month_start,
    {%- for key in extra_keys %}
            f.{{ key }},
    {%- endfor %}
    {%- for col in count_columns %}
            sum(f.{{ col }})::numeric as {{ col }}{{ "," if not loop.last }}
    {%- endfor %}
    from {{ relation }} as f
    {%- if is_incremental() %}
        where f.month_start in (select m.month_start from {{ months_to_rebuild() }} as m)
    {%- endif %}
    group by
        f.month_start
    {%- for key in extra_keys %},
            f.{{ key }}
    {%- endfor %}
{%- endmacro %}
