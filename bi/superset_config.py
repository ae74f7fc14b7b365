"""Superset's configuration for cchc-warehouse (read through SUPERSET_CONFIG_PATH).

Everything that differs between machines comes from the environment `cchc bi` sets: the secret
key (generated once, kept 0600 in the state folder), where the metadata DB lives, and the port.
The BI tool runs offline: no map tiles, no telemetry, no CDN.
"""

import os

SECRET_KEY = os.environ["SUPERSET_SECRET_KEY"]
# Superset's own metadata (users, roles, dashboards): SQLite under the state folder locally, a
# PostgreSQL database of its own in compose. Never the warehouse.
SQLALCHEMY_DATABASE_URI = os.environ["CCHC_BI_METADATA_URI"]

# Officials read Vietnamese; English stays available in the menu.
BABEL_DEFAULT_LOCALE = "vi"
LANGUAGES = {"vi": {"flag": "vn", "name": "Tiếng Việt"}, "en": {"flag": "us", "name": "English"}}

FEATURE_FLAGS = {
    "DASHBOARD_RBAC": True,  # a dashboard's roles decide who sees it
    "DRILL_TO_DETAIL": True,  # a cell leads to its rows
    "DASHBOARD_CROSS_FILTERS": True,
    "ALERT_REPORTS": False,
    "EMBEDDED_SUPERSET": False,
}

# Offline and private: nothing calls out.
MAPBOX_API_KEY = ""
ENABLE_PROXY_FIX = False
TALISMAN_ENABLED = False
SESSION_COOKIE_SAMESITE = "Lax"
WTF_CSRF_ENABLED = True
SUPERSET_WEBSERVER_PORT = int(os.environ.get("CCHC_BI_PORT", "8088"))
SQLLAB_CTAS_NO_LIMIT = True
ROW_LIMIT = 50000
# Query results are never cached across users: RLS decides rows per user.
DATA_CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}

# Roles, users and permissions through the REST API: `cchc bi` applies the province fence with it.
FAB_ADD_SECURITY_API = True
