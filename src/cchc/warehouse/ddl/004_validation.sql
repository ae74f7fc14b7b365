-- Biểu 06 identity checks, one row per report row x identity, written when the report's batch
-- is validated (cchc.validate). lhs and rhs are the two sides as reported, difference = lhs - rhs;
-- ok = the identity holds. Broken identities are warnings: the report still loads.
create table if not exists audit.report_identity_checks (
    batch_id bigint not null references audit.batches (batch_id),
    report_id text not null,
    field_name text,                -- the Lĩnh vực row, or the total row's label
    source_row integer,             -- sheet row of that field row (first cell of the identity)
    rule text not null,             -- e.g. 'received_total = resolved_total + in_progress_total'
    lhs bigint not null,
    rhs bigint not null,
    difference bigint not null,
    ok boolean not null,
    checked_at timestamptz not null default now()
);

create index if not exists report_identity_checks_batch_idx on audit.report_identity_checks (batch_id);
create index if not exists report_identity_checks_report_idx on audit.report_identity_checks (report_id);
create index if not exists validation_results_failed_idx on audit.validation_results (batch_id)
where not success;
