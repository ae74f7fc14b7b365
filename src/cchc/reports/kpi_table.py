"""The short KPI summary `cchc demo` prints, read from the marts (as a BI tool would).

Per province (today's 34-province map, `province_code_current`), over every month in the marts:
on-time rate (resolved early or on time / resolved), online share (received online / received,
new dossiers only) and online-payment share (paid online / dossiers with a fee, target 30%).
A rate with an empty denominator is shown as "n/a", never 0%.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from cchc.warehouse.connection import connect

ONLINE_PAYMENT_TARGET = Decimal("0.30")

_SQL = """
with units as (
    select unit_key, max(province_code_current) as province_code_current
    from marts.dim_admin_unit group by unit_key
),
timeliness as (
    select u.province_code_current,
           sum(t.resolved_early + t.resolved_on_time) as on_time,
           sum(t.resolved_total) as resolved
    from marts.fct_timeliness_monthly as t join units as u using (unit_key)
    group by 1
),
online as (
    select u.province_code_current, sum(o.received_online) as online, sum(o.received_total) as received
    from marts.fct_online_service_monthly as o join units as u using (unit_key)
    group by 1
),
payment as (
    select u.province_code_current, sum(p.paid_online_dossiers) as paid, sum(p.fee_dossiers) as fee
    from marts.fct_online_payment_monthly as p join units as u using (unit_key)
    group by 1
),
provinces as (
    select province_code_current from timeliness
    union select province_code_current from online
    union select province_code_current from payment
)
select p.province_code_current,
       coalesce(o.received, 0) as received,
       coalesce(t.resolved, 0) as resolved,
       t.on_time::numeric / nullif(t.resolved, 0) as on_time_rate,
       o.online::numeric / nullif(o.received, 0) as online_share,
       pay.paid::numeric / nullif(pay.fee, 0) as online_payment_share
from provinces as p
left join timeliness as t using (province_code_current)
left join online as o using (province_code_current)
left join payment as pay using (province_code_current)
order by 1
"""


@dataclass(frozen=True)
class ProvinceKpis:
    province_code: str
    received: int
    resolved: int
    on_time_rate: Decimal | None
    online_share: Decimal | None
    online_payment_share: Decimal | None

    @property
    def meets_payment_target(self) -> bool | None:
        if self.online_payment_share is None:
            return None
        return self.online_payment_share >= ONLINE_PAYMENT_TARGET


def province_kpis() -> list[ProvinceKpis]:
    with connect() as conn:
        return [ProvinceKpis(*row) for row in conn.execute(_SQL).fetchall()]


def _pct(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{float(value) * 100:5.1f}%"


def format_table(rows: list[ProvinceKpis]) -> str:
    lines = [
        f"{'province':>8} {'received':>9} {'resolved':>9} {'on-time':>8} {'online':>8} {'paid online':>12}",
    ]
    for r in rows:
        flag = "" if r.meets_payment_target in (None, True) else " < 30%"
        lines.append(
            f"{r.province_code:>8} {r.received:>9} {r.resolved:>9} {_pct(r.on_time_rate):>8} "
            f"{_pct(r.online_share):>8} {_pct(r.online_payment_share):>12}{flag}"
        )
    if not rows:
        lines.append("(the marts are empty)")
    return "\n".join(lines)
