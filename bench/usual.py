"""The usual way, as a team would write it first: pandas `read_csv`, GX on the DataFrame, `to_sql`.

Per file: read it whole into a DataFrame (typed, personal fields hashed and dropped — the law
applies to everyone), validate it with Great Expectations' pandas data source, append it with
`DataFrame.to_sql` through SQLAlchemy (defaults: psycopg2, executemany) into `bench_usual.*`.

The rules are the project's suites from `expectations/` (every expectation GX can run on a
DataFrame; SQL-only ones are counted as skipped). When no suite for the entity exists yet, the
contract's rules below stand in, and the result says so (`rules_source`).
"""

from __future__ import annotations

import hmac
import json
import logging
import time
from hashlib import sha256
from pathlib import Path

from bench.columns import CITIZEN_ID, ENTITIES, PERSONAL

SCHEMA = "bench_usual"
TABLES = {"hoso": "onestop_hoso", "bosung": "onestop_bosung"}
log = logging.getLogger(__name__)

_DATE_PAIRS = [("ngay_hen_tra", "ngay_tiep_nhan"), ("ngay_ket_thuc_xu_ly", "ngay_tiep_nhan")]


def contract_rules(entity: str) -> list[dict]:
    """Stand-in rules from docs/SOURCES.md when the project has no suite yet."""
    if entity == "bosung":
        required = ["ma_ho_so", "lan_bo_sung", "ngay_yeu_cau_bo_sung", "ngay_cap_nhat"]
        rules = [{"type": "expect_column_values_to_not_be_null", "kwargs": {"column": c}} for c in required]
        rules.append(
            {
                "type": "expect_column_values_to_be_between",
                "kwargs": {"column": "lan_bo_sung", "min_value": 1},
            }
        )
        return rules
    required = [
        "ma_ho_so",
        "ma_tthc",
        "ma_linh_vuc",
        "ma_don_vi",
        "cap_don_vi",
        "kenh_thuc_hien",
        "muc_do_dvc",
        "trang_thai_ho_so",
        "duoc_thanh_toan_truc_tuyen",
        "tong_phi_le_phi",
        "ngay_cap_nhat",
    ]
    rules = [{"type": "expect_column_values_to_not_be_null", "kwargs": {"column": c}} for c in required]
    sets = {
        "cap_don_vi": ["TINH", "HUYEN", "XA"],
        "kenh_thuc_hien": [1, 2, 3],
        "muc_do_dvc": ["TOAN_TRINH", "MOT_PHAN", "KHONG"],
        "trang_thai_ho_so": list(range(1, 11)),
        "duoc_thanh_toan_truc_tuyen": [0, 1, 2],
        "ho_so_co_thanh_phan_so_hoa": [0, 1],
        "co_ket_qua_dien_tu": [0, 1],
        "tai_khoan_duoc_xac_thuc_voi_vneid": [0, 1],
    }
    rules += [
        {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": c, "value_set": v}}
        for c, v in sets.items()
    ]
    rules.append(
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "tong_phi_le_phi", "min_value": 0},
        }
    )
    rules.append(
        {
            "type": "expect_column_values_to_match_regex",
            "kwargs": {"column": "ma_tthc", "regex": r"^\d\.\d{6}$"},
        }
    )
    rules += [
        {
            "type": "expect_column_pair_values_a_to_be_greater_than_b",
            "kwargs": {
                "column_A": a,
                "column_B": b,
                "or_equal": True,
                "ignore_row_if": "either_value_is_missing",
            },
        }
        for a, b in _DATE_PAIRS
    ]
    return rules


def project_rules(gx_dir: Path, entity: str) -> list[dict]:
    """Expectation configs of the project's suites for this raw entity (critical and warning)."""
    table = TABLES[entity]
    found: list[dict] = []
    if not gx_dir.exists():
        return found
    for path in sorted(gx_dir.rglob("*.json")):
        if "uncommitted" in path.parts:
            continue
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(doc, dict) or not isinstance(doc.get("expectations"), list):
            continue
        name = str(doc.get("name") or path.stem)
        if name.split(".")[0] != table and not name.startswith(table + "_"):
            continue
        found += [e for e in doc["expectations"] if isinstance(e, dict) and e.get("type")]
    return found


