"""Run one stage in a child process and measure it: wall, CPU and peak memory of what serves it.

What is measured, and why this way:
- the stage runs in its own Python process (`python -m bench.stage …`), so its imports, threads
  and children are its own and nothing of the harness leaks in;
- CPU = user+sys of that process tree (`RUSAGE_CHILDREN` after it is reaped) plus the CPU the
  bench's own PostgreSQL server spent meanwhile (postmaster, its live children and the ones it
  reaped: every backend of this server serves the benchmark, nothing else connects to it);
- memory is sampled every ~50 ms from `/proc/<pid>/smaps_rollup`: the client tree's PSS and the
  server's private memory (`Pss_Anon` + `Pss_File`: backends' sorts, hashes, caches, binaries).
  The server's shared buffer cache (`Pss_Shmem`, bounded by `shared_buffers`) is reported apart,
  because it is a configured cache that the first big scan fills whatever the pipeline does.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import psutil

SAMPLE_SECONDS = 0.05
MB = 1024 * 1024

# Exit code a stage uses when the code it measures has not landed yet.
EXIT_UNAVAILABLE = 3


@dataclass
class StageResult:
    name: str
    status: str  # ok | failed | not available | skipped
    rows: int = 0
    wall_s: float | None = None
    cpu_s: float | None = None
    cpu_client_s: float | None = None
    cpu_server_s: float | None = None
    peak_mb: float | None = None  # client PSS + server private memory, sampled together
    peak_client_mb: float | None = None
    peak_client_rss_mb: float | None = None  # RSS of the client tree (shared pages counted per process)
    peak_server_private_mb: float | None = None
    peak_server_shared_mb: float | None = None
    samples: int = 0
    detail: dict = field(default_factory=dict)
    error: str | None = None

    @property
    def rows_per_s(self) -> float | None:
        if not self.wall_s or not self.rows:
            return None
        return self.rows / self.wall_s

    def to_json(self) -> dict:
        out = asdict(self)
        out["rows_per_s"] = self.rows_per_s
        return out

    @classmethod
    def from_json(cls, doc: dict) -> StageResult:
        """A stage of an earlier run (`--phase full`), carried into the increment's result."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in doc.items() if k in known})


def _rollup(pid: int) -> dict[str, int]:
    """smaps_rollup of one process in bytes; empty when it is gone or unreadable."""
    out: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                key, _, rest = line.partition(":")
                parts = rest.split()
                if len(parts) == 2 and parts[1] == "kB":
                    out[key] = int(parts[0]) * 1024
    except (OSError, ValueError):
        return {}
    return out


