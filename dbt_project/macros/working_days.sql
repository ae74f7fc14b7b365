{#- Working days after start_date, up to and including end_date, from dim_date's working-day index:
    the same as cchc.reference.calendar.working_days_between (negative when end < start; null when
    either date is null or outside 2020..2030). Two primary-key lookups per row; in a large model,
    joining dim_date once per date and subtracting working_day_index is the same arithmetic as a
    set operation. -#}
{% macro working_days_between(start_date, end_date) -%}
    (
        (
            select wd_end.working_day_index
            from {{ ref('dim_date') }} as wd_end
            where wd_end.date_day = ({{ end_date }})::date
        )
        - (
            select wd_start.working_day_index
            from {{ ref('dim_date') }} as wd_start
            where wd_start.date_day = ({{ start_date }})::date
        )
    )
{%- endmacro %}

{#- The n-th working day after start_date, for n >= 1 (cchc.reference.calendar.add_working_days);
    null outside the calendar. -#}
{% macro add_working_days(start_date, n) -%}
    (
        select wd_target.date_day
        from {{ ref('dim_date') }} as wd_target
        where
            wd_target.is_working_day
            and wd_target.working_day_index = (
                select wd_from.working_day_index
                from {{ ref('dim_date') }} as wd_from
                where wd_from.date_day = ({{ start_date }})::date
            ) + ({{ n }})
    )
{%- endmacro %}
