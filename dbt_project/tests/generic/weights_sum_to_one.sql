{#- Groups whose weights (e.g. the shares of a split unit) do not sum to exactly 1. -#}
{% test weights_sum_to_one(model, column_name, group_by) %}

select
    {{ group_by | join(', ') }},
    sum({{ column_name }}) as total_weight
from {{ model }}
group by {{ group_by | join(', ') }}
having sum({{ column_name }}) <> 1

{% endtest %}
