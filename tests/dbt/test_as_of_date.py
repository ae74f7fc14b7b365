"""The report date of a build (macro as_of_date) reaches dbt through the environment, so a night
with a new date reuses the saved parse instead of parsing the whole project again, as a new
--vars value would make it."""

from __future__ import annotations

import os

from cchc.settings import get_settings
from cchc.transform.dbt import AS_OF_DATE_ENV, run_dbt

COMPILE = ["compile", "--select", "fct_dossier"]
TODAY = "(now() at time zone 'Asia/Ho_Chi_Minh')::date"


def _compiled(result) -> str:
    (node_result,) = [r for r in result.raw.results if r.node.name == "fct_dossier"]
    return node_result.node.compiled_code


def _log_size() -> int:
    log = get_settings().dbt_log_dir / "dbt.log"
    return log.stat().st_size if log.is_file() else 0


def _log_since(offset: int) -> str:
    with open(get_settings().dbt_log_dir / "dbt.log", "rb") as fh:
        fh.seek(offset)
        return fh.read().decode("utf-8", errors="replace")


def test_each_night_s_date_is_used_and_the_saved_parse_is_kept(seeded):
    first = run_dbt(COMPILE, as_of="2025-11-03")
    assert "date '2025-11-03'" in _compiled(first)

    offset = _log_size()
    second = run_dbt(COMPILE, as_of="2025-11-04")
    sql = _compiled(second)
    assert "date '2025-11-04'" in sql and "2025-11-03" not in sql
    log = _log_since(offset)
    # the new date changed nothing dbt parsed: no full parse, not even of the files using the macro
    assert "Nothing changed, skipping partial parsing" in log
    assert "Starting full parse" not in log and "Partial parsing: updated file" not in log


def test_vars_win_and_an_inherited_environment_is_not_used(seeded, monkeypatch):
    # a date left in the environment (another build of the same process, an export by hand) must
    # not leak into a build that was given none
    monkeypatch.setenv(AS_OF_DATE_ENV, "1999-01-01")
    sql = _compiled(run_dbt(COMPILE))
    assert TODAY in sql and "1999-01-01" not in sql
    assert os.environ[AS_OF_DATE_ENV] == "1999-01-01"

    sql = _compiled(run_dbt([*COMPILE, "--vars", "{as_of_date: '2025-11-05'}"], as_of="2025-11-06"))
    assert "date '2025-11-05'" in sql and "2025-11-06" not in sql
    assert os.environ[AS_OF_DATE_ENV] == "1999-01-01"
