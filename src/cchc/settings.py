"""The one place that reads the environment.

Every other module asks `get_settings()`; nothing else touches `os.environ` (Airflow and dbt
read their own variables, which `airflow_env()` and `dbt_env()` compute from here).
Settings are rebuilt on each call so that tests can point a process at a fresh warehouse.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

LOCAL_TZ = "Asia/Ho_Chi_Minh"
DEMO_PSEUDONYM_KEY = "cchc-demo-key-not-for-production"
DEMO_PORTAL_CLIENT_ID = "cchc-demo"
DEMO_PORTAL_CLIENT_SECRET = "cchc-demo-secret"
EMBEDDED_DATABASE = "cchc"
LOADER_ROLE = "cchc_loader"
BI_ROLE = "bi_reader"


class SettingsError(RuntimeError):
    """A setting needed for this operation is missing or unsafe."""


@dataclass(frozen=True)
class WarehouseTarget:
    """Connection parameters of the warehouse, in every shape the stack needs."""

    user: str
    dbname: str
    host: str  # a hostname, or a socket directory starting with '/'
    port: int = 5432
    password: str | None = None

    @classmethod
    def from_url(cls, url: str) -> WarehouseTarget:
        parsed = urlparse(url)
        query = parse_qs(parsed.query)
        host = query.get("host", [parsed.hostname or "localhost"])[0]
        return cls(
            user=unquote(parsed.username or LOADER_ROLE),
            dbname=(parsed.path or "/").lstrip("/") or EMBEDDED_DATABASE,
            host=host,
            port=parsed.port or int(query.get("port", ["5432"])[0]),
            password=unquote(parsed.password) if parsed.password else None,
        )

    def with_user(self, user: str, password: str | None = None) -> WarehouseTarget:
        return WarehouseTarget(
            user=user, dbname=self.dbname, host=self.host, port=self.port, password=password
        )

    def with_dbname(self, dbname: str) -> WarehouseTarget:
        return WarehouseTarget(self.user, dbname, self.host, self.port, self.password)

    @property
    def is_socket(self) -> bool:
        return self.host.startswith("/")

    def _auth(self) -> str:
        return self.user + (f":{self.password}" if self.password else "")

    @property
    def libpq_url(self) -> str:
        """For psycopg / psql."""
        if self.is_socket:
            return f"postgresql://{self._auth()}@/{self.dbname}?host={self.host}&port={self.port}"
        return f"postgresql://{self._auth()}@{self.host}:{self.port}/{self.dbname}"

    @property
    def sqlalchemy_url(self) -> str:
        """For Great Expectations: its Postgres data source wants a host in the URL."""
        if self.is_socket:
            return (
                f"postgresql+psycopg2://{self._auth()}@localhost/{self.dbname}"
                f"?host={self.host}&port={self.port}"
            )
        return f"postgresql+psycopg2://{self._auth()}@{self.host}:{self.port}/{self.dbname}"

    def dbt_env(self) -> dict[str, str]:
        """Variables read by dbt_project/profiles.yml."""
        return {
            "CCHC_PG_HOST": self.host,
            "CCHC_PG_PORT": str(self.port),
            "CCHC_PG_USER": self.user,
            "CCHC_PG_PASSWORD": self.password or "",
            "CCHC_PG_DBNAME": self.dbname,
        }


def _project_root() -> Path:
    # src/cchc/settings.py -> repo root; CCHC_HOME overrides (container images).
    return Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Settings:
    home: Path
    state_dir: Path
    demo: bool
    warehouse_url: str | None
    warehouse_admin_url: str | None
    bi_reader_password: str | None
    world_dir: Path
    landing_dir: Path
    portal_base_url: str
    portal_client_id: str | None
    portal_client_secret: str | None
    pseudonym_key: str | None
    airflow_home: Path
    province_filter: tuple[str, ...] = field(default_factory=tuple)
    dbt_threads: int = 2
    # Orchestration: how long the nightly DAG waits for a late export, and between retries.
    export_wait_seconds: int = 3 * 3600
    retry_delay_seconds: int = 300
    # Portal client: read timeout and first backoff step (tests and the demo shorten them).
    portal_timeout_seconds: float = 30.0
    portal_backoff_seconds: float = 0.5
    # Petitions still open are pulled again nightly until resolved, back to at most this many days.
    petition_reopen_days: int = 400
    # The local production-shaped stack (cchc stack): loopback ports of its api-server and Redis.
    stack_api_port: int = 8080
    stack_redis_port: int = 6379

    # -- derived paths -------------------------------------------------------------------
    @property
    def embedded(self) -> bool:
        return self.warehouse_url is None

    @property
    def pgdata_dir(self) -> Path:
        return self.state_dir / "pgdata"

    @property
    def dbt_project_dir(self) -> Path:
        return self.home / "dbt_project"

    @property
    def dbt_target_dir(self) -> Path:
        return self.state_dir / "dbt" / "target"

    @property
    def dbt_log_dir(self) -> Path:
        return self.state_dir / "dbt" / "logs"

    @property
    def gx_project_dir(self) -> Path:
        return self.home / "expectations"

    @property
    def data_docs_dir(self) -> Path:
        return self.state_dir / "data_docs"

    @property
    def stack_dir(self) -> Path:
        return self.state_dir / "stack"

    @property
    def outbox_dir(self) -> Path:
        """Generated statutory reports (Biểu 06), one folder per month and province."""
        return self.state_dir / "outbox"

    @property
    def dags_dir(self) -> Path:
        return self.home / "dags"

    def require_pseudonym_key(self) -> bytes:
        """The HMAC key for personal data; production ingestion refuses to run without one."""
        if self.pseudonym_key:
            return self.pseudonym_key.encode()
        if self.demo:
            return DEMO_PSEUDONYM_KEY.encode()
        raise SettingsError(
            "CCHC_PSEUDONYM_KEY is not set: refusing to ingest personal data without a key "
            "(set it from a secret, or CCHC_DEMO=1 for the demo key)"
        )

    def require_portal_credentials(self) -> tuple[str, str]:
        if self.portal_client_id and self.portal_client_secret:
            return self.portal_client_id, self.portal_client_secret
        if self.demo:
            return DEMO_PORTAL_CLIENT_ID, DEMO_PORTAL_CLIENT_SECRET
        raise SettingsError("CCHC_PORTAL_CLIENT_ID / CCHC_PORTAL_CLIENT_SECRET are not set")

    def airflow_env(self) -> dict[str, str]:
        """Environment for Airflow processes run by the CLI (local SQLite metadata DB)."""
        return {
            "AIRFLOW_HOME": str(self.airflow_home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(self.dags_dir),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
            "AIRFLOW__CORE__DEFAULT_TIMEZONE": LOCAL_TZ,
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
            # No telemetry from Cosmos (Scarf) or GX: the network reaches package registries only.
            "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
            "DO_NOT_TRACK": "1",
            "SCARF_NO_ANALYTICS": "true",
            "GX_ANALYTICS_ENABLED": "false",
            "CCHC_HOME": str(self.home),
        }


def _env_bool(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def get_settings(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    home = Path(env.get("CCHC_HOME") or _project_root()).resolve()
    state = Path(env.get("CCHC_STATE_DIR") or home / ".cchc").resolve()
    world = Path(env.get("CCHC_WORLD_DIR") or state / "world").resolve()
    provinces = tuple(p for p in (env.get("CCHC_PROVINCES") or "").replace(" ", "").split(",") if p)
    return Settings(
        home=home,
        state_dir=state,
        demo=_env_bool(env.get("CCHC_DEMO")),
        warehouse_url=env.get("CCHC_WAREHOUSE_URL") or None,
        warehouse_admin_url=env.get("CCHC_WAREHOUSE_ADMIN_URL") or None,
        bi_reader_password=env.get("CCHC_BI_READER_PASSWORD") or None,
        world_dir=world,
        landing_dir=Path(env.get("CCHC_LANDING_DIR") or world / "landing").resolve(),
        portal_base_url=(env.get("CCHC_PORTAL_URL") or "http://127.0.0.1:8765").rstrip("/"),
        portal_client_id=env.get("CCHC_PORTAL_CLIENT_ID") or None,
        portal_client_secret=env.get("CCHC_PORTAL_CLIENT_SECRET") or None,
        pseudonym_key=env.get("CCHC_PSEUDONYM_KEY") or None,
        airflow_home=Path(env.get("CCHC_AIRFLOW_HOME") or state / "airflow").resolve(),
        province_filter=provinces,
        dbt_threads=int(env.get("CCHC_DBT_THREADS") or 2),
        export_wait_seconds=int(env.get("CCHC_EXPORT_WAIT_SECONDS") or 3 * 3600),
        retry_delay_seconds=int(env.get("CCHC_RETRY_DELAY_SECONDS") or 300),
        portal_timeout_seconds=float(env.get("CCHC_PORTAL_TIMEOUT_SECONDS") or 30.0),
        portal_backoff_seconds=float(env.get("CCHC_PORTAL_BACKOFF_SECONDS") or 0.5),
        petition_reopen_days=int(env.get("CCHC_PETITION_REOPEN_DAYS") or 400),
        stack_api_port=int(env.get("CCHC_STACK_API_PORT") or 8080),
        stack_redis_port=int(env.get("CCHC_STACK_REDIS_PORT") or 6379),
    )
