-- Biểu 06 figures as printed, from accepted report batches only. A report delivered again (a
-- corrected file) supersedes the earlier batch in the ledger, so one version per report remains.

select
    r.batch_id,
    r.report_id,
    r.province_code,
    r.unit_code,
    r.unit_name,
    r.period_start,
    r.period_end,
    r.sheet_name,
    r.source_row,
    r.field_name,
    r.is_total,
    r.measure,
    r.reported_value
from {{ source('raw', 'bieu06_rows') }} as r
inner join {{ source('audit', 'batches') }} as b
    on r.batch_id = b.batch_id
where b.status = 'accepted'
