-- Source B, one table per endpoint. Typed columns are extracted leniently (null when a value
-- breaks the contract); `record` keeps the record exactly as it came, for validation.
create table if not exists raw.portal_formalities (
    batch_id bigint not null,
    code text,
    id text,
    name text,
    field_code text,
    field_name text,
    levels text[],
    online_level text,
    processing_days numeric,
    day_type text,
    has_fee boolean,
    state text,
    decision_date date,
    effective_date date,
    replaced_by_code text,
    updated_at timestamptz,
    record jsonb not null
);

create table if not exists raw.portal_dossier_sync (
    batch_id bigint not null,
    province_code text not null,
    business_date date not null,
    dossier_code text,
    unit_code text,
    synced_at timestamptz,
    record jsonb not null
);

create table if not exists raw.portal_payments (
    batch_id bigint not null,
    province_code text not null,
    business_date date not null,
    transaction_id text,
    dossier_code text,
    amount bigint,
    status text,
    gateway smallint,
    paid_at timestamptz,
    record jsonb not null
);

create table if not exists raw.portal_petitions (
    batch_id bigint not null,
    province_code text not null,
    business_date date not null,
    id text,
    unit_code text,
    category text,
    received_at timestamptz,
    due_at timestamptz,
    resolved_at timestamptz,
    satisfied boolean,
    record jsonb not null
);

create table if not exists raw.portal_ratings (
    batch_id bigint not null,
    province_code text not null,
    business_date date not null,
    dossier_code text,
    rated_at timestamptz,
    level text,
    record jsonb not null
);

create table if not exists raw.portal_service_results (
    batch_id bigint not null,
    year integer not null,
    month integer not null,
    department_code text,
    department_name text,
    score_ckmb numeric,
    score_tdgq numeric,
    score_clgq numeric,
    score_tttt numeric,
    score_mdsh numeric,
    score_mdhl numeric,
    total_score numeric,
    record jsonb not null
);

create index if not exists portal_formalities_batch_idx on raw.portal_formalities (batch_id);
create index if not exists portal_dossier_sync_batch_idx on raw.portal_dossier_sync (batch_id);
create index if not exists portal_payments_batch_idx on raw.portal_payments (batch_id);
create index if not exists portal_petitions_batch_idx on raw.portal_petitions (batch_id);
create index if not exists portal_ratings_batch_idx on raw.portal_ratings (batch_id);
create index if not exists portal_service_results_batch_idx on raw.portal_service_results (batch_id);
