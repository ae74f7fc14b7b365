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
    {%- set dossiers = ref('fct_dossier') -%}
    create temp table {{ dossiers_to_rebuild() }} on commit drop as
    {% if not is_incremental() -%}
        select null::text as dossier_code where false;
    {%- else -%}
        with
        state as (select * from {{ monthly_build_state() }}),
        {{ changed_input_ctes(['dossier_rows']) }}
        moved_over as (
            -- scalar-subquery bounds: the planner reads each range as narrow and uses the date indexes
            select
                (select s.previous_as_of_date + 1 from state as s) as first_day,
                (select s.as_of_date from state as s) as last_day
        )

        select n.dossier_code from new_versions as n
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

{#- incremental_strategy='replace_dossier_months': delete every row of the staged dossiers, then
    replace_months (the staged months: new report months, or all on a full rebuild; then the insert
    of the recomputed rows). The model's select computes exactly those rows. -#}
{% macro get_incremental_replace_dossier_months_sql(arg_dict) -%}
    delete from {{ arg_dict['target_relation'] }}
    where dossier_code in (select r.dossier_code from {{ dossiers_to_rebuild() }} as r);

    {{ get_incremental_replace_months_sql(arg_dict) }}
{%- endmacro %}
