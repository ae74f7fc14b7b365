"""The BI tool (Apache Superset) on the marts: its own virtualenv, its server, the dashboards as
files in bi/superset/, and the province fence (row-level security)."""
