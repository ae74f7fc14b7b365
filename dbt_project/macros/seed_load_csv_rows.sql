{#- Faster seed loading on PostgreSQL. dbt's default__load_csv_rows renders one binding macro call
    per cell in Jinja (~20 s for the 15k-row admin unit seed on a busy machine); this builds the
    VALUES placeholders once per batch and binds the same way. Dispatch prefers the root project's
    postgres__ macro, so `dbt seed` uses it without any call-site change. -#}
{% macro postgres__load_csv_rows(model, agate_table) %}
    {%- set batch_size = get_batch_size() -%}
    {%- set cols_sql = get_seed_column_quoted_csv(model, agate_table.column_names) -%}
    {%- set row_placeholders = '(' ~ ([get_binding_char()] * (agate_table.column_names | length)) | join(', ') ~ ')' -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(batch_size) -%}
        {%- set bindings = [] -%}
        {%- for row in chunk -%}
            {%- do bindings.extend(row) -%}
        {%- endfor -%}
        {%- set values_sql = ([row_placeholders] * (chunk | length)) | join(', ') -%}
        {%- set sql = 'insert into ' ~ this.render() ~ ' (' ~ cols_sql ~ ') values ' ~ values_sql -%}
        {%- do adapter.add_query(sql, bindings=bindings, abridge_sql_log=True) -%}
        {%- if loop.index0 == 0 -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{% endmacro %}
