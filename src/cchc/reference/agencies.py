"""Provincial departments (*sở*) that receive dossiers at level TINH.

The packages list territories only, so the departments are a fixed list. Their codes follow the
national agency-code pattern `000.00.NN.H<MaTinh>` (e.g. `000.00.31.H56`). The 2025 reform merged
several departments; an old department succeeds to the new province's department that took over
its procedures.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Department:
    number: str  # NN in the agency code
    name: str
    before_reform: bool  # exists in the 63-province list (valid to 2025-06-30)
    after_reform: bool  # exists in the 34-province list (valid from 2025-07-01)
    successor: str | None = None  # NN of the department it merged into (old-only departments)


DEPARTMENTS: tuple[Department, ...] = (
    Department("01", "Sở Tư pháp", True, True),
    Department("02", "Sở Tài nguyên và Môi trường", True, False, successor="10"),
    Department("03", "Sở Xây dựng", True, True),
    Department("04", "Sở Kế hoạch và Đầu tư", True, False, successor="05"),
    Department("05", "Sở Tài chính", True, True),
    Department("06", "Sở Giao thông vận tải", True, False, successor="03"),
    Department("07", "Sở Công Thương", True, True),
    Department("08", "Sở Y tế", True, True),
    Department("09", "Sở Nông nghiệp và Phát triển nông thôn", True, False, successor="10"),
    Department("10", "Sở Nông nghiệp và Môi trường", False, True),
)


def agency_code(department_number: str, province_code: str) -> str:
    return f"000.00.{department_number}.H{province_code}"


def successor_number(department: Department) -> str:
    """NN of the department that holds an old department's procedures after 2025-07-01."""
    return department.number if department.after_reform else department.successor  # type: ignore[return-value]
