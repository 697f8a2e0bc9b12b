#!/usr/bin/env bash
# USER_PASSWORD_AUTH under load on three Cognito-compatible servers, one after another, on
# the same machine: `cognito-tui serve` (release build), moto's server (PyPI `moto[server]`)
# and cognito-local (npm). Each gets the same pool, client and USERS users (setup.py, boto3),
# then wrk drives it: CONNS connections for SECS seconds, USER_PASSWORD_AUTH for the users in
# turn (auth.lua). Prints requests/s, p50, p99, the server's RSS after the load, and the
# ratios of serve to the others.
# Targets on a 2-core machine: serve >= 3x moto and >= 5x cognito-local, p99 <= 40 ms,
# RSS <= 32 MiB after 10,000 sign-ins.
#
# Usage: scripts/bench-pool.sh            (env: USERS=100 CONNS=16 SECS=10 ONLY="serve moto
#                                          cognito-local" BENCH_TOOLS=~/.cache/cognito-tui-bench)
# Needs wrk (Debian `wrk`), python3 with boto3, node/npm; installs moto[server] (pip --user)
# and cognito-local (npm, into BENCH_TOOLS) when they are missing.
set -euo pipefail

USERS=${USERS:-100}
CONNS=${CONNS:-16}
SECS=${SECS:-10}
ONLY=${ONLY:-"serve moto cognito-local"}
PASSWORD='Bench-Passw0rd!'
ROOT=$(cd "$(dirname "$0")/.." && pwd)
HERE=$ROOT/scripts/bench-pool
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
TOOLS=${BENCH_TOOLS:-$HOME/.cache/cognito-tui-bench}

command -v wrk >/dev/null || { echo "bench-pool: wrk is required (apt-get install wrk)" >&2; exit 1; }
python3 -c 'import boto3' 2>/dev/null || { echo "bench-pool: python3 with boto3 is required" >&2; exit 1; }

WORK=$(mktemp -d)
SERVER_PID=
stop_server() {
  if [[ -n "$SERVER_PID" ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
  fi
}
cleanup() { stop_server; rm -rf "$WORK"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
  local port=$1 i
  for i in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "bench-pool: nothing listens on $port after 30 s" >&2; return 1
}
# The resident memory of the process listening (the server itself, not a wrapper).
rss_mib() { awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

declare -A RPS P50 P99 RSS
run_one() {
  local name=$1 port=$2 url="http://127.0.0.1:$2"
  wait_port "$port"
  local client
  client=$(python3 "$HERE/setup.py" "$url" "$USERS" "$PASSWORD")
  export CLIENT_ID=$client PASSWORD USERS
  # A short warm-up (JIT, caches, the pool's first keys), then the measured run.
  wrk -t1 -c"$CONNS" -d2s -s "$HERE/auth.lua" "$url/" >/dev/null
  local out line
  out=$(wrk -t1 -c"$CONNS" -d"${SECS}s" --latency -s "$HERE/auth.lua" "$url/")
  line=$(grep '^RESULT' <<<"$out")
  read -r _ total rps p50 p99 bad <<<"$line"
  RPS[$name]=$rps; P50[$name]=$p50; P99[$name]=$p99; RSS[$name]=$(rss_mib "$SERVER_PID")
  printf '%-14s %9s req/s  p50 %7s ms  p99 %7s ms  RSS %6s MiB  (%s sign-ins, %s errors)\n' \
    "$name" "$rps" "$p50" "$p99" "${RSS[$name]}" "$total" "$bad"
  if (( bad > 0 )); then echo "bench-pool: $name answered $bad requests with errors" >&2; fi
  stop_server
}

for which in $ONLY; do
  port=$(free_port)
  case $which in
    serve)
      (cd "$ROOT" && cargo build --release --quiet --bin cognito-tui)
      COGNITO_TUI_HOME=$WORK/home "$TARGET/release/cognito-tui" serve --port "$port" \
        --db "$WORK/serve.sqlite3" >"$WORK/serve.out" 2>&1 &
      SERVER_PID=$!
      ;;
    moto)
      python3 -c 'import moto.server' 2>/dev/null || pip3 install --user --quiet 'moto[server]'
      python3 -m moto.server -H 127.0.0.1 -p "$port" >"$WORK/moto.out" 2>&1 &
      SERVER_PID=$!
      ;;
    cognito-local)
      if [[ ! -x "$TOOLS/node_modules/.bin/cognito-local" ]]; then
        mkdir -p "$TOOLS"
        npm install --prefix "$TOOLS" --no-audit --no-fund --silent cognito-local >/dev/null
      fi
      # Its default pool takes emails as usernames; the bench's users are plain names.
      mkdir -p "$WORK/cognito-local/.cognito"
      echo '{"UserPoolDefaults": {"UsernameAttributes": []}}' >"$WORK/cognito-local/.cognito/config.json"
      (cd "$WORK/cognito-local" && PORT=$port HOST=127.0.0.1 \
        exec node "$TOOLS/node_modules/cognito-local/lib/bin/start.js") >"$WORK/cl.out" 2>&1 &
      SERVER_PID=$!
      ;;
    *) echo "bench-pool: unknown server $which" >&2; exit 2 ;;
  esac
  run_one "$which" "$port"
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
if [[ -n "${RPS[serve]:-}" ]]; then
  [[ -n "${RPS[moto]:-}" ]] && echo "serve / moto:          $(ratio "${RPS[serve]}" "${RPS[moto]}")x (target >= 3)"
  [[ -n "${RPS[cognito-local]:-}" ]] && echo "serve / cognito-local: $(ratio "${RPS[serve]}" "${RPS[cognito-local]}")x (target >= 5)"
  echo "serve p99: ${P99[serve]} ms (target <= 40); RSS: ${RSS[serve]} MiB (target <= 32)"
fi
