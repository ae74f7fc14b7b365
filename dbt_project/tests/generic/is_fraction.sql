{#- Rates are fractions: rows where the column is outside [0, 1] (nulls pass: an empty denominator). -#}
{% test is_fraction(model, column_name) %}

select {{ column_name }}
from {{ model }}
where {{ column_name }} < 0 or {{ column_name }} > 1

{% endtest %}
