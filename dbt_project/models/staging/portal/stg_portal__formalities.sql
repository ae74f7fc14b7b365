-- Portal procedure catalogue: one row per procedure code per catalogue state (updatedAt), from
-- accepted batches only. The same state pulled in several batches is kept once (the latest batch).

with accepted as (
    -- the same catalogue state pulled in several batches: the latest batch's copy
    {{ latest_accepted_rows('portal_formalities', ['code', 'updated_at'], 'r.batch_id desc') }}
)

select
    code as procedure_code,
    name as procedure_name,
    field_code,
    field_name,
    array_to_string(levels, ',') as levels,
    online_level,
    processing_days,
    day_type,
    has_fee,
    state,
    decision_date,
    effective_date,
    legal_basis_effective_date,
    published_at,
    (published_at at time zone 'Asia/Ho_Chi_Minh')::date as published_date,
    content_complete,
    has_online_payment,
    province_code,
    replaced_by_code,
    updated_at,
    (updated_at at time zone 'Asia/Ho_Chi_Minh')::date as updated_date,
    batch_id as _batch_id
from accepted
