"""Source A: one-stop-shop exports from the landing folder into raw (Biểu 06 reports, which
provinces send beside them, are their own source: `cchc.sources.reports`).

Entry points (called by `cchc.pipeline.onestop`):
- `discover.find_exports(business_date=None, province_code=None) -> list[Export]`
- `ingest.ingest_export(export) -> list[ledger.BatchOutcome]`  one batch per file of the export

Modules: `manifest` (sha256 and row checks), `columns` (the contract's columns → raw),
`values` (cell parsers), `readers` (CSV/XLSX/JSONL streams), `xlsx_stream` (constant-memory
XLSX for big sheets), `typed_rows` (typing, rejects), `ingest`; what every landing source shares is in
`cchc.sources.landing_files`.
Batches end `pending` (validation accepts them), `duplicate`, `quarantined` or `failed`;
unreadable cells go to `audit.rejected_rows` (file, row, column, value; never a personal value).
"""
