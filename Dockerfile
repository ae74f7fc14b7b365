# The production image: Airflow 3.3 with this project's locked dependencies, used by every
# Airflow service in docker-compose.yml (api-server, scheduler, dag-processor, triggerer, worker).
FROM apache/airflow:3.3.2-python3.11

ENV CCHC_HOME=/opt/cchc \
    CCHC_STATE_DIR=/opt/cchc/state \
    CCHC_LANDING_DIR=/data/landing \
    PIP_NO_CACHE_DIR=1

USER root
RUN mkdir -p /opt/cchc/state /data/landing && chown -R airflow:0 /opt/cchc /data
USER airflow
WORKDIR /opt/cchc

# Same pins as the local virtualenv (make venv): requirements.lock is the single source.
COPY --chown=airflow:0 requirements.lock pyproject.toml ./
RUN pip install --no-deps -r requirements.lock

COPY --chown=airflow:0 src ./src
RUN pip install --no-deps -e .

# Baked in for a self-contained image; docker-compose mounts the working copies over them.
COPY --chown=airflow:0 dags ./dags
COPY --chown=airflow:0 dbt_project ./dbt_project
COPY --chown=airflow:0 expectations ./expectations

# The manifest Cosmos renders the dbt tasks from (dbt parse needs no database connection).
RUN CCHC_PG_HOST=localhost CCHC_PG_USER=parse CCHC_PG_DBNAME=parse \
    dbt parse --project-dir dbt_project --profiles-dir dbt_project \
    --target-path /opt/cchc/state/dbt/target --log-path /opt/cchc/state/dbt/logs
