-- The batch ledger, one row per batch, named for the marts. The file's path in the landing area and
-- its hash stay in audit.batches for operators (`cchc batches`): BI never needs them.

select
    batch_id,
    source,
    entity,
    province_code,
    business_date,
    file_name,
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
