#!/usr/bin/env bash
# Runs once, on the first start of the warehouse container: the warehouse database and its two
# roles, with their passwords from .env. `cchc db bootstrap` (the init job) does the rest:
# schemas, grants, raw/audit DDL. Airflow's metadata database lives in its own container.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v loader_pw="$CCHC_LOADER_PASSWORD" -v bi_pw="$CCHC_BI_READER_PASSWORD" <<'SQL'
-- code-point collation with byte comparisons, as `cchc db bootstrap` creates it (bootstrap.py)
create database cchc template template0 encoding 'UTF8' locale_provider builtin builtin_locale 'C.UTF-8';
create role cchc_loader login password :'loader_pw';
create role bi_reader login password :'bi_pw';
alter database cchc owner to cchc_loader;
SQL
