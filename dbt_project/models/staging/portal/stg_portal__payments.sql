-- Portal payment transactions: one row per transaction id, the latest accepted batch's version.

with ranked as (
    select
        p.transaction_id,
        p.dossier_code,
        p.province_code,
        p.amount,
        p.status,
        p.gateway,
        p.paid_at,
        p.batch_id,
        row_number() over (partition by p.transaction_id order by p.batch_id desc) as version_rank
    from {{ source('raw', 'portal_payments') }} as p
    inner join {{ source('audit', 'batches') }} as b
        on p.batch_id = b.batch_id
    where b.status = 'loaded' and p.transaction_id is not null
)

select
    transaction_id,
    dossier_code,
    province_code,
    amount as amount_vnd,
    status as payment_status,
    gateway as gateway_code,
    paid_at,
    (paid_at at time zone 'Asia/Ho_Chi_Minh')::date as paid_date,
    batch_id as _batch_id
from ranked
where version_rank = 1
