-- How much of a unit's figures belong to each of today's provinces: an old unit follows the
-- succession bridge to its current unit(s) (a split commune by its shares); a current unit, or an
-- old one without successor, counts wholly toward its own province_code_current.

with

bridged as (
    select
        b.old_unit_key as unit_key,
        n.province_code_current,
        sum(b.share) as weight
    from {{ ref('bridge_admin_unit_succession') }} as b
    inner join {{ ref('dim_admin_unit') }} as n
        on b.new_unit_key = n.unit_key
    group by b.old_unit_key, n.province_code_current
)

select
    unit_key,
    province_code_current,
    weight
from bridged
union all
select
    u.unit_key,
    u.province_code_current,
    1 as weight
from {{ ref('dim_admin_unit') }} as u
where
    u.province_code_current is not null
    and not exists (
        select 1 from bridged as b
        where b.unit_key = u.unit_key
    )
