"""The authoring side of the suites: `python -m cchc.validate.suites` writes every suite as
GX JSON into `expectations/gx/expectations/`, which is what validation runs.

Edit the rules here, re-run, commit both; a test fails when the JSON and this file disagree.
Each entity has `<entity>.critical` (a failure quarantines the batch) and `<entity>.warning`
(recorded, the batch flows on). Every expectation carries `meta.message`: the words the
quarantine reason and the results table use ("NgayHenTra before NgayTiepNhan").
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from cchc.report_measures import REPORT_MEASURES
from cchc.validate.entities import ENTITIES

_NS = uuid.UUID("6b0c7f0e-2f6b-4c55-9a53-2cc0c3e0a5d1")

LOADED = "select batch_id from audit.batches where status = 'accepted' and entity = '{entity}'"
LOADED_OR_PENDING = (
    "select batch_id from audit.batches where status in ('accepted', 'pending') and entity = '{entity}'"
)
CATALOGUE = (
    "select f.code from raw.portal_formalities as f "
    f"where f.batch_id in ({LOADED.format(entity='portal_formalities')})"
)
KNOWN_DOSSIERS = (
    "select h.ma_ho_so as code from raw.onestop_hoso as h "
    f"where h.batch_id in ({LOADED_OR_PENDING.format(entity='onestop_hoso')})"
)
BIEU06_MEASURES = list(REPORT_MEASURES)


# -- expectation constructors (plain GX JSON configurations) -------------------------------


def _e(type_: str, message: str, **kwargs: Any) -> dict:
    return {"type": type_, "kwargs": kwargs, "meta": {"message": message}}


def not_null(column: str, label: str) -> dict:
    return _e("expect_column_values_to_not_be_null", f"{label} empty", column=column)


def in_set(column: str, values: list, label: str) -> dict:
    return _e(
        "expect_column_values_to_be_in_set",
        f"{label} not one of {', '.join(map(str, values))}",
        column=column,
        value_set=values,
    )


def between(column: str, label: str, min_value=None, max_value=None, message: str | None = None) -> dict:
    return _e(
        "expect_column_values_to_be_between",
        message or f"{label} outside [{min_value}, {max_value}]",
        column=column,
        min_value=min_value,
        max_value=max_value,
    )


def regex(column: str, pattern: str, message: str) -> dict:
    return _e("expect_column_values_to_match_regex", message, column=column, regex=pattern)


def unique(columns: list[str], message: str) -> dict:
    if len(columns) == 1:
        return _e("expect_column_values_to_be_unique", message, column=columns[0])
    return _e("expect_compound_columns_to_be_unique", message, column_list=columns)


def rows_not(condition: str, show: list[str], message: str) -> dict:
    return _e("expect_rows_to_not_match", message, condition=condition, show=show)


def in_reference(column: str, reference: str, show: list[str], message: str) -> dict:
    return _e(
        "expect_column_values_to_be_in_reference",
        message,
        column=column,
        reference=reference,
        show=show,
    )


def unit_valid(column: str, date_expression: str, show: list[str], message: str) -> dict:
    return _e(
        "expect_unit_codes_valid_on_date",
        message,
        column=column,
        date_expression=date_expression,
        show=show,
        reference_table="staging.ref_admin_units",
    )


def row_count_band(
    message: str, min_ratio: float, max_ratio: float | None = None, min_median: int = 0
) -> dict:
    return _e(
        "expect_batch_row_count_within_recent_band",
        message,
        ledger_batch_id={"$PARAMETER": "ledger_batch_id"},
        min_ratio=min_ratio,
        max_ratio=max_ratio,
        history=10,
        min_history=3,
        min_median=min_median,
    )


def json_missing(key: str) -> str:
    return f"coalesce(record->>'{key}', '') = ''"


def json_not_in(key: str, values: list[str]) -> str:
    listed = ", ".join(f"'{v}'" for v in values)
    return f"record->>'{key}' is not null and record->>'{key}' not in ({listed})"


# -- the suites ----------------------------------------------------------------------------

HOSO_ID = ["source_row", "ma_ho_so"]


def _date_order(earlier: str, later: str, label_earlier: str, label_later: str) -> dict:
    return rows_not(
        f"{later}::date < {earlier}::date",
        [*HOSO_ID, earlier, later],
        f"{label_later} before {label_earlier}",
    )


def onestop_hoso() -> tuple[list[dict], list[dict]]:
    required = {
        "ma_ho_so": "MaHoSo",
        "ma_tthc": "MaTTHC",
        "ma_linh_vuc": "MaLinhVuc",
        "ma_don_vi": "MaDonVi",
        "cap_don_vi": "CapDonVi",
        "kenh_thuc_hien": "KenhThucHien",
        "muc_do_dvc": "MucDoDVC",
        "trang_thai_ho_so": "TrangThaiHoSo",
        "duoc_thanh_toan_truc_tuyen": "DuocThanhToanTrucTuyen",
        "tong_phi_le_phi": "TongPhiLePhi",
        "ho_so_co_thanh_phan_so_hoa": "HoSoCoThanhPhanSoHoa",
        "co_ket_qua_dien_tu": "CoKetQuaDienTu",
        "tai_khoan_duoc_xac_thuc_voi_vneid": "TaiKhoanDuocXacThucVoiVNeID",
        "ngay_cap_nhat": "NgayCapNhat",
    }
    critical = [not_null(col, label) for col, label in required.items()]
    critical += [
        in_set("cap_don_vi", ["TINH", "HUYEN", "XA"], "CapDonVi"),
        in_set("kenh_thuc_hien", [1, 2, 3], "KenhThucHien"),
        in_set("muc_do_dvc", ["TOAN_TRINH", "MOT_PHAN", "KHONG"], "MucDoDVC"),
        in_set("trang_thai_ho_so", list(range(1, 11)), "TrangThaiHoSo"),
        in_set("duoc_thanh_toan_truc_tuyen", [0, 1, 2], "DuocThanhToanTrucTuyen"),
        in_set("ho_so_co_thanh_phan_so_hoa", [0, 1], "HoSoCoThanhPhanSoHoa"),
        in_set("co_ket_qua_dien_tu", [0, 1], "CoKetQuaDienTu"),
        in_set("tai_khoan_duoc_xac_thuc_voi_vneid", [0, 1], "TaiKhoanDuocXacThucVoiVNeID"),
        # schema 1.3 flags: null (a 1.2 export, or not stated) is allowed and means unknown
        in_set("duoc_tai_su_dung", [0, 1], "DuocTaiSuDung"),
        in_set("duoc_lay_tu_kho_dlcn", [0, 1], "DuocLayTuKhoDLCN"),
        in_set("co_su_dung_du_lieu_dan_cu", [0, 1], "CoSuDungDuLieuDanCu"),
        between("tong_phi_le_phi", "TongPhiLePhi", min_value=0, message="TongPhiLePhi negative"),
        rows_not(
            "ngay_tiep_nhan is null and trang_thai_ho_so not in (1, 3)",
            [*HOSO_ID, "trang_thai_ho_so"],
            "NgayTiepNhan empty for a received dossier (TrangThaiHoSo not 1 or 3)",
        ),
        _date_order("ngay_tiep_nhan", "ngay_hen_tra", "NgayTiepNhan", "NgayHenTra"),
        _date_order("ngay_tiep_nhan", "ngay_ket_thuc_xu_ly", "NgayTiepNhan", "NgayKetThucXuLy"),
        _date_order("ngay_tiep_nhan", "ngay_tra", "NgayTiepNhan", "NgayTra"),
        _date_order("ngay_tiep_nhan", "ngay_tu_choi", "NgayTiepNhan", "NgayTuChoi"),
        rows_not(
            "trang_thai_ho_so in (9, 10) and ngay_ket_thuc_xu_ly is null and ngay_tra is null",
            [*HOSO_ID, "trang_thai_ho_so"],
            "finished dossier (TrangThaiHoSo 9/10) without NgayKetThucXuLy or NgayTra",
        ),
        rows_not(
            "trang_thai_ho_so in (7, 8) and ngay_tu_choi is null",
            [*HOSO_ID, "trang_thai_ho_so"],
            "withdrawn/stopped dossier (TrangThaiHoSo 7/8) without NgayTuChoi",
        ),
        row_count_band(
            "row count dropped by more than 85% against the province's recent exports (truncated export?)",
            min_ratio=0.15,
            min_median=50,
        ),
    ]
    warning = [
        in_reference("ma_tthc", CATALOGUE, [*HOSO_ID, "ma_tthc"], "MaTTHC not in the accepted catalogue"),
        unit_valid(
            "ma_don_vi",
            "coalesce(ngay_tiep_nhan, ngay_nop_ho_so, ngay_cap_nhat)::date",
            [*HOSO_ID, "ma_don_vi"],
            "MaDonVi not a unit valid on the dossier's received date",
        ),
        regex("ma_tthc", r"^[0-9]\.[0-9]{6}$", "MaTTHC not in the catalogue's format (1.004227)"),
        unique(["ma_ho_so", "ngay_cap_nhat"], "same MaHoSo and NgayCapNhat twice in one export"),
        _date_order("ngay_nop_ho_so", "ngay_tiep_nhan", "NgayNopHoSo", "NgayTiepNhan"),
        rows_not(
            "trang_thai_ho_so = 10 and ngay_tra is null",
            [*HOSO_ID, "trang_thai_ho_so"],
            "result returned (TrangThaiHoSo 10) without NgayTra",
        ),
        rows_not(
            "trang_thai_ho_so in (2, 4, 5, 6) and coalesce(ngay_ket_thuc_xu_ly, ngay_tra, ngay_tu_choi) is not null",
            [*HOSO_ID, "trang_thai_ho_so"],
            "open dossier (TrangThaiHoSo 2/4/5/6) with an end date",
        ),
        rows_not(
            "duoc_thanh_toan_truc_tuyen in (1, 2) and tong_phi_le_phi = 0",
            [*HOSO_ID, "duoc_thanh_toan_truc_tuyen", "tong_phi_le_phi"],
            "paid online (DuocThanhToanTrucTuyen 1/2) with TongPhiLePhi 0",
        ),
        rows_not(
            "ngay_tiep_nhan > ngay_cap_nhat + interval '1 day'",
            [*HOSO_ID, "ngay_tiep_nhan", "ngay_cap_nhat"],
            "NgayTiepNhan after NgayCapNhat",
        ),
        rows_not(
            "cap_don_vi = 'HUYEN' and coalesce(ngay_tiep_nhan, ngay_cap_nhat) >= '2025-07-01'",
            [*HOSO_ID, "cap_don_vi", "ngay_tiep_nhan"],
            "district-level unit (CapDonVi HUYEN) on a dossier received after 2025-07-01",
        ),
        row_count_band(
            "row count outside 0.5-3x the province's recent exports",
            min_ratio=0.5,
            max_ratio=3.0,
            min_median=50,
        ),
    ]
    return critical, warning


def onestop_bosung() -> tuple[list[dict], list[dict]]:
    ident = ["source_row", "ma_ho_so", "lan_bo_sung"]
    critical = [
        not_null("ma_ho_so", "MaHoSo"),
        not_null("lan_bo_sung", "LanBoSung"),
        not_null("ngay_yeu_cau_bo_sung", "NgayYeuCauBoSung"),
        not_null("ngay_cap_nhat", "NgayCapNhat"),
        between("lan_bo_sung", "LanBoSung", min_value=1, max_value=100),
        rows_not(
            "ngay_cong_dan_bo_sung::date < ngay_yeu_cau_bo_sung::date",
            [*ident, "ngay_yeu_cau_bo_sung", "ngay_cong_dan_bo_sung"],
            "NgayCongDanBoSung before NgayYeuCauBoSung",
        ),
        row_count_band(
            "row count dropped by more than 85% against the province's recent exports (truncated export?)",
            min_ratio=0.15,
            min_median=100,
        ),
    ]
    warning = [
        in_reference("ma_ho_so", KNOWN_DOSSIERS, ident, "supplement request for a MaHoSo not (yet) loaded"),
        unique(["ma_ho_so", "lan_bo_sung", "ngay_cap_nhat"], "same MaHoSo and LanBoSung twice"),
        rows_not(
            "ngay_hen_tra_moi::date < ngay_hen_tra_truoc::date",
            [*ident, "ngay_hen_tra_truoc", "ngay_hen_tra_moi"],
            "NgayHenTraMoi before NgayHenTraTruoc",
        ),
        rows_not(
            "ngay_yeu_cau_bo_sung > ngay_cap_nhat + interval '1 day'",
            [*ident, "ngay_yeu_cau_bo_sung", "ngay_cap_nhat"],
            "NgayYeuCauBoSung after NgayCapNhat",
        ),
    ]
    return critical, warning


def bieu06_rows() -> tuple[list[dict], list[dict]]:
    critical = [
        not_null("report_id", "report id"),
        not_null("unit_code", "MaDonVi"),
        not_null("field_name", "Lĩnh vực"),
        in_set("measure", BIEU06_MEASURES, "measure"),
        between("reported_value", "count", min_value=0, message="negative count"),
        rows_not(
            "period_end < period_start",
            ["report_id", "period_start", "period_end"],
            "period ends before it starts",
        ),
    ]
    warning = [
        {
            **_e(
                "expect_bieu06_identities_to_hold", "Biểu 06 identities broken (audit.report_identity_checks)"
            ),
            "meta": {
                "message": "Biểu 06 identities broken (audit.report_identity_checks)",
                "count_only": True,
            },
        },
        not_null("reported_value", "count cell"),
        unique(["report_id", "field_name", "measure"], "the same field row twice in a report"),
        rows_not(
            "report_id not in (select report_id from {batch} where is_total)",
            ["report_id"],
            "report without a total row (Tổng cộng)",
        ),
        unit_valid(
            "unit_code",
            "period_start",
            ["report_id", "unit_code"],
            "MaDonVi not a unit valid at the start of the report's period",
        ),
    ]
    return critical, warning


def portal_formalities() -> tuple[list[dict], list[dict]]:
    critical = [
        rows_not(json_missing("code"), ["id"], "record without its key code"),
        unique(["code"], "the same code twice in one pull"),
    ]
    warning = [
        regex(
            "code",
            r"^[0-9]\.[0-9]{6}(\.000\.00\.00\.H[0-9]{2})?$",
            "code not in the catalogue's format (1.004227, or 1.004227.000.00.00.H01 announced by a province)",
        ),
        rows_not(
            json_not_in("onlineLevel", ["TOAN_TRINH", "MOT_PHAN", "KHONG"]),
            ["code", "online_level"],
            "onlineLevel unknown",
        ),
        rows_not(json_not_in("dayType", ["WORKING", "CALENDAR"]), ["code", "day_type"], "dayType unknown"),
        rows_not(json_not_in("state", ["ACTIVE", "ABOLISHED"]), ["code", "state"], "state unknown"),
        rows_not(
            "processing_days is null or processing_days < 0",
            ["code", "processing_days"],
            "processingDays missing or negative",
        ),
        rows_not(json_missing("fieldCode"), ["code"], "fieldCode missing"),
    ]
    return critical, warning


def portal_dossier_sync() -> tuple[list[dict], list[dict]]:
    critical = [
        rows_not(
            json_missing("dossierCode"), ["unit_code", "synced_at"], "record without its key dossierCode"
        ),
        row_count_band(
            "record count dropped by more than 85% against the province's recent days",
            min_ratio=0.15,
            min_median=50,
        ),
    ]
    warning = [
        rows_not(json_missing("unitCode"), ["dossier_code"], "unitCode missing"),
        rows_not("synced_at is null", ["dossier_code"], "syncedAt missing or not a datetime"),
        unique(["dossier_code"], "the same dossierCode twice in one day"),
        in_reference(
            "dossier_code",
            KNOWN_DOSSIERS,
            ["dossier_code"],
            "synced dossier not (yet) in the one-stop exports",
        ),
    ]
    return critical, warning


def portal_payments() -> tuple[list[dict], list[dict]]:
    critical = [
        rows_not(
            json_missing("transactionId"), ["dossier_code", "paid_at"], "record without its key transactionId"
        ),
        unique(["transaction_id"], "the same transactionId twice in one pull"),
        row_count_band(
            "record count dropped by more than 85% against the province's recent days",
            min_ratio=0.15,
            min_median=50,
        ),
    ]
    warning = [
        rows_not("amount is null or amount <= 0", ["transaction_id", "amount"], "amount not > 0"),
        rows_not(
            json_not_in("status", ["SUCCESS", "FAILED", "PENDING"]),
            ["transaction_id", "status"],
            "status unknown",
        ),
        rows_not(
            "gateway is null or gateway not in (1, 2)", ["transaction_id", "gateway"], "gateway not 1 or 2"
        ),
        rows_not(
            "status = 'SUCCESS' and paid_at is null",
            ["transaction_id", "status"],
            "successful payment without paidAt",
        ),
        in_reference(
            "dossier_code",
            KNOWN_DOSSIERS,
            ["transaction_id", "dossier_code"],
            "payment for a dossier not (yet) in the one-stop exports",
        ),
    ]
    return critical, warning


def portal_petitions() -> tuple[list[dict], list[dict]]:
    critical = [
        rows_not(json_missing("id"), ["unit_code", "received_at"], "record without its key id"),
        unique(["id"], "the same petition id twice in one pull"),
    ]
    warning = [
        rows_not(json_not_in("category", ["TTHC", "CAN_BO"]), ["id", "category"], "category unknown"),
        rows_not("received_at is null", ["id"], "receivedAt missing or not a datetime"),
        rows_not("due_at < received_at", ["id", "received_at", "due_at"], "dueAt before receivedAt"),
        rows_not(
            "resolved_at < received_at", ["id", "received_at", "resolved_at"], "resolvedAt before receivedAt"
        ),
        rows_not("likes < 0 or dislikes < 0", ["id", "likes", "dislikes"], "likes or dislikes negative"),
        rows_not(
            "resolved_at is null and satisfied is not null",
            ["id", "satisfied"],
            "satisfaction given for an open petition",
        ),
        unit_valid(
            "unit_code",
            "(received_at at time zone 'Asia/Ho_Chi_Minh')::date",
            ["id", "unit_code"],
            "unitCode not a unit valid on the petition's received date",
        ),
    ]
    return critical, warning


def portal_ratings() -> tuple[list[dict], list[dict]]:
    critical = [
        rows_not(json_missing("dossierCode"), ["rated_at", "level"], "record without its key dossierCode"),
        row_count_band(
            "record count dropped by more than 85% against the province's recent days",
            min_ratio=0.15,
            min_median=50,
        ),
    ]
    warning = [
        rows_not(
            json_not_in("level", ["RAT_HAI_LONG", "HAI_LONG", "KHONG_HAI_LONG"]),
            ["dossier_code", "level"],
            "level unknown",
        ),
        rows_not("rated_at is null", ["dossier_code"], "ratedAt missing or not a datetime"),
        in_reference(
            "dossier_code",
            KNOWN_DOSSIERS,
            ["dossier_code", "rated_at"],
            "rating of a dossier not (yet) in the one-stop exports",
        ),
    ]
    return critical, warning


def _published_groups() -> str:
    """The record's groups[] (an empty array when it is missing or not an array)."""
    return "jsonb_array_elements(case when jsonb_typeof(record->'groups') = 'array' then record->'groups' else '[]' end)"


