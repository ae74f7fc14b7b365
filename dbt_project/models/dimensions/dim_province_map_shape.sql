-- The map's shapes (the 63 provinces of before 2025-07-01) with the province of today's map each
-- now belongs to: a dashboard colours every shape by its current province, so the 34 provinces
-- appear as the unions of their old shapes.

with shapes as (
    select
        province_code,
        iso_3166_2,
        shape_name
    from {{ ref('ref_province_map_shapes') }}
),

old_provinces as (
    select
        unit_code,
        province_code_current
    from {{ ref('dim_admin_unit') }}
    where unit_kind = 'province' and valid_from < date '2025-07-01'
),

current_provinces as (
    select
        unit_code,
        unit_name
    from {{ ref('dim_admin_unit') }}
    where unit_kind = 'province' and is_current
)

select
    shapes.iso_3166_2,
    shapes.shape_name,
    shapes.province_code as province_code_before_2025,
    old_provinces.province_code_current,
    current_provinces.unit_name as province_name_current
from shapes
inner join old_provinces on shapes.province_code = old_provinces.unit_code
inner join current_provinces on old_provinces.province_code_current = current_provinces.unit_code
