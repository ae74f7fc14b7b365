-- Unit codes (MaDonVi) the reference does not know on the dossier's received date, for the people
-- who fix them (the province's one-stop vendor, or the reference seeds): each code with its
-- province (from the export that carried it) and how many dossiers carry it. Those dossiers count
-- in their province and the nation all the same, as unit unknown.

select
    unit_code,
    province_code_current,
    count(*)::integer as dossiers,
    min(received_date) as first_received_date,
    max(received_date) as last_received_date
from {{ ref('fct_dossier') }}
where unit_key is null and received_date is not null
group by unit_code, province_code_current
