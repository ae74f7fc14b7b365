-- The batch ledger and everything the pipeline records about itself.
create table if not exists audit.batches (
    batch_id bigserial primary key,
    source text not null,            -- onestop | reports | portal
    entity text not null,            -- the raw table the batch lands in, e.g. onestop_hoso
    province_code text,              -- MaTinh as valid on business_date (null for national data)
    business_date date,              -- the export's day, or the portal window's day
    file_path text,                  -- relative to the landing folder, or the portal endpoint
    file_name text,
    sha256 text,
    manifest_rows integer,
    rows_in integer,
    rows_loaded integer,
    rows_rejected integer not null default 0,
    status text not null default 'pending'
    check (status in ('pending', 'loaded', 'quarantined', 'superseded', 'duplicate', 'failed')),
    reason text,
    warnings jsonb not null default '[]'::jsonb,
    superseded_by bigint references audit.batches (batch_id),
    started_at timestamptz not null default now(),
    loaded_at timestamptz,
    validated_at timestamptz,
    finished_at timestamptz
);

create index if not exists batches_lookup_idx
on audit.batches (entity, province_code, business_date, file_name);
create index if not exists batches_status_idx on audit.batches (status);

-- Rows a parser could not read; the rest of their file still loads.
create table if not exists audit.rejected_rows (
    batch_id bigint not null references audit.batches (batch_id),
    file_name text not null,
    source_row integer,
    column_name text,
    raw_value text,
    reason text not null
);

create index if not exists rejected_rows_batch_idx on audit.rejected_rows (batch_id);

-- One row per expectation per validation run of a batch.
create table if not exists audit.validation_results (
    validation_id bigserial primary key,
    batch_id bigint not null references audit.batches (batch_id),
    suite_name text not null,
    expectation text not null,
    severity text not null check (severity in ('critical', 'warning')),
    success boolean not null,
    element_count bigint,
    unexpected_count bigint,
    observed_value text,
    unexpected_examples jsonb,
    message text,
    validated_at timestamptz not null default now()
);

create index if not exists validation_results_batch_idx on audit.validation_results (batch_id);

-- Incremental pulls from the portal: the last window loaded per endpoint and province.
create table if not exists audit.watermarks (
    endpoint text not null,
    province_code text not null default '',
    watermark text not null,
    updated_at timestamptz not null default now(),
    primary key (endpoint, province_code)
);

-- Nightly run outcomes, one row per run and province.
create table if not exists audit.run_outcomes (
    run_id text not null,
    business_date date not null,
    province_code text not null,
    step text not null,
    status text not null,
    detail text,
    recorded_at timestamptz not null default now(),
    primary key (run_id, province_code, step)
);
