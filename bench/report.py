"""Totals, targets (issues 7 and 17) and the printed table."""

from __future__ import annotations

import json
from pathlib import Path

# Issue 17: every stage under 768 MB (headroom under the 1 GB ceiling), a national night at 10M
# dossiers in 300 s, and the full load within 3x of COPY.
PEAK_MB = 768.0
INCREMENT_S = 300.0
INCREMENT_AT = 10_000_000

# End-to-end runs and the stages they are made of (see bench/README.md for what each measures).
RUNS = {
    "floor (full)": ["floor.full"],
    # Not a contender: the least the project's rules ask of a full load (bench/minimum.py).
    "design minimum (full)": ["floor.minimum"],
    "pipeline (full)": ["pipeline.ingest.full", "pipeline.validate.full", "pipeline.dbt.full"],
    "usual way (full)": ["usual.load_validate.full", "usual.dbt_tables"],
    "floor (increment)": ["floor.increment"],
    "pipeline (increment)": [
        "pipeline.ingest.increment",
        "pipeline.validate.increment",
        "pipeline.dbt.increment",
    ],
    "usual way (increment)": ["usual.load_validate.increment", "usual.dbt_tables"],
}


def totals(stages: dict[str, dict]) -> dict[str, dict]:
    out = {}
    for run, names in RUNS.items():
        parts = [stages.get(n) for n in names]
        missing = [n for n, p in zip(names, parts, strict=True) if not p or p["status"] != "ok"]
        if missing:
            out[run] = {"status": "incomplete", "missing": missing}
            continue
        out[run] = {
            "status": "ok",
            "rows": parts[0]["rows"],
            "wall_s": round(sum(p["wall_s"] for p in parts), 3),
            "cpu_s": round(sum(p["cpu_s"] for p in parts), 3),
            "peak_mb": max(p["peak_mb"] for p in parts),
            "peak_server_shared_mb": max(p["peak_server_shared_mb"] for p in parts),
        }
        out[run]["rows_per_s"] = (
            round(out[run]["rows"] / out[run]["wall_s"], 1) if out[run]["wall_s"] else None
        )
    return out


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}×" if b else "—"


def _line(name: str, ok: bool | None, text: str) -> dict:
    verdict = "n/a" if ok is None else ("PASS" if ok else "FAIL")
    return {"target": name, "verdict": verdict, "detail": text}