def _json_number(expr: str) -> str:
    return f"case when jsonb_typeof({expr}) = 'number' then ({expr})::text::numeric end"


def portal_service_results() -> tuple[list[dict], list[dict]]:
    """Shape and arithmetic of what the portal published; whether its scores follow from its own
    inputs under the project's rules is the marts' question (fct_reform_index_indicators)."""
    ident = ["year", "month", "department_code"]
    critical = [
        rows_not(json_missing("departmentCode"), ["year", "month"], "record without its key departmentCode"),
        between("month", "month", min_value=1, max_value=12),
        between("year", "year", min_value=2018, max_value=2100),
        unique(["year", "month", "department_code"], "the same unit twice for one month"),
        rows_not(
            "jsonb_typeof(record->'groups') is distinct from 'array'",
            ident,
            "groups[] missing or not a list",
        ),
    ]
    groups = _published_groups()
    metrics = (
        "jsonb_array_elements(case when jsonb_typeof(g->'metrics') = 'array' then g->'metrics' else '[]' end)"
    )
    g_score, m_score = _json_number("g->'score'"), _json_number("m->'score'")
    num, den = _json_number("m->'numerator'"), _json_number("m->'denominator'")
    warning = [
        rows_not(
            json_not_in("departmentLevel", ["PROVINCE", "PROVINCIAL_DEPARTMENT", "DISTRICT", "COMMUNE"]),
            [*ident, "department_level"],
            "departmentLevel unknown",
        ),
        between("total_score", "totalScore", min_value=0, max_value=100),
        rows_not(
            f"abs(total_score - (select coalesce(sum({g_score}), 0) from {groups} as g)) > 0.01",
            [*ident, "total_score"],
            "totalScore not the sum of the group scores",
        ),
        rows_not(
            f"exists (select 1 from {groups} as g where abs({g_score} - "
            f"(select coalesce(sum({m_score}), 0) from {metrics} as m)) > 0.01)",
            ident,
            "a group's score is not the sum of its metrics' scores",
        ),
        rows_not(
            f"exists (select 1 from {groups} as g, {metrics} as m "
            f"where {num} is null or {den} is null or {num} < 0 or {den} < 0)",
            ident,
            "a metric whose numerator or denominator is missing, not a number or negative",
        ),
    ]
    return critical, warning