def _tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def postmaster_pid(pgdata: Path) -> int | None:
    try:
        return int((pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return None


def server_cpu_seconds(pm_pid: int | None) -> float:
    """CPU the server has used so far: postmaster + reaped children + live children."""
    if pm_pid is None:
        return 0.0
    total = 0.0
    try:
        pm = psutil.Process(pm_pid)
        t = pm.cpu_times()
        total += t.user + t.system + t.children_user + t.children_system
        for child in pm.children(recursive=False):
            try:
                ct = child.cpu_times()
                total += ct.user + ct.system
            except psutil.Error:
                continue
    except psutil.Error:
        return 0.0
    return total


class _Sampler(threading.Thread):
    def __init__(self, client_pid: int, pm_pid: int | None):
        super().__init__(daemon=True)
        self.client_pid = client_pid
        self.pm_pid = pm_pid
        self.stop_event = threading.Event()
        self.peak_total = self.peak_client = self.peak_private = self.peak_shared = self.peak_rss = 0
        self.samples = 0
        # at the peak: the server processes holding the most private memory (who to blame)
        self.peak_server_processes: list[list] = []

    def sample(self) -> None:
        client = rss = 0
        for proc in _tree(self.client_pid):
            roll = _rollup(proc.pid)
            client += roll.get("Pss", 0)
            rss += roll.get("Rss", 0)
        private = shared = 0
        by_process: list[tuple[int, int]] = []
        if self.pm_pid is not None:
            for proc in _tree(self.pm_pid):
                roll = _rollup(proc.pid)
                mine = roll.get("Pss_Anon", 0) + roll.get("Pss_File", 0)
                private += mine
                shared += roll.get("Pss_Shmem", 0)
                by_process.append((mine, proc.pid))
        if client + private > self.peak_total:
            self.peak_server_processes = [
                [_title(pid), round(mine / MB, 1)] for mine, pid in sorted(by_process, reverse=True)[:4]
            ]
        self.peak_client = max(self.peak_client, client)
        self.peak_rss = max(self.peak_rss, rss)
        self.peak_private = max(self.peak_private, private)
        self.peak_shared = max(self.peak_shared, shared)
        self.peak_total = max(self.peak_total, client + private)
        self.samples += 1

    def run(self) -> None:
        while not self.stop_event.is_set():
            self.sample()
            self.stop_event.wait(SAMPLE_SECONDS)


def _title(pid: int) -> str:
    """A PostgreSQL process's title ("postgres: autovacuum worker", "postgres: user db [local] SELECT")."""
    try:
        return " ".join(psutil.Process(pid).cmdline())[:80]
    except (psutil.Error, OSError):
        return "?"


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def run_stage(
    name: str,
    args: list[str],
    *,
    env: dict[str, str],
    pgdata: Path,
    result_dir: Path,
    log_dir: Path,
    timeout: float | None = None,
    label: str | None = None,
) -> StageResult:
    """`python -m bench.stage <name> <args…>` measured; the stage writes its rows to a JSON file."""
    label = label or name
    result_file = result_dir / f"{label}.json"
    cmd = [sys.executable, "-m", "bench.stage", name, "--result", str(result_file), *args]
    return measure_command(
        cmd,
        label=label,
        env=env,
        pgdata=pgdata,
        result_file=result_file,
        log_file=log_dir / f"{label}.log",
        timeout=timeout,
    )


def measure_command(
    cmd: list[str],
    *,
    label: str,
    env: dict[str, str],
    pgdata: Path,
    result_file: Path,
    log_file: Path,
    timeout: float | None = None,
    cwd: Path | None = None,
) -> StageResult:
    """Run `cmd` in a child process and measure it (wall; CPU of its tree and of the server at
    `pgdata`; sampled peak memory). The child writes `{"rows", "detail", "error"}` to `result_file`."""
    result_file.unlink(missing_ok=True)
    pm_pid = postmaster_pid(pgdata)
    cpu_client_0 = _children_cpu()
    cpu_server_0 = server_cpu_seconds(pm_pid)
    t0 = time.perf_counter()
    with open(log_file, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=cwd or os.getcwd())
        sampler = _Sampler(proc.pid, pm_pid)
        sampler.start()
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
        finally:
            sampler.stop_event.set()
            sampler.join()
    wall = time.perf_counter() - t0
    cpu_client = _children_cpu() - cpu_client_0
    cpu_server = server_cpu_seconds(pm_pid) - cpu_server_0

    payload: dict = {}
    if result_file.exists():
        payload = json.loads(result_file.read_text(encoding="utf-8"))
    if code == EXIT_UNAVAILABLE:
        return StageResult(label, "not available", error=payload.get("error") or _tail(log_file))
    result = StageResult(
        name=label,
        status="ok" if code == 0 else "failed",
        rows=int(payload.get("rows") or 0),
        wall_s=round(wall, 3),
        cpu_s=round(cpu_client + cpu_server, 3),
        cpu_client_s=round(cpu_client, 3),
        cpu_server_s=round(cpu_server, 3),
        peak_mb=round(sampler.peak_total / MB, 1),
        peak_client_mb=round(sampler.peak_client / MB, 1),
        peak_client_rss_mb=round(sampler.peak_rss / MB, 1),
        peak_server_private_mb=round(sampler.peak_private / MB, 1),
        peak_server_shared_mb=round(sampler.peak_shared / MB, 1),
        samples=sampler.samples,
        detail={**(payload.get("detail") or {}), "peak_server_processes": sampler.peak_server_processes},
    )
    if code != 0:
        result.error = payload.get("error") or f"exit code {code}: {_tail(log_file)}"
    return result


def _tail(path: Path, lines: int = 12) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
