-- What each incremental monthly model (dbt_project/models/marts/*/fct_*_monthly, and
-- fct_unit_month_dossier_counts) last built from, written by the model's post-hook in the same
-- transaction as its rows (macro record_monthly_build). The next run rebuilds only the months
-- changed since then; no row for a model means "rebuild every month".
create table if not exists audit.monthly_builds (
    model text primary key,             -- dbt model name
    built_at timestamptz not null,      -- dbt invocation start of that run
    as_of_date date not null,           -- the report date it classified open dossiers against
    versions_seen_at timestamptz,       -- latest log_dossier_month_versions._logged_at it had read
    batches_seen_at timestamptz,        -- the ledger's latest finished_at when it ran (portal inputs)
    full_rebuild boolean not null,      -- every month was rebuilt (first run, fallback, full refresh)
    months_rebuilt integer not null     -- how many months it deleted and rewrote
);
