-- Every Biểu 06 figure checked two ways (docs/SOURCES.md, bieu06):
--   rule 'recomputed_from_dossiers': the figure vs the same figure recomputed from the unit's dossiers
--     for the report's period (report style), where the unit has dossiers in the warehouse;
--   the form's identities, on the reported figures themselves (recomputed_value = the right-hand side):
--     'received_total = online + direct_postal + carried_over', 'received_total = resolved + in_progress',
--     'resolved_total = early + on_time + late', 'in_progress_total = within + overdue',
--     'total_row = sum of field rows'.
-- status: ok (equal), broken (different), not_comparable (nothing to compare with).
-- A report is identified by its province folder and its file name (report_id).

with

report_rows as (
    select
        batch_id,
        report_id,
        province_code,
        unit_code,
        period_start,
        period_end,
        field_name,
        is_total,
        measure,
        reported_value,
        source_row
    from {{ ref('stg_reports__bieu06_rows') }}
),

report_figures as (
    select distinct
        report_id,
        province_code,
        unit_code,
        period_start,
        period_end,
        field_name,
        is_total
    from report_rows
),

-- units the warehouse has dossiers for, by the first day they have any
unit_coverage as (
    select
        unit_code,
        min(received_date) as first_received_date
    from {{ ref('fct_dossier') }}
    where received_date is not null
    group by unit_code
),

dossiers as (
    select
        d.unit_code,
        lower(trim(d.field_name)) as field_key,
        d.channel_code,
        d.received_date,
        d.due_date,
        case when d.end_date <= {{ as_of_date() }} then d.end_date end as end_date
    from {{ ref('fct_dossier') }} as d
    where d.received_date is not null and d.unit_code in (select r.unit_code from report_rows as r)
),

recomputed_wide as (
    select
        f.report_id,
        f.province_code,
        f.field_name,
        count(*) filter (where d.received_date >= f.period_start and d.channel_code = 2) as received_online,
        count(*) filter (where d.received_date >= f.period_start and d.channel_code <> 2) as received_direct_postal,
        count(*) filter (where d.received_date < f.period_start) as carried_over,
        count(*) filter (where d.end_date <= f.period_end and d.end_date < d.due_date) as resolved_early,
        count(*) filter (
            where d.end_date <= f.period_end and (d.due_date is null or d.end_date = d.due_date)
        ) as resolved_on_time,
        count(*) filter (where d.end_date <= f.period_end and d.end_date > d.due_date) as resolved_late,
        count(*) filter (
            where (d.end_date is null or d.end_date > f.period_end)
            and (d.due_date is null or d.due_date >= f.period_end)
        ) as in_progress_within,
        count(*) filter (
            where (d.end_date is null or d.end_date > f.period_end) and d.due_date < f.period_end
        ) as in_progress_overdue
    from report_figures as f
    inner join unit_coverage as c
        on f.unit_code = c.unit_code and f.period_end >= c.first_received_date
    left join dossiers as d
        on
            f.unit_code = d.unit_code
            and (f.is_total or lower(trim(f.field_name)) = d.field_key)
            and f.period_end >= d.received_date
            and (d.end_date is null or f.period_start <= d.end_date)
    group by f.report_id, f.province_code, f.field_name
),

recomputed as (
    select
        w.report_id,
        w.province_code,
        w.field_name,
        m.measure,
        m.value
    from recomputed_wide as w
    cross join lateral (
        values
        ('received_total', w.received_online + w.received_direct_postal + w.carried_over),
        ('received_online', w.received_online),
        ('received_direct_postal', w.received_direct_postal),
        ('carried_over', w.carried_over),
        ('resolved_total', w.resolved_early + w.resolved_on_time + w.resolved_late),
        ('resolved_early', w.resolved_early),
        ('resolved_on_time', w.resolved_on_time),
        ('resolved_late', w.resolved_late),
        ('in_progress_total', w.in_progress_within + w.in_progress_overdue),
        ('in_progress_within', w.in_progress_within),
        ('in_progress_overdue', w.in_progress_overdue)
    ) as m (measure, value)
),

