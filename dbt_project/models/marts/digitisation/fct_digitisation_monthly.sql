-- Digitisation per unit × month: digitised components and VNeID-verified accounts among new dossiers
-- received in the month; electronic results among dossiers resolved in the month.
-- Incremental by month like its input (macros/monthly_incremental/): rebuilds the months its input
-- can have changed since the last run.
-- depends_on: {{ ref('log_dossier_month_versions') }}

select
    month_start,
    unit_key,
    unit_code,
    province_code_current,
    {{ monthly_measure_columns('digitisation') }}
from {{ ref('fct_unit_month_dossier_counts') }}
where
    (received_total > 0 or resolved_total > 0)
    {% if is_incremental() %}
        and month_start in (select m.month_start from {{ months_to_rebuild() }} as m)
    {% endif %}
