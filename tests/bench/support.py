"""Running a bench module the way a person does (`python -m bench…`), for the bench tests."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


@contextlib.contextmanager
def scratch_dir(prefix: str) -> Iterator[Path]:
    # Not under pytest's basetemp: every pytest session starting on the machine resets
    # /tmp/pytest-of-<user> to 0700, and the embedded server (run as another user when
    # root) could no longer reach its data directory.
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def run_bench(args: list[str], timeout: float, pgdatas: list[Path]) -> tuple[str, list[Path]]:
    """Run `python -m <args>` from the repo without the caller's CCHC_ settings; return its stdout
    and the servers (of `pgdatas`) it left running, which are stopped here either way."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CCHC_")}
    env["CCHC_DEMO"] = "1"
    # Own session: on a timeout the harness, its stage process and its server all go.
    proc = subprocess.Popen(
        [sys.executable, "-m", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    finally:
        left_running = [pgdata for pgdata in pgdatas if _stop_server(pgdata)]
    assert proc.returncode == 0, stdout[-4000:] + stderr[-4000:]
    return stdout, left_running


def _stop_server(pgdata: Path) -> bool:
    """Stop a bench's server if it is still running; True when it was."""
    from cchc.warehouse import embedded

    return pgdata.exists() and embedded.stop(pgdata)
