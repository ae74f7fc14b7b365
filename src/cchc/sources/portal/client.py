"""HTTP client of the portal API: OAuth2 client credentials, timeouts, bounded retries.

One `requests.Session`; the bearer token is cached until shortly before it expires and fetched
again, once, when a call answers 401. 429 waits for Retry-After; 500/502/503/504, timeouts and
dropped connections back off exponentially with jitter; after `max_tries` the call fails with a
`PortalError` naming the endpoint, the request body and the last status. A 400 (or any other
4xx) is our bug and is never retried.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests

log = logging.getLogger(__name__)

TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})


class PortalError(RuntimeError):
    """A portal call that did not succeed; the message says which call and what came back."""

    def __init__(self, endpoint: str, body: dict | None, status: int | str | None, detail: str):
        self.endpoint = endpoint
        self.body = body
        self.status = status
        shown = json.dumps(body, ensure_ascii=False, sort_keys=True) if body is not None else "-"
        super().__init__(f"{endpoint} body={shown}: {detail} (last status {status})")


@dataclass(frozen=True)
class RetryPolicy:
    max_tries: int = 5
    backoff_base: float = 0.5  # first wait; doubles each try
    backoff_max: float = 30.0
    retry_after_max: float = 120.0  # a server asking for longer than this is not waited for
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    token_margin: float = 30.0  # refresh this many seconds before the token expires

    def backoff(self, tries_done: int, rng: random.Random) -> float:
        # "equal jitter": half the exponential delay is fixed, half random, so clients spread out
        delay = min(self.backoff_max, self.backoff_base * 2 ** (tries_done - 1))
        return delay / 2 + rng.uniform(0, delay / 2)


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP-date: fall back to our own backoff


class PortalClient:
    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        *,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.policy = policy or RetryPolicy()
        self._credentials = (client_id, client_secret)
        self._session = requests.Session()
        self._token: str | None = None
        self._token_expires = 0.0
        self._sleep = sleep
        self._rng = rng or random.Random()
        self.token_fetches = 0
        self.retries = 0

    @classmethod
    def from_settings(cls, settings=None, **kwargs) -> PortalClient:
        from cchc.settings import get_settings

        settings = settings or get_settings()
        client_id, client_secret = settings.require_portal_credentials()
        kwargs.setdefault(
            "policy",
            RetryPolicy(
                read_timeout=settings.portal_timeout_seconds,
                connect_timeout=min(5.0, settings.portal_timeout_seconds),
                backoff_base=settings.portal_backoff_seconds,
            ),
        )
        return cls(settings.portal_base_url, client_id, client_secret, **kwargs)

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> PortalClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def _timeout(self) -> tuple[float, float]:
        return (self.policy.connect_timeout, self.policy.read_timeout)

    def _fetch_token(self) -> str:
        client_id, client_secret = self._credentials
        form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret}
        last: int | str | None = None
        for tries in range(1, self.policy.max_tries + 1):
            try:
                response = self._session.post(
                    f"{self.base_url}/oauth/token", data=form, timeout=self._timeout
                )
            except requests.RequestException as exc:
                last = type(exc).__name__
            else:
                last = response.status_code
                if response.status_code == 200:
                    try:
                        payload = response.json()
                        self._token = str(payload["access_token"])
                        ttl = float(payload.get("expires_in") or 0)
                    except (ValueError, KeyError, TypeError, AttributeError):
                        raise PortalError(
                            "/oauth/token", None, 200, "token answer without access_token"
                        ) from None
                    margin = min(self.policy.token_margin, ttl / 10)
                    self._token_expires = time.monotonic() + ttl - margin
                    self.token_fetches += 1
                    return self._token
                if response.status_code not in TRANSIENT_STATUSES:
                    raise PortalError(
                        "/oauth/token", None, last, "token refused (check the client credentials)"
                    )
            if tries < self.policy.max_tries:
                self.retries += 1
                self._sleep(self.policy.backoff(tries, self._rng))
        raise PortalError("/oauth/token", None, last, f"gave up after {self.policy.max_tries} tries")

    def _bearer(self) -> str:
        if self._token is None or time.monotonic() >= self._token_expires:
            return self._fetch_token()
        return self._token

    def post(self, endpoint: str, body: dict) -> dict:
        """POST one call and return its `data`; retries what is transient, raises PortalError otherwise."""
        url = self.base_url + endpoint
        refreshed = False
        tries = 0
        last: int | str | None = None
        while tries < self.policy.max_tries:
            tries += 1
            headers = {"Authorization": f"Bearer {self._bearer()}"}
            try:
                response = self._session.post(url, json=body, headers=headers, timeout=self._timeout)
            except (requests.Timeout, requests.ConnectionError) as exc:
                last, wait = type(exc).__name__, self.policy.backoff(tries, self._rng)
            else:
                last = response.status_code
                if response.status_code in (200, 201):
                    data = self._data(endpoint, body, response)
                    if data is not None:
                        return data
                    last, wait = (
                        f"{response.status_code} unreadable body",
                        self.policy.backoff(tries, self._rng),
                    )
                elif response.status_code == 401:
                    if refreshed:
                        raise PortalError(endpoint, body, 401, "unauthorized again right after a new token")
                    # the token died early (revoked, clock skew): one new token, and this try is free
                    refreshed = True
                    self._token = None
                    tries -= 1
                    continue
                elif response.status_code in TRANSIENT_STATUSES:
                    asked = _retry_after(response) if response.status_code == 429 else None
                    if asked is not None and asked > self.policy.retry_after_max:
                        raise PortalError(endpoint, body, 429, f"server asks to wait {asked:.0f} s")
                    wait = asked if asked is not None else self.policy.backoff(tries, self._rng)
                else:
                    raise PortalError(endpoint, body, response.status_code, _message(response))
            if tries < self.policy.max_tries:
                self.retries += 1
                log.info("portal %s: %s, retry %d in %.2f s", endpoint, last, tries, wait)
                self._sleep(wait)
        raise PortalError(endpoint, body, last, f"gave up after {self.policy.max_tries} tries")

    @staticmethod
    def _data(endpoint: str, body: dict, response: requests.Response) -> dict | None:
        try:
            payload = response.json()
        except ValueError:
            return None
        if (
            not isinstance(payload, dict)
            or payload.get("code") != "OK"
            or not isinstance(payload.get("data"), dict)
        ):
            raise PortalError(endpoint, body, response.status_code, f"unexpected answer {str(payload)[:200]}")
        return payload["data"]


def _message(response: requests.Response) -> str:
    try:
        payload = response.json()
        return str(payload.get("message") or payload.get("code") or payload)[:300]
    except ValueError:
        return response.text[:300] or response.reason
