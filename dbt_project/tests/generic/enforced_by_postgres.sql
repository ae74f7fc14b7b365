{#- Rules PostgreSQL enforces on every write, checked in the catalogue instead of by scanning rows.
    On the per-dossier tables (10M rows at 10M dossiers) dbt's `unique` and `accepted_values` read the
    whole table after every night, ~100 s of the 10M night's build, to re-prove what the unique index
    and the check constraints already refuse at insert. These tests fail when the index or constraint
    is missing or was not validated (e.g. a table built before it was declared: rebuild it with
    `--full-refresh`). -#}

{#- A row unless a valid unique index on exactly `column_name` (a column test) or `columns` (a model
    test), without predicate or expression, exists: declared in the model's `indexes` config, built
    after the first load. -#}
{% test unique_enforced(model, column_name=none, columns=none) %}

{%- set keys = columns if columns else [column_name] %}

select
    '{{ model }}' as relation,
    '{{ keys | join(", ") }}' as key_columns,
    'no valid unique index on exactly these columns' as problem
where not exists (
    select 1
    from pg_catalog.pg_index as i
    inner join pg_catalog.pg_class as c on i.indrelid = c.oid
    inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
    where
        n.nspname = '{{ model.schema }}'
        and c.relname = '{{ model.identifier }}'
        and i.indisunique
        and i.indisvalid
        and i.indpred is null
        and i.indexprs is null
        and i.indnkeyatts = {{ keys | length }}
        and (
            select array_agg(a.attname::text)
            from unnest((i.indkey::int2 [])[0:i.indnkeyatts - 1]) as k (attnum)
            inner join pg_catalog.pg_attribute as a on a.attrelid = c.oid and k.attnum = a.attnum
        ) @> array[{% for key in keys %}'{{ key }}'{{ ", " if not loop.last }}{% endfor %}]::text []
)

{% endtest %}

{#- A row unless a validated check constraint on `column_name` alone names every accepted value
    (declared in the model's contract; nulls pass, as with dbt's accepted_values). -#}
{% test accepted_values_enforced(model, column_name, values) %}

select
    '{{ model }}' as relation,
    '{{ column_name }}' as column_name,
    'no validated check constraint on this column naming every accepted value' as problem
where not exists (
    select 1
    from pg_catalog.pg_constraint as k
    inner join pg_catalog.pg_class as c on k.conrelid = c.oid
    inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
    inner join pg_catalog.pg_attribute as a on c.oid = a.attrelid and k.conkey = array[a.attnum]
    where
        n.nspname = '{{ model.schema }}'
        and c.relname = '{{ model.identifier }}'
        and a.attname = '{{ column_name }}'
        and k.contype = 'c'
        and k.convalidated
        and pg_catalog.pg_get_constraintdef(k.oid) like all (
            array[{% for value in values %}'%''{{ value }}''%'{{ ", " if not loop.last }}{% endfor %}]
        )
)

{% endtest %}
