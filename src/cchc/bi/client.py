"""A small client of Superset's REST API: login (JWT), the CSRF token its writes need, JSON."""

from __future__ import annotations

from typing import Any

import requests


class SupersetApiError(RuntimeError):
    pass


class SupersetClient:
    def __init__(self, url: str, username: str, password: str) -> None:
        self.url = url.rstrip("/")
        self.session = requests.Session()
        login = self.session.post(
            f"{self.url}/api/v1/security/login",
            json={"username": username, "password": password, "provider": "db", "refresh": True},
            timeout=60,
        )
        if login.status_code != 200:
            raise SupersetApiError(f"login as {username} failed: HTTP {login.status_code} {login.text[:200]}")
        self.session.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        csrf = self.session.get(f"{self.url}/api/v1/security/csrf_token/", timeout=60)
        self.session.headers["X-CSRFToken"] = csrf.json()["result"]
        self.session.headers["Referer"] = self.url

    def request(self, method: str, path: str, *, ok=(200, 201), **kwargs: Any) -> Any:
        response = self.session.request(method, f"{self.url}{path}", timeout=300, **kwargs)
        if response.status_code not in ok:
            raise SupersetApiError(f"{method} {path}: HTTP {response.status_code} {response.text[:500]}")
        if "json" in response.headers.get("Content-Type", ""):
            return response.json()
        return response.content

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Any:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.request("DELETE", path, **kwargs)

    def all(self, resource: str, **query: Any) -> list[dict]:
        """Every record of a list endpoint (rison `q`), following pages."""

        out, page = [], 0
        while True:
            q = {"page": page, "page_size": 100, **query}
            body = self.get(f"/api/v1/{resource}/", params={"q": _rison(q)})
            out.extend(body.get("result", []))
            if len(out) >= body.get("count", 0) or not body.get("result"):
                return out
            page += 1


def _rison(value: Any) -> str:
    """Rison, the URL-friendly JSON Superset's list endpoints read (enough of it for queries)."""
    if isinstance(value, dict):
        return "(" + ",".join(f"{k}:{_rison(v)}" for k, v in value.items()) + ")"
    if isinstance(value, list | tuple):
        return "!(" + ",".join(_rison(v) for v in value) + ")"
    if value is True:
        return "!t"
    if value is False:
        return "!f"
    if value is None:
        return "!n"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    if text and all(c.isalnum() or c in "-_./~" for c in text) and not text[0].isdigit():
        return text
    return "'" + text.replace("!", "!!").replace("'", "!'") + "'"
