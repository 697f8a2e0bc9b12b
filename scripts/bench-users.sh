#!/usr/bin/env bash
# The Users view at scale, measured on the real (release) binary in tmux:
#   1. seeds COUNT users (default 100,000) into a fresh embedded pool with `seed-users`;
#   2. starts the TUI at 200x50, presses F6 and times until the first page is on screen
#      (the count line "… loaded" drawn), i.e. from the key that sends the first ListUsers
#      to the frame that shows its answer (bound: < 300 ms);
#   3. keeps pressing End (each reaches the end of what is loaded and prefetches the next
#      page) until LOAD rows (default 10,000) are loaded, and reads the process's VmRSS from
#      /proc/PID/status (bound: < 60 MB).
# Usage: scripts/bench-users.sh [COUNT] [LOAD]        (needs tmux; Linux for /proc)
set -euo pipefail

COUNT=${1:-100000}
LOAD=${2:-10000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
command -v tmux >/dev/null || { echo "bench-users: tmux is required" >&2; exit 1; }

(cd "$ROOT" && cargo build --release --quiet --bin cognito-tui)
BIN=$TARGET/release/cognito-tui
WORK=$(mktemp -d)
SOCK=cognito-tui-bench-$$
cleanup() { tmux -L "$SOCK" kill-server 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
export COGNITO_TUI_HOME=$WORK

now_ms() { date +%s%3N; }
screen() { tmux -L "$SOCK" capture-pane -p -t bench; }
# Polls until the screen matches the regex $1 (30 s at most); prints the screen.
wait_for() {
  local deadline=$(( $(now_ms) + 30000 )) s
  while :; do
    s=$(screen)
    if grep -Eq -- "$1" <<<"$s"; then printf '%s' "$s"; return 0; fi
    if (( $(now_ms) > deadline )); then
      echo "bench-users: never saw /$1/; screen:" >&2; echo "$s" >&2; return 1
    fi
    sleep 0.005
  done
}

t0=$(now_ms)
"$BIN" seed-users --count "$COUNT" >"$WORK/seed.out"
t1=$(now_ms)
echo "seed-users: $COUNT users in $(( t1 - t0 )) ms ($(tail -1 "$WORK/seed.out"))"

tmux -L "$SOCK" new-session -d -s bench -x 200 -y 50 \
  env TERM=xterm-256color COGNITO_TUI_HOME="$WORK" "$BIN"
wait_for 'F1 Sign up' >/dev/null
sleep 0.5

start=$(now_ms)
tmux -L "$SOCK" send-keys -t bench F6
wait_for '[0-9,]+ loaded' >/dev/null
first=$(( $(now_ms) - start ))
echo "first page on screen: ${first} ms after F6 (bound 300 ms; includes tmux polling)"

count() { screen | grep -Eo '[0-9,]+ loaded' | head -1 | tr -d ', loaded' ; }
deadline=$(( $(now_ms) + 180000 ))
loaded=0
load_start=$(now_ms)
while (( loaded < LOAD )); do
  tmux -L "$SOCK" send-keys -t bench End
  sleep 0.02
  loaded=$(count || echo 0)
  loaded=${loaded:-0}
  if (( $(now_ms) > deadline )); then echo "bench-users: only $loaded rows after 180 s" >&2; exit 1; fi
done
echo "loaded $loaded rows in $(( $(now_ms) - load_start )) ms (End presses, prefetch)"

shell=$(tmux -L "$SOCK" display -p -t bench '#{pane_pid}')
pid=$(pgrep -P "$shell" | head -1 || true)
pid=${pid:-$shell}
rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
echo "RSS with $loaded rows loaded: $(( rss / 1024 )) MB (peak $(( hwm / 1024 )) MB; bound 60 MB)"
grep -E '^(RssAnon|RssFile|RssShmem)' "/proc/$pid/status" | tr -s ' \t' ' ' | sed 's/^/  /'
if [[ -n "${BENCH_USERS_SMAPS:-}" ]]; then
  awk '/^[0-9a-f]+-/ {name=$6} /^Rss:/ {rss[name]+=$2} END {for (n in rss) if (rss[n] > 1024) printf "  %8d kB %s\n", rss[n], n}' "/proc/$pid/smaps" | sort -rn | head -12
fi
tmux -L "$SOCK" send-keys -t bench C-c
