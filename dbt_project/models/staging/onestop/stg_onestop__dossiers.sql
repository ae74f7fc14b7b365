{{
    config(
        indexes=[{'columns': ['dossier_code'], 'unique': true}, {'columns': ['_stg_run_at']}],
    )
}}

-- One row per dossier: its latest state among accepted batches (latest NgayCapNhat; ties: the later
-- export, then the later batch). Incremental runs recompute only the dossiers that appear in batches
-- accepted or superseded since the last run, reading all their accepted rows again.

with ranked as (
    {{ latest_accepted_rows(
        'onestop_hoso', 'ma_ho_so',
        'r.ngay_cap_nhat desc nulls last, b.business_date desc nulls last, r.batch_id desc, r.source_row desc',
        ['b.business_date', 'b.province_code as export_province_code'],
        text_keys_in_byte_order=true,
    ) }}
)

select
    ma_ho_so as dossier_code,
    ma_tthc as procedure_code,
    ten_tthc as procedure_name,
    ma_linh_vuc as field_code,
    ten_linh_vuc as field_name,
    ma_don_vi as unit_code,
    cap_don_vi as unit_level,
    kenh_thuc_hien as channel_code,
    muc_do_dvc as online_level,
    ngay_nop_ho_so as submitted_at,
    ngay_tiep_nhan as received_at,
    ngay_hen_tra as due_at,
    ngay_ket_thuc_xu_ly as processing_ended_at,
    ngay_tra as returned_at,
    ngay_tu_choi as refused_at,
    trang_thai_ho_so as status_code,
    duoc_thanh_toan_truc_tuyen as online_payment_code,
    tong_phi_le_phi as fee_vnd,
    ho_so_co_thanh_phan_so_hoa = 1 as has_digitised_components,
    co_ket_qua_dien_tu = 1 as has_electronic_result,
    tai_khoan_duoc_xac_thuc_voi_vneid = 1 as is_vneid_verified,
    -- schema 1.3 flags: null in a 1.2 export (unknown, not false)
    duoc_tai_su_dung = 1 as is_data_reused,
    duoc_lay_tu_kho_dlcn = 1 as is_personal_store_linked,
    co_su_dung_du_lieu_dan_cu = 1 as is_population_data_used,
    citizen_key,
    ngay_cap_nhat as updated_at,
    export_province_code,
    business_date as export_date,
    batch_id as _batch_id,
    {{ batches_watermark() }} as _batches_seen_at,
    {{ run_timestamp() }} as _stg_run_at
from ranked
