"""dbt invocation outside Airflow (CLI, tests): `cchc.transform.dbt`."""
