{#- dbt-postgres's `create_table_as`, with one change for models whose contract is enforced.

    dbt-postgres builds such a model as `create table t (columns, constraints); insert into t select …`.
    PostgreSQL never runs an `insert … select` in parallel and writes it row by row through the
    constraints, while `create table … as select` may use parallel workers and bulk writes. At 1M
    dossiers, in the full dbt build: `fct_dossier` 19.7 → 14.5 s, `fct_dossier_monthly_status`
    17.3 → 10.6 s (bench/README.md, sixth pass). So the table is created from the select, its columns in the contract's order, and the
    contract's constraints are added in one `alter table` afterwards: one scan checks every not-null
    and check constraint, a primary key builds its index once. Same columns, types (the contract
    check above has already proved the select's types are the contract's), constraint names and
    failures (a null or a value outside a check still fails the model, at the `alter`).
    A constraint this cannot express as an `alter` (a foreign key, a custom one, or an expression
    on a not-null, unique or primary key) keeps dbt-postgres's own create-and-insert. -#}
{% macro postgres__create_table_as(temporary, relation, sql) -%}
    {%- set unlogged = config.get('unlogged', default=false) -%}
    {%- set sql_header = config.get('sql_header', none) -%}
    {%- set contract_config = config.get('contract') -%}
    {%- set enforced = contract_config.enforced and not temporary -%}
    {%- set alterations = contract_alterations() if enforced else [] -%}

    {{ sql_header if sql_header is not none }}

    create {% if temporary -%}
        temporary
    {%- elif unlogged -%}
        unlogged
    {%- endif %} table {{ relation }}
    {% if contract_config.enforced %}
        {{ get_assert_columns_equivalent(sql) }}
    {% endif -%}
    {% if enforced and alterations is none -%}
        {{ get_table_columns_and_constraints() }} ;
        insert into {{ relation }} (
        {{ adapter.dispatch('get_column_names', 'dbt')() }}
        )
        (
        {{ get_select_subquery(sql) }}
        );
    {%- elif enforced -%}
        as (
        {{ get_select_subquery(sql) }}
        );
        {%- if alterations %}
            alter table {{ relation }}
            {{ alterations | join(',\n    ') }};
        {%- endif %}
    {%- else -%}
        as (
        {{ sql }}
        );
    {%- endif %}
{%- endmacro %}

{#- The model's contract constraints as `alter table` subcommands, or none when one cannot be. -#}
{% macro contract_alterations() -%}
    {%- set alterations = [] -%}
    {%- set expressible = [true] -%}
    {%- for column in model['columns'].values() -%}
        {%- set name = adapter.quote(column['name']) if column.get('quote') else column['name'] -%}
        {%- for constraint in column.get('constraints', []) -%}
            {%- set kind = constraint['type'] -%}
            {%- set expression = constraint.get('expression') -%}
            {%- if kind == 'check' and expression -%}
                {#- unnamed, as dbt renders a column's check: PostgreSQL names it after the column -#}
                {%- do alterations.append('add check (' ~ expression ~ ')') -%}
            {%- elif expression -%}
                {%- do expressible.append(false) -%}
            {%- elif kind == 'not_null' -%}
                {%- do alterations.append('alter column ' ~ name ~ ' set not null') -%}
            {%- elif kind == 'unique' -%}
                {%- do alterations.append('add unique (' ~ name ~ ')') -%}
            {%- elif kind == 'primary_key' -%}
                {%- do alterations.append('add primary key (' ~ name ~ ')') -%}
            {%- else -%}
                {%- do expressible.append(false) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for constraint in model.get('constraints', []) -%}
        {%- if constraint['type'] in ('check', 'unique', 'primary_key') -%}
            {%- for rendered in adapter.render_raw_model_constraints(raw_constraints=[constraint]) -%}
                {%- do alterations.append('add ' ~ rendered) -%}
            {%- endfor -%}
        {%- else -%}
            {%- do expressible.append(false) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(none if false in expressible else alterations) }}
{%- endmacro %}
