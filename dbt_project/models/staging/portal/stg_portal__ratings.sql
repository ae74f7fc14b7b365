-- Satisfaction ratings: one row per dossier (its latest rating among accepted batches).

with ranked as (
    select
        r.dossier_code,
        r.province_code,
        r.rated_at,
        r.level,
        r.batch_id,
        row_number() over (
            partition by r.dossier_code order by r.rated_at desc nulls last, r.batch_id desc
        ) as version_rank
    from {{ source('raw', 'portal_ratings') }} as r
    inner join {{ source('audit', 'batches') }} as b
        on r.batch_id = b.batch_id
    where b.status = 'loaded' and r.dossier_code is not null
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
where version_rank = 1
