{#- Which months an incremental run rebuilds, by input kind (the kinds are documented in
    _monthly_incremental__macros.yml). Always: the months from the previous run's report date to this
    one's, since open dossiers' within / overdue state and ends after the old report date move with it. -#}

{#- The CTEs the month queries below read: the dossier versions logged since the model last read the
    log, the months of those versions and of the versions each of those dossiers was counted with
    before, and the batches of the portal entities it reads accepted or superseded since. Each ends
    with a comma. -#}
{% macro changed_input_ctes(inputs) -%}
    {%- set versions = ref('log_dossier_month_versions') -%}
    {%- set touched = ref('log_touched_months') -%}
    {%- if reads_dossier_versions(inputs) %}
        new_versions as (
            select v.*
            from {{ versions }} as v
            where v._logged_at > (select coalesce(s.previous_versions_seen_at, '-infinity') from state as s)
        ),

        -- the months of those versions and of the versions each dossier was counted with: summed per
        -- log run once a night by log_touched_months instead of searched here by every model
        summed_up_to as (
            select greatest(
                (select coalesce(s.previous_versions_seen_at, '-infinity') from state as s),
                (select coalesce(max(t._logged_at), '-infinity') from {{ touched }} as t)
            ) as logged_at
        ),

        -- versions of runs log_touched_months has not summed (a run that built the log without it;
        -- none on a normal night) and the version before them, searched the long way
        unsummed_versions as (
            select v.*
            from {{ versions }} as v
            where v._logged_at > (select u.logged_at from summed_up_to as u)
        ),

        touched_months as (
            select t.received_month, t.end_month, t.last_month
            from {{ touched }} as t
            where t._logged_at > (select coalesce(s.previous_versions_seen_at, '-infinity') from state as s)
            union all
            select u.received_month, u.end_month, u.last_month
            from unsummed_versions as u
            union all
            select c.received_month, c.end_month, c.last_month
            from (
                select distinct on (v.dossier_code) v.*
                from {{ versions }} as v
                where
                    v.dossier_code in (select u.dossier_code from unsummed_versions as u)
                    and v._logged_at <= (select u.logged_at from summed_up_to as u)
                order by v.dossier_code asc, v._logged_at desc
            ) as c
        ),
    {%- endif %}
    {%- set entities = portal_entities_read(inputs) %}
    {%- if entities %}
        changed_batches as (
            select b.batch_id, b.entity
            from {{ source('audit', 'batches') }} as b
            where
                b.entity in ('{{ entities | join("', '") }}')
                and b.status in ('accepted', 'superseded')
                and b.finished_at > (select coalesce(s.previous_batches_seen_at, '-infinity') from state as s)
        ),
    {%- endif %}
{%- endmacro %}

{% macro portal_entities_read(inputs) -%}
    {%- set entities = [] -%}
    {%- for entity, input in [
        ('portal_petitions', 'petitions'),
        ('portal_ratings', 'ratings'),
        ('portal_service_results', 'service_results'),
    ] -%}
        {%- if input in inputs %}{% do entities.append(entity) %}{% endif -%}
    {%- endfor -%}
    {{ return(entities) }}
{%- endmacro %}

{% macro changed_months(inputs) -%}
    select m::date as month_start
    from state as s
    cross join lateral generate_series(
        date_trunc('month', coalesce(s.previous_as_of_date, s.as_of_date))
        {%- if 'dossier_rows' in inputs %}
            -- per-dossier rows: the old report month is rebuilt only for the dossiers the move touches
            -- (stage_dossiers_to_rebuild); the months after it are new for every open dossier
            + interval '1 month'
        {%- endif %},
        s.as_of_month,
        interval '1 month'
    ) as m
    {%- for input in inputs %}
        union
        {{ context['changed_months__' ~ input]() }}
    {%- endfor %}
{%- endmacro %}

{#- Timeliness: every month from received to end month (or to the report month while open) of the new
    and the counted version of every touched dossier (carried over / in progress in each). -#}
{% macro changed_months__dossier_span() -%}
    select m::date
    from touched_months as v
    cross join lateral generate_series(
        v.received_month,
        coalesce(v.last_month, (select s.as_of_month from state as s)),
        interval '1 month'
    ) as m
    where v.received_month is not null
{%- endmacro %}

{#- Per-dossier rows: no month for everyone; the touched dossiers are staged by
    stage_dossiers_to_rebuild (dossiers_to_rebuild.sql). -#}
{% macro changed_months__dossier_rows() -%}
    select null::date where false
{%- endmacro %}

{#- Counts of new and resolved dossiers: only the received and end months of those versions. -#}
{% macro changed_months__dossier_ends() -%}
    select v.received_month from touched_months as v where v.received_month is not null
    union
    select v.end_month from touched_months as v where v.end_month is not null
{%- endmacro %}

{#- Due months of every raw version of a petition in a changed batch. -#}
{% macro changed_months__petitions() -%}
    select date_trunc('month', (p.due_at at time zone 'Asia/Ho_Chi_Minh')::date)::date
    from {{ source('raw', 'portal_petitions') }} as p
    where p.id in (
        select c.id from {{ source('raw', 'portal_petitions') }} as c
        where c.batch_id in (select b.batch_id from changed_batches as b)
    )
{%- endmacro %}

{#- Rated months of every raw version of a rating in a changed batch, and of the ratings of dossiers
    with a new version (a rating counts in its dossier's unit). -#}
{% macro changed_months__ratings() -%}
    select date_trunc('month', (r.rated_at at time zone 'Asia/Ho_Chi_Minh')::date)::date
    from {{ source('raw', 'portal_ratings') }} as r
    where
        r.dossier_code in (
            select c.dossier_code from {{ source('raw', 'portal_ratings') }} as c
            where c.batch_id in (select b.batch_id from changed_batches as b)
        )
        or r.dossier_code in (select n.dossier_code from new_versions as n)
{%- endmacro %}

{#- Months of published 766 scores in a changed batch. -#}
{% macro changed_months__service_results() -%}
    select make_date(r.year, r.month, 1)
    from {{ source('raw', 'portal_service_results') }} as r
    where r.batch_id in (select b.batch_id from changed_batches as b)
{%- endmacro %}

{#- A full rebuild: every month the table has, and every month from the earliest input on. -#}
{% macro every_month(inputs) -%}
    select t.month_start from {{ this }} as t
    union
    select m::date
    from generate_series(
        (
            select least(
                (select min(t.month_start) from {{ this }} as t),
                {%- if reads_dossier_versions(inputs) %}
                    (select min(v.received_month) from {{ ref('log_dossier_month_versions') }} as v),
                {%- endif %}
                {%- if 'petitions' in inputs %}
                    (
                        select date_trunc('month', min(p.due_at at time zone 'Asia/Ho_Chi_Minh'))::date
                        from {{ source('raw', 'portal_petitions') }} as p
                    ),
                {%- endif %}
                {%- if 'ratings' in inputs %}
                    (
                        select date_trunc('month', min(r.rated_at at time zone 'Asia/Ho_Chi_Minh'))::date
                        from {{ source('raw', 'portal_ratings') }} as r
                    ),
                {%- endif %}
                {%- if 'service_results' in inputs %}
                    (
                        select min(make_date(r.year, r.month, 1))
                        from {{ source('raw', 'portal_service_results') }} as r
                    ),
                {%- endif %}
                (select s.as_of_month from state as s)
            )
        ),
        (select s.as_of_month from state as s),
        interval '1 month'
    ) as m
{%- endmacro %}
