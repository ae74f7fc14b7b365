"""The functions Airflow tasks call, one per task; `cchc run` reaches them through the same DAG.

Plain functions (no Airflow imports) live in `discover`, `onestop`, `portal`, `docs`, `outcomes`;
the Airflow-specific pieces (sensor, assets, deadline callback, the Cosmos group, the local
runner) are kept apart so that the functions can be called and tested without Airflow.
"""
