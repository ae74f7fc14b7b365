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

from cchc.generate import calendar as cal
from cchc.generate.world import LEVELS, World, stable_int
from cchc.reform_index.rules import rules_on
from cchc.reform_index.scorer import group_scores, score

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


def service_results(world: World, acc, catalogue: list[dict]) -> dict[date, list[dict]]:
    """month -> the service-results records the portal publishes for it."""
    um = acc.unit_month()
    ix = acc.index()
    timely, handled = ix["index_timely"].sum(axis=1), ix["index_handled"].sum(axis=1)
    t = acc.timeliness()
    late = t["resolved_late"].sum(axis=1)
    use = acc.procedure_use()
    proc_index = {p.code: i for i, p in enumerate(world.procedures)}
    out: dict[date, list[dict]] = {}
    for mi, month in enumerate(acc.months):
        first, last = month, _month_end(month)
        era = int(month >= date(2025, 7, 1))
        rules = rules_on(month)
        national = [r for r in catalogue if _active(r, first, last) and r["code"] in proc_index]

        def procedures(level: str | None, national=national):
            at = [r for r in national if level is None or level in r["levels"]]
            idx = np.array([proc_index[r["code"]] for r in at], dtype=np.int64)
            online = np.array([r["onlineLevel"] != "KHONG" for r in at], dtype=bool)
            fee = np.array([r["hasFee"] for r in at], dtype=bool)
            return idx, online, fee

        evaluated = []
        for x, e in enumerate(world.exports):
            if e.era != era:
                continue
            members = np.flatnonzero((world.unit_export == x) & (world.unit_era == era) & ~world.report_only)
            evaluated.append((e.code, e.name, "PROVINCE", members, e.code, None))
            for u in members:
                # a unit with nothing received, handled or petitioned in the month is not listed
                if not (um["received"][u, mi] or handled[u, mi] or um["petitions_due"][u, mi]):
                    continue
                unit = world.units[u]
                level = LEVELS[world.unit_level[u]]
                evaluated.append(
                    (unit.unit_code, unit.unit_name, DEPARTMENT_LEVELS[level], np.array([u]), e.code, level)
                )
        records = []
        for code, name, dept_level, members, province, level in evaluated:

            def c(key, members=members, mi=mi):
                return int(um[key][members, mi].sum())

            idx, online, fee = procedures(level)
            had_any = use["any"][members][:, idx, mi].any(axis=0) if len(idx) else np.zeros(0, bool)
            had_online = use["online"][members][:, idx, mi].any(axis=0) if len(idx) else np.zeros(0, bool)
            had_paid = use["paid"][members][:, idx, mi].any(axis=0) if len(idx) else np.zeros(0, bool)
            received = c("received")
            inputs = {
                **_announcement_counts(catalogue, province, first, last),
                "ckmb_synced_dossiers": (c("synced_accepted"), received),
                "tdgq_handled_on_time": (int(timely[members, mi].sum()), int(handled[members, mi].sum())),
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
                    c("ratings_total") - c("ratings_satisfied") + int(late[members, mi].sum()),
                ),
                "mdhl_petitions_on_time": (c("petitions_on_time"), c("petitions_due")),
                "mdhl_petition_satisfaction": (c("petitions_well_handled"), c("petitions_due")),
            }
            records.append(_record(code, name, dept_level, inputs, rules))
        out[month] = records
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
