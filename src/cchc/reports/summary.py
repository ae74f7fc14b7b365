"""The paragraph a report carries, written from the records: the same facts the provinces' reports
state (received by channel and carried over, resolved early / on time / late, in progress within /
overdue and the field with most overdue, online share, online payment against the 30% target,
the Decision 766 groups), every rate with its numerator and denominator, so that it cannot say
"nearly 97%" of a denominator it does not name. Vietnamese notation: 10.807 and 97,05%."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from cchc.reports.bieu06 import Bieu06Figures, figures

ONLINE_PAYMENT_TARGET = Decimal("0.30")  # Resolution 01/NQ-CP (2022)
GROUP_NAMES = {
    "vi": {
        "CKMB": "công khai, minh bạch",
        "TDGQ": "tiến độ giải quyết",
        "CLGQ": "dịch vụ trực tuyến",
        "TTTT": "thanh toán trực tuyến",
        "MDSH": "mức độ số hóa",
        "MDHL": "mức độ hài lòng",
    },
    "en": {
        "CKMB": "transparency",
        "TDGQ": "timeliness",
        "CLGQ": "online service",
        "TTTT": "online payment",
        "MDSH": "digitisation",
        "MDHL": "satisfaction",
    },
}


@dataclass
class SummaryFacts:
    report: Bieu06Figures
    received_new: int
    paid_online: int
    fee_dossiers: int
    most_overdue_field: tuple[str, int] | None
    index_month: date | None
    index_groups: list[tuple[str, Decimal | None, Decimal | None]]  # group, computed, published

    # what both languages state, computed once
    @property
    def in_time(self) -> int:
        total = self.report.total
        return total["resolved_early"] + total["resolved_on_time"]

    @property
    def meets_payment_target(self) -> bool:
        return Decimal(self.paid_online) >= ONLINE_PAYMENT_TARGET * self.fee_dossiers

    @property
    def index_total(self) -> Decimal:
        return sum((c for _, c, _ in self.index_groups if c is not None), Decimal(0))


def number(n: int | Decimal, lang: str = "vi") -> str:
    """10807 -> '10.807' (vi) or '10,807' (en)."""
    text = f"{int(n):,}"
    return text.replace(",", ".") if lang == "vi" else text


def percent(numerator: int, denominator: int, lang: str = "vi") -> str | None:
    """97.05%, half up to 2 decimals, with the decimal comma in Vietnamese; None when nothing to
    divide (a rate of nothing is not 0% and not 100%)."""
    if not denominator:
        return None
    return _two_decimals(Decimal(numerator) * 100 / Decimal(denominator), lang) + "%"


def points(value: Decimal | None, lang: str) -> str:
    return "—" if value is None else _two_decimals(Decimal(value), lang)


def _two_decimals(value: Decimal, lang: str) -> str:
    """Half up to 2 decimals, with the decimal comma in Vietnamese."""
    text = f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):.2f}"
    return text.replace(".", ",") if lang == "vi" else text


def facts(conn, code: str, period_start: date, period_end: date) -> SummaryFacts:
    report = figures(conn, code, period_start, period_end)
    total = report.total
    overdue = max(
        ((name, values["in_progress_overdue"]) for _, name, values in report.fields),
        key=lambda fv: (fv[1], fv[0]),
        default=None,
    )
    paid, fees = conn.execute(
        f"""
        select count(*) filter (where d.is_paid_online), count(*)
        from marts.fct_dossier as d
        left join marts.dim_admin_unit as u on u.unit_key = d.unit_key
        where {report.unit.scope} and d.fee_vnd > 0
          and d.received_date between %(start)s and %(end)s
        """,  # the scope is one of two fixed conditions (resolve_unit); values are bound
        {"code": code, "start": period_start, "end": period_end},
    ).fetchone()
    month, groups = None, []
    if report.unit.kind == "province":
        rows = conn.execute(
            """
            select month_start, group_code, score_computed, score_published
            from marts.fct_reform_index_monthly
            where province_code_current = %(code)s
              and month_start = (
                  select max(month_start) from marts.fct_reform_index_monthly
                  where province_code_current = %(code)s and month_start between %(start)s and %(end)s
              )
            order by array_position(array['CKMB','TDGQ','CLGQ','TTTT','MDSH','MDHL'], group_code)
            """,
            {"code": code, "start": period_start.replace(day=1), "end": period_end},
        ).fetchall()
        if rows:
            month = rows[0][0]
            groups = [(g, c, p) for _, g, c, p in rows]
    return SummaryFacts(
        report,
        received_new=total["received_online"] + total["received_direct_postal"],
        paid_online=paid,
        fee_dossiers=fees,
        most_overdue_field=overdue if overdue and overdue[1] > 0 else None,
        index_month=month,
        index_groups=groups,
    )


def paragraph(f: SummaryFacts, lang: str = "vi") -> str:
    return _vi(f) if lang == "vi" else _en(f)


def _vi(f: SummaryFacts) -> str:
    t, r = f.report.total, f.report
    n = number
    in_time = f.in_time
    parts = [
        f"Trong kỳ báo cáo từ ngày {r.period_start:%d/%m/%Y} đến ngày {r.period_end:%d/%m/%Y}, "
        f"{r.unit.name} tiếp nhận {n(t['received_total'])} hồ sơ phải giải quyết, gồm "
        f"{n(t['received_online'])} hồ sơ tiếp nhận trực tuyến, {n(t['received_direct_postal'])} hồ sơ "
        f"tiếp nhận trực tiếp và qua dịch vụ bưu chính công ích, {n(t['carried_over'])} hồ sơ từ kỳ trước "
        "chuyển sang.",
    ]
    rate = percent(in_time, t["resolved_total"])
    parts.append(
        f"Đã giải quyết {n(t['resolved_total'])} hồ sơ: trước hạn {n(t['resolved_early'])}, đúng hạn "
        f"{n(t['resolved_on_time'])}, quá hạn {n(t['resolved_late'])}"
        + (
            f"; đúng và trước hạn {n(in_time)}/{n(t['resolved_total'])} hồ sơ đã giải quyết, đạt {rate}."
            if rate
            else "."
        )
    )
    overdue = (
        f" (nhiều nhất ở lĩnh vực {f.most_overdue_field[0]}: {n(f.most_overdue_field[1])} hồ sơ)"
        if f.most_overdue_field
        else ""
    )
    parts.append(
        f"Đang giải quyết {n(t['in_progress_total'])} hồ sơ: trong hạn {n(t['in_progress_within'])}, "
        f"quá hạn {n(t['in_progress_overdue'])}{overdue}."
    )
    online = percent(t["received_online"], f.received_new)
    if online:
        parts.append(
            f"Tiếp nhận trực tuyến {n(t['received_online'])}/{n(f.received_new)} hồ sơ tiếp nhận mới, "
            f"đạt {online}."
        )
    paid = percent(f.paid_online, f.fee_dossiers)
    if paid:
        parts.append(
            f"Thanh toán trực tuyến {n(f.paid_online)}/{n(f.fee_dossiers)} hồ sơ có phí, lệ phí, đạt {paid}, "
            + ("đạt" if f.meets_payment_target else "chưa đạt")
            + " mục tiêu 30% của Nghị quyết số 01/NQ-CP."
        )
    if f.index_groups:
        names = GROUP_NAMES["vi"]
        groups = "; ".join(
            f"{names[g]} {points(c, 'vi')} (công bố {points(p, 'vi')})" for g, c, p in f.index_groups
        )
        parts.append(
            f"Chỉ số 766 tháng {f.index_month:%m/%Y}, tính từ hồ sơ: {points(f.index_total, 'vi')} điểm; {groups}."
        )
    return " ".join(parts)


def _en(f: SummaryFacts) -> str:
    t, r = f.report.total, f.report

    def n(v):
        return number(v, "en")

    in_time = f.in_time
    parts = [
        f"From {r.period_start:%d/%m/%Y} to {r.period_end:%d/%m/%Y}, {r.unit.name} had "
        f"{n(t['received_total'])} dossiers to handle: {n(t['received_online'])} received online, "
        f"{n(t['received_direct_postal'])} received in person or by post, {n(t['carried_over'])} carried "
        "over from the previous period.",
    ]
    rate = percent(in_time, t["resolved_total"], "en")
    parts.append(
        f"{n(t['resolved_total'])} were resolved: {n(t['resolved_early'])} early, "
        f"{n(t['resolved_on_time'])} on time, {n(t['resolved_late'])} late"
        + (f"; early or on time {n(in_time)}/{n(t['resolved_total'])} resolved, {rate}." if rate else ".")
    )
    overdue = (
        f" (most in {f.most_overdue_field[0]}: {n(f.most_overdue_field[1])})" if f.most_overdue_field else ""
    )
    parts.append(
        f"{n(t['in_progress_total'])} are in progress: {n(t['in_progress_within'])} within the deadline, "
        f"{n(t['in_progress_overdue'])} overdue{overdue}."
    )
    online = percent(t["received_online"], f.received_new, "en")
    if online:
        parts.append(f"Received online {n(t['received_online'])}/{n(f.received_new)} new dossiers, {online}.")
    paid = percent(f.paid_online, f.fee_dossiers, "en")
    if paid:
        parts.append(
            f"Paid online {n(f.paid_online)}/{n(f.fee_dossiers)} dossiers with fees, {paid}, "
            + ("meeting" if f.meets_payment_target else "below")
            + " the 30% target of Resolution 01/NQ-CP."
        )
    if f.index_groups:
        names = GROUP_NAMES["en"]
        groups = "; ".join(
            f"{names[g]} {points(c, 'en')} (published {points(p, 'en')})" for g, c, p in f.index_groups
        )
        parts.append(
            f"Decision 766 index for {f.index_month:%m/%Y}, from the records: {points(f.index_total, 'en')} points; "
            f"{groups}."
        )
    return " ".join(parts)
