"""The Decision 766 scores the portal publishes for this world (service-results), sub-indicator
by sub-indicator, scored by the project's own rules (`cchc.reform_index`).

The portal scores from its own copy of the data. For this world that copy is the generator's
truth, with one deliberate difference: 1% of the dossiers a province synchronised were not
accepted by the portal (`truth.portal_rejects_sync`), so the published sync numerator is lower
than the province's records. Sub-indicators no project source can state (procedures connected to
population data, e-certified copies, dossier satisfaction, which needs to know which dossiers
were petitioned about) are the portal's own figures, drawn here.

Units evaluated each month: every province of that month's map, and every unit receiving
dossiers at its own level (provincial departments, districts before 2025-07-01, communes).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import numpy as np

from cchc.reform_index.rules import rules_on
from cchc.reform_index.scorer import group_scores, score
from cchc_world.generate import calendar_arrays as cal
from cchc_world.generate.world import LEVELS, World, stable_int

DEPARTMENT_LEVELS = {"TINH": "PROVINCIAL_DEPARTMENT", "HUYEN": "DISTRICT", "XA": "COMMUNE"}
GROUP_ORDER = ("CKMB", "TDGQ", "CLGQ", "TTTT", "MDSH", "MDHL")


def _month_end(m: date) -> date:
    return date(m.year + m.month // 12, m.month % 12 + 1, 1) - timedelta(days=1)


def _active(record: dict, first: date, last: date) -> bool:
    """In force during the month, as the catalogue shows it (an abolished state's updatedAt is
    the last day it could be used)."""
    if record["provinceCode"] is not None or date.fromisoformat(record["effectiveDate"]) > last:
        return False
    return record["state"] == "ACTIVE" or date.fromisoformat(record["updatedAt"][:10]) >= first


def _announcement_counts(records: list[dict], province: str, first: date, last: date) -> dict[str, tuple]:
    mine = [
        r
        for r in records
        if r["provinceCode"] == province and first <= date.fromisoformat(r["decisionDate"]) <= last
    ]
    n = len(mine)
    on_time = published_on_time = published = complete = 0
    for r in mine:
        decided = cal.day_number(date.fromisoformat(r["decisionDate"]))
        basis = cal.day_number(date.fromisoformat(r["legalBasisEffectiveDate"]))
        on_time += int(cal.between(decided, basis) >= 5)
        if r["publishedAt"] is not None:
            published += 1
            complete += int(r["contentComplete"])
            shown = cal.day_number(date.fromisoformat(r["publishedAt"][:10]))
            published_on_time += int(cal.between(decided, shown) <= 5)
    return {
        "ckmb_announced_on_time": (on_time, n),
        "ckmb_published_on_time": (published_on_time, n),
        "ckmb_published_in_full": (complete, published),
    }


def _portal_only(code: str, month: date, received: int, active: int, dissatisfied: int) -> dict[str, tuple]:
    """The portal's own figures for what no project source states."""
    share = 0.3 + stable_int("population", code, month) % 40 / 100
    return {
        "mdsh_procedures_population_data": (int(active * share), active),
        "mdsh_e_certified_copies": (0, 0),
        "mdhl_dossier_satisfaction": (max(0, received - dissatisfied), received),
    }


