"""Custom expectations of the cchc warehouse, for GX Core 1.x on PostgreSQL.

GX puts this folder (`plugins_directory`) on sys.path; `cchc.validate` imports this module right
after opening the context so that the suites' JSON can name these classes by their snake_case
type (`expect_rows_to_not_match`, …).

All run as SQL in the warehouse on one batch: `{batch}` is the batch's rows
(`select * from raw.<table> where batch_id = N`). Every query selects only identifiers and the
offending values, so the examples stored with a result never carry personal data.

- `ExpectRowsToNotMatch`: rows matching a SQL condition are unexpected (date order, status
  versus dates, conditional not-null, contract breaks inside portal `record` JSON).
- `ExpectColumnValuesToBeInReference`: a code must exist in a reference query (procedure in
  the accepted catalogue, payment's dossier already loaded).
- `ExpectUnitCodesValidOnDate`: a unit code must be a version of `staging.ref_admin_units`
  valid on the row's date (old codes before 2025-07-01, new ones after). A missing reference
  table makes the query fail, which GX records as a failed expectation with the error: it
  never passes silently.
- `ExpectBieu06IdentitiesToHold`: every identity of a Biểu 06 report, per report row.
- `ExpectBatchRowCountWithinRecentBand`: the batch's row count against the median of the same
  province's recent accepted batches of the same kind of day (a truncated export).
"""

from __future__ import annotations

import re
import statistics
from typing import Any, ClassVar

from great_expectations.compatibility import pydantic
from great_expectations.compatibility.sqlalchemy import sqlalchemy as sa
from great_expectations.core.metric_domain_types import MetricDomainTypes
from great_expectations.core.suite_parameters import SuiteParameterDict
from great_expectations.execution_engine import ExecutionEngine, SqlAlchemyExecutionEngine
from great_expectations.expectations.core.unexpected_rows_expectation import UnexpectedRowsExpectation
from great_expectations.expectations.expectation import BatchExpectation
from great_expectations.expectations.metrics.metric_provider import metric_value
from great_expectations.expectations.metrics.query_metric_provider import QueryMetricProvider

SAMPLE_SIZE = 5

# -- metrics ------------------------------------------------------------------------------


def _batch_query(
    cls: type[QueryMetricProvider],
    execution_engine: SqlAlchemyExecutionEngine,
    metric_domain_kwargs: dict,
    metric_value_kwargs: dict,
) -> str:
    """The metric's query with `{batch}` replaced by this batch's rows."""
    batch_selectable, _, _ = execution_engine.get_compute_domain(
        metric_domain_kwargs, domain_type=MetricDomainTypes.TABLE
    )
    query = cls._get_query_from_metric_value_kwargs(metric_value_kwargs)
    return cls._get_substituted_batch_subquery_from_query_and_batch_selectable(
        query=query, batch_selectable=batch_selectable, execution_engine=execution_engine
    )


