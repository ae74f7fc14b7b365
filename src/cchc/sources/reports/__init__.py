"""Source: Biểu 06 reports, the provinces' printed statutory timeliness forms.

- `ingest_reports.ingest_reports(province_code=None) -> list[ledger.BatchOutcome]`: new or changed
  report files into `raw.bieu06_rows`, one batch each;
- `bieu06_reader`: reading the printed form (any field order, merged header cells, totals row)
  into long rows, or rejecting it with the reason.
"""