def targets(result: dict, previous: list[dict]) -> list[dict]:
    tot = result["totals"]
    stages = result["stages"]
    lines = []

    def ok(run: str) -> bool:
        return tot.get(run, {}).get("status") == "ok"

    def why(*runs: str) -> str:
        missing = [m for r in runs for m in tot.get(r, {}).get("missing", [])]
        return "needs " + ", ".join(missing)

    if ok("pipeline (full)") and ok("floor (full)"):
        ratio = tot["pipeline (full)"]["wall_s"] / tot["floor (full)"]["wall_s"]
        cpu = _ratio(tot["pipeline (full)"]["cpu_s"], tot["floor (full)"]["cpu_s"])
        text = f"{ratio:.1f}× the floor (wall), {cpu} (cpu)"
        if ok("design minimum (full)"):
            least = tot["design minimum (full)"]
            text += (
                f"; the design's minimum alone is {_ratio(least['wall_s'], tot['floor (full)']['wall_s'])}"
                f" (wall), {_ratio(least['cpu_s'], tot['floor (full)']['cpu_s'])} (cpu)"
            )
        lines.append(_line("full load end to end ≤ 3× floor", ratio <= 3, text))
    else:
        lines.append(_line("full load end to end ≤ 3× floor", None, why("pipeline (full)", "floor (full)")))

    if ok("pipeline (full)") and ok("usual way (full)"):
        speed = tot["usual way (full)"]["wall_s"] / tot["pipeline (full)"]["wall_s"]
        cpu = _ratio(tot["usual way (full)"]["cpu_s"], tot["pipeline (full)"]["cpu_s"])
        lines.append(
            _line(
                "≥ 10× faster than the usual way", speed >= 10, f"{speed:.1f}× faster (wall), {cpu} less cpu"
            )
        )
        mem = tot["pipeline (full)"]["peak_mb"] / max(tot["usual way (full)"]["peak_mb"], 1e-9)
        lines.append(
            _line(
                "≤ 1/4 of the usual way's peak memory",
                mem <= 0.25,
                f"{tot['pipeline (full)']['peak_mb']:.0f} MB vs {tot['usual way (full)']['peak_mb']:.0f} MB "
                f"({mem:.2f}×)",
            )
        )
    else:
        for name in ("≥ 10× faster than the usual way", "≤ 1/4 of the usual way's peak memory"):
            lines.append(_line(name, None, why("pipeline (full)", "usual way (full)")))

    lines.append(_increment_scaling(result, previous))

    lines.append(_increment_time(result))
    pipeline_stages = {n: s for n, s in stages.items() if n.startswith("pipeline.") and s["status"] == "ok"}
    name = f"peak memory ≤ {PEAK_MB:.0f} MB in every stage"
    if pipeline_stages:
        worst = max(pipeline_stages, key=lambda n: pipeline_stages[n]["peak_mb"])
        peak = pipeline_stages[worst]["peak_mb"]
        lines.append(_line(name, peak <= PEAK_MB, f"{peak:.0f} MB ({worst})"))
    else:
        lines.append(_line(name, None, "no pipeline stage ran"))
    lines.append(_reference(stages.get("check.reference")))
    return lines


def _increment_time(result: dict) -> dict:
    name = f"increment at {INCREMENT_AT // 1_000_000}M ≤ {INCREMENT_S:.0f} s"
    mine = result["totals"].get("pipeline (increment)", {})
    if mine.get("status") != "ok":
        return _line(name, None, "needs the increment")
    text = f"{mine['wall_s']:.0f} s for {mine['rows']:,} rows"
    if result["dossiers"] < INCREMENT_AT:
        return _line(name, None, f"{text} (judged at {INCREMENT_AT:,} dossiers)")
    return _line(name, mine["wall_s"] <= INCREMENT_S, text)


def _reference(check: dict | None) -> dict:
    name = "marts equal a from-scratch build"
    if not check or check["status"] not in {"ok", "failed"}:
        return _line(name, None, "needs the increment's check.reference stage")
    detail = check.get("detail") or {}
    if check["status"] == "ok":
        return _line(name, True, f"{detail.get('tables')} tables, {detail.get('rows', 0):,} rows equal")
    return _line(name, False, check.get("error") or "the reference build failed")


def _increment_scaling(result: dict, previous: list[dict]) -> dict:
    name = "increment over 10M ≤ 1.5× increment over 1M"
    mine = result["totals"].get("pipeline (increment)", {})
    n = result["dossiers"]
    # Only worlds of the same shape (window, provinces, share) compare; a given world never does.
    shape = ("start", "end", "provinces", "increment_share", "world")
    mine_args = result.get("args", {})
    smaller = [
        p
        for p in previous
        if all(p.get("args", {}).get(k) == mine_args.get(k) for k in shape)
        and p.get("dossiers")
        and p["dossiers"] * 5 <= n
        and p.get("totals", {}).get("pipeline (increment)", {}).get("status") == "ok"
    ]
    if mine.get("status") != "ok" or not smaller:
        return _line(
            name, None, f"needs a run at ≤ N/5 = {n // 5:,} dossiers in the results folder (or --compare)"
        )
    # the largest smaller world, its latest run (earlier runs measured older code)
    base = max(smaller, key=lambda p: (p["dossiers"], p.get("started_at") or ""))
    b = base["totals"]["pipeline (increment)"]
    # The same share of changes at both sizes: compare time per increment row, scaled to equal rows.
    ratio = (mine["wall_s"] / mine["rows"]) / (b["wall_s"] / b["rows"])
    return _line(
        name,
        ratio <= 1.5,
        f"{ratio:.2f}× per changed row: {n:,} dossiers {mine['wall_s']:.1f}s/{mine['rows']:,} rows vs "
        f"{base['dossiers']:,} dossiers {b['wall_s']:.1f}s/{b['rows']:,} rows ({base.get('file', '?')})",
    )


