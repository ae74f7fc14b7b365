-- Decision 766 scores the portal published: one row per province × month × group, latest batch.

with latest as (
    select
        s.*,
        row_number() over (
            partition by s.department_code, s.year, s.month order by s.batch_id desc
        ) as version_rank
    from {{ source('raw', 'portal_service_results') }} as s
    inner join {{ source('audit', 'batches') }} as b
        on s.batch_id = b.batch_id
    where b.status = 'loaded' and s.department_code is not null
)

select
    l.department_code as province_code,
    l.department_name as province_name,
    make_date(l.year, l.month, 1) as month_start,
    g.group_code,
    g.score as score_published,
    l.total_score as total_score_published,
    l.batch_id as _batch_id
from latest as l
cross join
    lateral (
        values
        ('CKMB', l.score_ckmb),
        ('TDGQ', l.score_tdgq),
        ('CLGQ', l.score_clgq),
        ('TTTT', l.score_tttt),
        ('MDSH', l.score_mdsh),
        ('MDHL', l.score_mdhl)
    ) as g (group_code, score)
where l.version_rank = 1
