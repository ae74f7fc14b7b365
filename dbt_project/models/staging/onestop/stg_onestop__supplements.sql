{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['dossier_code', 'request_no'],
        on_schema_change='append_new_columns',
        indexes=[{'columns': ['dossier_code', 'request_no'], 'unique': true}, {'columns': ['_stg_run_at']}],
    )
}}

-- One row per supplement request (dossier × LanBoSung): its latest state among accepted batches.
-- Incremental like stg_onestop__dossiers: only dossiers in batches accepted/superseded since the last run.

with

{% if is_incremental() %}
    changed_dossiers as (
        select distinct s.ma_ho_so
        from {{ source('raw', 'onestop_bosung') }} as s
        where s.batch_id in ({{ changed_batch_ids('onestop_bosung') }})
    ),
{% endif %}

accepted_rows as (
    select
        s.*,
        b.business_date
    from {{ source('raw', 'onestop_bosung') }} as s
    inner join {{ source('audit', 'batches') }} as b
        on s.batch_id = b.batch_id
    where
        b.status = 'loaded'
        and s.ma_ho_so is not null
        and s.lan_bo_sung is not null
        {% if is_incremental() %}
            and s.ma_ho_so in (select c.ma_ho_so from changed_dossiers as c)
        {% endif %}
),

ranked as (
    select
        *,
        row_number() over (
            partition by ma_ho_so, lan_bo_sung
            order by ngay_cap_nhat desc nulls last, business_date desc nulls last, batch_id desc, source_row desc
        ) as state_rank
    from accepted_rows
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
where state_rank = 1
