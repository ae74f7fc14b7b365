"""The suites' SQL row rules, restated for a pandas DataFrame (the usual way's validation).

The project's `expect_rows_to_not_match` rules carry a SQL condition over the batch's columns
(`ngay_hen_tra::date < ngay_tiep_nhan::date`, `trang_thai_ho_so in (9, 10) and ngay_tra is null`,
…). A team validating DataFrames would write the same rule with pandas; this module does that
mechanically for the small SQL subset the suites use, so both contenders check the same rules:
`and`/`or`, `is [not] null`, `[not] in (…)`, comparisons, `::date`, `coalesce(…)`,
`+ interval 'N day'`, number and quoted literals. Anything else raises `Untranslatable` and
the rule is counted as skipped, never silently passed.

SQL's three-valued logic is kept where it matters: a predicate on a null is not true, so a
row matches only when its condition is definitely true.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable

_CMP = {
    "=": operator.eq,
    "<>": operator.ne,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INTERVAL = re.compile(r"^(.+?)\s*([+-])\s*interval\s+'(\d+)\s+days?'$")


class Untranslatable(ValueError):
    """A condition outside the subset this module restates."""


def _split_top(text: str, word: str) -> list[str]:
    """Split on a keyword outside parentheses and quotes."""
    parts, depth, quoted, start = [], 0, False, 0
    pattern = re.compile(rf"\s+{word}\s+", re.IGNORECASE)
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "'":
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
        elif not quoted and depth == 0:
            m = pattern.match(text, i)
            if m:
                parts.append(text[start:i])
                start = i = m.end()
                continue
        i += 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def _strip_parens(text: str) -> str:
    text = text.strip()
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        if depth < 0:
            return False
    return depth == 0


def _literal(text: str):
    import pandas as pd

    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+\.\d+", text):
        return float(text)
    if text.startswith("'") and text.endswith("'"):
        value = text[1:-1]
        return pd.Timestamp(value) if _DATE.match(value) else value
    raise Untranslatable(text)


def _operand(text: str) -> Callable:
    """A function frame -> Series (or scalar) for one SQL operand."""
    import pandas as pd

    text = _strip_parens(text)
    m = _INTERVAL.match(text)
    if m:
        base, sign, days = _operand(m.group(1)), m.group(2), int(m.group(3))
        delta = pd.Timedelta(days=days) * (1 if sign == "+" else -1)
        return lambda f: base(f) + delta
    low = text.lower()
    if low.startswith("coalesce(") and text.endswith(")"):
        args = [_operand(a) for a in _split_commas(text[len("coalesce(") : -1])]

        def coalesce(f):
            out = args[0](f)
            for arg in args[1:]:
                out = out.fillna(arg(f))
            return out

        return coalesce
    if low.endswith("::date"):
        inner = _operand(text[: -len("::date")])
        return lambda f: inner(f).dt.normalize()
    if _IDENT.match(low):
        return lambda f: f[low]
    value = _literal(text)
    return lambda f: value


def _split_commas(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def _true(series):
    """Definitely true: NA (SQL null) counts as not matching."""
    if hasattr(series, "fillna"):
        return series.fillna(False).astype(bool)
    return series


def _predicate(text: str) -> Callable:
    text = _strip_parens(text)
    if len(_split_top(text, "or")) > 1 or len(_split_top(text, "and")) > 1:
        return condition(text)
    m = re.fullmatch(r"(.+?)\s+is\s+(not\s+)?null", text, re.IGNORECASE | re.DOTALL)
    if m:
        col, negate = _operand(m.group(1)), bool(m.group(2))
        return (lambda f: col(f).notna()) if negate else (lambda f: col(f).isna())
    m = re.fullmatch(r"(.+?)\s+(not\s+)?in\s*\((.*)\)", text, re.IGNORECASE | re.DOTALL)
    if m:
        col, negate = _operand(m.group(1)), bool(m.group(2))
        values = [_literal(v) for v in _split_commas(m.group(3))]
        if negate:
            return lambda f: col(f).notna() & ~_true(col(f).isin(values))
        return lambda f: _true(col(f).isin(values))
    m = re.fullmatch(r"(.+?)\s*(<>|!=|<=|>=|=|<|>)\s*(.+)", text, re.DOTALL)
    if m:
        left, op, right = _operand(m.group(1)), _CMP[m.group(2)], _operand(m.group(3))
        return lambda f: _true(op(left(f), right(f)))
    raise Untranslatable(text)


def condition(text: str) -> Callable:
    """frame -> boolean Series: rows where the SQL condition is definitely true."""
    ors = _split_top(_strip_parens(text), "or")
    if len(ors) > 1:
        parts = [_predicate(p) for p in ors]

        def any_of(f):
            out = parts[0](f)
            for p in parts[1:]:
                out = out | p(f)
            return out

        return any_of
    ands = _split_top(ors[0], "and")
    if len(ands) > 1:
        parts = [_predicate(p) for p in ands]

        def all_of(f):
            out = parts[0](f)
            for p in parts[1:]:
                out = out & p(f)
            return out

        return all_of
    return _predicate(ands[0])
