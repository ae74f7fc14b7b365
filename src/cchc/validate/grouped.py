"""Validating several pending batches of one entity in one GX run, then judging each alone.

Most of GX's cost per run is fixed (building the metric graph of ~40 expectations, resolving
it, handling results: ~0.3 s of CPU whether the batch has 10 rows or 10,000), so a night of
hundreds of small batches pays it hundreds of times. A group shares it: one GX batch over
`batch_id in (…)`, each expectation one query over the group's rows. Per-batch verdicts stay
exact because
- a row rule that holds on the group holds on each of its batches (0 unexpected rows each);
- a row rule that fails on the group is counted per batch with one grouped SQL
  (`row_condition`); the counts must add up to GX's own count, else the whole group is
  validated batch by batch. A batch with any unexpected row is then validated alone by GX, so
  its counts, examples, reason and Data Docs page are exactly those of a per-batch run;
- uniqueness is checked per batch in the group run (compound with `batch_id`: a dossier
  legitimately appears in several days' exports);
- rules about a batch as a whole (the row-count band against the ledger) are judged batch by
  batch at verdict time, after the verdicts of the group's earlier batches;
- entities whose rules compare rows across a report (Biểu 06), and suites with `mostly`, are
  never grouped.
A group is capped (batches and rows) so that a run's memory and a failure's re-run stay small.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import psycopg

MAX_GROUP_BATCHES = 100
MAX_GROUP_ROWS = 2_000_000

BAND = "expect_batch_row_count_within_recent_band"
UNIQUE = {"expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"}
MAP_TYPES = {
    "expect_column_values_to_not_be_null",
    "expect_column_values_to_be_in_set",
    "expect_column_values_to_be_between",
    "expect_column_values_to_match_regex",
}
ROW_TYPES = {
    "expect_rows_to_not_match",
    "expect_column_values_to_be_in_reference",
    "expect_unit_codes_valid_on_date",
}
GROUPABLE_TYPES = MAP_TYPES | ROW_TYPES | UNIQUE | {BAND}
# Biểu 06 rules relate the rows of one report (identities, "report without a total row").
UNGROUPED_ENTITIES = {"bieu06_rows"}


@dataclass
class SyntheticResult:
    """What `cchc.validate.results.outcome_of` reads from a GX result, for one batch's share
    of a group's result."""

    expectation_config: Any
    success: bool
    result: dict = field(default_factory=dict)
    exception_info: dict | None = None


def groupable(entity: str, configs: list) -> bool:
    if entity in UNGROUPED_ENTITIES:
        return False
    for config in configs:
        if config.type not in GROUPABLE_TYPES:
            return False
        mostly = config.kwargs.get("mostly")
        if mostly is not None and mostly < 1:
            return False
        if config.type in ROW_TYPES and "{batch}" in unexpected_condition(config):
            return False  # compares a row with other rows of its batch
    return True


def gx_order(configs: list) -> list:
    """The configurations in the order GX validates and reports them (grouped by column, first
    seen first: `Validator.process_expectations_for_validation`), so that results and warnings
    of a group's batch come in the order of a batch validated alone."""
    columns: dict[str, list] = {}
    for config in configs:
        column = config.kwargs.get("column")
        columns.setdefault(column if isinstance(column, str) else "_nocolumn", []).append(config)
    return [c for group in columns.values() for c in group]


def plan_groups(
    batches: list[tuple[int, int]],
    max_batches: int = MAX_GROUP_BATCHES,
    max_rows: int = MAX_GROUP_ROWS,
) -> list[list[int]]:
    """(batch_id, rows) in validation order → consecutive groups within both caps."""
    groups: list[list[int]] = []
    current: list[int] = []
    rows = 0
    for batch_id, n in batches:
        if current and (len(current) >= max_batches or rows + n > max_rows):
            groups.append(current)
            current, rows = [], 0
        current.append(batch_id)
        rows += n
    if current:
        groups.append(current)
    return groups


