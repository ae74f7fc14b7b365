{#-
  Monthly facts rebuilt by affected month (issue 8). Each incremental monthly model:
    pre_hook  = stage_months_to_rebuild([...inputs])  -- session temp tables, before the model's select
    strategy  = 'replace_months'                      -- delete those months, insert the recomputed rows
    post_hook = record_monthly_build()                -- audit.monthly_builds, same transaction
  and filters its select on `month_start in (select month_start from {{ months_to_rebuild() }})`
  when is_incremental(). Why temp tables: the months must be decided once, before the select reads
  anything and before the delete, so the delete removes exactly the months the insert rewrites — also
  months that end up with no rows at all (dbt's delete+insert only deletes keys present in the new
  rows, so a month whose last dossier moved away would keep stale rows).

  Inputs (which changes can move which months):
    dossier_span  every month from received month to end month, or to the report month while open
                  (timeliness: carried over / in progress), of the new AND the counted version of every
                  dossier logged in log_dossier_month_versions since the model last read it
    dossier_ends  only the received and end months of those versions (counts of new / resolved)
    petitions     due months of every raw version of petitions in batches accepted or superseded since
    ratings       rated months of every raw version of ratings in such batches, and of the ratings of
                  dossiers with a new version (a rating counts in its dossier's unit)
    service_results  months of published scores in such batches
  Always: the months from the previous run's report date to this one's (open dossiers' within /
  overdue state, and ends / receptions after the old report date, move with it).
  Every month (a full rebuild inside the incremental run): no audit.monthly_builds row for the model,
  the report date moved backwards, or the version log was rebuilt after the model last read it.
-#}

{% macro months_to_rebuild() -%}
{{ return('months_to_rebuild__' ~ this.identifier) }}
{%- endmacro %}

{#- The first month to rebuild, as a scalar subquery (for index range predicates on dates). -#}
{% macro first_month_to_rebuild() -%}
(select min(m.month_start) from {{ months_to_rebuild() }} as m)
{%- endmacro %}

{% macro monthly_build_state() -%}
{{ return('monthly_build__' ~ this.identifier) }}
{%- endmacro %}

{% macro stage_months_to_rebuild(inputs) -%}
{%- set dossier_inputs = 'dossier_span' in inputs or 'dossier_ends' in inputs or 'ratings' in inputs -%}
{%- set versions = ref('log_dossier_month_versions') -%}
{%- set batch_entities = [] -%}
    {%- for entity, input in [('portal_petitions', 'petitions'), ('portal_ratings', 'ratings'),
                              ('portal_service_results', 'service_results')] -%}
{%- if input in inputs -%}{%- do batch_entities.append(entity) -%}{%- endif -%}
{%- endfor %}
    create temp table {{ monthly_build_state() }} on commit drop as
    with
    previous as (
        select * from audit.monthly_builds where model = '{{ this.identifier }}'
    )
    select
        {{ as_of_date() }} as as_of_date,
        date_trunc('month', {{ as_of_date() }})::date as as_of_month,
{%- if dossier_inputs %}
            (select max(v._logged_at) from {{ versions }} as v) as versions_seen_at,
        {%- else %}
            null::timestamptz as versions_seen_at,
{%- endif %}
        (select max(b.finished_at) from {{ source('audit', 'batches') }} as b) as batches_seen_at,
        p.as_of_date as previous_as_of_date,
        p.versions_seen_at as previous_versions_seen_at,
        p.batches_seen_at as previous_batches_seen_at,
{%- if is_incremental() %}
            p.model is null
            or {{ as_of_date() }} < p.as_of_date
{%- if dossier_inputs %}
                or (select min(v._logged_at) from {{ versions }} as v) > coalesce(p.versions_seen_at, '-infinity')
            {%- endif %}
        {%- else %}
            true
{%- endif %} as full_rebuild
    from (select 1) as one
    left join previous as p on true;
    -- temp tables get no statistics otherwise: the planner would size hash tables for ~1000 rows per scan
    analyze {{ monthly_build_state() }};

    create temp table {{ months_to_rebuild() }} on commit drop as
{%- if not is_incremental() %}
        select null::date as month_start where false;
    {%- else %}
        with
        state as (select * from {{ monthly_build_state() }}),
{%- if dossier_inputs %}
            new_versions as (
                select v.*
                from {{ versions }} as v
                where v._logged_at > (select coalesce(s.previous_versions_seen_at, '-infinity') from state as s)
            ),
            counted_versions as (
                select distinct on (v.dossier_code) v.*
                from {{ versions }} as v
                where
                    v.dossier_code in (select n.dossier_code from new_versions as n)
                    and v._logged_at <= (select s.previous_versions_seen_at from state as s)
                order by v.dossier_code asc, v._logged_at desc
            ),
            touched_versions as (
                select * from new_versions
                union all
                select * from counted_versions
            ),
{%- endif %}
{%- if batch_entities %}
            changed_batches as (
                select b.batch_id, b.entity
                from {{ source('audit', 'batches') }} as b
                where
                    b.entity in ('{{ batch_entities | join("', '") }}')
                    and b.status in ('loaded', 'superseded')
                    and b.finished_at > (select coalesce(s.previous_batches_seen_at, '-infinity') from state as s)
            ),
{%- endif %}
        changed_months as (
            -- the report date moved from the previous run's to this one's
            select m::date as month_start
            from state as s
            cross join lateral generate_series(
                date_trunc('month', coalesce(s.previous_as_of_date, s.as_of_date)), s.as_of_month, interval '1 month'
            ) as m
{%- if 'dossier_span' in inputs %}
                union
                select m::date
                from touched_versions as v
                cross join lateral generate_series(
                    v.received_month,
                    coalesce(v.last_month, (select s.as_of_month from state as s)),
                    interval '1 month'
                ) as m
                where v.received_month is not null
{%- endif %}
{%- if 'dossier_ends' in inputs %}
                union
                select v.received_month from touched_versions as v where v.received_month is not null
                union
                select v.end_month from touched_versions as v where v.end_month is not null
{%- endif %}
{%- if 'petitions' in inputs %}
                union
                select date_trunc('month', (p.due_at at time zone 'Asia/Ho_Chi_Minh')::date)::date
                from {{ source('raw', 'portal_petitions') }} as p
                where p.id in (
                    select c.id from {{ source('raw', 'portal_petitions') }} as c
                    where c.batch_id in (select b.batch_id from changed_batches as b)
                )
{%- endif %}
{%- if 'ratings' in inputs %}
                union
                select date_trunc('month', (r.rated_at at time zone 'Asia/Ho_Chi_Minh')::date)::date
                from {{ source('raw', 'portal_ratings') }} as r
                where
                    r.dossier_code in (
                        select c.dossier_code from {{ source('raw', 'portal_ratings') }} as c
                        where c.batch_id in (select b.batch_id from changed_batches as b)
                    )
                    or r.dossier_code in (select n.dossier_code from new_versions as n)
{%- endif %}
{%- if 'service_results' in inputs %}
                union
                select make_date(r.year, r.month, 1)
                from {{ source('raw', 'portal_service_results') }} as r
                where r.batch_id in (select b.batch_id from changed_batches as b)
{%- endif %}
        ),
        every_month as (
            -- a full rebuild: every month the table has, and every month from the earliest input on
            select t.month_start from {{ this }} as t
            union
            select m::date
            from generate_series(
                (
                    select least(
                        (select min(t.month_start) from {{ this }} as t),
{%- if dossier_inputs %}
                            (select min(v.received_month) from {{ versions }} as v),
{%- endif %}
{%- if 'petitions' in inputs %}
                            (select date_trunc('month', min(p.due_at at time zone 'Asia/Ho_Chi_Minh'))::date
                                from {{ source('raw', 'portal_petitions') }} as p),
{%- endif %}
{%- if 'ratings' in inputs %}
                            (select date_trunc('month', min(r.rated_at at time zone 'Asia/Ho_Chi_Minh'))::date
                                from {{ source('raw', 'portal_ratings') }} as r),
{%- endif %}
{%- if 'service_results' in inputs %}
                            (select min(make_date(r.year, r.month, 1)) from {{ source('raw', 'portal_service_results') }} as r),
{%- endif %}
                        (select s.as_of_month from state as s)
                    )
                ),
                (select s.as_of_month from state as s),
                interval '1 month'
            ) as m
        )
        select c.month_start from changed_months as c
        where not (select s.full_rebuild from state as s) and c.month_start is not null
        union
        select e.month_start from every_month as e
        where (select s.full_rebuild from state as s) and e.month_start is not null;
{%- endif %}
    analyze {{ months_to_rebuild() }};
{%- endmacro %}

{#- After the model's rows are written, in the same transaction: what this run built from. -#}
{% macro record_monthly_build() -%}
    insert into audit.monthly_builds as m (
        model, built_at, as_of_date, versions_seen_at, batches_seen_at, full_rebuild, months_rebuilt
    )
    select
        '{{ this.identifier }}',
        {{ run_timestamp() }},
        s.as_of_date,
        s.versions_seen_at,
        s.batches_seen_at,
        s.full_rebuild,
{%- if is_incremental() %}
            (select count(*) from {{ months_to_rebuild() }})
        {%- else %}
            (select count(distinct t.month_start) from {{ this }} as t)
{%- endif %}
    from {{ monthly_build_state() }} as s
    on conflict (model) do update set
        built_at = excluded.built_at,
        as_of_date = excluded.as_of_date,
        versions_seen_at = excluded.versions_seen_at,
        batches_seen_at = excluded.batches_seen_at,
        full_rebuild = excluded.full_rebuild,
        months_rebuilt = excluded.months_rebuilt
{%- endmacro %}

{#- The strategy: delete the staged months, insert the recomputed rows (see the top of this file). -#}
{% macro get_incremental_replace_months_sql(arg_dict) -%}
{%- set target = arg_dict['target_relation'] -%}
{%- set dest_cols_csv = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
delete from {{ target }}
    where month_start in (select m.month_start from {{ months_to_rebuild() }} as m);

    insert into {{ target }} ({{ dest_cols_csv }})
    select {{ dest_cols_csv }} from {{ arg_dict['temp_relation'] }}
{%- endmacro %}
