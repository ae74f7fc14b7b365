-- The dossier × month mart grouped the way the online, payment and digitisation facts count
-- (new dossiers by received month, resolved by end month) reproduces every row and column of
-- fct_unit_month_dossier_counts, which counts fct_dossier on its own. A row here is a cell that
-- differs (from either side).

with

regrouped as (
    select
        unit_key,
        unit_code,
        month_start,
        max(province_code_current) as province_code_current,
        count(*) filter (where is_received_in_month) as received_total,
        count(*) filter (where is_received_in_month and is_online) as received_online,
        count(*) filter (
            where is_received_in_month and online_level in ('TOAN_TRINH', 'MOT_PHAN')
        ) as received_eligible,
        count(*) filter (
            where is_received_in_month and online_level in ('TOAN_TRINH', 'MOT_PHAN') and is_online
        ) as received_online_eligible,
        count(*) filter (where is_received_in_month and online_level = 'TOAN_TRINH') as received_full_online_level,
        count(*) filter (
            where is_received_in_month and online_level = 'TOAN_TRINH' and is_online
        ) as received_online_full_online_level,
        count(*) filter (where is_received_in_month and has_fee) as fee_dossiers,
        count(*) filter (where is_received_in_month and has_fee and is_paid_online) as paid_online_dossiers,
        count(*) filter (where is_received_in_month and has_digitised_components) as digitised_dossiers,
        count(*) filter (where is_received_in_month and is_vneid_verified) as vneid_dossiers,
        count(*) filter (where is_received_in_month and is_synced_to_portal) as synced_dossiers,
        count(*) filter (where is_received_in_month and is_data_reused) as data_reused_dossiers,
        count(*) filter (where is_received_in_month and is_data_reused is not null) as data_reused_known,
        count(*) filter (where is_received_in_month and is_personal_store_linked) as personal_store_dossiers,
        count(*) filter (
            where is_received_in_month and is_personal_store_linked is not null
        ) as personal_store_known,
        count(*) filter (where is_received_in_month and is_population_data_used) as population_data_dossiers,
        count(*) filter (
            where is_received_in_month and is_population_data_used is not null
        ) as population_data_known,
        count(*) filter (where is_ended_in_month) as resolved_total,
        count(*) filter (where is_ended_in_month and has_electronic_result) as electronic_result_dossiers
    from {{ ref('fct_dossier_monthly_status') }}
    group by unit_key, unit_code, month_start
    having count(*) filter (where is_received_in_month or is_ended_in_month) > 0
),

facts as (
    select
        unit_key,
        unit_code,
        month_start,
        province_code_current,
        received_total,
        received_online,
        received_eligible,
        received_online_eligible,
        received_full_online_level,
        received_online_full_online_level,
        fee_dossiers,
        paid_online_dossiers,
        digitised_dossiers,
        vneid_dossiers,
        synced_dossiers,
        data_reused_dossiers,
        data_reused_known,
        personal_store_dossiers,
        personal_store_known,
        population_data_dossiers,
        population_data_known,
        resolved_total,
        electronic_result_dossiers
    from {{ ref('fct_unit_month_dossier_counts') }}
),

only_regrouped as (
    select * from regrouped
    except
    select * from facts
),

only_facts as (
    select * from facts
    except
    select * from regrouped
)

select
    'only in the regrouped dossier months' as side,
    *
from only_regrouped
union all
select
    'only in fct_unit_month_dossier_counts' as side,
    *
from only_facts
