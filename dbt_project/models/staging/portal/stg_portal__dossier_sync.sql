{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key='dossier_code',
        on_schema_change='append_new_columns',
        indexes=[{'columns': ['dossier_code'], 'unique': true}, {'columns': ['_stg_run_at']}],
    )
}}

-- Dossiers synchronised to the portal: one row per dossier, its first sync among accepted batches.
-- Incremental (like the one-stop staging) so that fct_dossier can look dossiers up by code.

with

{% if is_incremental() %}
    changed_dossiers as (
        select distinct s.dossier_code
        from {{ source('raw', 'portal_dossier_sync') }} as s
        where s.batch_id in ({{ changed_batch_ids('portal_dossier_sync') }})
    ),
{% endif %}

ranked as (
    select
        s.dossier_code,
        s.unit_code,
        s.province_code,
        s.synced_at,
        s.batch_id,
        row_number() over (
            partition by s.dossier_code order by s.synced_at asc nulls last, s.batch_id asc
        ) as sync_rank
    from {{ source('raw', 'portal_dossier_sync') }} as s
    inner join {{ source('audit', 'batches') }} as b
        on s.batch_id = b.batch_id
    where
        b.status = 'loaded'
        and s.dossier_code is not null
        {% if is_incremental() %}
            and s.dossier_code in (select c.dossier_code from changed_dossiers as c)
        {% endif %}
)

select
    dossier_code,
    unit_code,
    province_code,
    synced_at,
    (synced_at at time zone 'Asia/Ho_Chi_Minh')::date as synced_date,
    batch_id as _batch_id,
    {{ batches_watermark() }} as _batches_seen_at,
    {{ run_timestamp() }} as _stg_run_at
from ranked
where sync_rank = 1
