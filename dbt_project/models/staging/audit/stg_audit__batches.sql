-- The batch ledger, one row per batch, named for the marts.

select
    batch_id,
    source,
    entity,
    province_code,
    business_date,
    file_path,
    file_name,
    sha256,
    manifest_rows,
    rows_in,
    rows_loaded,
    rows_rejected,
    status,
    reason,
    jsonb_array_length(warnings) as warning_count,
    superseded_by,
    started_at,
    loaded_at,
    validated_at,
    finished_at
from {{ source('audit', 'batches') }}
