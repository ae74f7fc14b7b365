-- Per unit × procedure × month: new dossiers received, received online, and paid online. Decision
-- 766 counts procedures, not dossiers, in three sub-indicators (online procedures that received an
-- online dossier; fee-bearing procedures that had dossiers, and an online payment).
--
-- Incremental by month like fct_unit_month_dossier_counts (macros/monthly_incremental/): a dossier
-- counts only in its received month.
-- depends_on: {{ ref('log_dossier_month_versions') }}

select
    unit_key,
    unit_code,
    procedure_code,
    date_trunc('month', received_date)::date as month_start,
    max(province_code_current) as province_code_current,
    count(*)::integer as received_total,
    (count(*) filter (where channel_code = 2))::integer as received_online,
    (count(*) filter (where fee_vnd > 0 and is_paid_online))::integer as paid_online
from {{ ref('fct_dossier') }}
where
    received_date is not null and received_date <= {{ as_of_date() }}
    and procedure_code is not null
    {% if is_incremental() %}
        and received_date >= {{ first_month_to_rebuild() }}
        and date_trunc('month', received_date)::date in (select m.month_start from {{ months_to_rebuild() }} as m)
    {% endif %}
group by unit_key, unit_code, procedure_code, date_trunc('month', received_date)
