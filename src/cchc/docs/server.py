"""`cchc docs serve`: GX Data Docs and dbt docs over HTTP on 127.0.0.1, one command away.

dbt docs must be served over HTTP (its page fetches manifest.json and catalog.json, which a
browser refuses from file://). Both sites are static folders under the state folder:
  /             a small index linking both
  /data-docs/   GX Data Docs (settings.data_docs_dir), assets vendored (offline_assets)
  /dbt/         dbt docs (settings.dbt_target_dir: index.html, manifest.json, catalog.json)
"""

from __future__ import annotations

import functools
import logging
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cchc.settings import Settings, get_settings

log = logging.getLogger(__name__)

INDEX = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>cchc-warehouse docs</title>
<style>body{font-family:system-ui,sans-serif;margin:3rem;max-width:44rem;color:#222}
a{display:block;margin:1rem 0;font-size:1.2rem}small{color:#666}</style></head><body>
<h1>cchc-warehouse documentation</h1>
<a href="/data-docs/index.html">Great Expectations Data Docs</a>
<small>every validated batch: which expectations passed, failed, and on which rows</small>
<a href="/dbt/index.html">dbt docs</a>
<small>every model and column of staging, intermediate and marts, with the lineage graph</small>
</body></html>"""

# Only these files of the dbt target folder are served (not compiled SQL, run results, logs).
DBT_FILES = {"index.html", "manifest.json", "catalog.json"}


class _Handler(SimpleHTTPRequestHandler):
    sites: dict[str, Path] = {}  # noqa: RUF012 (set per server class below)

    def log_message(self, fmt: str, *args) -> None:
        log.debug("docs server: " + fmt, *args)

    def translate_path(self, path: str) -> str:
        path = path.split("?", 1)[0].split("#", 1)[0]
        for prefix, root in self.sites.items():
            if path.startswith(f"/{prefix}/"):
                rest = path[len(prefix) + 2 :] or "index.html"
                if prefix == "dbt" and rest not in DBT_FILES:
                    return str(root / "__not_served__")
                resolved = (root / rest).resolve()
                # never outside the site's folder
                return (
                    str(resolved) if resolved.is_relative_to(root.resolve()) else str(root / "__not_served__")
                )
        return str(Path("/nonexistent"))

    def do_GET(self) -> None:
        if self.path in ("/", "/index.html"):
            body = INDEX.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()


def make_server(
    settings: Settings | None = None, port: int = 8081, host: str = "127.0.0.1"
) -> ThreadingHTTPServer:
    settings = settings or get_settings()
    handler = type(
        "DocsHandler",
        (_Handler,),
        {"sites": {"data-docs": settings.data_docs_dir, "dbt": settings.dbt_target_dir}},
    )
    return ThreadingHTTPServer((host, port), functools.partial(handler))


def serve_in_thread(settings: Settings | None = None, port: int = 0) -> tuple[ThreadingHTTPServer, str]:
    server = make_server(settings, port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"
