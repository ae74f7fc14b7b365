-- A province of today's map with no shape would be missing from the BI map: every one of the 34
-- must own at least one of the 63 old shapes.
select unit_code
from {{ ref('dim_admin_unit') }}
where unit_kind = 'province' and is_current
except
select province_code_current
from {{ ref('dim_province_map_shape') }}
