{{
    config(
        indexes=[{'columns': ['dossier_code', 'request_no'], 'unique': true}, {'columns': ['_stg_run_at']}],
    )
}}

-- One row per supplement request (dossier × LanBoSung): its latest state among accepted batches.
-- Incremental like stg_onestop__dossiers: only dossiers in batches accepted/superseded since the last run.

with ranked as (
    {{ latest_accepted_rows(
        'onestop_bosung', ['ma_ho_so', 'lan_bo_sung'],
        'r.ngay_cap_nhat desc nulls last, b.business_date desc nulls last, r.batch_id desc, r.source_row desc',
        ['b.business_date'],
    ) }}
)

select
    ma_ho_so as dossier_code,
    lan_bo_sung as request_no,
    ngay_yeu_cau_bo_sung as requested_at,
    ngay_cong_dan_bo_sung as supplied_at,
    ngay_hen_tra_truoc as due_before_at,
    ngay_hen_tra_moi as due_after_at,
    ngay_cap_nhat as updated_at,
    batch_id as _batch_id,
    {{ batches_watermark() }} as _batches_seen_at,
    {{ run_timestamp() }} as _stg_run_at
from ranked
