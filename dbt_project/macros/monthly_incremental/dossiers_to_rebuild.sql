{#- The dossier-grain input (dossier_rows, fct_dossier_monthly_status): a table of one row per dossier
    and month is rewritten per dossier, not per month, so a night that touches 3% of the dossiers
    rewrites ~3% of the rows instead of every row of the months they span. -#}

{#- Name of the session temp table of the dossiers this run rebuilds (one per model). -#}
{% macro dossiers_to_rebuild() -%}
    {{ return('dossiers_to_rebuild__' ~ this.identifier) }}
{%- endmacro %}

{#- Pre-hook part (called by stage_months_to_rebuild after the build state exists). A dossier's rows
    change only when its logged version changes or the report date moves over one of its dates: its
    received date (it starts counting), its end or index clock end (report_end_date / index_end_date
    turn from null to a date). Every other row of an open dossier is the same under the new report
    date, except the months after the old report month, which changed_months stages for everyone. -#}
{% macro stage_dossiers_to_rebuild() -%}
    {%- set versions = ref('log_dossier_month_versions') -%}
    {%- set dossiers = ref('fct_dossier') -%}
    create temp table {{ dossiers_to_rebuild() }} on commit drop as
    {% if not is_incremental() -%}
        select null::text as dossier_code where false;
    {%- else -%}
        with
        state as (select * from {{ monthly_build_state() }}),

        moved_over as (
            -- scalar-subquery bounds: the planner reads each range as narrow and uses the date indexes
            select
                (select s.previous_as_of_date + 1 from state as s) as first_day,
                (select s.as_of_date from state as s) as last_day
        )

        select v.dossier_code
        from {{ versions }} as v
        where v._logged_at > (select coalesce(s.previous_versions_seen_at, '-infinity') from state as s)
        union
        select d.dossier_code from {{ dossiers }} as d
        where d.received_date between (select m.first_day from moved_over as m) and (select m.last_day from moved_over as m)
        union
        select d.dossier_code from {{ dossiers }} as d
        where d.end_date between (select m.first_day from moved_over as m) and (select m.last_day from moved_over as m)
        union
        select d.dossier_code from {{ dossiers }} as d
        where
            d.index_clock_end_date between (select m.first_day from moved_over as m)
            and (select m.last_day from moved_over as m);
    {%- endif %}
    create index on {{ dossiers_to_rebuild() }} (dossier_code);
    analyze {{ dossiers_to_rebuild() }};
{%- endmacro %}

{#- incremental_strategy='replace_dossier_months': delete every row of the staged dossiers and every
    row of the staged months (new report months, or all on a full rebuild), insert the recomputed
    rows. The model's select computes exactly those rows. -#}
{% macro get_incremental_replace_dossier_months_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set dest_cols_csv = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }}
    where month_start in (select m.month_start from {{ months_to_rebuild() }} as m);

    delete from {{ target }}
    where dossier_code in (select r.dossier_code from {{ dossiers_to_rebuild() }} as r);

    insert into {{ target }} ({{ dest_cols_csv }})
    select {{ dest_cols_csv }} from {{ arg_dict['temp_relation'] }}
{%- endmacro %}
