"""Validation: the GX suites of `expectations/` run on each batch in PostgreSQL."""
