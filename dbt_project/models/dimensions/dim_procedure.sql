-- Procedure versions from the portal catalogue. A new version starts when the name, online
-- level, processing time, day type, fee flag or state changes; it is valid from the record's
-- effectiveDate (first version, or a later effective date) else from its updatedAt date.
-- Re-announced codes link both ways: replaced_by_code on the old code, predecessor_code on the new.

{#- what a version carries, and which of it starts a new version when it changes -#}
{%- set attributes = [
    'procedure_name', 'field_code', 'field_name', 'levels', 'online_level', 'processing_days', 'day_type',
    'has_fee', 'state', 'decision_date', 'effective_date',
] %}
{%- set versioned = ['procedure_name', 'online_level', 'processing_days', 'day_type', 'has_fee', 'state'] %}

with states as (
    select
        procedure_code,
        {%- for column in attributes %}
            {{ column }},
        {%- endfor %}
        replaced_by_code,
        updated_at,
        updated_date,
        {%- for column in versioned %}
            lag({{ column }}) over by_code as previous_{{ column }},
        {%- endfor %}
        row_number() over by_code as state_number
    from {{ ref('stg_portal__formalities') }}
    -- the national catalogue: a province's own announcements (province_code set) carry local codes
    -- that no dossier uses; they feed Decision 766's transparency group, not this dimension
    where province_code is null
    window by_code as (partition by procedure_code order by updated_at)
),

version_starts as (
    select
        procedure_code,
        {%- for column in attributes %}
            {{ column }},
        {%- endfor %}
        updated_at,
        case
            when state_number = 1 then coalesce(effective_date, updated_date)
            else greatest(coalesce(effective_date, updated_date), updated_date)
        end as change_date
    from states
    where
        state_number = 1
        {%- for column in versioned %}
            or {{ column }} is distinct from previous_{{ column }}
        {%- endfor %}
),

dated as (
    select
        procedure_code,
        {%- for column in attributes %}
            {{ column }},
        {%- endfor %}
        updated_at,
        -- a version never starts before the one it follows (effective dates can lie ahead)
        max(change_date) over (
            partition by procedure_code order by updated_at rows between unbounded preceding and current row
        ) as valid_from
    from version_starts
),

versions as (
    -- several changes taking effect the same day: the latest state is the version
    select
        procedure_code,
        {%- for column in attributes %}
            {{ column }},
        {%- endfor %}
        updated_at,
        valid_from,
        row_number() over (partition by procedure_code, valid_from order by updated_at desc) as same_day_rank
    from dated
),

latest_state as (
    select
        procedure_code,
        replaced_by_code,
        row_number() over (partition by procedure_code order by updated_at desc) as recency
    from states
),

predecessors as (
    select
        replaced_by_code as procedure_code,
        min(procedure_code) as predecessor_code
    from latest_state
    where recency = 1 and replaced_by_code is not null
    group by replaced_by_code
)

select
    v.procedure_code || '@' || to_char(v.valid_from, 'YYYY-MM-DD') as procedure_key,
    v.procedure_code,
    v.procedure_name,
    v.field_code,
    v.field_name,
    v.levels,
    v.online_level,
    v.processing_days,
    v.day_type,
    v.has_fee,
    v.state,
    coalesce(v.state <> 'ABOLISHED', true) as is_active,
    v.decision_date,
    v.effective_date,
    l.replaced_by_code,
    p.predecessor_code,
    v.valid_from,
    (lead(v.valid_from) over (partition by v.procedure_code order by v.valid_from) - 1) as valid_to,
    lead(v.valid_from) over (partition by v.procedure_code order by v.valid_from) is null as is_current,
    v.updated_at
from versions as v
left join latest_state as l
    on v.procedure_code = l.procedure_code and l.recency = 1
left join predecessors as p
    on v.procedure_code = p.procedure_code
where v.same_day_rank = 1