def _build_expectations(configs: list[dict], reference) -> tuple[list, dict, list[str]]:
    """GX expectations that run on a DataFrame, the rule columns they need, the types skipped.

    `expect_rows_to_not_match` (SQL condition) becomes a boolean rule column computed with
    pandas plus `expect_column_values_to_be_in_set([False])` on it; a reference list
    (`expect_column_values_to_be_in_reference`) is read once and checked with
    `expect_column_values_to_be_in_set`. `reference(sql)` returns that list.
    """
    from great_expectations.expectations.expectation import UnexpectedRowsExpectation
    from great_expectations.expectations.registry import get_expectation_impl

    from bench import pandas_rules

    runnable, rule_columns, skipped = [], {}, []
    for cfg in configs:
        kind = cfg["type"]
        kwargs = {k: v for k, v in (cfg.get("kwargs") or {}).items() if k not in {"batch_id"}}
        try:
            if kind == "expect_rows_to_not_match":
                column = f"__rule_{len(rule_columns)}"
                rule_columns[column] = pandas_rules.condition(kwargs["condition"])
                kind, kwargs = "expect_column_values_to_be_in_set", {"column": column, "value_set": [False]}
            elif kind == "expect_column_values_to_be_in_reference":
                values = reference(kwargs["reference"])
                kind = "expect_column_values_to_be_in_set"
                kwargs = {"column": kwargs["column"], "value_set": values}
            impl = get_expectation_impl(kind)
        except Exception:
            skipped.append(cfg["type"])
            continue
        sql_only = issubclass(impl, UnexpectedRowsExpectation) or {"query", "unexpected_rows_query"} & set(
            kwargs
        )
        # Row conditions are written for the SQL engine; pandas wants its own dialect.
        if sql_only or kwargs.get("condition_parser") not in (None, "pandas"):
            skipped.append(cfg["type"])
            continue
        try:
            runnable.append(impl(**kwargs))
        except Exception:
            skipped.append(cfg["type"])
    return runnable, rule_columns, skipped


class Validator:
    """One GX ephemeral context with a pandas data source; one validation definition per entity."""

    def __init__(self, gx_dir: Path, engine):
        import great_expectations as gx
        import pandas as pd

        logging.getLogger("great_expectations").setLevel(logging.ERROR)
        self.context = gx.get_context(mode="ephemeral")
        try:
            self.context.variables.progress_bars = {"globally": False}
        except Exception:
            log.debug("progress bars stay on", exc_info=True)
        self.source = self.context.data_sources.add_pandas("bench_usual")
        self.definitions: dict = {}
        self.rule_columns: dict = {}
        self.info: dict = {}

        def reference(query: str) -> list:
            return pd.read_sql_query(query, engine).iloc[:, 0].dropna().unique().tolist()

        for entity in ENTITIES:
            configs = project_rules(gx_dir, entity)
            rules_source = "project suites"
            if not configs:
                configs, rules_source = contract_rules(entity), "contract (no project suite found)"
            expectations, self.rule_columns[entity], skipped = _build_expectations(configs, reference)
            suite = self.context.suites.add(
                gx.ExpectationSuite(name=f"usual_{entity}", expectations=expectations)
            )
            asset = self.source.add_dataframe_asset(entity)
            batch_def = asset.add_batch_definition_whole_dataframe("whole")
            self.definitions[entity] = self.context.validation_definitions.add(
                gx.ValidationDefinition(data=batch_def, suite=suite, name=f"usual_{entity}")
            )
            self.info[entity] = {
                "rules_source": rules_source,
                "expectations": len(configs),
                "expectations_run": len(expectations),
                "sql_rules_restated_in_pandas": len(self.rule_columns[entity]),
                "expectations_skipped": len(skipped),
                "skipped_types": sorted(set(skipped)),
            }

    def validate(self, entity: str, frame) -> bool:
        rules = self.rule_columns[entity]
        if rules:
            frame = frame.assign(**{column: fn(frame) for column, fn in rules.items()})
        result = self.definitions[entity].run(batch_parameters={"dataframe": frame}, result_format="SUMMARY")
        return bool(result.success)


