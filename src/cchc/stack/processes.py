"""Background processes with a registry on disk, so that another command can stop exactly them.

Each process gets its own session (process group): stopping it stops its children too (Celery's
pool, the api-server's workers), and nothing else on the machine.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Started:
    name: str
    pid: int
    argv: list[str]
    log_file: str


class Registry:
    """`pids.json` under the stack folder: what `up` started, in start order."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.path = folder / "pids.json"

    def load(self) -> list[Started]:
        if not self.path.is_file():
            return []
        return [Started(**item) for item in json.loads(self.path.read_text(encoding="utf-8"))]

    def save(self, started: list[Started]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps([asdict(s) for s in started], indent=1), encoding="utf-8")
        tmp.replace(self.path)

    def add(self, item: Started) -> None:
        self.save([*[s for s in self.load() if s.name != item.name], item])


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited, not yet reaped by its parent) counts as gone.
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().split(") ", 1)[1][:1] != "Z"
    except OSError:
        return False


def start(name: str, argv: list[str], env: dict[str, str], log_dir: Path, registry: Registry) -> Started:
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / f"{name}.log"
    with open(log_file, "ab") as out:
        proc = subprocess.Popen(
            argv,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    item = Started(name, proc.pid, argv, str(log_file))
    registry.add(item)
    log.info("started %s (pid %s), log %s", name, proc.pid, log_file)
    return item


def stop(item: Started, grace_seconds: float = 30.0) -> str:
    """SIGTERM to the process group, SIGKILL after the grace period; returns what happened."""
    if not alive(item.pid):
        return "not running"
    try:
        os.killpg(item.pid, signal.SIGTERM)
    except ProcessLookupError:
        return "not running"
    deadline = time.monotonic() + grace_seconds
    while time.monotonic() < deadline:
        if not alive(item.pid):
            return "stopped"
        time.sleep(0.2)
    try:
        os.killpg(item.pid, signal.SIGKILL)
    except ProcessLookupError:
        return "stopped"
    return "killed"
