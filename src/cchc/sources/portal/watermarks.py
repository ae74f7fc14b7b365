"""How far each portal pull has got (audit.watermarks), per endpoint and province.

Daily endpoints keep the last business date loaded without a gap (`YYYY-MM-DD`); the catalogue
keeps the newest `updatedAt` date it has seen (the next pull asks `updatedFrom` that date, so a
change made later that same day is not missed); service results keep `YYYY-MM`. ISO texts sort
as their values, so a watermark only moves forward (`greatest`): re-pulling an old window
never winds it back.
"""

from __future__ import annotations

import psycopg


def get(conn: psycopg.Connection, endpoint: str, province_code: str | None = None) -> str | None:
    row = conn.execute(
        "select watermark from audit.watermarks where endpoint = %s and province_code = %s",
        (endpoint, province_code or ""),
    ).fetchone()
    return row[0] if row else None


def advance(conn: psycopg.Connection, endpoint: str, province_code: str | None, value: str) -> None:
    conn.execute(
        """
        insert into audit.watermarks (endpoint, province_code, watermark)
        values (%s, %s, %s)
        on conflict (endpoint, province_code) do update
        set watermark = greatest(audit.watermarks.watermark, excluded.watermark), updated_at = now()
        """,
        (endpoint, province_code or "", value),
    )