def _dates(frame, column: str):
    import pandas as pd

    text = frame[column]
    parsed = pd.to_datetime(text, format="%d/%m/%Y %H:%M:%S", errors="coerce")
    return parsed.fillna(pd.to_datetime(text, format="%d/%m/%Y", errors="coerce"))


def read_typed(path: Path, entity: str, key: bytes):
    """The DataFrame a team would write: typed columns, citizen ID hashed, name and phone dropped."""
    import pandas as pd

    spec = ENTITIES[entity]
    text_cols = [h for h, (_, t) in spec.items() if t == "text"] + list(PERSONAL)
    frame = pd.read_csv(
        path, encoding="utf-8-sig", dtype={c: "string" for c in text_cols}, keep_default_na=True
    )
    for header, (_, sql_type) in spec.items():
        if header not in frame.columns:
            frame[header] = None
            continue
        if sql_type == "timestamp":
            frame[header] = _dates(frame, header)
        elif sql_type in {"smallint", "integer", "bigint"}:
            col = frame[header]
            if col.dtype == object or str(col.dtype) == "string":
                col = col.astype("string").str.replace(".", "", regex=False)
            frame[header] = pd.to_numeric(col, errors="coerce").astype("Int64")
    if entity == "hoso":
        ids = frame[CITIZEN_ID] if CITIZEN_ID in frame.columns else pd.Series([None] * len(frame))
        frame["citizen_key"] = ids.map(
            lambda v: (
                hmac.new(key, str(v).strip().encode(), sha256).hexdigest() if isinstance(v, str) else None
            )
        )
    keep = {h: n for h, (n, _) in spec.items()}
    out = frame[[*keep, *(["citizen_key"] if entity == "hoso" else [])]].rename(columns=keep)
    return out


def load_and_validate(target, files: dict[str, list[Path]], *, gx_dir: Path, key: bytes, phase: str) -> dict:
    """Per file: read → validate → to_sql. Section times (wall and process CPU) go to `detail`."""
    from sqlalchemy import create_engine, text

    engine = create_engine(target.sqlalchemy_url)
    with engine.begin() as conn:
        if phase == "full":
            for table in TABLES.values():
                conn.execute(text(f"drop table if exists {SCHEMA}.{table}"))
    sections = {"read": [0.0, 0.0], "validate": [0.0, 0.0], "to_sql": [0.0, 0.0]}

    def timed(section, fn, *args, **kwargs):
        w, c = time.perf_counter(), time.process_time()
        out = fn(*args, **kwargs)
        sections[section][0] += time.perf_counter() - w
        sections[section][1] += time.process_time() - c
        return out

    validator = timed("validate", Validator, gx_dir, engine)
    rows, failed_files = 0, 0
    for entity, paths in files.items():
        for path in paths:
            frame = timed("read", read_typed, path, entity, key)
            if not timed("validate", validator.validate, entity, frame):
                failed_files += 1
            timed(
                "to_sql", frame.to_sql, TABLES[entity], engine, schema=SCHEMA, if_exists="append", index=False
            )
            rows += len(frame)
    engine.dispose()
    return {
        "rows": rows,
        "detail": {
            "sections": {k: {"wall_s": round(v[0], 3), "cpu_s": round(v[1], 3)} for k, v in sections.items()},
            "files": sum(map(len, files.values())),
            "files_failing_validation": failed_files,
            "rules": validator.info,
        },
    }
