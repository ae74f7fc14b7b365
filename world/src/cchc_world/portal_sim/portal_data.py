"""The portal's data, read from a generated world's `portal/` folder (records already in API shape).

Layout (docs/ARCHITECTURE.md):
    portal/formalities.jsonl
    portal/<endpoint>/<MaTinh>/<YYYY-MM-DD>.jsonl     dossier-sync, payments, ratings, petitions
    portal/service-results/<YYYY>-<MM>.jsonl        (timeType month)
    portal/service-results/year/<YYYY>-<MM>.jsonl   (timeType year: January to the month)
A missing file is an empty list: the portal answers "nothing that day", not an error.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

DAILY_ENDPOINTS = ("dossier-sync", "payments", "ratings", "petitions")


class WorldFileError(RuntimeError):
    """A world file the simulator cannot serve (the generator wrote something unreadable)."""


@lru_cache(maxsize=512)
def _read_jsonl(path: str, mtime_ns: int) -> tuple[dict, ...]:
    records = []
    with open(path, encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise WorldFileError(f"{path}: line {line_no} is not JSON ({exc.msg})") from exc
    return tuple(records)


class PortalWorld:
    def __init__(self, world_dir: Path | str):
        self.portal_dir = Path(world_dir) / "portal"

    def _records(self, path: Path) -> list[dict]:
        try:
            mtime = path.stat().st_mtime_ns
        except FileNotFoundError:
            return []
        return list(_read_jsonl(str(path), mtime))

    def formalities(self, updated_from: date | None) -> list[dict]:
        records = self._records(self.portal_dir / "formalities.jsonl")
        if updated_from is None:
            return records
        cutoff = updated_from.isoformat()
        # updatedAt carries the local offset, so its first ten characters are the local date.
        return [r for r in records if str(r.get("updatedAt") or "")[:10] >= cutoff]

    def daily(self, endpoint: str, province_code: str, day: date) -> list[dict]:
        return self._records(self.portal_dir / endpoint / province_code / f"{day.isoformat()}.jsonl")

    def daily_range(self, endpoint: str, province_code: str, first: date, last: date) -> list[dict]:
        out: list[dict] = []
        day = first
        while day <= last:
            out.extend(self.daily(endpoint, province_code, day))
            day += timedelta(days=1)
        return out

    def service_results(self, year: int, month: int, time_type: str = "month") -> list[dict]:
        """The month's evaluation, or (time_type "year") the year to date up to the month."""
        folder = self.portal_dir / "service-results"
        if time_type == "year":
            folder = folder / "year"
        return self._records(folder / f"{year:04d}-{month:02d}.jsonl")
