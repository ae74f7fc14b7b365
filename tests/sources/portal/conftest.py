"""A small portal world written in the generator's layout, the simulator on loopback, and a
clean slate in the ledger after each test (the warehouse is shared by the whole session)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from cchc.settings import DEMO_PORTAL_CLIENT_ID, DEMO_PORTAL_CLIENT_SECRET
from cchc.sources.portal.client import PortalClient, RetryPolicy
from cchc_world.portal_sim.testing import portal_sim_factory  # noqa: F401 - a fixture, reused here

DAY = date(2025, 7, 1)
PROVINCES = ("48", "01")
PAYMENTS_PER_DAY = 25
FAST = RetryPolicy(
    max_tries=4, backoff_base=0.001, backoff_max=0.01, retry_after_max=5, connect_timeout=1, read_timeout=0.5
)
RAW_TABLES = ("portal_formalities", "portal_dossier_sync", "portal_payments", "portal_petitions",
              "portal_ratings", "portal_service_results")  # fmt: skip


def write_jsonl(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def payments(province: str, day: date, n: int = PAYMENTS_PER_DAY) -> list[dict]:
    stamp = day.strftime("%y%m%d")
    return [
        {
            "transactionId": f"TX{province}{stamp}{i:06d}",
            "dossierCode": f"000.00.01.H{province}-{stamp}-{i:04d}",
            "amount": 50_000 + 1_000 * i,
            "status": ("SUCCESS", "FAILED", "PENDING")[i % 3],
            "gateway": 1 + i % 2,
            "paidAt": f"{day.isoformat()}T{8 + i % 9:02d}:15:00+07:00",
        }
        for i in range(n)
    ]


def formalities() -> list[dict]:
    out = []
    for i in range(30):
        updated = date(2025, 6, 20) + timedelta(days=i)
        out.append(
            {
                "code": f"2.{i:06d}",
                "id": f"00000000-0000-4000-8000-{i:012d}",
                "name": f"Thủ tục số {i}",
                "fieldCode": "HT" if i % 2 else "DD",
                "fieldName": "Hộ tịch" if i % 2 else "Đất đai",
                "levels": ["TINH", "XA"] if i % 3 else ["XA"],
                "onlineLevel": ("TOAN_TRINH", "MOT_PHAN", "KHONG")[i % 3],
                "processingDays": 5 + i % 10,
                "dayType": "WORKING",
                "hasFee": bool(i % 2),
                "state": "ACTIVE",
                "decisionDate": "2025-06-15",
                "effectiveDate": "2025-07-01",
                "replacedByCode": None,
                "updatedAt": f"{updated.isoformat()}T10:00:00+07:00",
            }
        )
    return out


def build_world(root: Path) -> Path:
    portal = root / "portal"
    write_jsonl(portal / "formalities.jsonl", formalities())
    for province in PROVINCES:
        for offset in range(-3, 2):
            day = DAY + timedelta(days=offset)
            tag = f"{province}-{day:%y%m%d}"
            write_jsonl(portal / "payments" / province / f"{day}.jsonl", payments(province, day))
            write_jsonl(
                portal / "dossier-sync" / province / f"{day}.jsonl",
                [{"dossierCode": f"D-{tag}-{i}", "unitCode": f"000.00.01.H{province}",
                  "syncedAt": f"{day}T20:00:00+07:00"} for i in range(12)],
            )  # fmt: skip
            write_jsonl(
                portal / "ratings" / province / f"{day}.jsonl",
                [{"dossierCode": f"D-{tag}-{i}", "ratedAt": f"{day}T11:00:00+07:00",
                  "level": ("RAT_HAI_LONG", "HAI_LONG", "KHONG_HAI_LONG")[i % 3]} for i in range(7)],
            )  # fmt: skip
            write_jsonl(
                portal / "petitions" / province / f"{day}.jsonl",
                [{"id": f"P-{tag}-{i}", "unitCode": f"000.00.01.H{province}", "category": "TTHC",
                  "receivedAt": f"{day}T09:00:00+07:00", "dueAt": "2025-07-22T17:00:00+07:00",
                  "resolvedAt": None if i % 2 else f"{day}T16:00:00+07:00",
                  "satisfied": None if i % 2 else True} for i in range(5)],
            )  # fmt: skip
    groups = [
        {
            "code": "TDGQ",
            "score": 18.25,
            "maxScore": 20,
            "metrics": [
                {
                    "code": "tdgq_handled_on_time",
                    "numerator": 9125,
                    "denominator": 10000,
                    "ratio": 91.25,
                    "score": 18.25,
                    "maxScore": 20,
                }
            ],
        }
    ]
    write_jsonl(
        portal / "service-results" / "2025-07.jsonl",
        [{"departmentCode": p, "departmentName": f"Tỉnh {p}", "departmentLevel": "PROVINCE",
          "groups": groups, "totalScore": 18.25} for p in ("01", "48", "79")],
    )  # fmt: skip
    write_jsonl(  # the year to date (timeType=year): January to July
        portal / "service-results" / "year" / "2025-07.jsonl",
        [{"departmentCode": "48", "departmentName": "Tỉnh 48", "departmentLevel": "PROVINCE",
          "groups": groups, "totalScore": 18.25}],
    )  # fmt: skip
    return root


@pytest.fixture
def world(tmp_path) -> Path:
    """A fresh world per test: some tests change its files."""
    return build_world(tmp_path / "world")


@pytest.fixture
def sim(world, portal_sim_factory):  # noqa: F811
    return portal_sim_factory(world)


def make_client(sim, policy: RetryPolicy = FAST, **kwargs) -> PortalClient:
    return PortalClient(
        sim.base_url, DEMO_PORTAL_CLIENT_ID, DEMO_PORTAL_CLIENT_SECRET, policy=policy, **kwargs
    )


@pytest.fixture
def portal_clean(db):
    """Leaves the shared warehouse as this test found it: portal batches and watermarks."""
    start = db.execute("select coalesce(max(batch_id), 0) from audit.batches").fetchone()[0]
    marks = db.execute("select endpoint, province_code, watermark from audit.watermarks").fetchall()
    db.execute("delete from audit.watermarks")
    yield start
    for table in RAW_TABLES:
        db.execute(f"delete from raw.{table} where batch_id > %s", (start,))
    db.execute("update audit.batches set superseded_by = null where superseded_by > %s", (start,))
    for table in ("audit.validation_results", "audit.rejected_rows"):
        db.execute(f"delete from {table} where batch_id > %s", (start,))
    db.execute("delete from audit.batches where batch_id > %s and source = 'portal'", (start,))
    db.execute("delete from audit.watermarks")
    for row in marks:
        db.execute(
            "insert into audit.watermarks (endpoint, province_code, watermark) values (%s, %s, %s)", row
        )
