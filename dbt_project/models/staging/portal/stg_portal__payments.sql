-- Portal payment transactions: one row per transaction id, the latest accepted batch's version.

with ranked as (
    {{ latest_accepted_rows('portal_payments', 'transaction_id', 'r.batch_id desc') }}
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