def load_previous(folder: Path, exclude: Path | None = None) -> list[dict]:
    out = []
    for path in sorted(folder.glob("*.json")):
        if exclude and path.resolve() == exclude.resolve():
            continue
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        doc["file"] = path.name
        out.append(doc)
    return out


def _fmt(value, spec: str, empty: str = "—") -> str:
    return empty if value is None else format(value, spec)


def render(result: dict) -> str:
    m = result["machine"]
    out = [
        f"cchc benchmark — {result['dossiers']:,} dossiers requested, "
        f"{result['plan']['rows']['full']:,} rows full load + {result['plan']['rows']['increment']:,} rows increment "
        f"({result['plan']['increment_days']} day(s), {result['plan']['increment_share_actual']:.1%})",
        f"machine: {m['cpus']} CPUs, {m['memory_gb']:.1f} GB RAM, load average at start {m['loadavg_start']}; "
        f"PostgreSQL {m.get('postgres', '?')}",
        "",
        f"{'stage':34} {'status':>13} {'rows':>11} {'wall s':>9} {'cpu s':>9} {'rows/s':>10} "
        f"{'peak MB':>8} {'client':>7} {'pg priv':>7} {'pg shm':>7}",
    ]
    for name, s in result["stages"].items():
        out.append(
            f"{name:34} {s['status']:>13} {s['rows']:>11,} {_fmt(s['wall_s'], '9.2f'):>9} "
            f"{_fmt(s['cpu_s'], '9.2f'):>9} {_fmt(s.get('rows_per_s'), '10,.0f'):>10} "
            f"{_fmt(s['peak_mb'], '8.0f'):>8} {_fmt(s['peak_client_mb'], '7.0f'):>7} "
            f"{_fmt(s['peak_server_private_mb'], '7.0f'):>7} {_fmt(s['peak_server_shared_mb'], '7.0f'):>7}"
        )
        for section, t in (s.get("detail") or {}).get("sections", {}).items():
            out.append(f"{'  · ' + section:34} {'':>13} {'':>11} {t['wall_s']:>9.2f} {t['cpu_s']:>9.2f}")
        if s.get("error"):
            out.append(f"{'':36}{s['error'].splitlines()[0][:150] if s['error'] else ''}")
    out += [
        "",
        f"{'end to end':34} {'':>13} {'rows':>11} {'wall s':>9} {'cpu s':>9} {'rows/s':>10} {'peak MB':>8}",
    ]
    for run, t in result["totals"].items():
        if t["status"] != "ok":
            out.append(f"{run:34} {'incomplete':>13}  missing: {', '.join(t['missing'])}")
            continue
        out.append(
            f"{run:34} {'ok':>13} {t['rows']:>11,} {t['wall_s']:>9.2f} {t['cpu_s']:>9.2f} "
            f"{_fmt(t['rows_per_s'], '10,.0f'):>10} {t['peak_mb']:>8.0f}"
        )
    out += ["", "targets (issues 7 and 17):"]
    for line in result["targets"]:
        out.append(f"  {line['verdict']:4}  {line['target']:46} {line['detail']}")
    out += [
        "",
        "peak MB = client process tree PSS + PostgreSQL private memory (Pss_Anon+Pss_File), sampled together "
        "every 50 ms;",
        "pg shm = PostgreSQL shared buffers touched (Pss_Shmem, bounded by shared_buffers), not in peak MB. "
        "cpu = client tree + server.",
    ]
    return "\n".join(out)
