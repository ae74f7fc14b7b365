{#- Pre-hook of every monthly incremental model (set per folder in dbt_project.yml): decide once,
    before the model's select reads anything and before the strategy deletes, which months this run
    rebuilds, so the delete removes exactly the months the insert rewrites. Two session temp tables:
    the build state (capture_monthly_build_state.sql) and the months (changed_months.sql). -#}
{% macro stage_months_to_rebuild(inputs=none) -%}
    {#- dbt records a hook's refs while parsing, when is_incremental() is false and the inputs are
        unknown: name here the bookkeeping models the incremental branch reads -#}
    {%- do ref('log_dossier_month_versions') -%}
    {%- do ref('log_touched_months') -%}
    {%- set inputs = inputs or monthly_inputs() -%}
    {{ capture_monthly_build_state(inputs) }};
    -- temp tables get no statistics otherwise: the planner would size hash tables for ~1000 rows per scan
    analyze {{ monthly_build_state() }};

    create temp table {{ months_to_rebuild() }} on commit drop as
    {% if not is_incremental() -%}
        select null::date as month_start where false;
    {%- else -%}
        with
        state as (select * from {{ monthly_build_state() }}),
        {{ changed_input_ctes(inputs) }}
        changed_months as (
            {{ changed_months(inputs) }}
        ),

        every_month as (
            {{ every_month(inputs) }}
        )

        select c.month_start from changed_months as c
        where not (select s.full_rebuild from state as s) and c.month_start is not null
        union
        select e.month_start from every_month as e
        where (select s.full_rebuild from state as s) and e.month_start is not null;
    {%- endif %}
    analyze {{ months_to_rebuild() }};
    -- for first_month_to_rebuild(): local to this transaction, which the model's select shares
    select set_config(
        'cchc.first_month_to_rebuild',
        coalesce((select min(m.month_start)::text from {{ months_to_rebuild() }} as m), ''),
        true
    );
    {%- if 'dossier_rows' in inputs %}
        {{ stage_dossiers_to_rebuild() }}
    {%- endif %}
{%- endmacro %}
