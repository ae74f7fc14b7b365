-- One row per day 2020..2030 from the VN calendar seed, with the working-day index:
-- working days between a and b = index(b) - index(a).

with calendar as (
    select
        date_day,
        is_working_day,
        holiday_name
    from {{ ref('ref_vn_calendar') }}
)

select
    date_day,
    is_working_day,
    holiday_name,
    holiday_name is not null as is_holiday,
    extract(isodow from date_day) >= 6 as is_weekend,
    extract(isodow from date_day)::smallint as day_of_week,
    (sum(case when is_working_day then 1 else 0 end) over (order by date_day))::integer as working_day_index,
    date_trunc('month', date_day)::date as month_start,
    (date_trunc('month', date_day) + interval '1 month - 1 day')::date as month_end,
    extract(quarter from date_day)::smallint as quarter,
    extract(year from date_day)::smallint as year
from calendar
