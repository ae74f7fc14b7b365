{#- A JSON value as numeric when it is a JSON number, else null (never a cast error). -#}
{% macro json_number(expr) -%}
    case when jsonb_typeof({{ expr }}) = 'number' then ({{ expr }})::text::numeric end
{%- endmacro %}