class _Departments:
    """Everything the portal evaluates, as rows: every province code and every unit code, with the
    monthly inputs of the units that were that department in each month (a unit counts only in the
    months its version is valid: an abolished unit's dossiers still open after 2025-07-01 are in no
    later evaluation)."""

    def __init__(self, world: World, acc):
        self.world, self.acc = world, acc
        nm = len(acc.months)
        era_of_month = np.array([int(m >= date(2025, 7, 1)) for m in acc.months])
        units = np.flatnonzero(~world.report_only)
        valid = (world.unit_era[units][:, None] == era_of_month[None, :]).astype(np.int64)
        codes = [world.units[u].unit_code for u in units]
        provinces = [world.exports[world.unit_export[u]].code for u in units]
        self.codes = sorted(set(codes)) + sorted(set(provinces))
        self.is_province = np.array([False] * len(set(codes)) + [True] * len(set(provinces)))
        row = {c: i for i, c in enumerate(sorted(set(codes)))}
        prow = {c: len(row) + i for i, c in enumerate(sorted(set(provinces)))}
        self.row = {**row, **{("P", c): i for c, i in prow.items()}}
        unit_rows = np.array([row[c] for c in codes], dtype=np.int64)
        province_rows = np.array([prow[c] for c in provinces], dtype=np.int64)
        n = len(self.codes)

        def roll(grid: np.ndarray) -> np.ndarray:  # (units, months) -> (departments, months)
            out = np.zeros((n, nm), dtype=np.int64)
            masked = grid[units] * valid
            np.add.at(out, unit_rows, masked)
            np.add.at(out, province_rows, masked)
            return out

        um = acc.unit_month()
        ix = acc.index()
        stops = acc.index_stops()
        self.monthly = {k: roll(v) for k, v in um.items()}
        self.monthly["handled"] = roll(ix["index_handled"].sum(axis=1))
        self.monthly["timely"] = roll(ix["index_timely"].sum(axis=1))
        self.monthly["stopped"] = roll(stops["index_stopped"].sum(axis=1))
        self.monthly["timely_stopped"] = roll(stops["index_timely_stopped"].sum(axis=1))
        self.monthly["late"] = roll(acc.timeliness()["resolved_late"].sum(axis=1))
        self.use = {}
        for kind, grid in acc.procedure_use().items():
            out = np.zeros((n, grid.shape[1], nm), dtype=bool)
            masked = grid[units] & valid[:, None, :].astype(bool)
            np.logical_or.at(out, unit_rows, masked)
            np.logical_or.at(out, province_rows, masked)
            self.use[kind] = out
        # who is evaluated in a month: the provinces and the units of that month's map
        # (code, era) -> the unit of that code on that era's map (its level, name and province)
        self.version = {(world.units[u].unit_code, int(world.unit_era[u])): u for u in range(world.n_units)}
        # a code is evaluated in a month when a unit of that code exists then (even one that only
        # files Biểu 06: the same code's other version may have had dossiers earlier in the year)
        self.of_era = {
            era: (
                sorted(
                    {world.units[u].unit_code for u in range(world.n_units) if world.unit_era[u] == era}
                    & set(row)
                ),
                [e for e in world.exports if e.era == era],
            )
            for era in (0, 1)
        }


