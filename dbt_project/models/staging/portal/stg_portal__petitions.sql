-- Citizen petitions (PAKN): one row per petition id, the latest accepted batch's version (a petition
-- is pulled again when it is resolved). Dates are converted to local dates for counting.

with ranked as (
    {{ latest_accepted_rows('portal_petitions', 'id', 'r.resolved_at desc nulls last, r.batch_id desc') }}
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
