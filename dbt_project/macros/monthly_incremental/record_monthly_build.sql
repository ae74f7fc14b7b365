{#- Post-hook: after the model's rows are written, in the same transaction, what this run built from. -#}
{% macro record_monthly_build() -%}
    insert into {{ source('audit', 'monthly_builds') }} as m (
        model, built_at, as_of_date, versions_seen_at, batches_seen_at, full_rebuild, months_rebuilt
    )
    select
        '{{ this.identifier }}',
        {{ run_timestamp() }},
        s.as_of_date,
        s.versions_seen_at,
        s.batches_seen_at,
        s.full_rebuild,
        {% if is_incremental() -%}
            (select count(*) from {{ months_to_rebuild() }})
        {%- else -%}
            (select count(distinct t.month_start) from {{ this }} as t)
        {%- endif %}
    from {{ monthly_build_state() }} as s
    on conflict (model) do update set
        built_at = excluded.built_at,
        as_of_date = excluded.as_of_date,
        versions_seen_at = excluded.versions_seen_at,
        batches_seen_at = excluded.batches_seen_at,
        full_rebuild = excluded.full_rebuild,
        months_rebuilt = excluded.months_rebuilt
{%- endmacro %}
