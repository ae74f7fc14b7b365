-- Old unit version -> current unit version(s) from 2025-07-01; shares of a split sum to 1.

with succession as (
    select
        old_unit_code,
        old_valid_from,
        new_unit_code,
        new_valid_from,
        effective_date,
        share
    from {{ ref('ref_admin_unit_succession') }}
)

select
    old_unit_code || '@' || to_char(old_valid_from, 'YYYY-MM-DD') as old_unit_key,
    new_unit_code || '@' || to_char(new_valid_from, 'YYYY-MM-DD') as new_unit_key,
    old_unit_code,
    new_unit_code,
    effective_date,
    share
from succession
