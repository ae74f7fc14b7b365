{#- Rows whose combination of `columns` is not unique (dbt_utils' unique_combination_of_columns,
    without the package: the hub is unreachable from the build machines). -#}
{% test columns_unique_together(model, columns) %}

select
    {{ columns | join(', ') }},
    count(*) as n_rows
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1

{% endtest %}
