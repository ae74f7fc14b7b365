"""Headless Chromium cannot log in from its command line, so it looks at Superset through a small
loopback proxy that carries a logged-in session (as a given user): what a screenshot shows is what
that user sees, row-level security included."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

_HOP = {"connection", "keep-alive", "transfer-encoding", "content-encoding", "content-length", "set-cookie"}


def login(url: str, username: str, password: str) -> requests.Session:
    """A browser-style session (the login form, its CSRF token, the session cookie)."""
    session = requests.Session()
    # gunicorn closes an idle keep-alive connection after a few seconds; a request that reuses it
    # at that moment is reset (seen in CI: a blank dashboard screenshot). Everything a viewer's
    # page sends is safe to repeat (reads, chart-data queries, Superset's own event log), so a
    # reset connection is retried on a fresh one, POST included.
    retry = Retry(total=3, connect=3, read=2, status=0, allowed_methods=None, backoff_factor=0.2)
    session.mount("http://", HTTPAdapter(max_retries=retry, pool_maxsize=16))
    form = session.get(f"{url}/login/", timeout=60).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', form
    )
    data = {"username": username, "password": password}
    if token:
        data["csrf_token"] = token.group(1)
    session.post(f"{url}/login/", data=data, timeout=60, allow_redirects=True)
    if "session" not in session.cookies.get_dict():
        raise RuntimeError(f"could not log in to {url} as {username}")
    return session


@contextmanager
def logged_in_proxy(url: str, username: str, password: str) -> Iterator[str]:
    """Yields a loopback URL that serves Superset as `username` sees it."""
    session = login(url, username, password)

    class Handler(BaseHTTPRequestHandler):
        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {
                k: v
                for k, v in self.headers.items()
                if k.lower() not in ("host", "cookie", "accept-encoding", *_HOP)
            }
            headers["Accept-Encoding"] = "identity"  # the proxy passes bodies as they are
            # one session for every thread: urllib3's pool is thread-safe, and the cookie jar is
            # only read (the login set it)
            response = session.request(
                self.command, f"{url}{self.path}", data=body, headers=headers,
                allow_redirects=False, timeout=300,
            )  # fmt: skip
            payload = response.content
            self.send_response(response.status_code)
            for key, value in response.headers.items():
                if key.lower() not in _HOP:
                    if key.lower() == "location":
                        value = value.replace(url, "")
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = _forward

        def log_message(self, *args) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