def service_results(world: World, acc, catalogue: list[dict]) -> dict[tuple[str, date], list[dict]]:
    """(time type, month) -> the service-results records the portal publishes: "month" evaluates
    the month, "year" the year to date (January, or the world's first month, to the month).
    A year-to-date count is the sum of the months' counts, except where Decision 766 counts
    things once: a procedure counts once in the period, and a dossier is handled once, judged
    in the period's last month it was handled (handled then, or stopped in an earlier month)."""
    deps = _Departments(world, acc)
    proc_index = {p.code: i for i, p in enumerate(world.procedures)}
    out: dict[tuple[str, date], list[dict]] = {}
    for mi, month in enumerate(acc.months):
        era = int(month >= date(2025, 7, 1))
        rules = rules_on(month)
        year_start = next(j for j, m in enumerate(acc.months) if m.year == month.year)
        unit_codes, exports = deps.of_era[era]
        for time_type, j0 in (("month", mi), ("year", year_start)):
            first, last = acc.months[j0], _month_end(month)
            national = [r for r in catalogue if _active(r, first, last) and r["code"] in proc_index]
            window = slice(j0, mi + 1)

            def total(key, d, window=window):
                return int(deps.monthly[key][d, window].sum())

            evaluated = [(e.code, e.name, "PROVINCE", deps.row[("P", e.code)], e.code, None) for e in exports]
            for code in unit_codes:
                d = deps.row[code]
                # a unit with nothing received, handled or petitioned in the period is not listed
                if total("received", d) or total("handled", d) or total("petitions_due", d):
                    u = deps.version[(code, era)]
                    level = LEVELS[world.unit_level[u]]
                    evaluated.append(
                        (
                            code,
                            world.units[u].unit_name,
                            DEPARTMENT_LEVELS[level],
                            d,
                            world.exports[world.unit_export[u]].code,
                            level,
                        )
                    )
            records = []
            for code, name, dept_level, d, province, level in evaluated:
                at = [r for r in national if level is None or level in r["levels"]]
                idx = np.array([proc_index[r["code"]] for r in at], dtype=np.int64)
                online = np.array([r["onlineLevel"] != "KHONG" for r in at], dtype=bool)
                fee = np.array([r["hasFee"] for r in at], dtype=bool)

                def had(kind, d=d, idx=idx, window=window):
                    return deps.use[kind][d][idx][:, window].any(axis=1) if len(idx) else np.zeros(0, bool)

                def c(key, d=d):
                    return total(key, d)

                received = c("received")
                per_month = deps.monthly
                handled = int(per_month["handled"][d, mi] + per_month["stopped"][d, j0:mi].sum())
                timely = int(per_month["timely"][d, mi] + per_month["timely_stopped"][d, j0:mi].sum())
                had_any, had_online, had_paid = had("any"), had("online"), had("paid")
                inputs = {
                    **_announcement_counts(catalogue, province, first, last),
                    "ckmb_synced_dossiers": (c("synced_accepted"), received),
                    "tdgq_handled_on_time": (timely, handled),
                    "clgq_procedures_online": (int(online.sum()), len(idx)),
                    "clgq_online_procedures_used": (int((had_online & online).sum()), int(online.sum())),
                    "clgq_online_dossiers": (c("received_online"), received),
                    "tttt_paid_online": (c("paid_online_dossiers"), c("fee_dossiers")),
                    "tttt_procedures_with_online_payment": (int((had_paid & fee).sum()), int(fee.sum())),
                    "tttt_procedures_with_dossiers": (int((had_any & fee).sum()), int(fee.sum())),
                    "mdsh_electronic_results": (c("electronic_result"), received),
                    "mdsh_digitised_dossiers": (c("digitised"), received),
                    "mdsh_reused_data": (c("reused"), received),
                    "mdsh_personal_data_store": (c("personal_store"), received),
                    "mdsh_population_data": (c("population_data"), received),
                    **_portal_only(
                        code,
                        month,
                        received,
                        len(idx),
                        c("ratings_total") - c("ratings_satisfied") + c("late"),
                    ),
                    "mdhl_petitions_on_time": (c("petitions_on_time"), c("petitions_due")),
                    "mdhl_petition_satisfaction": (c("petitions_well_handled"), c("petitions_due")),
                }
                records.append(_record(code, name, dept_level, inputs, rules))
            out[(time_type, month)] = records
    return out


def _record(code: str, name: str, level: str, inputs: dict[str, tuple], rules) -> dict:
    scored = [score(rules[k], num, den) for k, (num, den) in inputs.items()]
    groups = group_scores(scored)
    by_group: dict[str, list] = {g: [] for g in GROUP_ORDER}
    for s in scored:
        by_group[s.group_code].append(
            {
                "code": s.code,
                "name": rules[s.code].name_vi,
                "numerator": s.numerator,
                "denominator": s.denominator,
                "ratio": None if s.ratio is None else float((s.ratio * 100).quantize(Decimal("0.01"))),
                "score": float(s.score),
                "maxScore": float(s.max_points),
            }
        )
    return {
        "departmentCode": code,
        "departmentName": name,
        "departmentLevel": level,
        "totalScore": float(sum(groups.values(), Decimal(0))),
        "groups": [
            {
                "code": g,
                "score": float(groups[g]),
                "maxScore": float(sum((Decimal(str(m["maxScore"])) for m in by_group[g]), Decimal(0))),
                "metrics": by_group[g],
            }
            for g in GROUP_ORDER
        ],
    }