def group_run_configs(configs: list) -> dict[str, Any]:
    """The configurations a group run validates, keyed by the id of the suite's configuration
    they stand for: the band is left out (judged per batch), uniqueness becomes per batch."""
    from cchc.validate.gx import configuration

    run: dict[str, Any] = {}
    for config in configs:
        if config.type == BAND:
            continue
        if config.type in UNIQUE:
            columns = [config.kwargs["column"]] if "column" in config.kwargs else config.kwargs["column_list"]
            kwargs = {"column_list": ["batch_id", *columns]}
            if "column" in config.kwargs:
                kwargs["ignore_row_if"] = "any_value_is_missing"  # a single column's nulls are not duplicates
            run[config.id] = configuration(
                "expect_compound_columns_to_be_unique",
                kwargs,
                config.meta,
                str(uuid.uuid5(uuid.UUID(config.id), "per batch")),
            )
        else:
            run[config.id] = config
    return run


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def unexpected_condition(config) -> str | None:
    """SQL for 'this row is unexpected' under `config` as GX decides it, or None when the
    rule is not a row rule this module knows."""
    from cchc_expectations import row_condition

    kw = config.kwargs
    kind = config.type
    if kind in ROW_TYPES:
        return row_condition(kind, kw)
    col = kw.get("column")
    if kind == "expect_column_values_to_not_be_null":
        return f"{col} is null"
    if kind == "expect_column_values_to_be_in_set":
        return f"{col} is not null and {col} not in ({', '.join(_literal(v) for v in kw['value_set'])})"
    if kind == "expect_column_values_to_be_between":
        bounds = []
        if kw.get("min_value") is not None:
            bounds.append(f"{col} {'<=' if kw.get('strict_min') else '<'} {_literal(kw['min_value'])}")
        if kw.get("max_value") is not None:
            bounds.append(f"{col} {'>=' if kw.get('strict_max') else '>'} {_literal(kw['max_value'])}")
        return f"{col} is not null and ({' or '.join(bounds) or 'false'})"
    if kind == "expect_column_values_to_match_regex":
        return f"{col} is not null and not ({col}::text ~ {_literal(kw['regex'])})"
    return None


def row_samples_by_batch(
    conn: psycopg.Connection, table: str, batch_ids: list[int], config, size: int
) -> dict[int, tuple[int, list[dict]]]:
    """For a row rule (ROW_TYPES): per batch with unexpected rows, their count and the first
    `size` of them by value, with the columns the expectation shows (what GX's
    per-batch query `select … from {batch} where … limit n` returns)."""
    from cchc_expectations import row_select

    condition = unexpected_condition(config)
    select = row_select(config.type, config.kwargs)
    # The same examples as the plugin's per-batch query: the first `size` shown rows by value.
    # "By value" is the row's order (`order by u`), spelled column by column: the same order
    # (each column ascending, nulls last), but sorted with each type's own comparison instead
    # of the record's. When a reference is missing every row is unexpected: 1.3M rows sorted in
    # 1.0 s instead of 3.0–4.0 s at 1M dossiers.
    shown = [d.name for d in conn.execute(f"select {select} from {table} limit 0").description]
    by_value = ", ".join(f'u."{name}"' for name in shown)
    query = (
        f"with unexpected as (select batch_id as cchc_batch_id, {select} from {table} "
        f"where batch_id = any(%(ids)s) and ({condition})) "
        "select * from (select u.*, count(*) over w as cchc_total, "
        f"row_number() over (w order by {by_value}) as cchc_rank "
        "from unexpected as u window w as (partition by u.cchc_batch_id)) as found "
        "where cchc_rank <= %(size)s order by cchc_batch_id, cchc_rank"
    )
    found: dict[int, tuple[int, list[dict]]] = {}
    cur = conn.execute(query, {"ids": batch_ids, "size": size})
    names = [d.name for d in cur.description]
    for values in cur.fetchall():
        row = dict(zip(names, values, strict=True))
        batch_id, total = row.pop("cchc_batch_id"), row.pop("cchc_total")
        row.pop("cchc_rank")
        found.setdefault(batch_id, (int(total), []))[1].append(row)
    return found


