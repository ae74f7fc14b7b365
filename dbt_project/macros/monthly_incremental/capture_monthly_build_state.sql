{#- One row: this run's report date and what it has seen of its inputs (the newest version-log and
    batch timestamps), the previous run's (audit.monthly_builds), and whether every month must be
    rebuilt: no previous run, the report date moved backwards, or the version log was rebuilt after
    the model last read it. -#}
{% macro capture_monthly_build_state(inputs) -%}
    {%- set versions = ref('log_dossier_month_versions') -%}
    create temp table {{ monthly_build_state() }} on commit drop as
    with
    previous as (
        select * from {{ source('audit', 'monthly_builds') }} where model = '{{ this.identifier }}'
    )

    select
        p.as_of_date as previous_as_of_date,
        p.versions_seen_at as previous_versions_seen_at,
        p.batches_seen_at as previous_batches_seen_at,
        {{ as_of_date() }} as as_of_date,
        date_trunc('month', {{ as_of_date() }})::date as as_of_month,
        {% if reads_dossier_versions(inputs) -%}
            (select max(v._logged_at) from {{ versions }} as v) as versions_seen_at,
        {%- else -%}
            null::timestamptz as versions_seen_at,
        {%- endif %}
        (select max(b.finished_at) from {{ source('audit', 'batches') }} as b) as batches_seen_at,
        {% if is_incremental() -%}
            p.model is null
            or {{ as_of_date() }} < p.as_of_date
            {%- if reads_dossier_versions(inputs) %}
                or (select min(v._logged_at) from {{ versions }} as v) > coalesce(p.versions_seen_at, '-infinity')
            {%- endif %}
        {%- else -%}
            true
        {%- endif %} as full_rebuild
    from (select 1) as one
    left join previous as p on true
{%- endmacro %}
