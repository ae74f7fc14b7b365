"""One local run at a time: `cchc run` and `cchc demo` share a SQLite metadata DB, which two
concurrent `dag.test()`s break with a raw "database is locked" traceback half-way through a night.
A second run waits for the first (saying so), and gives up with a clear message after a bound."""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)


class RunInProgress(RuntimeError):
    """Another local run holds the lock for longer than this one would wait."""


@contextmanager
def exclusive_run(folder: Path, wait_seconds: float) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "cchc-run.lock"
    with open(path, "a+", encoding="utf-8") as handle:
        deadline = time.monotonic() + wait_seconds
        told = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read().strip() or "another process"
                if time.monotonic() >= deadline:
                    raise RunInProgress(
                        f"another `cchc run` is in progress ({holder}, lock {path}); "
                        f"gave up after waiting {wait_seconds:.0f}s"
                    ) from None
                if not told:
                    log.warning("another `cchc run` is in progress (%s): waiting for it to finish", holder)
                    told = True
                time.sleep(0.5)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
