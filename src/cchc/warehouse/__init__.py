"""The PostgreSQL warehouse: embedded server, connections, idempotent bootstrap."""
