-- Portal procedure catalogue: one row per procedure code per catalogue state (updatedAt), from
-- accepted batches only. The same state pulled in several batches is kept once (the latest batch).

with accepted as (
    select
        f.code,
        f.name,
        f.field_code,
        f.field_name,
        f.levels,
        f.online_level,
        f.processing_days,
        f.day_type,
        f.has_fee,
        f.state,
        f.decision_date,
        f.effective_date,
        f.legal_basis_effective_date,
        f.published_at,
        f.content_complete,
        f.has_online_payment,
        f.province_code,
        f.replaced_by_code,
        f.updated_at,
        f.batch_id,
        row_number() over (
            partition by f.code, f.updated_at
            order by f.batch_id desc
        ) as copy_rank
    from {{ source('raw', 'portal_formalities') }} as f
    inner join {{ source('audit', 'batches') }} as b
        on f.batch_id = b.batch_id
    where
        b.status = 'loaded'
        and f.code is not null
        and f.updated_at is not null
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
where copy_rank = 1
