{#- When this dbt invocation started, as timestamptz: stamped on rows an incremental run writes, so the
    next model (and the next run) can pick exactly the rows this run changed. -#}
{% macro run_timestamp() -%}
    '{{ run_started_at if run_started_at is defined else "1970-01-01 00:00:00+00" }}'::timestamptz
{%- endmacro %}
