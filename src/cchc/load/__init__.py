"""Bulk loading into raw with PostgreSQL COPY, inside the caller's batch transaction."""
