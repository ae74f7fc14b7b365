"""Field mess: which exports and reports get which defect, decided up front from the seed.

Each kind has a rate (share of candidate exports, reports or dossiers). A kind with a rate above
zero appears at least once when it has a candidate, so a small demo world still shows every kind.
An export gets at most one *delivery* defect (it changes how versions arrive); *content* defects
(BOM, Excel text cells, extra column) can stack with it. Everything injected is recorded in
`truth/mess.jsonl` with what the warehouse is expected to do.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

DELIVERY_KINDS = ("duplicate", "corrected", "late", "truncated", "critical_error")
CONTENT_KINDS = ("bom", "excel_text", "extra_column")
OTHER_KINDS = ("many_changes", "bieu06_broken", "bieu06_malformed")
KINDS = DELIVERY_KINDS + CONTENT_KINDS + OTHER_KINDS

DEFAULT_RATES = {
    "duplicate": 0.01,
    "corrected": 0.01,
    "late": 0.02,
    "truncated": 0.005,
    "critical_error": 0.005,
    "bom": 0.3,
    "excel_text": 0.3,
    "extra_column": 0.02,
    "many_changes": 0.002,
    "bieu06_broken": 0.25,
    "bieu06_malformed": 0.05,
}

EXPECT = {
    "duplicate": "second delivery has the same sha256: recorded as duplicate, nothing loaded twice",
    "corrected": "first version loads; the corrected version (same folder, new sha256) supersedes it; "
    "truth = corrected version",
    "late": "arrives days after its business date (after later days' exports): loaded when it arrives; "
    "the latest NgayCapNhat still decides each dossier's state",
    "truncated": "file contradicts its manifest (row count / sha256): export quarantined, "
    "the good copy that arrives later loads",
    "critical_error": "rows with NgayHenTra before NgayTiepNhan: batch quarantined by the critical suite; "
    "the corrected export that arrives later loads",
    "bom": "CSV starts with a UTF-8 BOM: loads normally, first header is MaHoSo",
    "excel_text": "XLSX with dates as dd/MM/yyyy text and TongPhiLePhi as text like 1.250.000: "
    "parsed to the same values",
    "extra_column": "unknown column GhiChu: kept out of the warehouse with a warning, rows load",
    "many_changes": "dossier appears in many daily exports: its state is the row with the latest NgayCapNhat",
    "bieu06_broken": "report loads; each broken identity is recorded (fct_report_reconciliation status broken)",
    "bieu06_malformed": "a count like 2.0461 (digit group of four): report quarantined with an error naming "
    "sheet, row, column and value",
}


def parse_rates(mess_rate: float | None, overrides: dict[str, float]) -> dict[str, float]:
    rates = dict(DEFAULT_RATES) if mess_rate is None else dict.fromkeys(KINDS, float(mess_rate))
    for k, v in overrides.items():
        if k not in KINDS:
            raise ValueError(f"unknown mess kind {k!r}; known: {', '.join(KINDS)}")
        rates[k] = float(v)
    return rates


def pick(rng: np.random.Generator, candidates: list, rate: float) -> set:
    if rate <= 0 or not candidates:
        return set()
    chosen = {candidates[i] for i in np.flatnonzero(rng.random(len(candidates)) < rate)}
    if not chosen:
        chosen = {candidates[int(rng.integers(len(candidates)))]}
    return chosen


class MessLog:
    def __init__(self, path: Path):
        self.path = path
        self.records: list[dict] = []

    def add(self, kind: str, **detail) -> None:
        self.records.append({"kind": kind, **detail, "expect": EXPECT[kind]})

    def close(self) -> None:
        self.records.sort(key=lambda r: (r.get("path", ""), r["kind"], json.dumps(r, sort_keys=True)))
        with self.path.open("w", encoding="utf-8") as fh:
            for r in self.records:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
