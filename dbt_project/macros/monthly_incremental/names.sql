{#- The session temp tables a monthly model's run shares between its pre-hook, select, strategy and
    post-hook; named after the model so models built in one session never collide. -#}

{% macro months_to_rebuild() -%}
    {{ return('months_to_rebuild__' ~ this.identifier) }}
{%- endmacro %}

{% macro monthly_build_state() -%}
    {{ return('monthly_build__' ~ this.identifier) }}
{%- endmacro %}

{#- The first month to rebuild (null when none), read from the transaction setting the pre-hook wrote.
    Not a scalar subquery: the planner cannot see a subquery's value and guesses every range on it
    narrow, so a night that rebuilds all of a short history walked two date indexes over 10M rows
    (2.5x the full build's time at 10M). A stable function is evaluated while planning: the planner
    estimates the range from the column's statistics and scans the index only when it is narrow. -#}
{% macro first_month_to_rebuild() -%}
    nullif(current_setting('cchc.first_month_to_rebuild'), '')::date
{%- endmacro %}

{#- The model's inputs (meta.monthly_inputs, set per folder in dbt_project.yml). -#}
{% macro monthly_inputs() -%}
    {#- at parse time config.get returns no values: nothing to check yet -#}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set inputs = (config.get('meta') or {}).get('monthly_inputs') -%}
    {%- if not inputs -%}
        {{ exceptions.raise_compiler_error(
            this.identifier ~ ' is a monthly incremental model without meta.monthly_inputs '
            ~ '(see macros/monthly_incremental/_monthly_incremental__macros.yml)') }}
    {%- endif -%}
    {{ return(inputs) }}
{%- endmacro %}

{#- Whether any input reads the dossier version log (ratings count in their dossier's unit). -#}
{% macro reads_dossier_versions(inputs) -%}
    {%- set dossier_kinds = ['dossier_span', 'dossier_ends', 'dossier_rows', 'ratings'] -%}
    {{ return(inputs | select('in', dossier_kinds) | list | length > 0) }}
{%- endmacro %}
