-- Every batch the pipeline met, from the ledger: what arrived, what was loaded, and why not.
-- BI reads it, so it carries the file's name but not its path in the landing area (the ledger,
-- audit.batches, keeps the path for operators: `cchc batches`).

select
    batch_id,
    source,
    entity,
    province_code,
    business_date,
    file_name,
    rows_in,
    rows_loaded,
    rows_rejected,
    manifest_rows,
    status,
    reason,
    warning_count,
    superseded_by,
    started_at,
    loaded_at,
    validated_at,
    finished_at
from {{ ref('stg_audit__batches') }}
