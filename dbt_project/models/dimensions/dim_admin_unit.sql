-- Administrative unit versions (pre-2025 and current) from the reference seed.

with units as (
    select
        unit_code,
        unit_name,
        unit_level,
        unit_kind,
        parent_code,
        province_code,
        valid_from,
        valid_to,
        province_code_current
    from {{ ref('ref_admin_units') }}
)

select
    unit_code || '@' || to_char(valid_from, 'YYYY-MM-DD') as unit_key,
    unit_code,
    unit_name,
    unit_level,
    unit_kind,
    parent_code,
    province_code,
    valid_from,
    valid_to,
    valid_to is null as is_current,
    province_code_current
from units
