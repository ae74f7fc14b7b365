"""Typed values from what the one-stop systems write: Vietnamese dates, Excel cells, text numbers.

Every parser takes one cell as it came (str from CSV, str/number/datetime from calamine, any JSON
value from JSONL) and returns the typed value, None for empty/absent, or raises `BadValue`.
Parsers never guess: a value that fits no documented format is rejected, not coerced.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from cchc.settings import LOCAL_TZ

_LOCAL = ZoneInfo(LOCAL_TZ)

# PostgreSQL ranges: a value outside them would abort the whole COPY, so it is rejected here.
SMALLINT_MAX = 32767
INTEGER_MAX = 2**31 - 1
BIGINT_MAX = 2**63 - 1

_VN_DATETIME = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?", re.ASCII)
# Integers, optionally in Vietnamese notation: 1.250.000 (groups of exactly three digits).
_VN_INTEGER = re.compile(r"-?(?:\d{1,3}(?:\.\d{3})+|\d+)", re.ASCII)


class BadValue(ValueError):
    """A cell that does not parse; the message says what was expected."""


class Formula(str):
    """An XLSX cell holding a formula (its text, without the '='). Its cached value is what some
    program computed once, maybe never: an export carries values, so a formula cell is rejected
    rather than guessed, and it is shown as the formula, never evaluated."""

    def __repr__(self) -> str:
        return f"Formula({str(self)!r})"


def reject_formula(value: object) -> None:
    if value.__class__ is Formula:
        raise BadValue(f"a formula (={str(value)[:60]}), not a value: exports carry values only")


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    return {dict: "an object", list: "a list", str: "text", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__
    )


def strict_json(kind: str, parse):
    """JSONL values as JSON types, never coerced: an integer column takes a JSON integer (not
    true, not "2"), a text column a JSON string (not an object); "" and null mean null."""
    if kind in ("smallint", "integer", "bigint"):

        def typed(value: object):
            if value is None or value == "":
                return None
            if isinstance(value, bool) or not isinstance(value, int):
                raise BadValue(f"not a JSON integer ({_json_type(value)})")
            return parse(value)

    else:

        def typed(value: object):
            if value is None or value == "":
                return None
            if not isinstance(value, str):
                raise BadValue(f"not a JSON string ({_json_type(value)})")
            return parse(value)

    return typed


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_text(value: object) -> str | None:
    if _blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        # calamine gives numeric cells as floats: a code typed as a number is still a code.
        value = int(value)
    text = str(value).strip()
    if "\x00" in text:
        raise BadValue("text contains a NUL character")
    if text.startswith("="):
        # it would run as a formula wherever an official opens the data in a spreadsheet
        raise BadValue("text that starts with '=' (a spreadsheet formula), not a value")
    return text


def parse_int(value: object, maximum: int = BIGINT_MAX) -> int | None:
    """An integer from a number or from text, with `.` as thousands separator (`1.250.000`)."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise BadValue("a true/false value, not a number")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise BadValue("not a whole number")
        number = int(value)
    elif isinstance(value, str):
        text = value.strip()
        if not _VN_INTEGER.fullmatch(text):
            raise BadValue("not an integer (digits, optionally grouped by '.' in threes)")
        number = int(text.replace(".", ""))
    else:
        raise BadValue(f"not an integer ({type(value).__name__})")
    if not -maximum - 1 <= number <= maximum:
        raise BadValue(f"integer out of range (max {maximum})")
    return number


def parse_smallint(value: object) -> int | None:
    return parse_int(value, SMALLINT_MAX)


def parse_integer(value: object) -> int | None:
    return parse_int(value, INTEGER_MAX)


_TIME = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d", re.ASCII)
_DIGITS = re.compile(r"\d{8}", re.ASCII)
# Dossiers of one export share few calendar days: the checked day is remembered, not rebuilt.
_DAYS: dict[str, str] = {}
_DAYS_MAX = 100_000
_TIMES: set[str] = set()  # checked HH:mm:ss texts, at most 86,400


# Dates a one-stop system can really have written. 31/12/9999 as a due date would keep a dossier
# "in progress within deadline" forever, 01/01/0001 would count it in no month: both are rejected.
PLAUSIBLE_YEARS = range(2000, 2100)


def plausible(value):
    """The date or datetime itself, if its year is plausible; else BadValue."""
    if value.year not in PLAUSIBLE_YEARS:
        raise BadValue(
            f"date {value.isoformat()} outside the plausible years "
            f"{PLAUSIBLE_YEARS.start}..{PLAUSIBLE_YEARS.stop - 1}"
        )
    return value


