{#- A versioned unit (alias `m`, with valid_from / valid_to) counts for a month only when its
    version is valid in it: from the month of valid_from, up to valid_to. -#}
{% macro version_valid_in_month(month, alias='m') -%}
    ({{ month }} >= date_trunc('month', {{ alias }}.valid_from) and ({{ alias }}.valid_to is null or {{ month }} <= {{ alias }}.valid_to))
{%- endmacro %}
