{{
    config(
        materialized='incremental',
        schema='intermediate',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        indexes=[{'columns': ['_logged_at']}],
    )
}}

-- Bookkeeping beside log_dossier_month_versions (same folder and schema, same reason): per run of the
-- log, the distinct months of the versions it logged and of the versions those replaced (each
-- dossier's latest version logged before). A monthly model that last read the log up to time W
-- rebuilds the months of every version logged after W and of the version it had counted, which is the
-- version the first of them replaced: so it reads the rows here after W, a few hundred, instead of
-- finding each touched dossier's counted version in the log itself. That search (1.2M index probes
-- on a 10M night) ran once per monthly model, 14 times a night; it now runs once, here.
-- The months are kept as the log has them (received, end, last): a model expands an open version's
-- span to its own report month (changed_months__dossier_span).

with

new_versions as (
    select
        v.dossier_code,
        v._logged_at,
        v.received_month,
        v.end_month,
        v.last_month
    from {{ ref('log_dossier_month_versions') }} as v
    {% if is_incremental() %}
        where v._logged_at > (select coalesce(max(t._logged_at), '-infinity'::timestamptz) from {{ this }} as t)
    {% endif %}
),

-- versions of the log's first run replace nothing (it wrote one version per dossier): leaving them
-- out spares a full build the search of all 10M against all 10M (20 s at 10M)
later_versions as (
    select n.*
    from new_versions as n
    where n._logged_at > (select min(l._logged_at) from {{ ref('log_dossier_month_versions') }} as l)
),

replaced_versions as (
    select distinct on (n.dossier_code, n._logged_at)
        n._logged_at,
        p.received_month,
        p.end_month,
        p.last_month
    from later_versions as n
    inner join {{ ref('log_dossier_month_versions') }} as p
        on n.dossier_code = p.dossier_code and n._logged_at > p._logged_at
    order by n.dossier_code asc, n._logged_at asc, p._logged_at desc
),

touched as (
    select
        n._logged_at,
        n.received_month,
        n.end_month,
        n.last_month
    from new_versions as n
    union all
    select
        r._logged_at,
        r.received_month,
        r.end_month,
        r.last_month
    from replaced_versions as r
)

select
    _logged_at,
    received_month,
    end_month,
    last_month,
    count(*)::integer as versions
from touched
group by _logged_at, received_month, end_month, last_month