def failed_row_result(config, count: int, sample: list[dict], batch_rows: int) -> SyntheticResult:
    """A batch's share of a failed row rule, as `_CchcRowsExpectation` reports it."""
    return SyntheticResult(
        config,
        count == 0,
        {
            "observed_value": count,
            "element_count": batch_rows,
            "unexpected_count": count,
            "unexpected_percent": 100.0 * count / batch_rows if batch_rows else 0.0,
            "details": {"unexpected_rows": sample},
        },
    )


def unexpected_by_batch(
    conn: psycopg.Connection, table: str, batch_ids: list[int], config
) -> dict[int, int] | None:
    """Unexpected rows of `config` per batch of the group (only batches with some), or None
    when this module cannot count them."""
    if config.type in UNIQUE:
        columns = [config.kwargs["column"]] if "column" in config.kwargs else config.kwargs["column_list"]
        listed = ", ".join(columns)
        if "column" in config.kwargs:
            skip = f"{columns[0]} is null"
        else:
            skip = " and ".join(f"{c} is null" for c in columns)
        query = (
            f"select batch_id, sum(n)::bigint from (select batch_id, count(*) as n from {table} "
            f"where batch_id = any(%(ids)s) and not ({skip}) group by batch_id, {listed} "
            "having count(*) > 1) as dup group by batch_id"
        )
    else:
        condition = unexpected_condition(config)
        if condition is None:
            return None
        query = (
            f"select batch_id, count(*) from (select * from {table} where batch_id = any(%(ids)s)) as batch "
            f"where {condition} group by batch_id"
        )
    return {b: int(n) for b, n in conn.execute(query, {"ids": batch_ids}).fetchall()}


def clean_result(config, group_result, batch_rows: int) -> SyntheticResult:
    """A batch's share of a group result with no unexpected row (or of one that could not run:
    the same error holds for every batch)."""
    if raised_error(group_result):
        return SyntheticResult(config, False, {}, group_result.exception_info)
    if config.type in ROW_TYPES:
        result = {
            "observed_value": 0,
            "element_count": batch_rows,
            "unexpected_count": 0,
            "unexpected_percent": 0.0,
            "details": {"unexpected_rows": []},
        }
    else:
        result = {"element_count": batch_rows, "unexpected_count": 0}
    return SyntheticResult(config, True, result)


def raised_error(result) -> bool:
    """GX keys exception info by metric when a metric failed, or flat for the expectation."""
    info = result.exception_info or {}
    return bool(info.get("raised_exception")) or any(
        isinstance(v, dict) and v.get("raised_exception") for v in info.values()
    )


def data_independent_error(group_result) -> bool:
    """An error that any batch would meet (a missing relation or column), not one a value of
    some batch caused."""
    text = str(group_result.exception_info or "")
    return "does not exist" in text


def band_result(
    conn: psycopg.Connection, config, batch_id: int, batch_rows: int, recent_cache: dict | None = None
) -> SyntheticResult:
    """The row-count band for one batch, as its GX expectation judges it, from the ledger as it
    stands now (after the verdicts of the group's earlier batches). `recent_cache` shares the
    ledger lookup between a batch's bands (critical and warning)."""
    from cchc_expectations import (
        HAS_CALENDAR,
        ExpectBatchRowCountWithinRecentBand,
        recent_accepted_row_counts_sql,
    )

    kwargs = {k: v for k, v in config.kwargs.items() if k != "ledger_batch_id"}
    history = int(kwargs.get("history", 10))
    cache = recent_cache if recent_cache is not None else {}
    if (batch_id, history) not in cache:
        has_calendar = conn.execute(HAS_CALENDAR).fetchone()[0]
        query = (
            recent_accepted_row_counts_sql(bool(has_calendar))
            .replace(":batch_id", "%(batch_id)s")
            .replace(":history", "%(history)s")
        )
        cache[(batch_id, history)] = [
            int(r[0]) for r in conn.execute(query, {"batch_id": batch_id, "history": history})
        ]
    recent = cache[(batch_id, history)]
    expectation = ExpectBatchRowCountWithinRecentBand(ledger_batch_id=batch_id, **kwargs)
    judged = expectation._validate(
        {"table.row_count": batch_rows, "cchc_batch.recent_accepted_row_counts": recent}
    )
    return SyntheticResult(config, bool(judged["success"]), judged["result"])
