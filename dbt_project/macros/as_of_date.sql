{#- The day the warehouse reports up to: var('as_of_date') when given (tests, backfills), else today in
    local time. Open dossiers are classified against it and months run up to its month. -#}
{% macro as_of_date() -%}
    {%- if var('as_of_date', none) -%}
        date '{{ var("as_of_date") }}'
    {%- else -%}
        (now() at time zone 'Asia/Ho_Chi_Minh')::date
    {%- endif -%}
{%- endmacro %}