def _iso_day(text: str) -> str:
    """`dd/MM/yyyy` → `yyyy-MM-dd`, checked (31/02 is not a day, 9999 is not a year)."""
    iso = _DAYS.get(text)
    if iso is None:
        try:
            iso = plausible(date(int(text[6:10]), int(text[3:5]), int(text[0:2]))).isoformat()
        except ValueError as exc:
            if isinstance(exc, BadValue):
                raise
            raise BadValue(f"not a valid dd/MM/yyyy date ({exc})") from None
        if len(_DAYS) < _DAYS_MAX:
            _DAYS[text] = iso
    return iso


def _vn_datetime_text(text: str) -> datetime | str:
    # Fast path for the standard form: an ISO string, which COPY reads as it is (building a
    # datetime only for psycopg to print it again costs more than the rest of the row).
    if (
        len(text) == 19
        and text[2] == "/"
        and text[5] == "/"
        and text[10] == " "
        and _DIGITS.fullmatch(text[0:2] + text[3:5] + text[6:10])
        and _TIME.fullmatch(text, 11)
    ):
        iso = f"{_iso_day(text[:10])} {text[11:]}"
        _TIMES.add(text[11:])
        return iso
    match = _VN_DATETIME.fullmatch(text)
    if not match:
        raise BadValue("not a dd/MM/yyyy HH:mm:ss or dd/MM/yyyy date-time")
    day, month, year, hour, minute, second = match.groups()
    try:
        parsed = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError as exc:
        raise BadValue(f"not a valid date-time ({exc})") from None
    return plausible(parsed)


def parse_vn_datetime(value: object) -> datetime | str | None:
    """CSV dates: `dd/MM/yyyy HH:mm:ss` or `dd/MM/yyyy`, local time (a datetime, or ISO text)."""
    if value.__class__ is str and len(value) == 19 and value[10] == " ":
        # The common case, on days and times already checked: two lookups.
        iso = _DAYS.get(value[:10])
        if iso is not None and value[11:] in _TIMES:
            return f"{iso} {value[11:]}"
    if _blank(value):
        return None
    if not isinstance(value, str):
        raise BadValue(f"not a date-time ({type(value).__name__})")
    return _vn_datetime_text(value.strip())


def parse_excel_datetime(value: object) -> datetime | str | None:
    """XLSX dates: an Excel date cell (calamine gives datetime/date) or the CSV text forms."""
    if value.__class__ is datetime and not value.microsecond and value.tzinfo is None:
        return plausible(value)
    if _blank(value):
        return None
    if isinstance(value, datetime):
        # Excel stores days as a float: 14:05:00 may come back as 14:04:59.999999.
        if value.microsecond:
            value = (value + timedelta(microseconds=500_000)).replace(microsecond=0)
        return plausible(value.replace(tzinfo=None))
    if isinstance(value, date):
        return plausible(datetime.combine(value, time()))
    if isinstance(value, str):
        return _vn_datetime_text(value.strip())
    # A bare number could be an Excel serial or anything else: refuse to guess.
    raise BadValue(f"not a date cell or dd/MM/yyyy text ({type(value).__name__})")


_ISO_DAYS: set[str] = set()  # checked yyyy-MM-dd texts


def _local_iso(value: str) -> str | None:
    """`yyyy-MM-ddTHH:mm:ss` with no offset or +07:00 (Hà Nội's own), on checked day and time."""
    if value[10:11] == "T" and (len(value) == 19 or (len(value) == 25 and value.endswith("+07:00"))):
        day, clock = value[:10], value[11:19]
        if day in _ISO_DAYS and clock in _TIMES:
            return f"{day} {clock}"
    return None


def parse_iso_datetime(value: object) -> datetime | str | None:
    """JSONL dates: ISO 8601; an offset is converted to Asia/Ho_Chi_Minh local time, then dropped."""
    if value.__class__ is str and (fast := _local_iso(value)) is not None:
        return fast
    if _blank(value):
        return None
    if not isinstance(value, str):
        raise BadValue(f"not an ISO 8601 date-time ({type(value).__name__})")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise BadValue("not an ISO 8601 date-time") from None
    plausible(parsed)
    if len(value) in (19, 25) and len(_ISO_DAYS) < _DAYS_MAX:
        # Remember day and time texts that proved well-formed, for the fast path above.
        day, clock = parsed.date().isoformat(), parsed.strftime("%H:%M:%S")
        if value[:10] == day and value[11:19] == clock and not parsed.microsecond:
            _ISO_DAYS.add(day)
            _TIMES.add(clock)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(_LOCAL).replace(tzinfo=None)
    return parsed
