"""Superset's server on 127.0.0.1: initialised once (metadata DB, the local admin, roles and
permissions), started in the background under gunicorn, stopped by its pid file."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import requests

from cchc.bi.environment import ADMIN_PASSWORD, ADMIN_USER, BiPaths, ensure_venv, superset_env


class BiError(RuntimeError):
    """Superset did not start or answer; the message says where its log is."""


def _superset(p: BiPaths, env: dict[str, str], *args: str) -> None:
    with open(p.log_file, "a", encoding="utf-8") as log:
        done = subprocess.run([str(p.bin / "superset"), *args], env=env, stdout=log, stderr=subprocess.STDOUT)
    if done.returncode:
        raise BiError(f"`superset {' '.join(args[:2])}` failed (exit {done.returncode}); see {p.log_file}")


def initialise(p: BiPaths, port: int) -> None:
    """Metadata DB schema, the local admin and Superset's built-in roles: once per state folder
    (upgrading the schema again is cheap and keeps it right after a lock change)."""
    ensure_venv(p)
    env = superset_env(p, port)
    stamp = p.state / ".initialised"
    _superset(p, env, "db", "upgrade")
    if not stamp.is_file():
        _superset(
            p, env, "fab", "create-admin", "--username", ADMIN_USER, "--firstname", "Quản trị",
            "--lastname", "CCHC", "--email", "admin@cchc.local", "--password", ADMIN_PASSWORD,
        )  # fmt: skip
        _superset(p, env, "init")
        stamp.write_text("ok\n", encoding="utf-8")


def running_pid(p: BiPaths) -> int | None:
    try:
        pid = int(p.pid_file.read_text(encoding="utf-8").strip())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def start(p: BiPaths, port: int, *, timeout: float = 180) -> str:
    """Start the server (unless it runs) and wait until /health answers; returns its URL."""
    url = f"http://127.0.0.1:{port}"
    if running_pid(p) is None:
        env = superset_env(p, port)
        log = open(p.log_file, "a", encoding="utf-8")  # noqa: SIM115 - the server keeps it
        subprocess.Popen(
            [
                str(p.bin / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4",
                "--timeout", "300", "--pid", str(p.pid_file), "--daemon", "--capture-output",
                "--error-logfile", str(p.log_file), "superset.app:create_app()",
            ],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/health", timeout=5).status_code == 200:
                return url
        except requests.RequestException:
            pass
        time.sleep(1)
    raise BiError(f"Superset did not answer on {url} within {timeout:.0f}s; see {p.log_file}")


def stop(p: BiPaths, *, timeout: float = 30) -> bool:
    pid = running_pid(p)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and running_pid(p) is not None:
        time.sleep(0.5)
    if running_pid(p) is not None:
        os.kill(pid, signal.SIGKILL)
    Path(p.pid_file).unlink(missing_ok=True)
    return True
