"""The dbt unit tests (unit_tests: in the YAML files) of the KPI rules, run against the real warehouse."""

from __future__ import annotations

from cchc.transform.dbt import run_dbt

KPI_MODELS = (
    "int_dossier_timelines",
    "fct_unit_month_dossier_counts",
    "fct_dossier",
    "fct_dossier_monthly_status",
    "fct_online_payment_monthly",
    "fct_reform_index_monthly",
    "fct_satisfaction_monthly",
)


def test_kpi_unit_tests_pass(seeded, db):
    # unit tests read their inputs' column types from the warehouse: build them when missing
    built = db.execute("select to_regclass('marts.fct_reform_index_monthly') is not null").fetchone()[0]
    if not built:
        # (not `--empty`: it wraps sources in an aliased subquery, which breaks `source(...) as h`)
        run_dbt(["run", "--select", *(f"+{m}" for m in KPI_MODELS), "--exclude", "resource_type:seed"])
    result = run_dbt(["test", "--select", *(f"{m},test_type:unit" for m in KPI_MODELS)], check=False)
    assert result.success, result.failures
    ran = {uid.split(".")[-1] for uid, status in result.nodes.items() if uid.startswith("unit_test.")}
    assert {
        "dossier_timeline_rules",
        "dossier_months_report_and_index_style",
        "online_payment_target",
        "unit_month_counts_online_payment_digitisation",
        "reform_index_groups_from_sub_indicators",
        "dossier_timeliness_as_of_report_date",
        "satisfaction_petitions_and_ratings",
    } <= ran
