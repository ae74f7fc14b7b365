{{ config(severity='warn') }}

-- Every fct_dossier.unit_key names a unit version of dim_admin_unit (a warning, as dbt's
-- relationships test on the column was). A key goes stale only when the unit register changes
-- without the `--full-refresh` it needs (docs/ARCHITECTURE.md), so the check reads every row.
--
-- Not a relationships test in the model's YAML: `dbt build` holds a model's children until its
-- tests end, and this one reads 10M rows at 10M dossiers (8 s on the night's critical path) while
-- a warning never stops a child. dbt holds a node for a test with several independent parents only
-- when the node descends from all of them (docs.getdbt.com, "About dbt build command"), and no
-- model descends from fct_pipeline_batches: named as a parent here, it lets the test run beside
-- the models that follow fct_dossier when a thread is free (in the measured 10M night both of this
-- machine's 2 threads were busy, so log_dossier_month_versions still waited: bench/README.md).
-- depends_on: {{ ref('fct_pipeline_batches') }}

select
    d.dossier_code,
    d.unit_key
from {{ ref('fct_dossier') }} as d
where
    d.unit_key is not null
    and not exists (
        select from {{ ref('dim_admin_unit') }} as u
        where u.unit_key = d.unit_key
    )
