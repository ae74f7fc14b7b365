"""The portal simulator: the National Public Service Portal's data API served from a world folder.

Implements `docs/SOURCES.md`: POST + JSON, 201 `{"code": "OK", "data": …}`, paging,
per-endpoint filters, 400 for bad requests, OAuth2 client credentials with tokens that expire
after `token_ttl` seconds, and the faults of `cchc_world.portal_sim.faults`. It binds to 127.0.0.1
only: it serves synthetic data for tests and the demo, never a network.
"""

from __future__ import annotations

import json
import logging
import math
import re
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

from cchc.settings import DEMO_PORTAL_CLIENT_ID, DEMO_PORTAL_CLIENT_SECRET
from cchc_world.portal_sim.faults import BAD_RECORD_KINDS, FaultPlan, FaultRule
from cchc_world.portal_sim.portal_data import PortalWorld

log = logging.getLogger(__name__)

API = "/api/v1/"
MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 100
MAX_RANGE_DAYS = 366
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PROVINCE_RE = re.compile(r"^\d{2}$")

# endpoint -> (record key, filters it accepts)
ENDPOINTS: dict[str, tuple[str, frozenset[str]]] = {
    "formalities": ("code", frozenset({"updatedFrom"})),
    "dossier-sync": ("dossierCode", frozenset({"provinceCode", "date"})),
    "payments": ("transactionId", frozenset({"provinceCode", "date"})),
    "petitions": ("id", frozenset({"provinceCode", "fromDate", "toDate"})),
    "ratings": ("dossierCode", frozenset({"provinceCode", "date"})),
    "reporting/evaluation/service-results": ("departmentCode", frozenset({"timeType", "year", "month"})),
}
# where bad_record can break a record of each endpoint
_NUMERIC = {
    "payments": "amount",
    "formalities": "processingDays",
    "reporting/evaluation/service-results": "totalScore",
}
_ENUM = {
    "payments": ("status", "REFUNDED"),
    "ratings": ("level", "RAT_TE"),
    "petitions": ("category", "KHAC"),
    "formalities": ("onlineLevel", "MUC_DO_4"),
}


class BadRequest(ValueError):
    """The client sent something the contract does not allow (answered with 400)."""


@dataclass
class SimulatorStats:
    """What happened, for tests and the demo log."""

    tokens_issued: int = 0
    requests: Counter = field(default_factory=Counter)
    faults: list[tuple[str, str, str]] = field(default_factory=list)  # (fault, path, detail)

    def fault_count(self, fault: str) -> int:
        return sum(1 for f, _, _ in self.faults if f == fault)


def _canonical(body: dict) -> str:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _int(body: dict, name: str, default: int | None, low: int, high: int) -> int:
    value = body.get(name, default)
    if value is None:
        raise BadRequest(f"{name} is required")
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BadRequest(f"{name} must be an integer in {low}..{high}, got {value!r}")
    return value


def _date(body: dict, name: str, *, required: bool = True) -> date | None:
    value = body.get(name)
    if value is None:
        if required:
            raise BadRequest(f"{name} is required (YYYY-MM-DD)")
        return None
    try:
        if not isinstance(value, str) or not _DATE_RE.match(value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"{name} must be a date YYYY-MM-DD, got {value!r}") from None


def _province(body: dict) -> str:
    value = body.get("provinceCode")
    if not isinstance(value, str) or not _PROVINCE_RE.match(value):
        raise BadRequest(f"provinceCode must be a two-digit province code, got {value!r}")
    return value


