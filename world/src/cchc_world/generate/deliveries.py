"""Files arriving over time: every version of every file, and when it arrived.

The generator never writes into `landing/` directly. It stores each file version under
`DIR/deliveries/<seq>/<path under landing>` and logs it in `DIR/deliveries.jsonl`, one line per
file version:

    {"seq": 17, "arrival": "2025-07-02T23:40:05+07:00", "kind": "onestop", "province": "91",
     "business_date": "2025-07-02", "file": "onestop/91/2025-07-02/hoso.csv", "version": 1,
     "sha256": "…", "bytes": 1234, "stored": "deliveries/000017/onestop/91/2025-07-02/hoso.csv"}

Lines are sorted by arrival; within one delivery (same `seq`) the manifest comes last, so a
half-delivered export looks "not ready". `version` counts the arrivals of the same `file`.
`deliver(world_dir, up_to)` replays the log into `DIR/landing/` up to a moment: every version that
has arrived by then, in arrival order, a later version replacing an earlier one. Delivered state
is remembered per landing folder under `DIR/delivery_state/`, so calling it night after night only adds what is new.
Normal exports arrive at ~23:40 on their business day; late ones days later; a corrected or good
copy after its first version.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

LOCAL = timezone(timedelta(hours=7))
LOG = "deliveries.jsonl"
STATE = "delivery_state"


@dataclass(frozen=True)
class Delivered:
    seq: int
    arrival: datetime
    kind: str
    province: str
    business_date: str
    file: str
    version: int
    sha256: str
    path: Path  # where it now is in landing


def _local(dt: datetime) -> datetime:
    return dt.replace(tzinfo=LOCAL) if dt.tzinfo is None else dt.astimezone(LOCAL)


class DeliveryLog:
    """Collects file versions while the world is generated; `close()` writes the sorted log."""

    def __init__(self, world_dir: Path):
        self.world_dir = world_dir
        self.entries: list[dict] = []
        self.seq = 0

    def add(
        self, arrival: datetime, kind: str, province: str, business_date: str, files: list[tuple[str, bytes]]
    ) -> int:
        """Store one delivery (files in order; put the manifest last). Returns its seq."""
        self.seq += 1
        base = Path("deliveries") / f"{self.seq:06d}"
        for rel, payload in files:
            stored = base / rel
            target = self.world_dir / stored
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(payload)
            self.entries.append(
                {
                    "seq": self.seq,
                    "arrival": _local(arrival).isoformat(),
                    "kind": kind,
                    "province": province,
                    "business_date": business_date,
                    "file": rel,
                    "version": 0,
                    "sha256": hashlib.sha256(payload).hexdigest(),
                    "bytes": len(payload),
                    "stored": stored.as_posix(),
                    "_order": len(self.entries),
                }
            )
        return self.seq

    def close(self) -> int:
        self.entries.sort(key=lambda e: (e["arrival"], e["seq"], e["_order"]))
        versions: dict[str, int] = {}
        with (self.world_dir / LOG).open("w", encoding="utf-8") as fh:
            for e in self.entries:
                versions[e["file"]] = versions.get(e["file"], 0) + 1
                e["version"] = versions[e["file"]]
                e.pop("_order")
                fh.write(json.dumps(e, ensure_ascii=False, sort_keys=False) + "\n")
        return len(self.entries)


def log(world_dir: Path | str) -> list[dict]:
    """The delivery log, in arrival order."""
    path = Path(world_dir) / LOG
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def last_arrival(world_dir: Path | str) -> datetime:
    entries = log(world_dir)
    return max(datetime.fromisoformat(e["arrival"]) for e in entries)


def _place(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(f".{dst.name}.part")
    if tmp.exists():
        tmp.unlink()
    try:
        os.link(src, tmp)  # stored versions are never modified: a hard link is a free copy
    except OSError:
        import shutil

        shutil.copyfile(src, tmp)
    os.replace(tmp, dst)


def deliver(world_dir: Path | str, up_to: datetime, landing: Path | str | None = None) -> list[Delivered]:
    """Put into landing every file version that has arrived by `up_to` (naive = local time) and is
    not there yet, in arrival order (manifests last within a delivery). Returns what was placed.
    Never removes anything: asking for an earlier moment than last time places nothing."""
    world_dir = Path(world_dir)
    landing = Path(landing) if landing is not None else world_dir / "landing"
    limit = _local(up_to)
    # one state per landing folder: the same world can be replayed into several
    own = landing.resolve() == (world_dir / "landing").resolve()
    key = "landing" if own else hashlib.sha256(str(landing.resolve()).encode()).hexdigest()[:16]
    state_path = world_dir / STATE / f"{key}.json"
    state_path.parent.mkdir(parents=True, exist_ok=True)
    state = json.loads(state_path.read_text()) if state_path.exists() else {}
    pending = [e for e in log(world_dir) if datetime.fromisoformat(e["arrival"]) <= limit]
    newest = {}
    for e in pending:
        newest[e["file"]] = e  # the log is in arrival order: the last one wins
    placed: list[Delivered] = []
    for e in pending:
        dst = landing / e["file"]
        if newest[e["file"]] is not e or (state.get(e["file"]) == [e["seq"], e["version"]] and dst.exists()):
            continue
        _place(world_dir / e["stored"], dst)
        state[e["file"]] = [e["seq"], e["version"]]
        placed.append(
            Delivered(
                e["seq"],
                datetime.fromisoformat(e["arrival"]),
                e["kind"],
                e["province"],
                e["business_date"],
                e["file"],
                e["version"],
                e["sha256"],
                dst,
            )
        )
    tmp = state_path.with_suffix(".part")
    tmp.write_text(json.dumps(state, sort_keys=True))
    os.replace(tmp, state_path)
    return placed


def deliver_all(world_dir: Path | str, landing: Path | str | None = None) -> list[Delivered]:
    """The final state: everything that ever arrives."""
    return deliver(world_dir, last_arrival(world_dir), landing)
