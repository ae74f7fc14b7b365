"""Make GX Data Docs render offline: point every CDN asset at a vendored copy.

GX 1.x writes pages whose CSS and JavaScript come from unpkg, jsDelivr, cdnjs, code.jquery.com and
bootstrapcdn. In a government network without internet those pages render as bare text: no
styles, and the results tables (bootstrap-table, a jQuery plugin) never draw. The vendored files
(same packages and versions, from the npm registry; licences in LICENSES.txt) are copied under
the site's `static/vendor/`, and each page's references are rewritten to relative paths. Vega
(charts on profiling pages, which this project does not build) is dropped rather than vendored.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

# CDN address -> file under expectations/data_docs_vendor/
CDN_FILES = {
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap.min.css",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "bootstrap.min.js",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "popper.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": "bootstrap-table.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": "bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css": (
        "bootstrap-table-filter-control.min.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css": (
        "bootstrap-table-filter-control.min.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js": (
        "bootstrap-table-filter-control.min.js"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css": (
        "bootstrap-datepicker.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js": (
        "bootstrap-datepicker.min.js"
    ),
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css": (
        "bootstrap-prefers-dark.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": "fontawesome/css/all.min.css",
}
_DROPPED_SCRIPT = re.compile(r'<script src="https://cdn\.jsdelivr\.net/npm/vega[^"]*"></script>\s*')
# Subresource-integrity attributes name the CDN's bytes; the local copy needs none.
_INTEGRITY = re.compile(r'\s+integrity="[^"]*"|\s+crossorigin="[^"]*"')
_TAG_WITH_LOCAL = re.compile(r"<(?:script|link)\b[^>]*static/vendor/[^>]*>")
# The navbar logo comes from GX's S3 bucket; the site ships the same image under static/images/.
_S3_IMAGE = re.compile(
    r"https://great-expectations-web-assets\.s3\.us-east-2\.amazonaws\.com/([\w.-]+)(?:\?[^\"]*)?"
)


def vendor_dir(home: Path) -> Path:
    return home / "expectations" / "data_docs_vendor"


def install_assets(site: Path, vendor: Path) -> Path:
    """Copy the vendored files under the site's static/vendor/ (again only when they changed)."""
    target = site / "static" / "vendor"
    for source in vendor.rglob("*"):
        if source.is_file():
            dest = target / source.relative_to(vendor)
            if not dest.is_file() or dest.stat().st_size != source.stat().st_size:
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, dest)
    return target


def rewrite_page(page: Path, assets: Path) -> bool:
    """Point one page's CDN references at the local copies; True when it changed."""
    text = page.read_text(encoding="utf-8")
    if "https://" not in text:
        return False
    prefix = os.path.relpath(assets, page.parent).replace(os.sep, "/")
    images = os.path.relpath(assets.parent / "images", page.parent).replace(os.sep, "/")
    new = _DROPPED_SCRIPT.sub("", text)
    new = _S3_IMAGE.sub(lambda m: f"{images}/{m.group(1)}", new)
    for url, name in CDN_FILES.items():
        new = new.replace(url, f"{prefix}/{name}")
    new = _TAG_WITH_LOCAL.sub(lambda m: _INTEGRITY.sub("", m.group(0)), new)
    if new == text:
        return False
    page.write_text(new, encoding="utf-8")
    return True


def make_offline(site: Path, vendor: Path) -> int:
    """Vendor the assets into the site and rewrite every page; returns the pages rewritten."""
    if not site.is_dir():
        return 0
    assets = install_assets(site, vendor)
    return sum(rewrite_page(page, assets) for page in site.rglob("*.html"))


def cdn_references(page: Path) -> list[str]:
    """Stylesheets and scripts a page still loads from the internet."""
    text = page.read_text(encoding="utf-8")
    return re.findall(r'<(?:script|link)\b[^>]*(?:src|href)="(https?://[^"]+\.(?:js|css)[^"]*)"', text)