class UnexpectedRowsCountAndSample(QueryMetricProvider):
    """Count of the query's rows and the first few by value, in one scan (a window count, then LIMIT)."""

    metric_name = "cchc_unexpected_rows.count_and_sample"
    value_keys = ("unexpected_rows_query",)
    query_param_name: ClassVar[str] = "unexpected_rows_query"

    @metric_value(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(
        cls,
        execution_engine: SqlAlchemyExecutionEngine,
        metric_domain_kwargs: dict,
        metric_value_kwargs: dict,
        metrics: dict[str, Any],
        runtime_configuration: dict,
    ) -> dict:
        substituted = _batch_query(cls, execution_engine, metric_domain_kwargs, metric_value_kwargs)
        wrapped = (
            f"select unexpected.*, count(*) over () as cchc_unexpected_total "
            # ordered by the shown row itself: the plan's order changes with the reference data, and
            # a group run (cchc.validate.grouped) must pick the same examples as this batch alone
            f"from ({substituted}) as unexpected order by unexpected limit {SAMPLE_SIZE}"
        )
        rows = [dict(r._mapping) for r in execution_engine.execute_query(sa.text(wrapped)).fetchall()]
        total = rows[0].pop("cchc_unexpected_total") if rows else 0
        for row in rows[1:]:
            row.pop("cchc_unexpected_total", None)
        return {"count": int(total), "sample": rows}


_READS_A_TABLE = re.compile(r"\bfrom\b", re.IGNORECASE)
_ROW_RULE_QUERY = re.compile(r"^select (?P<shown>.+?) from \{batch\} where (?P<condition>.+)$", re.DOTALL)


def clean_row_rules(
    execution_engine: SqlAlchemyExecutionEngine, metrics: list[Any]
) -> dict[tuple, dict[str, Any]] | None:
    """The value of `cchc_unexpected_rows.count_and_sample` for every metric in `metrics` that no
    row breaks, from ONE scan of their batch (`count(*) filter (where <condition>)` per rule)
    instead of one query each. Rules some row breaks are left out: their own query finds the
    examples. Only rules of the form `select … from {batch} where <condition>` whose condition reads
    no other table take part; None when fewer than two do, or when the combined query fails (each rule then runs,
    and fails, on its own, so an error stays with its rule)."""
    by_domain: dict[tuple, list[tuple[Any, str]]] = {}
    for metric in metrics:
        query = (metric.metric_value_kwargs or {}).get("unexpected_rows_query")
        found = _ROW_RULE_QUERY.match(query) if isinstance(query, str) else None
        # conditions over the batch's own columns only: one reading another table (a reference
        # that may be missing) would fail the combined query for all
        if found and not _READS_A_TABLE.search(found["condition"]):
            by_domain.setdefault(metric.metric_domain_kwargs_id, []).append((metric, found["condition"]))
    clean: dict[tuple, dict[str, Any]] = {}
    for rules in by_domain.values():
        if len(rules) < 2:
            continue
        batch_rows = _batch_query(
            UnexpectedRowsCountAndSample,
            execution_engine,
            rules[0][0].metric_domain_kwargs,
            {"unexpected_rows_query": "select * from {batch}"},
        )
        counts = ", ".join(f"count(*) filter (where {condition})" for _, condition in rules)
        try:
            found = execution_engine.execute_query(
                sa.text(f"select {counts} from ({batch_rows}) as batch_rows")
            ).fetchone()
        except Exception:  # a rule's own error: let each rule meet it alone
            return None
        for (metric, _), count in zip(rules, found, strict=True):
            if count == 0:
                clean[metric.id] = {"count": 0, "sample": []}
    return clean


class CheckedRowsCount(QueryMetricProvider):
    """How many rows a query over the batch returns: the checks made, when an expectation's
    unexpected rows are checks rather than the batch's own rows (Biểu 06 identities)."""

    metric_name = "cchc_checked_rows.count"
    value_keys = ("checked_rows_query",)
    query_param_name: ClassVar[str] = "checked_rows_query"

    @metric_value(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(
        cls,
        execution_engine: SqlAlchemyExecutionEngine,
        metric_domain_kwargs: dict,
        metric_value_kwargs: dict,
        metrics: dict[str, Any],
        runtime_configuration: dict,
    ) -> int:
        substituted = _batch_query(cls, execution_engine, metric_domain_kwargs, metric_value_kwargs)
        return int(
            execution_engine.execute_query(sa.text(f"select count(*) from ({substituted}) as c")).scalar()
        )


HAS_CALENDAR = "select to_regclass('staging.ref_vn_calendar') is not null"


def recent_accepted_row_counts_sql(has_calendar: bool) -> str:
    """Row counts of the recent accepted batches the band compares batch `:batch_id` with
    (newest first, at most `:history`); see `RecentAcceptedRowCounts`."""
    # The calendar is joined once (hash join), not looked up per earlier batch.
    calendar = (
        "(select c.date_day::date as day, c.is_working_day::boolean as working from staging.ref_vn_calendar c)"
        if has_calendar
        else "(select null::date as day, null::boolean as working where false)"
    )
    return f"""
        select prev.rows_loaded
        from audit.batches as cur
        join audit.batches as prev
          on prev.entity = cur.entity
         and prev.province_code is not distinct from cur.province_code
         and prev.business_date < cur.business_date
         and prev.status = 'accepted'
         and prev.rows_loaded is not null
        left join {calendar} as prev_day on prev_day.day = prev.business_date
        left join {calendar} as cur_day on cur_day.day = cur.business_date
        where cur.batch_id = :batch_id
          and coalesce(prev_day.working, extract(isodow from prev.business_date) < 6)
            = coalesce(cur_day.working, extract(isodow from cur.business_date) < 6)
        order by prev.business_date desc, prev.batch_id desc
        limit :history
    """


class RecentAcceptedRowCounts(QueryMetricProvider):
    """Row counts of the province's recent accepted batches of the same entity and day kind.

    Day kind = working day or not: from the reference calendar `staging.ref_vn_calendar` when
    it is loaded, else Saturday/Sunday, so that a Sunday is never compared with a Monday.
    """

    metric_name = "cchc_batch.recent_accepted_row_counts"
    value_keys = ("ledger_batch_id", "history")

    @metric_value(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(
        cls,
        execution_engine: SqlAlchemyExecutionEngine,
        metric_domain_kwargs: dict,
        metric_value_kwargs: dict,
        metrics: dict[str, Any],
        runtime_configuration: dict,
    ) -> list[int]:
        batch_id = metric_value_kwargs.get("ledger_batch_id")
        if not isinstance(batch_id, int):
            raise ValueError("ledger_batch_id must be given as an expectation parameter")
        has_calendar = execution_engine.execute_query(sa.text(HAS_CALENDAR)).scalar()
        query = recent_accepted_row_counts_sql(bool(has_calendar))
        result = execution_engine.execute_query(
            sa.text(query).bindparams(batch_id=batch_id, history=int(metric_value_kwargs["history"]))
        )
        return [int(r[0]) for r in result.fetchall()]


# -- row expectations ---------------------------------------------------------------------


class _CchcRowsExpectation(UnexpectedRowsExpectation):
    """Base: the query's rows are unexpected; the result keeps their count and a few of them.

    The result also carries `element_count` (the rows checked: the batch's rows) and
    `unexpected_percent`, as GX's column expectations do: Data Docs' renderer of a failed
    result reads all three once `unexpected_count` is there, and fails without them.
    """

    metric_dependencies: ClassVar[tuple[str, ...]] = (
        "cchc_unexpected_rows.count_and_sample",
        "table.row_count",
    )
    unexpected_rows_query: str | SuiteParameterDict | None = None  # derived from the fields

    def _checked_count(self, metrics: dict) -> int:
        return int(metrics["table.row_count"])

    def _validate(
        self,
        metrics: dict,
        runtime_configuration: dict | None = None,
        execution_engine: ExecutionEngine | None = None,
    ) -> dict:
        found = metrics["cchc_unexpected_rows.count_and_sample"]
        checked = self._checked_count(metrics)
        return {
            "success": found["count"] == 0,
            "result": {
                "observed_value": found["count"],
                "element_count": checked,
                "unexpected_count": found["count"],
                "unexpected_percent": 100.0 * found["count"] / checked if checked else 0.0,
                "details": {"unexpected_rows": found["sample"]},
            },
        }


def _columns(columns: list[str]) -> str:
    return ", ".join(columns)


def row_condition(expectation_type: str, kwargs: dict) -> str | None:
    """The SQL condition that makes one row of the batch unexpected, for the row expectations
    whose verdict is row by row (None for the others). The expectations' queries are built
    from it, and `cchc.validate` uses it to count a group's unexpected rows per batch."""
    if expectation_type == "expect_rows_to_not_match":
        return str(kwargs["condition"])
    if expectation_type == "expect_column_values_to_be_in_reference":
        col = kwargs["column"]
        return (
            f"{col} is not null and not exists (select 1 from ({kwargs['reference']}) as ref "
            f"where ref.code = {col})"
        )
    if expectation_type == "expect_unit_codes_valid_on_date":
        table = kwargs.get("reference_table") or "staging.ref_admin_units"
        col, day = kwargs["column"], kwargs["date_expression"]
        return (
            f"{col} is not null and ({day}) is not null "
            f"and not exists (select 1 from {table} as u where u.unit_code::text = {col} "
            f"and u.valid_from::date <= ({day}) "
            f"and (u.valid_to is null or u.valid_to::date >= ({day})))"
        )
    return None


def row_select(expectation_type: str, kwargs: dict) -> str:
    """The select list of a row expectation's unexpected rows (what its examples show)."""
    shown = _columns(kwargs["show"])
    if expectation_type == "expect_unit_codes_valid_on_date":
        return f"{shown}, ({kwargs['date_expression']}) as checked_on"
    return shown


class ExpectRowsToNotMatch(_CchcRowsExpectation):
    """No row of the batch may satisfy `condition` (a SQL boolean over the batch's columns).

    `show` lists the columns kept as examples: identifiers and the offending values only.
    """

    condition: str
    show: list[str]

    @pydantic.root_validator(pre=True)
    def _derive_query(cls, values: dict) -> dict:
        condition = row_condition("expect_rows_to_not_match", values)
        values["unexpected_rows_query"] = (
            f"select {_columns(values['show'])} from {{batch}} where {condition}"
        )
        return values


class ExpectColumnValuesToBeInReference(_CchcRowsExpectation):
    """Every non-null `column` value must be among the codes of `reference` (a SQL query
    returning one column named `code`)."""

    column: str
    reference: str
    show: list[str]

    @pydantic.root_validator(pre=True)
    def _derive_query(cls, values: dict) -> dict:
        condition = row_condition("expect_column_values_to_be_in_reference", values)
        values["unexpected_rows_query"] = (
            f"select {_columns(values['show'])} from {{batch}} where {condition}"
        )
        return values


class ExpectUnitCodesValidOnDate(_CchcRowsExpectation):
    """`column` must be a unit code of `staging.ref_admin_units` valid on `date_expression`."""

    column: str
    date_expression: str
    show: list[str]
    reference_table: str = "staging.ref_admin_units"

    @pydantic.root_validator(pre=True)
    def _derive_query(cls, values: dict) -> dict:
        condition = row_condition("expect_unit_codes_valid_on_date", values)
        select = row_select("expect_unit_codes_valid_on_date", values)
        values["unexpected_rows_query"] = f"select {select} from {{batch}} where {condition}"
        return values


# The identities of a correct Biểu 06 (docs/SOURCES.md), one per report row; and
# the total row against the sum of the field rows, one per measure.
BIEU06_ROW_IDENTITIES: dict[str, tuple[str, list[str]]] = {
    "received_total = received_online + received_direct_postal + carried_over": (
        "received_total",
        ["received_online", "received_direct_postal", "carried_over"],
    ),
    "received_total = resolved_total + in_progress_total": (
        "received_total",
        ["resolved_total", "in_progress_total"],
    ),
    "resolved_total = resolved_early + resolved_on_time + resolved_late": (
        "resolved_total",
        ["resolved_early", "resolved_on_time", "resolved_late"],
    ),
    "in_progress_total = in_progress_within + in_progress_overdue": (
        "in_progress_total",
        ["in_progress_within", "in_progress_overdue"],
    ),
}


def bieu06_identity_checks_sql(batch: str) -> str:
    """Every identity check of the report rows in `batch` (a relation with raw.bieu06_rows'
    columns): report_id, field_name, source_row, rule, lhs, rhs, difference (lhs - rhs), ok.

    A blank cell counts as 0, as on the printed form; nothing is corrected, only compared.
    """

    def value(measure: str) -> str:
        return f"coalesce(max(reported_value) filter (where measure = '{measure}'), 0)"

    row_checks = " union all ".join(
        f"select report_id, field_name, min(source_row) as source_row, '{rule}' as rule, "
        f"{value(lhs)} as lhs, {' + '.join(value(m) for m in rhs)} as rhs "
        f"from {batch} group by report_id, field_name"
        for rule, (lhs, rhs) in BIEU06_ROW_IDENTITIES.items()
    )
    total_checks = (
        "select report_id, max(field_name) filter (where is_total) as field_name, "
        "min(source_row) filter (where is_total) as source_row, "
        "'total row ' || measure || ' = sum of field rows' as rule, "
        "coalesce(sum(reported_value) filter (where is_total), 0) as lhs, "
        "coalesce(sum(reported_value) filter (where not is_total), 0) as rhs "
        f"from {batch} group by report_id, measure having bool_or(is_total)"
    )
    return (
        "select report_id, field_name, source_row, rule, lhs, rhs, lhs - rhs as difference, "
        f"lhs = rhs as ok from ({row_checks} union all {total_checks}) as checks"
    )


class ExpectBieu06IdentitiesToHold(_CchcRowsExpectation):
    """Each broken identity of a report row is one unexpected row, with both sides and the
    difference. The report still loads (warning): reconciliation shows what does not add up.

    An unexpected row is a check, not a row of the batch, so `element_count` is the number of
    checks made (several per report row) and the percentage is of those.
    """

    checked_rows_query: str | None = None  # derived

    metric_dependencies: ClassVar[tuple[str, ...]] = (
        "cchc_unexpected_rows.count_and_sample",
        "cchc_checked_rows.count",
    )
    success_keys: ClassVar[tuple[str, ...]] = ("unexpected_rows_query", "checked_rows_query")

    @pydantic.root_validator(pre=True)
    def _derive_query(cls, values: dict) -> dict:
        checks = bieu06_identity_checks_sql("{batch}")
        values["unexpected_rows_query"] = (
            f"select * from ({checks}) as c where not c.ok order by c.source_row, c.rule"
        )
        values["checked_rows_query"] = f"select * from ({checks}) as c"
        return values

    def _checked_count(self, metrics: dict) -> int:
        return int(metrics["cchc_checked_rows.count"])


# -- batch expectations -------------------------------------------------------------------


class ExpectBatchRowCountWithinRecentBand(BatchExpectation):
    """The batch's row count must lie within [min_ratio, max_ratio] × the median of the same
    province's last `history` accepted batches of this entity on the same kind of day.

    Passes (and says so) while fewer than `min_history` such batches exist, or while their
    median is below `min_median` (small volumes swing too much to judge).
    `ledger_batch_id` is the audit.batches id, passed as the `$PARAMETER` of that name.
    """

    ledger_batch_id: int | SuiteParameterDict
    min_ratio: float = 0.0
    max_ratio: float | None = None
    history: int = 10
    min_history: int = 3
    min_median: int = 0

    metric_dependencies: ClassVar[tuple[str, ...]] = (
        "table.row_count",
        "cchc_batch.recent_accepted_row_counts",
    )
    success_keys: ClassVar[tuple[str, ...]] = (
        "ledger_batch_id",
        "min_ratio",
        "max_ratio",
        "history",
        "min_history",
        "min_median",
    )

    def _validate(
        self,
        metrics: dict,
        runtime_configuration: dict | None = None,
        execution_engine: ExecutionEngine | None = None,
    ) -> dict:
        rows = int(metrics["table.row_count"])
        recent = metrics["cchc_batch.recent_accepted_row_counts"]
        details: dict[str, Any] = {"recent_row_counts": recent}
        if len(recent) < self.min_history:
            details["judged"] = f"not judged: only {len(recent)} earlier accepted batches"
            return {"success": True, "result": {"observed_value": rows, "details": details}}
        median = statistics.median(recent)
        details["median"] = median
        if median < self.min_median or median == 0:
            details["judged"] = f"not judged: recent median {median:g} below {self.min_median}"
            return {"success": True, "result": {"observed_value": rows, "details": details}}
        ratio = rows / median
        details["ratio"] = round(ratio, 4)
        ok = ratio >= self.min_ratio and (self.max_ratio is None or ratio <= self.max_ratio)
        return {"success": ok, "result": {"observed_value": rows, "details": details}}
