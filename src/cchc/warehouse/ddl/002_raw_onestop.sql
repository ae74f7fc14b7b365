-- Source A, typed as parsed. Personal fields never get here: the citizen ID arrives as
-- citizen_key (keyed HMAC); name and phone are dropped in the parser.
create table if not exists raw.onestop_hoso (
    batch_id bigint not null,
    source_row integer not null,
    ma_ho_so text,
    ma_tthc text,
    ten_tthc text,
    ma_linh_vuc text,
    ten_linh_vuc text,
    ma_don_vi text,
    cap_don_vi text,
    kenh_thuc_hien smallint,
    muc_do_dvc text,
    ngay_nop_ho_so timestamp,
    ngay_tiep_nhan timestamp,
    ngay_hen_tra timestamp,
    ngay_ket_thuc_xu_ly timestamp,
    ngay_tra timestamp,
    ngay_tu_choi timestamp,
    trang_thai_ho_so smallint,
    duoc_thanh_toan_truc_tuyen smallint,
    tong_phi_le_phi bigint,
    ho_so_co_thanh_phan_so_hoa smallint,
    co_ket_qua_dien_tu smallint,
    tai_khoan_duoc_xac_thuc_voi_vneid smallint,
    citizen_key text,
    ngay_cap_nhat timestamp
);

create index if not exists onestop_hoso_batch_idx on raw.onestop_hoso (batch_id);
create index if not exists onestop_hoso_dossier_idx on raw.onestop_hoso (ma_ho_so);

create table if not exists raw.onestop_bosung (
    batch_id bigint not null,
    source_row integer not null,
    ma_ho_so text,
    lan_bo_sung integer,
    ngay_yeu_cau_bo_sung timestamp,
    ngay_cong_dan_bo_sung timestamp,
    ngay_hen_tra_truoc timestamp,
    ngay_hen_tra_moi timestamp,
    ngay_cap_nhat timestamp
);

create index if not exists onestop_bosung_batch_idx on raw.onestop_bosung (batch_id);
create index if not exists onestop_bosung_dossier_idx on raw.onestop_bosung (ma_ho_so);

-- Biểu 06 aggregate reports, one row per field row x measure, as printed.
create table if not exists raw.bieu06_rows (
    batch_id bigint not null,
    report_id text not null,        -- file stem: bieu06_<MaDonVi>_<from>_<to>
    province_code text,
    unit_code text not null,
    unit_name text,
    period_start date not null,
    period_end date not null,
    sheet_name text,
    source_row integer not null,
    field_name text not null,       -- the Lĩnh vực cell, or 'Tổng cộng' for the total row
    is_total boolean not null,
    measure text not null,          -- received_total, received_online, … in_progress_overdue
    reported_value bigint
);

create index if not exists bieu06_rows_batch_idx on raw.bieu06_rows (batch_id);