BUILDERS = {
    "onestop_hoso": onestop_hoso,
    "onestop_bosung": onestop_bosung,
    "bieu06_rows": bieu06_rows,
    "portal_formalities": portal_formalities,
    "portal_dossier_sync": portal_dossier_sync,
    "portal_payments": portal_payments,
    "portal_petitions": portal_petitions,
    "portal_ratings": portal_ratings,
    "portal_service_results": portal_service_results,
}


def suite_documents() -> dict[str, dict]:
    """Every suite as the JSON document GX's expectations store reads, keyed by suite name."""
    assert set(BUILDERS) == set(ENTITIES)
    docs: dict[str, dict] = {}
    for entity, build in BUILDERS.items():
        for severity, expectations in zip(("critical", "warning"), build(), strict=True):
            name = f"{entity}.{severity}"
            items = []
            for index, exp in enumerate(expectations):
                item = dict(exp)
                item["meta"] = {**exp["meta"], "severity": severity}
                item["id"] = str(uuid.uuid5(_NS, f"{name}#{index}"))
                items.append(item)
            docs[name] = {
                "name": name,
                "id": str(uuid.uuid5(_NS, name)),
                "expectations": items,
                "meta": {
                    "entity": entity,
                    "severity": severity,
                    "table": ENTITIES[entity].table,
                },
                "notes": (
                    f"{severity.capitalize()} expectations of raw.{entity}: "
                    + (
                        "a failure quarantines the batch."
                        if severity == "critical"
                        else "failures are recorded; the batch is loaded."
                    )
                    + " Generated by cchc.validate.suites."
                ),
            }
    return docs


