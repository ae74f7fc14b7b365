"""Headless Chromium for what a person would look at: a screenshot, or the page's DOM after its
scripts ran. Debian's `chromium` (make tools installs it); flags keep it off the network but
loopback (this machine reaches nothing else) and out of any user profile."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess:
    exe = chromium()
    if exe is None:
        raise FileNotFoundError("chromium is not installed (make tools)")
    with tempfile.TemporaryDirectory(prefix="cchc-chromium-") as profile:
        return subprocess.run(
            [exe, *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def screenshot(url: str, out: Path, *, width: int = 1400, height: int = 1000, wait_ms: int = 5000) -> Path:
    """A PNG of the page once its scripts had `wait_ms` of (virtual) time to render."""
    rendered_dom(url, wait_ms=wait_ms, width=width, height=height, screenshot_to=out)
    return out


def rendered_dom(
    url: str, *, wait_ms: int = 5000, width: int = 1400, height: int = 1000, screenshot_to: Path | None = None
) -> str:
    """The DOM after the page's scripts ran (what the screenshot shows, as HTML). A screenshot is
    taken on the way (kept at `screenshot_to`, else thrown away): without one, a page that fetches
    its data after load (a Superset dashboard) is dumped still "Loading". One load for both keeps
    the picture and the DOM of the same page, and halves the work."""
    with tempfile.TemporaryDirectory(prefix="cchc-dom-") as folder:
        png = Path(screenshot_to) if screenshot_to else Path(folder) / "page.png"
        png.parent.mkdir(parents=True, exist_ok=True)
        proc = _run(
            [
                f"--window-size={width},{height}",
                f"--virtual-time-budget={wait_ms}",
                f"--screenshot={png}",
                "--dump-dom",
                url,
            ],
            timeout=180,
        )
        if screenshot_to and not png.is_file():
            raise RuntimeError(f"chromium wrote no screenshot of {url}: {proc.stderr[-2000:]}")
    return proc.stdout
