"""Statutory reports generated from the marts: Biểu 06 for any unit and period (`bieu06`), its
printable form (`bieu06_form`), the paragraph a report carries (`summary`), and the monthly
outbox (`outbox`)."""