def suites_dir(project_dir: Path) -> Path:
    return project_dir / "gx" / "expectations"


def write_suites(project_dir: Path) -> list[Path]:
    folder = suites_dir(project_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, doc in suite_documents().items():
        entity, severity = name.split(".")
        # GX's filesystem store maps the suite name `a.b` to the path a/b.json.
        path = folder / entity / f"{severity}.json"
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written


_ASSETS_START = "    assets:\n"
_ASSETS_END = "progress_bars:\n"


def asset_blocks() -> str:
    """great_expectations.yml's table assets, one per raw entity, all alike (a batch = one
    batch_id): written from ENTITIES so that a new entity is one line there, not a YAML block."""
    from cchc.validate.entities import ENTITIES

    out = [_ASSETS_START]
    for name in ENTITIES:
        out.append(
            f"      {name}:\n"
            "        type: table\n"
            f"        table_name: {name}\n"
            "        schema_name: raw\n"
            "        batch_definitions:\n"
            "          by_batch_id:\n"
            "            partitioner:\n"
            "              column_name: batch_id\n"
            "              method_name: partition_on_column_value\n"
        )
    return "".join(out)


def project_file_with_assets(text: str) -> str:
    """The project file's text with its assets section replaced by `asset_blocks()`."""
    start, end = text.index(_ASSETS_START), text.index(_ASSETS_END)
    return text[:start] + asset_blocks() + text[end:]


def write_project_assets(project_dir: Path) -> Path:
    path = project_dir / "gx" / "great_expectations.yml"
    path.write_text(project_file_with_assets(path.read_text(encoding="utf-8")), encoding="utf-8")
    return path


if __name__ == "__main__":
    from cchc.settings import get_settings

    for p in write_suites(get_settings().gx_project_dir):
        print(p)
    print(write_project_assets(get_settings().gx_project_dir))
