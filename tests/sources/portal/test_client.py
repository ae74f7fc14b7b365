"""The client survives each fault the simulator throws, and fails with a named error when it must."""

from __future__ import annotations

import random
import time

import pytest
from tests.sources.portal.conftest import DAY, FAST, PAYMENTS_PER_DAY, make_client

from cchc.sources.portal.client import PortalError, RetryPolicy
from cchc.sources.portal.paging import ShortCountError, fetch_all

PAYMENTS = "/api/v1/payments"
FILTERS = {"provinceCode": "48", "date": DAY.isoformat()}


def body(page: int = 1, size: int = 10) -> dict:
    return {**FILTERS, "currentPage": page, "pageSize": size}


@pytest.mark.parametrize("status", ["500", "502", "503", "504", "429"])
def test_transient_status_is_retried(world, portal_sim_factory, status):
    sim = portal_sim_factory(world, faults=[{"fault": status, "attempts": [1, 2], "retry_after": 0}])
    client = make_client(sim)
    data = client.post(PAYMENTS, body())
    assert data["totalElements"] == PAYMENTS_PER_DAY
    assert client.retries == 2 and sim.stats.requests[PAYMENTS] == 3


def test_retry_after_is_honoured_and_backoff_grows_with_jitter(world, portal_sim_factory):
    sim = portal_sim_factory(
        world,
        faults=[
            {"fault": "429", "retry_after": 3, "attempts": [1], "page": 1},
            {"fault": "503", "attempts": [1, 2, 3], "page": 2},
        ],
    )
    waits: list[float] = []
    policy = RetryPolicy(max_tries=5, backoff_base=1.0, backoff_max=60)
    client = make_client(sim, policy, sleep=waits.append, rng=random.Random(1))
    client.post(PAYMENTS, body(1))
    client.post(PAYMENTS, body(2))
    assert waits[0] == 3.0  # Retry-After, not our own backoff
    backoffs = waits[1:]
    assert len(backoffs) == 3
    for n, wait in enumerate(backoffs, start=1):
        full = 1.0 * 2 ** (n - 1)
        assert full / 2 <= wait <= full  # exponential, half of it jitter


def test_400_is_never_retried(sim):
    client = make_client(sim)
    with pytest.raises(PortalError) as err:
        client.post(PAYMENTS, {**body(), "pageSize": 5000})
    assert err.value.status == 400 and client.retries == 0
    assert sim.stats.requests[PAYMENTS] == 1
    assert "pageSize" in str(err.value)


def test_bounded_retries_give_a_named_error(world, portal_sim_factory):
    sim = portal_sim_factory(world, faults=[{"fault": "503", "attempts": None}])
    client = make_client(sim)
    with pytest.raises(PortalError) as err:
        client.post(PAYMENTS, body())
    message = str(err.value)
    assert PAYMENTS in message and '"provinceCode": "48"' in message and "last status 503" in message
    assert "gave up after 4 tries" in message
    assert sim.stats.requests[PAYMENTS] == FAST.max_tries


def test_hung_response_times_out_and_is_retried(world, portal_sim_factory):
    sim = portal_sim_factory(world, faults=[{"fault": "hang", "hang_seconds": 3}])
    client = make_client(sim)
    assert client.post(PAYMENTS, body())["totalElements"] == PAYMENTS_PER_DAY
    assert client.retries == 1


def test_token_expiring_mid_paging_costs_exactly_one_refresh(world, portal_sim_factory):
    sim = portal_sim_factory(world, faults=[{"fault": "expire_token", "page": 2}])
    client = make_client(sim)
    result = fetch_all(client, PAYMENTS, FILTERS, "transactionId", page_size=10)
    assert len(result.records) == PAYMENTS_PER_DAY
    assert sim.stats.fault_count("expire_token") == 1
    assert client.token_fetches == 2 and sim.stats.tokens_issued == 2


def test_second_401_in_a_row_is_an_error(world, portal_sim_factory):
    sim = portal_sim_factory(world, faults=[{"fault": "expire_token", "attempts": [1, 2]}])
    with pytest.raises(PortalError, match="unauthorized again"):
        make_client(sim).post(PAYMENTS, body())
    assert sim.stats.tokens_issued == 2


def test_token_past_its_lifetime_is_renewed_before_the_call(world, portal_sim_factory):
    sim = portal_sim_factory(world, token_ttl=1)
    client = make_client(sim)
    client.post(PAYMENTS, body())
    time.sleep(0.95)  # past expires_in minus the client's margin, still inside the server's lifetime
    client.post(PAYMENTS, body())
    assert client.token_fetches == 2 and sim.stats.requests[PAYMENTS] == 2  # no 401 round trip


def test_wrong_credentials_are_not_retried(sim):
    from cchc.sources.portal.client import PortalClient

    client = PortalClient(sim.base_url, "someone", "wrong", policy=FAST)
    with pytest.raises(PortalError, match="token refused"):
        client.post(PAYMENTS, body())
    assert sim.stats.tokens_issued == 0


def test_shifting_record_is_deduplicated_and_the_new_one_taken_in(world, portal_sim_factory):
    sim = portal_sim_factory(world, faults="shift:payments")
    result = fetch_all(make_client(sim), PAYMENTS, FILTERS, "transactionId", page_size=10)
    assert sim.stats.fault_count("shift") == 1
    keys = [r["transactionId"] for r in result.records]
    # pass 1 saw 24 announced, a duplicate, and 25 announced on page 2; pass 2 reads all 25
    assert len(keys) == len(set(keys)) == result.total_elements == PAYMENTS_PER_DAY
    assert result.duplicates == 1 and result.passes == 2


def test_short_count_is_read_again(world, portal_sim_factory):
    sim = portal_sim_factory(world, faults=[{"fault": "short_page", "page": 2}])
    result = fetch_all(make_client(sim), PAYMENTS, FILTERS, "transactionId", page_size=10)
    assert len(result.records) == PAYMENTS_PER_DAY and result.passes == 2


def test_short_count_after_every_pass_is_an_error(world, portal_sim_factory):
    sim = portal_sim_factory(world, faults=[{"fault": "short_page", "page": 2, "attempts": None}])
    with pytest.raises(ShortCountError) as err:
        fetch_all(make_client(sim), PAYMENTS, FILTERS, "transactionId", page_size=10)
    assert "24 distinct records of 25 announced after 3 passes" in str(err.value) and PAYMENTS in str(
        err.value
    )


def test_records_without_key_are_kept(world, portal_sim_factory):
    sim = portal_sim_factory(world, faults=[{"fault": "bad_record", "kind": "missing_key"}])
    result = fetch_all(make_client(sim), PAYMENTS, FILTERS, "transactionId", page_size=10)
    assert len(result.records) == PAYMENTS_PER_DAY
    assert sum("transactionId" not in r for r in result.records) == 1