class PortalSimulator:
    """The simulator; `start()` serves in a background thread, `serve_forever()` in this one."""

    def __init__(
        self,
        world_dir: Path | str,
        *,
        port: int = 0,
        faults: FaultPlan | str | dict | list | None = None,
        seed: int = 0,
        token_ttl: float = 3600.0,
        client_id: str = DEMO_PORTAL_CLIENT_ID,
        client_secret: str = DEMO_PORTAL_CLIENT_SECRET,
    ):
        self.world = PortalWorld(world_dir)
        self.faults = faults if isinstance(faults, FaultPlan) else FaultPlan.parse(faults, seed=seed)
        self.token_ttl = token_ttl
        self._credentials = (client_id, client_secret)
        self._tokens: dict[str, float] = {}
        self._attempts: Counter = Counter()
        self._shift: dict[str, str] = {}  # dataset key -> "held" | "revealed"
        self._noted_bad: set[tuple[str, int]] = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.stats = SimulatorStats()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.simulator = self  # type: ignore[attr-defined]

    # -- lifecycle ------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> str:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="portal-sim", daemon=True
        )
        self._thread.start()
        return self.base_url

    def serve_forever(self) -> None:
        try:
            self._httpd.serve_forever()
        finally:
            self._httpd.server_close()

    def stop(self) -> None:
        self._stopping.set()  # wakes hung responses
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> PortalSimulator:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- tokens ---------------------------------------------------------------------------
    def issue_token(self, form: dict[str, str]) -> tuple[int, dict]:
        if form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type"}
        if (form.get("client_id"), form.get("client_secret")) != self._credentials:
            return 401, {"error": "invalid_client"}
        token = secrets.token_urlsafe(24)
        with self._lock:
            now = time.monotonic()
            self._tokens = {t: exp for t, exp in self._tokens.items() if exp > now}
            self._tokens[token] = now + self.token_ttl
            self.stats.tokens_issued += 1
        return 200, {"access_token": token, "token_type": "Bearer", "expires_in": math.ceil(self.token_ttl)}

    def token_valid(self, token: str | None) -> bool:
        with self._lock:
            expiry = self._tokens.get(token or "")
            return expiry is not None and expiry > time.monotonic()

    def revoke(self, token: str) -> None:
        with self._lock:
            self._tokens.pop(token, None)

    # -- API ------------------------------------------------------------------------------
    def attempt(self, request_key: str) -> int:
        with self._lock:
            self._attempts[request_key] += 1
            return self._attempts[request_key]

    def note_fault(self, fault: str, path: str, detail: str) -> None:
        with self._lock:
            self.stats.faults.append((fault, path, detail))
        log.info("portal-sim fault %s on %s %s", fault, path, detail)

    def dataset(self, endpoint: str, body: dict) -> tuple[list[dict], str]:
        """The records a query selects (all pages), and the dataset's key (filters without paging)."""
        allowed = ENDPOINTS[endpoint][1] | {"currentPage", "pageSize"}
        unknown = sorted(set(body) - allowed)
        if unknown:
            raise BadRequest(f"unknown field(s) {', '.join(unknown)} for {API}{endpoint}")
        filters = {k: v for k, v in body.items() if k not in ("currentPage", "pageSize")}
        if endpoint == "formalities":
            records = self.world.formalities(_date(body, "updatedFrom", required=False))
        elif endpoint == "petitions":
            province, first, last = _province(body), _date(body, "fromDate"), _date(body, "toDate")
            if last < first or (last - first).days >= MAX_RANGE_DAYS:
                raise BadRequest(
                    f"fromDate..toDate must be an ordered range of at most {MAX_RANGE_DAYS} days"
                )
            records = self.world.daily_range(endpoint, province, first, last)
        elif endpoint == "reporting/evaluation/service-results":
            if body.get("timeType") not in ("month", "year"):
                raise BadRequest(f"timeType must be 'month' or 'year', got {body.get('timeType')!r}")
            records = self.world.service_results(
                _int(body, "year", None, 2000, 2100), _int(body, "month", None, 1, 12), body["timeType"]
            )
        else:
            records = self.world.daily(endpoint, _province(body), _date(body, "date"))
        return records, f"{endpoint}?{_canonical(filters)}"

    def apply_data_faults(
        self, endpoint: str, body: dict, records: list[dict], dataset_key: str, page: int, page_size: int
    ) -> list[dict]:
        path = API + endpoint
        for index, rule in self.faults.data_faults(path, body, dataset_key):
            if rule.fault == "bad_record" and records:
                records = self._break_record(endpoint, records, index, rule, dataset_key)
            elif rule.fault == "shift":
                with self._lock:
                    state = self._shift.get(dataset_key)
                    if state is None and page == 1 and len(records) > page_size:
                        state = self._shift[dataset_key] = "held"
                    elif state == "held" and page >= 2:
                        state = self._shift[dataset_key] = "revealed"
                        fired = True
                    else:
                        fired = False
                if state == "revealed" and fired:
                    self.note_fault("shift", path, f"{dataset_key} page {page}")
                if state == "held":
                    records = records[1:]
        return records

    def _break_record(
        self, endpoint: str, records: list[dict], index: int, rule: FaultRule, dataset_key: str
    ) -> list[dict]:
        i = self.faults.choose(index, dataset_key, len(records))
        kind = rule.kind or BAD_RECORD_KINDS[self.faults.choose(index, dataset_key + "#kind", 3)]
        if kind == "negative_amount" and endpoint not in _NUMERIC:
            kind = "unknown_enum"
        if kind == "unknown_enum" and endpoint not in _ENUM:
            kind = "missing_key"
        broken = dict(records[i])
        if kind == "negative_amount":
            name = _NUMERIC[endpoint]
            value = broken.get(name)
            broken[name] = -abs(value) if isinstance(value, int | float) and value else -1000
        elif kind == "unknown_enum":
            name, value = _ENUM[endpoint]
            broken[name] = value
        else:
            broken.pop(ENDPOINTS[endpoint][0], None)
        with self._lock:
            if (dataset_key, i) not in self._noted_bad:
                self._noted_bad.add((dataset_key, i))
                noted = True
            else:
                noted = False
        if noted:
            self.note_fault("bad_record", API + endpoint, f"{kind} at index {i} of {dataset_key}")
        return [*records[:i], broken, *records[i + 1 :]]

    def handle_api(self, endpoint: str, token: str | None, raw_body: bytes) -> tuple[int, dict, dict]:
        """(status, JSON body, extra headers) for one API call."""
        path = API + endpoint
        with self._lock:
            self.stats.requests[path] += 1
        if not self.token_valid(token):
            return 401, {"code": "UNAUTHORIZED", "message": "missing, unknown or expired token"}, {}
        try:
            body = json.loads(raw_body or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError):
            return 400, {"code": "BAD_REQUEST", "message": "body is not JSON"}, {}
        if not isinstance(body, dict):
            return 400, {"code": "BAD_REQUEST", "message": "body must be a JSON object"}, {}
        try:
            page = _int(body, "currentPage", 1, 1, 10**9)
            page_size = _int(body, "pageSize", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
            records, dataset_key = self.dataset(endpoint, body)
        except BadRequest as exc:
            return 400, {"code": "BAD_REQUEST", "message": str(exc)}, {}

        request_key = f"{path}?{_canonical(body)}"
        rule = self.faults.transient(path, body, request_key, self.attempt(request_key))
        if rule is not None:
            self.note_fault(rule.fault, path, _canonical(body))
            if rule.fault == "429":
                return 429, {"code": "TOO_MANY_REQUESTS"}, {"Retry-After": str(rule.retry_after)}
            if rule.fault in {"500", "502", "503", "504"}:
                return int(rule.fault), {"code": "SERVER_ERROR", "message": "simulated failure"}, {}
            if rule.fault == "expire_token":
                self.revoke(token or "")
                return 401, {"code": "UNAUTHORIZED", "message": "token expired"}, {}
            if rule.fault == "hang":
                self._stopping.wait(rule.hang_seconds)

        records = self.apply_data_faults(endpoint, body, records, dataset_key, page, page_size)
        total = len(records)
        content = records[(page - 1) * page_size : page * page_size]
        if rule is not None and rule.fault == "short_page" and content:
            content = content[:-1]
        data = {
            "content": content,
            "totalElements": total,
            "totalPages": math.ceil(total / page_size),
            "currentPage": page,
        }
        return 201, {"code": "OK", "data": data}, {}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "cchc-portal-sim"
    # headers and body go out in two writes: without this, Nagle + delayed ACK add 40 ms per call
    disable_nagle_algorithm = True

    @property
    def sim(self) -> PortalSimulator:
        return self.server.simulator  # type: ignore[attr-defined]

    def log_message(self, format, *args):
        log.debug("portal-sim %s", format % args)

    def _send(self, status: int, payload: dict, headers: dict | None = None) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (e.g. timed out on a hung response)

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_POST(self):
        raw = self._read_body()
        path = self.path.split("?", 1)[0]
        if path == "/oauth/token":
            form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
            self._send(*self.sim.issue_token(form))
            return
        endpoint = path[len(API) :] if path.startswith(API) else None
        if endpoint not in ENDPOINTS:
            self._send(404, {"code": "NOT_FOUND", "message": f"no endpoint {path}"})
            return
        auth = self.headers.get("Authorization") or ""
        token = auth[7:] if auth.startswith("Bearer ") else None
        try:
            status, payload, headers = self.sim.handle_api(endpoint, token, raw)
        except Exception as exc:  # a broken world file must answer 500, not kill the thread silently
            log.exception("portal-sim failed on %s", path)
            status, payload, headers = 500, {"code": "SERVER_ERROR", "message": str(exc)}, {}
        self._send(status, payload, headers)

    def _not_allowed(self):
        self._read_body()
        self._send(405, {"code": "METHOD_NOT_ALLOWED", "message": "the portal API reads with POST"})

    do_GET = do_PUT = do_DELETE = do_PATCH = _not_allowed
