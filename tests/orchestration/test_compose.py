"""docker-compose.yml: the production shape, checked without a Docker engine."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = re.compile(r"PASSWORD|SECRET|FERNET|TOKEN|PSEUDONYM_KEY|_KEY$", re.I)
INTERPOLATED = re.compile(r"^\$\{[A-Z0-9_]+\}$")
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
        "postgres",
        "redis",
        "airflow-init",
        "airflow-apiserver",
        "airflow-scheduler",
        "airflow-dag-processor",
        "airflow-triggerer",
        "airflow-worker",
    } <= set(services)
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:")
    commands = {name: str(s.get("command")) for name, s in services.items()}
    assert "api-server" in commands["airflow-apiserver"]
    assert "scheduler" in commands["airflow-scheduler"]
    assert "dag-processor" in commands["airflow-dag-processor"]
    assert "triggerer" in commands["airflow-triggerer"]
    assert "celery worker" in commands["airflow-worker"]
    assert "db migrate" in commands["airflow-init"] and "cchc db bootstrap" in commands["airflow-init"]


def test_airflow_services_share_the_project_image(compose):
    for name, service in compose["services"].items():
        if name.startswith("airflow-"):
            assert service["build"] == "." and service["image"] == "cchc-warehouse-airflow:latest", name
            assert _env(service)["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM apache/airflow:3\.3\.\d+", dockerfile, re.M)
    assert "requirements.lock" in dockerfile


def test_every_long_running_service_has_a_healthcheck(compose):
    for name, service in compose["services"].items():
        if name == "airflow-init":
            assert service.get("restart") == "no"
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
    for var in set(re.findall(r"(?<!\$)\$\{([A-Z0-9_]+)\}", compose_text)):
        assert re.search(rf"^{var}=", example, re.M), f"{var} missing from .env.example"
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT, check=False)
    assert ignored.returncode == 0, ".env is not git-ignored"
