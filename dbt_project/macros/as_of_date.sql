{#- The day the warehouse reports up to: var('as_of_date') when given (tests, backfills by hand),
    else the environment's CCHC_AS_OF_DATE (the nightly DAG sets it; run_dbt(as_of=)), else today
    in local time. Open dossiers are classified against it and months run up to its month.
    Why an environment variable for the nights: a new --vars value makes dbt parse the whole
    project again (~10 s here); the environment is read only when a model runs (`execute`), never
    while parsing, so the saved parse stays valid from one night to the next. -#}
{% macro as_of_date() -%}
    {%- set day = var('as_of_date', none) -%}
    {%- if not day and execute -%}
        {%- set day = env_var('CCHC_AS_OF_DATE', '') -%}
    {%- endif -%}
    {%- if day -%}
        date '{{ day }}'
    {%- else -%}
        (now() at time zone 'Asia/Ho_Chi_Minh')::date
    {%- endif -%}
{%- endmacro %}
