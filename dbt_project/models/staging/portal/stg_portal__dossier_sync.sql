{{
    config(
        indexes=[{'columns': ['dossier_code'], 'unique': true}, {'columns': ['_stg_run_at']}],
    )
}}

-- Dossiers synchronised to the portal: one row per dossier, its first sync among accepted batches.
-- Incremental (like the one-stop staging) so that fct_dossier can look dossiers up by code.

with ranked as (
    {{ latest_accepted_rows('portal_dossier_sync', 'dossier_code', 'r.synced_at asc nulls last, r.batch_id asc') }}
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
