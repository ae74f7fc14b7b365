"""Cell parsers: every documented form accepted, everything else rejected (twice: caches must agree)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from cchc.sources.onestop import values


def _as_datetime(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05/03/2025 14:07:09", datetime(2025, 3, 5, 14, 7, 9)),
        ("05/03/2025", datetime(2025, 3, 5)),
        ("5/3/2025 8:07", datetime(2025, 3, 5, 8, 7)),
        (" 29/02/2024 23:59:59 ", datetime(2024, 2, 29, 23, 59, 59)),
    ],
)
def test_vn_datetime_forms(text, expected):
    for _ in range(2):  # the second call takes the cached path
        assert _as_datetime(values.parse_vn_datetime(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "31/02/2025 10:00:00",
        "29/02/2025",
        "05/03/2025 24:00:00",
        "05/13/2025",
        "2025-03-05",
        "abc",
        "٠٥/03/2025",
    ],
)
def test_vn_datetime_rejects(text):
    for _ in range(2):
        with pytest.raises(values.BadValue):
            values.parse_vn_datetime(text)


def test_empty_means_null():
    for parse in (values.parse_vn_datetime, values.parse_iso_datetime, values.parse_text, values.parse_int):
        assert parse("") is None and parse("   ") is None and parse(None) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-05T14:07:09+07:00", datetime(2025, 3, 5, 14, 7, 9)),
        ("2025-03-05T14:07:09", datetime(2025, 3, 5, 14, 7, 9)),
        ("2025-03-05T07:07:09Z", datetime(2025, 3, 5, 14, 7, 9)),
        ("2025-03-05T23:30:00+00:00", datetime(2025, 3, 6, 6, 30)),
        ("2025-03-05", datetime(2025, 3, 5)),
        ("2025-03-05T14:07:09.250+07:00", datetime(2025, 3, 5, 14, 7, 9, 250000)),
    ],
)
def test_iso_datetimes_become_local(text, expected):
    for _ in range(2):
        assert _as_datetime(values.parse_iso_datetime(text)) == expected


@pytest.mark.parametrize("text", ["2025-02-30T10:00:00+07:00", "05/03/2025", "2025-03-05T25:00:00"])
def test_iso_rejects(text):
    with pytest.raises(values.BadValue):
        values.parse_iso_datetime(text)
    with pytest.raises(values.BadValue):
        values.parse_iso_datetime(12345)


def test_excel_cells():
    assert values.parse_excel_datetime(datetime(2025, 3, 5, 14, 6, 59, 999_990)) == datetime(
        2025, 3, 5, 14, 7
    )
    assert values.parse_excel_datetime(date(2025, 3, 5)) == datetime(2025, 3, 5)
    assert _as_datetime(values.parse_excel_datetime("05/03/2025 14:07:09")) == datetime(2025, 3, 5, 14, 7, 9)
    with pytest.raises(values.BadValue):
        values.parse_excel_datetime(45721.5)  # a bare number is not taken for an Excel serial


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1.250.000", 1250000), ("1250000", 1250000), (1250000.0, 1250000), (3, 3), ("-2", -2)],
)
def test_integers(value, expected):
    assert values.parse_int(value) == expected


# True is not 1: a TRUE/FALSE cell or a JSON boolean in a number column is rejected, never guessed
@pytest.mark.parametrize("value", ["1.25", "12.50", "1,250", "abc", 1.5, "1.2500.000", "9" * 20, True, False])
def test_integer_rejects(value):
    with pytest.raises(values.BadValue):
        values.parse_int(value)


def test_ranges_follow_the_column_type():
    assert values.parse_smallint("32767") == 32767
    with pytest.raises(values.BadValue):
        values.parse_smallint("40000")
    with pytest.raises(values.BadValue):
        values.parse_text("a\x00b")
    assert values.parse_text(30280.0) == "30280"
