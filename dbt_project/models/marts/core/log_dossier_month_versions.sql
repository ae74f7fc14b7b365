{{
    config(
        materialized='incremental',
        schema='intermediate',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        indexes=[
            {'columns': ['dossier_code', '_logged_at']},
            {'columns': ['_logged_at']},
        ],
    )
}}

-- It reads fct_dossier, so its folder is marts/core (folders depend one way), but it is bookkeeping
-- for the incremental monthly facts, not a mart: it is built into the intermediate schema, out of
-- BI's sight, and named log_ because it only ever grows.
-- Append-only log of every dossier version the monthly facts can see: a row is added when a
-- dossier's fields that any monthly fact reads (unit, field, channel, dates, supplement count,
-- index class, fee and digital flags) differ from its latest logged version. Nothing here depends
-- on the report date. An incremental monthly model that last read this log up to time W rebuilds,
-- for every dossier logged after W, the months of its new version(s) AND of its latest version
-- logged at or before W (the one it counted), so a dossier that moved months leaves no stale rows.
-- Because versions are never overwritten, a model that skipped or failed some runs still finds the
-- version it counted. A full refresh keeps only current versions; models then rebuild everything
-- (their watermark predates the whole log, see months_to_rebuild).
--   received_month  month of the received date (null: never received, counts nowhere)
--   end_month       month of the end date (rule 2), null while open
--   last_month      last month the dossier can touch when ended (end or index clock end), null while open

with

{% if is_incremental() %}
    changed as (
        select d.*
        from {{ ref('fct_dossier') }} as d
        where d._fct_run_at > (select coalesce(max(t._fct_seen_at), '-infinity'::timestamptz) from {{ this }} as t)
    ),
{% else %}
    changed as (
        select d.* from {{ ref('fct_dossier') }} as d
    ),
{% endif %}

versions as (
    select
        c.dossier_code,
        date_trunc('month', c.received_date)::date as received_month,
        date_trunc('month', c.end_date)::date as end_month,
        case
            when c.end_date is not null
                then date_trunc('month', greatest(c.received_date, c.end_date, c.index_clock_end_date))::date
        end as last_month,
        md5(row(
            c.unit_key, c.unit_code, c.province_code_current, c.field_code, c.field_name, c.channel_code,
            c.online_level, c.received_date, c.due_date, c.index_due_date, c.end_date, c.index_clock_end_date,
            c.supplement_count, c.timeliness_index, c.fee_vnd, c.is_paid_online, c.has_digitised_components,
            c.has_electronic_result, c.is_vneid_verified, c.is_synced_to_portal, c.is_data_reused,
            c.is_personal_store_linked, c.is_population_data_used, c.procedure_code
        )::text) as signature
    from changed as c
)

{% if is_incremental() %}
    ,

    latest_logged as (
        select distinct on (l.dossier_code)
            l.dossier_code,
            l.signature
        from {{ this }} as l
        where l.dossier_code in (select v.dossier_code from versions as v)
        order by l.dossier_code asc, l._logged_at desc
    )
{% endif %}

select
    v.dossier_code,
    v.received_month,
    v.end_month,
    v.last_month,
    v.signature,
    {{ run_timestamp() }} as _logged_at,
    (select coalesce(max(f._fct_run_at), '-infinity'::timestamptz) from {{ ref('fct_dossier') }} as f)
        as _fct_seen_at
from versions as v
{% if is_incremental() %}
    left join latest_logged as l
        on v.dossier_code = l.dossier_code
    where l.signature is distinct from v.signature
{% endif %}
