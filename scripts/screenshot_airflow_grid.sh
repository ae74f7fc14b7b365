#!/usr/bin/env bash
# Screenshot the cchc_nightly grid of the local Airflow UI with headless Chromium (Debian's
# `chromium` package). Starts `cchc airflow standalone` (the `make airflow-ui` target) when nothing
# answers on the port yet, and stops it again afterwards.
#
#   scripts/screenshot_airflow_grid.sh [OUT.png] [DAG_ID]
#   CCHC_STATE_DIR=/path/to/state scripts/screenshot_airflow_grid.sh   # another state folder
set -euo pipefail
cd "$(dirname "$0")/.."

state_dir="${CCHC_STATE_DIR:-$PWD/.cchc}"
out="${1:-$state_dir/screenshots/airflow_grid.png}"
dag_id="${2:-cchc_nightly}"
port="${AIRFLOW_UI_PORT:-8080}"
base="http://127.0.0.1:${port}"
chromium_bin="$(command -v chromium || command -v chromium-browser || true)"
[ -n "$chromium_bin" ] || { echo "chromium not found: apt-get install -y chromium" >&2; exit 2; }
mkdir -p "$(dirname "$out")"

started_pid=""
cleanup() {
  if [ -n "$started_pid" ]; then
    # stop the process group we started (standalone spawns scheduler, api-server, …)
    kill -- "-$started_pid" 2>/dev/null || true
    wait "$started_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT

if ! curl -fsS "$base/api/v2/version" >/dev/null 2>&1; then
  echo "starting airflow standalone on $base (log: $state_dir/airflow-standalone.log)"
  mkdir -p "$state_dir"
  CCHC_DEMO="${CCHC_DEMO:-1}" setsid .venv/bin/cchc airflow standalone >"$state_dir/airflow-standalone.log" 2>&1 &
  started_pid=$!
  for _ in $(seq 1 180); do
    curl -fsS "$base/api/v2/version" >/dev/null 2>&1 && break
    sleep 2
  done
  curl -fsS "$base/api/v2/version" >/dev/null || { echo "airflow did not come up" >&2; exit 1; }
  # let the dag-processor serialise the DAGs before the page asks for them
  for _ in $(seq 1 90); do
    curl -fsS "$base/api/v2/dags/$dag_id" >/dev/null 2>&1 && break
    sleep 2
  done
fi

"$chromium_bin" --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run \
  --hide-scrollbars --window-size=1600,1000 --virtual-time-budget=20000 \
  --screenshot="$out" "$base/dags/$dag_id" 2>/dev/null
test -s "$out"
echo "screenshot: $out"
