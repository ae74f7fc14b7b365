"""Where Superset lives on this machine and how it is started: its own virtualenv (its
dependencies conflict with Airflow's), built from bi/requirements.lock, and its state under the
state folder."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from cchc.settings import BI_ROLE, Settings, get_settings

# The documented local login (README): the server listens on 127.0.0.1 only.
ADMIN_USER = "admin"
ADMIN_PASSWORD = "cchc-local"
DATABASE_NAME = "Kho CCHC (marts)"


@dataclass(frozen=True)
class BiPaths:
    root: Path  # the repo's bi/ folder
    state: Path  # <state>/bi

    @property
    def lock(self) -> Path:
        return self.root / "requirements.lock"

    @property
    def config(self) -> Path:
        return self.root / "superset_config.py"

    @property
    def assets(self) -> Path:
        return self.root / "superset"

    @property
    def venv(self) -> Path:
        return self.state / "venv"

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    @property
    def home(self) -> Path:
        return self.state / "home"

    @property
    def secret_file(self) -> Path:
        return self.state / "secret_key"

    @property
    def pid_file(self) -> Path:
        return self.state / "gunicorn.pid"

    @property
    def log_file(self) -> Path:
        return self.state / "superset.log"


def paths(settings: Settings | None = None) -> BiPaths:
    settings = settings or get_settings()
    return BiPaths(settings.home / "bi", settings.state_dir / "bi")


def ensure_venv(p: BiPaths) -> Path:
    """The Superset virtualenv, synced to bi/requirements.lock (a stamp skips an unchanged lock)."""
    stamp = p.venv / ".lock-synced"
    # the stamp names how the venv was synced, so a venv synced without bytecode is synced again
    stamp_text = "compile-bytecode\n" + p.lock.read_text(encoding="utf-8")
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == stamp_text and (p.bin / "superset").is_file():
        return p.venv
    uv = Path(sys.executable).with_name("uv")
    uv_cmd = [str(uv)] if uv.is_file() else [sys.executable, "-m", "uv"]
    p.state.mkdir(parents=True, exist_ok=True)
    if not (p.bin / "python").is_file():
        subprocess.run([*uv_cmd, "venv", "-q", "--python", "3.11", str(p.venv)], check=True)
    # --compile-bytecode: otherwise Superset compiles its modules at every start where
    # PYTHONDONTWRITEBYTECODE is set (see the Makefile's venv)
    subprocess.run(
        [*uv_cmd, "pip", "sync", "-q", "--compile-bytecode", "--python", str(p.bin / "python"), str(p.lock)],
        check=True,
    )
    stamp.write_text(stamp_text, encoding="utf-8")
    return p.venv


def secret_key(p: BiPaths) -> str:
    """Generated once per state folder, readable by its owner only."""
    if not p.secret_file.is_file():
        p.state.mkdir(parents=True, exist_ok=True)
        fd = os.open(p.secret_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return p.secret_file.read_text(encoding="utf-8").strip()


def superset_env(p: BiPaths, port: int) -> dict[str, str]:
    p.home.mkdir(parents=True, exist_ok=True)
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "SUPERSET"))},
        "SUPERSET_CONFIG_PATH": str(p.config),
        "SUPERSET_HOME": str(p.home),
        "SUPERSET_SECRET_KEY": secret_key(p),
        "CCHC_BI_METADATA_URI": os.environ.get("CCHC_BI_METADATA_URI", f"sqlite:///{p.home / 'superset.db'}"),
        "CCHC_BI_PORT": str(port),
        "FLASK_APP": "superset.app:create_app()",
        "PYTHONWARNINGS": "ignore",
    }


def warehouse_uri(settings: Settings | None = None) -> tuple[str, str | None]:
    """The warehouse as Superset connects to it: as bi_reader (marts only). The password, when
    there is one, travels separately (the import API's `passwords`), never in a file."""
    from cchc.warehouse.connection import loader_target

    settings = settings or get_settings()
    target = loader_target(settings).with_user(BI_ROLE, None)
    return target.sqlalchemy_url, settings.bi_reader_password
