{#- incremental_strategy='replace_months': delete the staged months, insert the recomputed rows.
    dbt's delete+insert deletes only the keys present in the new rows, so a month whose last row
    moved away would keep stale rows; this deletes exactly the months the pre-hook staged. -#}
{% macro get_incremental_replace_months_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set dest_cols_csv = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }}
    where month_start in (select m.month_start from {{ months_to_rebuild() }} as m);

    insert into {{ target }} ({{ dest_cols_csv }})
    select {{ dest_cols_csv }} from {{ arg_dict['temp_relation'] }}
{%- endmacro %}
