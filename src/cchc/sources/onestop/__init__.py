"""Source A: one-stop-shop exports and Biểu 06 reports from the landing folder into raw.

Entry points (called by `cchc.pipeline.onestop`):
- `discover.find_exports(business_date=None, province_code=None) -> list[Export]`
- `ingest.ingest_export(export) -> list[ledger.BatchOutcome]`  one batch per file of the export
- `ingest.ingest_reports(province_code=None) -> list[ledger.BatchOutcome]`  new/changed reports only

Modules: `manifest` (sha256 and row checks), `columns` (the contract's columns → raw),
`values` (cell parsers), `readers` (CSV/XLSX/JSONL streams), `xlsx_stream` (constant-memory
XLSX for big sheets), `typed_rows` (typing, rejects), `bieu06` (the printed form), `ingest`.
Batches end `pending` (validation accepts them), `duplicate`, `quarantined` or `failed`;
unreadable cells go to `audit.rejected_rows` (file, row, column, value; never a personal value).
"""
