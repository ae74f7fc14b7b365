-- Satisfaction ratings: one row per dossier (its latest rating among accepted batches).

with ranked as (
    {{ latest_accepted_rows('portal_ratings', 'dossier_code', 'r.rated_at desc nulls last, r.batch_id desc') }}
)

select
    dossier_code,
    province_code,
    rated_at,
    (rated_at at time zone 'Asia/Ho_Chi_Minh')::date as rated_date,
    level as rating_level,
    coalesce(level in ('RAT_HAI_LONG', 'HAI_LONG'), false) as is_satisfied,
    batch_id as _batch_id
from ranked
