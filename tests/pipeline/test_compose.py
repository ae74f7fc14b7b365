"""docker-compose.yml: the production shape, checked without a Docker engine."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = re.compile(r"PASSWORD|SECRET|FERNET|TOKEN|PSEUDONYM_KEY|_KEY$", re.I)
# ${VAR}, ${VAR:-default} for what is not secret, ${VAR:?message} for what must be set
INTERPOLATED = re.compile(r"^\$\{[A-Z0-9_]+(?::\?[^}]*)?\}$")
URL_WITH_PASSWORD = re.compile(r"://[^/@:]+:([^@]+)@")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _env(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}


def test_services(compose):
    services = compose["services"]
    assert {
        "airflow-db",
        "warehouse",
        "redis",
        "airflow-init",
        "airflow-apiserver",
        "airflow-scheduler",
        "airflow-dag-processor",
        "airflow-triggerer",
        "airflow-worker",
        "docs",
    } <= set(services)
    # tested on PostgreSQL 18 (embedded): run on 18; the metadata DB apart from the warehouse
    assert services["airflow-db"]["image"] == services["warehouse"]["image"] == "postgres:18"
    assert services["redis"]["image"].startswith("redis:")
    commands = {name: str(s.get("command")) for name, s in services.items()}
    assert "api-server" in commands["airflow-apiserver"]
    assert "scheduler" in commands["airflow-scheduler"]
    assert "dag-processor" in commands["airflow-dag-processor"]
    assert "triggerer" in commands["airflow-triggerer"]
    assert "celery worker" in commands["airflow-worker"]
    assert "cchc db bootstrap" in commands["airflow-init"]
    init_env = _env(services["airflow-init"])
    assert init_env["_AIRFLOW_DB_MIGRATE"] == "true" and init_env["_AIRFLOW_WWW_USER_CREATE"] == "true"


def test_airflow_services_share_the_project_image(compose):
    for name, service in compose["services"].items():
        if name.startswith("airflow-") and name != "airflow-db":
            assert service["build"] == "." and service["image"] == "cchc-warehouse-airflow:latest", name
            assert _env(service)["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM apache/airflow:3\.3\.\d+", dockerfile, re.M)
    assert "requirements.lock" in dockerfile


def test_every_long_running_service_has_a_healthcheck(compose):
    for name, service in compose["services"].items():
        if name.endswith("-init"):  # one-shot jobs: run to completion, never restarted forever
            assert service.get("restart") in ("no", "on-failure"), name
            continue
        check = service.get("healthcheck")
        assert check and check.get("test"), f"{name} has no healthcheck"


def test_mounted_paths_exist(compose):
    mounts = []
    for service in compose["services"].values():
        for volume in service.get("volumes") or []:
            source = volume.split(":", 1)[0]
            if source.startswith((".", "/")):
                mounts.append(source)
    assert {"./dags", "./dbt_project", "./expectations"} <= set(mounts)
    for source in mounts:
        assert (ROOT / source).exists(), f"mounted path {source} does not exist"


def test_no_inline_secrets(compose):
    for name, service in compose["services"].items():
        for key, value in _env(service).items():
            if SECRET_KEY.search(key):
                assert INTERPOLATED.match(value), f"{name}: {key} must come from .env, not inline"
            for password in URL_WITH_PASSWORD.findall(value):
                assert INTERPOLATED.match(password), f"{name}: {key} has an inline password"
        env_file = service.get("env_file")
        if env_file:
            assert env_file in (".env", [".env"])


def test_env_file_is_ignored_and_example_committed():
    example = (ROOT / ".env.example").read_text()
    compose_text = (ROOT / "docker-compose.yml").read_text()
    for var in set(re.findall(r"(?<!\$)\$\{([A-Z0-9_]+)(?::[?-][^}]*)?\}", compose_text)):
        assert re.search(rf"^{var}=", example, re.M), f"{var} missing from .env.example"
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT, check=False)
    assert ignored.returncode == 0, ".env is not git-ignored"


ENV_FILLED = {
    "AIRFLOW_DB_PASSWORD": "db-secret",
    "WAREHOUSE_SUPERUSER_PASSWORD": "su-secret",
    "CCHC_LOADER_PASSWORD": "loader-secret",
    "CCHC_BI_READER_PASSWORD": "bi-secret",
    "AIRFLOW_FERNET_KEY": "fernet",
    "AIRFLOW_JWT_SECRET": "jwt",
    "AIRFLOW_ADMIN_PASSWORD": "admin-secret",
    "CCHC_PSEUDONYM_KEY": "hmac-key",
    "CCHC_PORTAL_URL": "https://portal.example",
    "CCHC_PORTAL_CLIENT_ID": "client",
    "CCHC_PORTAL_CLIENT_SECRET": "client-secret",
    "SUPERSET_DB_PASSWORD": "superset-db-secret",
    "SUPERSET_SECRET_KEY": "superset-key",
    "SUPERSET_ADMIN_PASSWORD": "superset-admin-secret",
}


def _docker_compose(tmp_path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """`docker-compose config`: a real compose implementation (Debian's docker-compose, which
    make test installs) validates the file against the compose schema and interpolates it; it
    needs no Docker engine."""
    import shutil

    exe = shutil.which("docker-compose")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("docker-compose is not installed (make tools installs it)")
        pytest.skip("docker-compose not installed (make tools)")
    env_file = tmp_path / "compose.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in env.items()))
    return subprocess.run(
        [exe, "--env-file", str(env_file), "-f", str(ROOT / "docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": os.environ["PATH"]},
        check=False,
    )


def test_a_real_compose_implementation_accepts_the_file(tmp_path):
    proc = _docker_compose(tmp_path, ENV_FILLED)
    assert proc.returncode == 0, proc.stderr
    rendered = yaml.safe_load(proc.stdout)
    services = rendered["services"]
    # secrets reach only the containers that need them
    for name, service in services.items():
        env = service.get("environment") or {}
        assert ("hmac-key" in env.values()) == (name == "airflow-worker"), name
        has_superuser = any("su-secret" in str(v) for k, v in env.items() if k != "POSTGRES_PASSWORD")
        assert has_superuser == (name == "airflow-init"), name
    # published on loopback only
    for name, service in services.items():
        for port in service.get("ports") or []:
            assert str(port).startswith("127.0.0.1:"), (name, port)
    # a logs volume, as Airflow's own compose has
    worker_mounts = {
        (v["target"] if isinstance(v, dict) else v.split(":")[1])
        for v in services["airflow-worker"]["volumes"]
    }
    assert "/opt/airflow/logs" in worker_mounts
    # Superset: its own metadata DB, published on loopback, fed by the init job as bi_reader
    assert str(services["superset"]["ports"][0]).startswith("127.0.0.1:")
    assert "superset-db" in services["superset"]["environment"]["CCHC_BI_METADATA_URI"]
    assert services["superset-init"]["entrypoint"][:3] == ["cchc", "bi", "import"]
    assert services["superset-init"]["environment"]["CCHC_BI_READER_PASSWORD"] == "bi-secret"


def test_compose_refuses_an_empty_secret(tmp_path):
    proc = _docker_compose(tmp_path, {**ENV_FILLED, "AIRFLOW_FERNET_KEY": ""})
    assert proc.returncode != 0 and "AIRFLOW_FERNET_KEY" in proc.stderr


def test_init_job_refuses_the_example_placeholders(compose, tmp_path):
    """The init job's first lines stop it when a secret is still `change-me`."""
    script = compose["services"]["airflow-init"]["command"][1].replace("$$", "$")
    guard = script.split("/entrypoint", 1)[0]
    env = {"PATH": os.environ["PATH"], "AIRFLOW_JWT_SECRET": "j", "_AIRFLOW_WWW_USER_PASSWORD": "p",
           "CCHC_WAREHOUSE_ADMIN_URL": "postgresql://postgres:s@w/cchc", "CCHC_PG_PASSWORD": "l"}  # fmt: skip
    ok = subprocess.run(["bash", "-c", guard], env=env, capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    env["CCHC_PG_PASSWORD"] = "change-me"
    bad = subprocess.run(["bash", "-c", guard], env=env, capture_output=True, text=True, check=False)
    assert bad.returncode == 1 and "CCHC_PG_PASSWORD" in bad.stdout
