#!/usr/bin/env bash
# Measures the README's compatibility table: runs tests/interop/compat_probe.py (boto3) against
# `cognito-tui serve`, moto's server and cognito-local, each started here on a free port and
# stopped at the end, and prints the Markdown table (with the date and versions) on stdout.
#
# Usage: scripts/compat-table.sh
# Needs: cargo, python3 with tests/interop/requirements.txt installed, and node + npm for
# cognito-local (installed on first use into $COGNITO_LOCAL_DIR, by default
# ~/.cache/cognito-tui/cognito-local; without node/npm that column says why it was not measured).
set -euo pipefail
cd "$(dirname "$0")/.."

COGNITO_LOCAL_VERSION="${COGNITO_LOCAL_VERSION:-3.23.3}"
COGNITO_LOCAL_DIR="${COGNITO_LOCAL_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cognito-tui/cognito-local}"
tmp="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT

export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_ENDPOINT_URL

# Waits for a line with an http:// URL in $1 and prints the URL.
url_from() {
    for _ in $(seq 1 300); do
        if url="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$1" 2>/dev/null | head -1)" && [ -n "$url" ]; then
            echo "$url"
            return 0
        fi
        sleep 0.2
    done
    echo "no URL in $1:" >&2
    cat "$1" >&2
    return 1
}

probe() { # name url [extra env...]
    local name="$1" url="$2"
    shift 2
    echo "probing $name at $url" >&2
    env "$@" POOL_ENDPOINT="$url" python3 tests/interop/compat_probe.py --name "$name" \
        >"$tmp/$name.json"
}

# 1. the embedded pool
cargo build --quiet --bin cognito-tui
bin="${CARGO_TARGET_DIR:-target}/debug/cognito-tui"
COGNITO_TUI_HOME="$tmp/serve" "$bin" serve --port 0 --db "$tmp/serve.sqlite3" >"$tmp/serve.out" 2>&1 &
pids+=($!)
probe serve "$(url_from "$tmp/serve.out")"
serve_version="$("$bin" --version | awk '{print $2}')"

# 2. moto
(sleep 100000 | python3 tests/interop/moto_serve.py >"$tmp/moto.out" 2>&1) &
pids+=($!)
probe moto "$(url_from "$tmp/moto.out")"
moto_version="$(python3 -c 'import moto; print(moto.__version__)')"

# 3. cognito-local
cl_note=""
if command -v node >/dev/null && command -v npm >/dev/null; then
    if [ ! -x "$COGNITO_LOCAL_DIR/node_modules/.bin/cognito-local" ]; then
        mkdir -p "$COGNITO_LOCAL_DIR"
        npm install --prefix "$COGNITO_LOCAL_DIR" --no-audit --no-fund --loglevel=error \
            "cognito-local@$COGNITO_LOCAL_VERSION" >&2 || cl_note="npm install cognito-local failed"
    fi
    if [ -z "$cl_note" ]; then
        cl_bin="$(cd "$COGNITO_LOCAL_DIR" && pwd)/node_modules/.bin/cognito-local"
        mkdir -p "$tmp/cl"
        (cd "$tmp/cl" && PORT=0 exec "$cl_bin" >"$tmp/cl.out" 2>&1) &
        pids+=($!)
        if cl_url="$(url_from "$tmp/cl.out")"; then
            probe cognito-local "$cl_url" COGNITO_LOCAL_DB="$tmp/cl/.cognito/db"
        else
            cl_note="cognito-local did not start"
        fi
    fi
else
    cl_note="node and npm are not installed"
fi

python3 - "$tmp" "$serve_version" "$moto_version" "$COGNITO_LOCAL_VERSION" "$cl_note" <<'EOF'
import datetime, json, os, re, sys

tmp, serve_v, moto_v, cl_v, cl_note = sys.argv[1:6]
def load(name):
    path = os.path.join(tmp, f"{name}.json")
    return {r["row"]: r for r in json.load(open(path))["rows"]} if os.path.exists(path) else None

cols = [("serve", f"cognito-tui serve {serve_v}"), ("moto", f"moto {moto_v}"),
        ("cognito-local", f"cognito-local {cl_v}")]
data = {k: load(k) for k, _ in cols}
rows = list((data["serve"] or data["moto"]).keys())

def cell(name, row):
    if data[name] is None:
        return f"not measured ({cl_note or 'no result'})"
    r = data[name].get(row)
    if r is None:
        return "not measured"
    mark = {"supported": "✅ supported", "not implemented": "❌ not implemented",
            "wrong": "⚠️ wrong", "error": "⚠️ error", "not measured": "not measured"}[r["status"]]
    detail = r["detail"].replace("|", "\\|").replace("\n", " ")
    if r["status"] == "not implemented" and ":" in detail:
        flow = re.search(r"AuthFlow=(\w+)|Value '(\w+)' at 'authFlow'", detail)
        detail = detail.split(":", 1)[0]
        if flow:
            detail += f" {flow.group(1) or flow.group(2)}"
    return f"{mark}: {detail}" if detail and r["status"] != "supported" else mark

today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
print(f"Measured {today} by `scripts/compat-table.sh` (tests/interop/compat_probe.py, boto3):")
print()
print("| operation | " + " | ".join(title for _, title in cols) + " |")
print("|---|" + "---|" * len(cols))
for row in rows:
    print(f"| {row} | " + " | ".join(cell(k, row) for k, _ in cols) + " |")
EOF
