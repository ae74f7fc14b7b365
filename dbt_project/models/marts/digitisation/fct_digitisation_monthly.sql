-- Digitisation per unit × month: digitised components and VNeID-verified accounts among new dossiers
-- received in the month; electronic results among dossiers resolved in the month.

select
    month_start,
    unit_key,
    unit_code,
    province_code_current,
    received_total,
    digitised_dossiers,
    vneid_dossiers,
    resolved_total,
    electronic_result_dossiers,
    digitised_dossiers::numeric / nullif(received_total, 0) as digitised_share,
    electronic_result_dossiers::numeric / nullif(resolved_total, 0) as electronic_result_share,
    vneid_dossiers::numeric / nullif(received_total, 0) as vneid_share
from {{ ref('int_unit_month_dossier_counts') }}
where received_total > 0 or resolved_total > 0