comparisons as (
    select
        r.batch_id,
        r.report_id,
        r.province_code,
        r.unit_code,
        r.period_start,
        r.period_end,
        r.field_name,
        r.is_total,
        r.source_row,
        r.measure,
        r.reported_value,
        c.value::bigint as recomputed_value,
        'recomputed_from_dossiers' as rule
    from report_rows as r
    left join recomputed as c
        on
            r.report_id = c.report_id
            and r.province_code = c.province_code
            and r.field_name = c.field_name
            and r.measure = c.measure
),

figure_measures as (
    select
        batch_id,
        report_id,
        province_code,
        unit_code,
        period_start,
        period_end,
        field_name,
        is_total,
        min(source_row) as source_row,
        max(reported_value) filter (where measure = 'received_total') as received_total,
        max(reported_value) filter (where measure = 'received_online') as received_online,
        max(reported_value) filter (where measure = 'received_direct_postal') as received_direct_postal,
        max(reported_value) filter (where measure = 'carried_over') as carried_over,
        max(reported_value) filter (where measure = 'resolved_total') as resolved_total,
        max(reported_value) filter (where measure = 'resolved_early') as resolved_early,
        max(reported_value) filter (where measure = 'resolved_on_time') as resolved_on_time,
        max(reported_value) filter (where measure = 'resolved_late') as resolved_late,
        max(reported_value) filter (where measure = 'in_progress_total') as in_progress_total,
        max(reported_value) filter (where measure = 'in_progress_within') as in_progress_within,
        max(reported_value) filter (where measure = 'in_progress_overdue') as in_progress_overdue
    from report_rows
    group by batch_id, report_id, province_code, unit_code, period_start, period_end, field_name, is_total
),

identities as (
    select
        f.batch_id,
        f.report_id,
        f.province_code,
        f.unit_code,
        f.period_start,
        f.period_end,
        f.field_name,
        f.is_total,
        f.source_row,
        i.measure,
        i.reported_value,
        i.recomputed_value,
        i.rule
    from figure_measures as f
    cross join lateral (
        values
        (
            'received_total', f.received_total, f.received_online + f.received_direct_postal + f.carried_over,
            'received_total = online + direct_postal + carried_over'
        ),
        (
            'received_total', f.received_total, f.resolved_total + f.in_progress_total,
            'received_total = resolved_total + in_progress_total'
        ),
        (
            'resolved_total', f.resolved_total, f.resolved_early + f.resolved_on_time + f.resolved_late,
            'resolved_total = early + on_time + late'
        ),
        (
            'in_progress_total', f.in_progress_total, f.in_progress_within + f.in_progress_overdue,
            'in_progress_total = within + overdue'
        )
    ) as i (measure, reported_value, recomputed_value, rule)
),

total_row_sums as (
    select
        t.batch_id,
        t.report_id,
        t.province_code,
        t.unit_code,
        t.period_start,
        t.period_end,
        t.field_name,
        t.is_total,
        t.source_row,
        t.measure,
        t.reported_value,
        (
            select sum(p.reported_value)
            from report_rows as p
            where
                p.report_id = t.report_id
                and p.province_code = t.province_code
                and p.measure = t.measure
                and not p.is_total
        )::bigint as recomputed_value,
        'total_row = sum of field rows' as rule
    from report_rows as t
    where t.is_total
),

checks as (
    select * from comparisons
    union all
    select * from identities
    union all
    select * from total_row_sums
)

select
    -- a report is known by its province and file name: the same file in two province folders is
    -- two reports (one of them misfiled), never one report counted twice
    md5(province_code || '|' || report_id || '|' || field_name || '|' || measure || '|' || rule) as check_id,
    batch_id,
    report_id,
    province_code,
    unit_code,
    period_start,
    period_end,
    field_name,
    is_total,
    source_row,
    measure,
    reported_value,
    recomputed_value,
    rule,
    case
        when reported_value is null or recomputed_value is null then 'not_comparable'
        when reported_value = recomputed_value then 'ok'
        else 'broken'
    end as status,
    reported_value - recomputed_value as difference
from checks
