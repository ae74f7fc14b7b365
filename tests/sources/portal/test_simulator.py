"""The simulator speaks the contract, and produces every fault on request (HTTP seen directly)."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
import requests
from tests.sources.portal.conftest import DAY, PAYMENTS_PER_DAY

from cchc.settings import DEMO_PORTAL_CLIENT_ID, DEMO_PORTAL_CLIENT_SECRET
from cchc_world.portal_sim.faults import FaultPlan, FaultPlanError

CREDS = {"grant_type": "client_credentials", "client_id": DEMO_PORTAL_CLIENT_ID,
         "client_secret": DEMO_PORTAL_CLIENT_SECRET}  # fmt: skip
PAYMENTS = "/api/v1/payments"


def token(sim) -> str:
    response = requests.post(f"{sim.base_url}/oauth/token", data=CREDS, timeout=5)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def call(sim, path: str, body: dict, tok: str | None = None, timeout: float = 5) -> requests.Response:
    headers = {"Authorization": f"Bearer {tok or token(sim)}"}
    return requests.post(sim.base_url + path, json=body, headers=headers, timeout=timeout)


def pay_body(page: int = 1, size: int = 10, province: str = "48") -> dict:
    return {"provinceCode": province, "date": DAY.isoformat(), "currentPage": page, "pageSize": size}


def test_binds_loopback_only_on_a_free_port(sim):
    assert sim._httpd.server_address[0] == "127.0.0.1"
    assert sim.base_url.startswith("http://127.0.0.1:") and sim.port > 0


def test_oauth_client_credentials(sim):
    ok = requests.post(f"{sim.base_url}/oauth/token", data=CREDS, timeout=5)
    assert ok.status_code == 200
    assert ok.json()["token_type"] == "Bearer" and ok.json()["expires_in"] == 3600
    wrong = requests.post(f"{sim.base_url}/oauth/token", data={**CREDS, "client_secret": "x"}, timeout=5)
    assert wrong.status_code == 401
    grant = requests.post(f"{sim.base_url}/oauth/token", data={**CREDS, "grant_type": "password"}, timeout=5)
    assert grant.status_code == 400
    assert requests.post(sim.base_url + PAYMENTS, json=pay_body(), timeout=5).status_code == 401
    assert call(sim, PAYMENTS, pay_body(), tok="not-a-token").status_code == 401


def test_tokens_really_expire(world, portal_sim_factory):
    sim = portal_sim_factory(world, token_ttl=0.3)
    tok = token(sim)
    assert call(sim, PAYMENTS, pay_body(), tok).status_code == 201
    time.sleep(0.4)
    assert call(sim, PAYMENTS, pay_body(), tok).status_code == 401


def test_paging_and_envelope(sim, world):
    tok = token(sim)
    pages = [call(sim, PAYMENTS, pay_body(page, 10), tok) for page in (1, 2, 3, 4)]
    assert [p.status_code for p in pages] == [201] * 4
    data = [p.json()["data"] for p in pages]
    assert all(p.json()["code"] == "OK" for p in pages)
    assert [d["totalElements"] for d in data] == [PAYMENTS_PER_DAY] * 4
    assert [d["totalPages"] for d in data] == [3] * 4
    assert [d["currentPage"] for d in data] == [1, 2, 3, 4]
    assert [len(d["content"]) for d in data] == [10, 10, 5, 0]
    served = [r["transactionId"] for d in data for r in d["content"]]
    import json

    on_disk = [json.loads(line)["transactionId"] for line in
               (world / "portal/payments/48" / f"{DAY}.jsonl").read_text().splitlines()]  # fmt: skip
    assert served == on_disk


def test_filters_of_each_endpoint(sim):
    tok = token(sim)
    everything = call(sim, "/api/v1/formalities", {"currentPage": 1, "pageSize": 1000}, tok).json()["data"]
    recent = call(sim, "/api/v1/formalities", {"updatedFrom": "2025-07-10", "pageSize": 1000}, tok).json()[
        "data"
    ]
    assert everything["totalElements"] == 30
    assert recent["totalElements"] == 30 - 20
    assert all(r["updatedAt"] >= "2025-07-10" for r in recent["content"])
    petitions = call(sim, "/api/v1/petitions",
                     {"provinceCode": "48", "fromDate": "2025-06-29", "toDate": "2025-07-01"}, tok)  # fmt: skip
    assert petitions.json()["data"]["totalElements"] == 3 * 5
    scores = call(sim, "/api/v1/reporting/evaluation/service-results",
                  {"timeType": "month", "year": 2025, "month": 7}, tok).json()["data"]  # fmt: skip
    assert sorted(r["departmentCode"] for r in scores["content"]) == ["01", "48", "79"]
    nothing = call(sim, PAYMENTS, {"provinceCode": "79", "date": "2025-07-01"}, tok).json()["data"]
    assert nothing == {"content": [], "totalElements": 0, "totalPages": 0, "currentPage": 1}


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (PAYMENTS, {"provinceCode": "48", "date": "2025-07-01", "pageSize": 1001}),
        (PAYMENTS, {"provinceCode": "48", "date": "2025-07-01", "currentPage": 0}),
        (PAYMENTS, {"date": "2025-07-01"}),
        (PAYMENTS, {"provinceCode": "48", "date": "01/07/2025"}),
        (PAYMENTS, {"provinceCode": "48", "date": "2025-07-01", "unit": "x"}),
        ("/api/v1/petitions", {"provinceCode": "48", "fromDate": "2025-07-02", "toDate": "2025-07-01"}),
        ("/api/v1/reporting/evaluation/service-results", {"timeType": "quarter", "year": 2025, "month": 7}),
        ("/api/v1/reporting/evaluation/service-results", {"timeType": "month", "year": 2025, "month": 13}),
    ],
)
def test_bad_requests_get_400(sim, path, body):
    response = call(sim, path, body)
    assert response.status_code == 400
    assert response.json()["code"] == "BAD_REQUEST" and response.json()["message"]


def test_not_json_not_post_not_an_endpoint(sim):
    tok = token(sim)
    headers = {"Authorization": f"Bearer {tok}", "Content-Type": "application/json"}
    assert (
        requests.post(sim.base_url + PAYMENTS, data=b"{oops", headers=headers, timeout=5).status_code == 400
    )
    assert requests.get(sim.base_url + PAYMENTS, headers=headers, timeout=5).status_code == 405
    assert call(sim, "/api/v1/nothing", {}, tok).status_code == 404


@pytest.mark.parametrize("status", ["500", "502", "503", "504"])
def test_server_errors_on_first_attempt_only(world, portal_sim_factory, status):
    sim = portal_sim_factory(world, faults=[{"fault": status, "endpoint": "payments"}])
    tok = token(sim)
    assert call(sim, PAYMENTS, pay_body(), tok).status_code == int(status)
    assert call(sim, PAYMENTS, pay_body(), tok).status_code == 201
    assert sim.stats.fault_count(status) == 1


def test_429_carries_retry_after(world, portal_sim_factory):
    sim = portal_sim_factory(world, faults=[{"fault": "429", "retry_after": 7, "attempts": [1, 2]}])
    tok = token(sim)
    first, second, third = (call(sim, PAYMENTS, pay_body(), tok) for _ in range(3))
    assert (first.status_code, second.status_code, third.status_code) == (429, 429, 201)
    assert first.headers["Retry-After"] == "7"


def test_hang_outlasts_the_client_timeout(world, portal_sim_factory):
    sim = portal_sim_factory(world, faults=[{"fault": "hang", "hang_seconds": 2}])
    tok = token(sim)
    started = time.monotonic()
    with pytest.raises(requests.ReadTimeout):
        call(sim, PAYMENTS, pay_body(), tok, timeout=0.3)
    assert time.monotonic() - started < 1.5
    assert call(sim, PAYMENTS, pay_body(), tok).status_code == 201


def test_token_expires_mid_paging(world, portal_sim_factory):
    sim = portal_sim_factory(world, faults=[{"fault": "expire_token", "page": 2}])
    tok = token(sim)
    assert call(sim, PAYMENTS, pay_body(1), tok).status_code == 201
    assert call(sim, PAYMENTS, pay_body(2), tok).status_code == 401
    assert call(sim, PAYMENTS, pay_body(3), tok).status_code == 401  # that token is dead for good
    assert call(sim, PAYMENTS, pay_body(2), token(sim)).status_code == 201


def test_record_inserted_while_paging_shifts_one_record(world, portal_sim_factory):
    sim = portal_sim_factory(world, faults="shift:payments")
    tok = token(sim)
    first = call(sim, PAYMENTS, pay_body(1), tok).json()["data"]
    second = call(sim, PAYMENTS, pay_body(2), tok).json()["data"]
    assert first["totalElements"] == PAYMENTS_PER_DAY - 1
    assert second["totalElements"] == PAYMENTS_PER_DAY
    assert second["content"][0] == first["content"][-1]  # seen twice
    assert sim.stats.fault_count("shift") == 1


def test_short_page_keeps_the_total(world, portal_sim_factory):
    sim = portal_sim_factory(world, faults=[{"fault": "short_page", "page": 1}])
    data = call(sim, PAYMENTS, pay_body(1)).json()["data"]
    assert (len(data["content"]), data["totalElements"]) == (9, PAYMENTS_PER_DAY)


@pytest.mark.parametrize(
    ("kind", "check"),
    [
        ("negative_amount", lambda r: isinstance(r.get("amount"), int) and r["amount"] < 0),
        ("missing_key", lambda r: "transactionId" not in r),
        ("unknown_enum", lambda r: r.get("status") == "REFUNDED"),
    ],
)
def test_record_breaking_the_contract(world, portal_sim_factory, kind, check):
    sim = portal_sim_factory(world, faults=[{"fault": "bad_record", "kind": kind}])
    tok = token(sim)
    content = call(sim, PAYMENTS, pay_body(size=100), tok).json()["data"]["content"]
    assert sum(1 for r in content if check(r)) == 1
    again = call(sim, PAYMENTS, pay_body(size=100), tok).json()["data"]["content"]
    assert again == content  # the broken record is data: the same on every read


def test_faults_are_deterministic_for_a_seed(world, portal_sim_factory):
    def fired(seed: int) -> list:
        sim = portal_sim_factory(world, faults="503@0.3,bad_record@0.5", seed=seed)
        tok = token(sim)
        for province in ("48", "01"):
            for page in (1, 2, 3):
                call(sim, PAYMENTS, pay_body(page, province=province), tok)
        return sim.stats.faults

    assert fired(7) == fired(7)
    assert any(fired(7) != fired(seed) for seed in (8, 9, 10))


def test_fault_plans_parse_or_say_why():
    assert len(FaultPlan.parse("demo").rules) == 8
    plan = FaultPlan.parse('{"seed": 3, "rules": [{"fault": "hang", "hang_seconds": 0.5}]}')
    assert plan.seed == 3 and plan.rules[0].hang_seconds == 0.5
    with pytest.raises(FaultPlanError, match="unknown fault"):
        FaultPlan.parse("explode@0.5")
    with pytest.raises(FaultPlanError, match="rate"):
        FaultPlan.parse("429@2")


def test_cli_serves_and_stops(world):
    proc = subprocess.Popen(
        [sys.executable, "-m", "cchc.cli", "portal-sim", "--world", str(world), "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = ""
        deadline = time.monotonic() + 30
        while "portal simulator on" not in line and time.monotonic() < deadline:
            line = proc.stderr.readline()
            assert line or proc.poll() is None, "cchc portal-sim exited before serving"
        url = line.split("portal simulator on ", 1)[1].split()[0]
        assert url.startswith("http://127.0.0.1:")
        assert requests.post(f"{url}/oauth/token", data=CREDS, timeout=5).status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_start_in_thread_returns_the_base_url_and_stops(world):
    from cchc_world.portal_sim.testing import start_in_thread

    url = start_in_thread(world)
    try:
        assert isinstance(url, str) and url.startswith("http://127.0.0.1:")
        assert requests.post(f"{url}/oauth/token", data=CREDS, timeout=5).status_code == 200
    finally:
        url.stop()
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{url}/oauth/token", data=CREDS, timeout=2)
