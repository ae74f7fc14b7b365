-- Citizen petitions (PAKN): one row per petition id, the latest accepted batch's version (a petition
-- is pulled again when it is resolved). Dates are converted to local dates for counting.

with ranked as (
    select
        p.id,
        p.unit_code,
        p.province_code,
        p.category,
        p.received_at,
        p.due_at,
        p.resolved_at,
        p.satisfied,
        p.likes,
        p.dislikes,
        p.is_repeat,
        p.batch_id,
        row_number() over (
            partition by p.id order by p.resolved_at desc nulls last, p.batch_id desc
        ) as version_rank
    from {{ source('raw', 'portal_petitions') }} as p
    inner join {{ source('audit', 'batches') }} as b
        on p.batch_id = b.batch_id
    where b.status = 'loaded' and p.id is not null
)

select
    id as petition_id,
    unit_code,
    province_code,
    category,
    received_at,
    due_at,
    resolved_at,
    satisfied as is_satisfied,
    likes,
    dislikes,
    is_repeat,
    (received_at at time zone 'Asia/Ho_Chi_Minh')::date as received_date,
    (due_at at time zone 'Asia/Ho_Chi_Minh')::date as due_date,
    (resolved_at at time zone 'Asia/Ho_Chi_Minh')::date as resolved_date,
    batch_id as _batch_id
from ranked
where version_rank = 1
