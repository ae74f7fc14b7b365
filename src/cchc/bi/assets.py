"""Dashboards as code: bi/superset/ holds Superset's own export format (metadata.yaml, databases/,
datasets/, charts/, dashboards/), reviewed like code. `import_assets` zips the folder with this
machine's warehouse address and imports it (objects keep their uuids, so an import updates in
place); `export_assets` writes what is in Superset back to the folder after someone edited in
the UI, with the machine-specific parts (timestamp, address) taken out."""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import yaml

from cchc.bi.asset_ids import settle_filter_scopes, stable_ids
from cchc.bi.client import SupersetClient

# The warehouse address in the files; the real one is put in at import and taken out at export.
URI_PLACEHOLDER = "postgresql+psycopg2://bi_reader@warehouse/cchc"
_FOLDERS = ("databases", "datasets", "charts", "dashboards")


def bundle(folder: Path, uri: str) -> bytes:
    """The folder as the ZIP Superset imports, with `uri` for every database."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*.yaml")):
            relative = path.relative_to(folder).as_posix()
            text = path.read_text(encoding="utf-8")
            if relative.startswith("databases/"):
                doc = yaml.safe_load(text)
                doc["sqlalchemy_uri"] = uri
                text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
            archive.writestr(f"cchc_bi/{relative}", text)
    return buffer.getvalue()


def import_assets(client: SupersetClient, folder: Path, uri: str, password: str | None) -> dict:
    databases = sorted(p.relative_to(folder).as_posix() for p in (folder / "databases").glob("*.yaml"))
    form = {"passwords": json.dumps({name: password for name in databases} if password else {})}
    result = client.post(
        "/api/v1/assets/import/",
        files={"bundle": ("cchc_bi.zip", bundle(folder, uri), "application/zip")},
        data=form,
    )
    settle_filter_scopes(client)
    return result


def _clean(relative: str, doc: dict) -> str:
    if relative.startswith("databases/"):
        doc["sqlalchemy_uri"] = URI_PLACEHOLDER
    if relative == "metadata.yaml":
        doc.pop("timestamp", None)
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=120)


_TITLE_KEYS = {"charts": "slice_name", "dashboards": "dashboard_title", "datasets": "table_name"}


def _ascii_name(title: str) -> str:
    """`Đối soát báo cáo` -> `doi_soat_bao_cao` (Superset's own names drop Đ and carry ids)."""
    import unicodedata

    text = unicodedata.normalize("NFKD", title.replace("Đ", "D").replace("đ", "d"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_") or "unnamed"


def _file_name(relative: str, doc: dict) -> str:
    folder = relative.split("/", 1)[0]
    key = _TITLE_KEYS.get(folder)
    if key and doc.get(key):
        parent = relative.rsplit("/", 1)[0]
        return f"{parent}/{_ascii_name(doc[key])}.yaml"
    return re.sub(r"_\d+\.yaml$", ".yaml", relative)


def export_assets(client: SupersetClient, folder: Path) -> list[str]:
    """Replace the folder's files with what Superset holds now; returns the files written."""
    archive = zipfile.ZipFile(io.BytesIO(client.get("/api/v1/assets/export/")))
    if not any("/dashboards/" in name for name in archive.namelist()):
        # an empty or half-imported Superset would wipe the reviewed files
        raise RuntimeError("Superset holds no dashboard: nothing exported (run `cchc bi up` first)")
    docs = {
        name.split("/", 1)[1]: yaml.safe_load(archive.read(name).decode("utf-8"))
        for name in sorted(archive.namelist())
        if name.endswith(".yaml")
    }
    stable_ids(docs)
    for sub in _FOLDERS:
        shutil.rmtree(folder / sub, ignore_errors=True)
    written = []
    for relative, doc in docs.items():
        target = folder / _file_name(relative, doc)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_clean(relative, doc), encoding="utf-8")
        written.append(target.relative_to(folder).as_posix())
    return written
