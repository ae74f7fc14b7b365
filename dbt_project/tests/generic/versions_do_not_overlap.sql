{#- Versions of one entity whose [valid_from, valid_to] ranges overlap (valid_to null = open),
    or that end before they start: a dated lookup must find at most one version. -#}
{% test versions_do_not_overlap(model, entity_column, from_column, to_column) %}

with versions as (
    select
        {{ entity_column }} as entity,
        {{ from_column }} as valid_from,
        {{ to_column }} as valid_to,
        lead({{ from_column }}) over (
            partition by {{ entity_column }} order by {{ from_column }}
        ) as next_valid_from
    from {{ model }}
)

select
    entity,
    valid_from,
    valid_to,
    next_valid_from
from versions
where
    valid_to < valid_from
    or (next_valid_from is not null and (valid_to is null or valid_to >= next_valid_from))

{% endtest %}
