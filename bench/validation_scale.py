"""How long validation takes on a big dossier batch, in PostgreSQL versus through pandas.

    CCHC_STATE_DIR=/tmp/scratch python -m bench.validation_scale --rows 1000000

Use a scratch state folder: it writes a batch of generated rows (SQL `generate_series`, 0.1% of
them with NgayHenTra before NgayTiepNhan) into that warehouse's raw.onestop_hoso. Then:
1. `validate_batch` — both suites, in PostgreSQL (what the pipeline does);
2. the same suites' built-in expectations only, in PostgreSQL (the part pandas can also run);
3. the pandas way: read the batch into a DataFrame, validate those built-in expectations with
   GX's pandas engine. The SQL-only custom expectations have no pandas counterpart.
Prints one JSON line with seconds and peak memory (ru_maxrss, process-wide, so run 1-2 before 3).
"""

from __future__ import annotations

import argparse
import json
import resource
import time

from cchc.settings import get_settings

INSERT = """
insert into raw.onestop_hoso (
    batch_id, source_row, ma_ho_so, ma_tthc, ten_tthc, ma_linh_vuc, ten_linh_vuc, ma_don_vi, cap_don_vi,
    kenh_thuc_hien, muc_do_dvc, ngay_nop_ho_so, ngay_tiep_nhan, ngay_hen_tra, ngay_ket_thuc_xu_ly, ngay_tra,
    ngay_tu_choi, trang_thai_ho_so, duoc_thanh_toan_truc_tuyen, tong_phi_le_phi, ho_so_co_thanh_phan_so_hoa,
    co_ket_qua_dien_tu, tai_khoan_duoc_xac_thuc_voi_vneid, citizen_key, ngay_cap_nhat)
select %(b)s, g, '000.00.01.H01-261118-' || lpad(g::text, 8, '0'),
       (array['1.004227', '2.000815', '1.001234'])[1 + g %% 3], 'Thủ tục', 'HT', 'Hộ tịch',
       lpad((1 + g %% 500)::text, 5, '0'), 'XA', 1 + g %% 3,
       (array['TOAN_TRINH', 'MOT_PHAN', 'KHONG'])[1 + g %% 3],
       r - interval '1 hour', r,
       case when g %% 1000 = 0 then r - interval '3 days' else r + interval '7 days' end,
       case when s in (9, 10) then r + interval '5 days' end,
       case when s = 10 then r + interval '6 days' end,
       case when s in (7, 8) then r + interval '2 days' end,
       s, g %% 3, (g %% 4) * 25000, g %% 2, g %% 2, (g + 1) %% 2, md5(g::text), r + interval '8 days'
from (select g, timestamp '2026-11-18 08:00' - (g %% 30) * interval '1 day' as r, 2 + g %% 9 as s
      from generate_series(1, %(n)s) as g) as t
"""


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _builtin_configs(project, entity: str):
    configs = []
    for severity in ("critical", "warning"):
        for config in project.configurations(f"{entity}.{severity}"):
            if not config.type.startswith(
                ("expect_rows", "expect_unit", "expect_batch", "expect_bieu06")
            ) and (config.type != "expect_column_values_to_be_in_reference"):
                configs.append(config)
    return configs


def measure(rows: int, *, with_pandas: bool = True) -> dict:
    from cchc.ledger import BatchSlot, open_batch, record_load
    from cchc.validate import validate_batch
    from cchc.validate.entities import ENTITIES
    from cchc.validate.gx import open_project
    from cchc.warehouse.bootstrap import bootstrap
    from cchc.warehouse.connection import connect

    settings = get_settings()
    target = bootstrap(settings)
    out: dict = {"rows": rows}
    with connect(target) as conn:
        slot = BatchSlot("onestop", "onestop_hoso", "01", None, f"scale-{time.time_ns()}.csv")
        batch_id = open_batch(conn, slot, file_path=None, sha256=None)
        started = time.perf_counter()
        conn.execute(INSERT, {"b": batch_id, "n": rows})
        record_load(conn, batch_id, rows_in=rows, rows_loaded=rows)
        out["insert_s"] = round(time.perf_counter() - started, 2)
    with connect(target, autocommit=True) as conn:
        conn.execute("analyze raw.onestop_hoso")

    started = time.perf_counter()
    project = open_project(settings, target)
    out["gx_open_s"] = round(time.perf_counter() - started, 2)

    started = time.perf_counter()
    outcome = validate_batch(batch_id, project=project)
    out["sql_all_suites_s"] = round(time.perf_counter() - started, 2)
    out["sql_status"] = outcome.status
    out["sql_reason"] = outcome.reason

    configs = _builtin_configs(project, "onestop_hoso")
    out["builtin_expectations"] = len(configs)
    started = time.perf_counter()
    sql_results = project.run(
        "onestop_hoso", batch_id, configs, id_columns=ENTITIES["onestop_hoso"].id_columns
    ).results
    out["sql_builtin_s"] = round(time.perf_counter() - started, 2)
    out["sql_peak_mb"] = round(_peak_mb())

    if with_pandas:
        out.update(_pandas(project, target, batch_id, configs))
        pandas_failed = out.pop("_failed")
        sql_failed = sorted(r.expectation_config.type for r in sql_results if not r.success)
        out["same_verdicts"] = sql_failed == pandas_failed
    return out


def _pandas(project, target, batch_id: int, configs) -> dict:
    import great_expectations as gx
    import pandas as pd
    import sqlalchemy as sa

    out: dict = {}
    started = time.perf_counter()
    engine = sa.create_engine(target.sqlalchemy_url)
    with engine.connect() as conn:
        frame = pd.read_sql(
            sa.text("select * from raw.onestop_hoso where batch_id = :b"), conn, params={"b": batch_id}
        )
    out["pandas_read_s"] = round(time.perf_counter() - started, 2)
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    definition = (
        context.data_sources.add_pandas("scale")
        .add_dataframe_asset("hoso")
        .add_batch_definition_whole_dataframe("all")
    )
    batch = definition.get_batch(batch_parameters={"dataframe": frame})
    validator = context.get_validator_using_batch_list(expectation_suite=None, batch_list=[batch])
    started = time.perf_counter()
    results = validator.graph_validate(
        configurations=configs, runtime_configuration={"result_format": "SUMMARY"}
    )
    out["pandas_builtin_s"] = round(time.perf_counter() - started, 2)
    out["pandas_total_s"] = round(out["pandas_read_s"] + out["pandas_builtin_s"], 2)
    out["pandas_peak_mb"] = round(_peak_mb())
    out["_failed"] = sorted(r.expectation_config.type for r in results if not r.success)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--no-pandas", action="store_true", help="skip the pandas comparison (memory)")
    args = parser.parse_args()
    print(json.dumps(measure(args.rows, with_pandas=not args.no_pandas), default=str))


if __name__ == "__main__":
    main()
