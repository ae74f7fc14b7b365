{#- Rows that break an identity between columns of the same row, e.g.
    'received_total = resolved_total + in_progress_total' (the Biểu 06 identities). -#}
{% test identity_holds(model, expression) %}

select *
from {{ model }}
where not coalesce(({{ expression }}), false)

{% endtest %}
