#!/usr/bin/env bash
# Regenerates examples/transcript/session.md and .json: the tool's own transcript of a
# headless run against the embedded pool (in a throwaway COGNITO_TUI_HOME) — sign-up, the
# code from the outbox, a wrong password, sign-in, sign-out, then SMS MFA sign-in and
# sign-out. Nothing in it is written by hand.
# Usage: scripts/example-transcript.sh
set -euo pipefail
cd "$(dirname "$0")/.."

out=examples/transcript/session.md
home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT
cargo build --quiet --bin cognito-tui
bin="${CARGO_TARGET_DIR:-target}/debug/cognito-tui"
COGNITO_TUI_HOME="$home" "$bin" run --transcript "$out" >/dev/null <<'COMMANDS'
{"cmd":"sign_up","username":"reader","password":"Reader-Passw0rd!","attributes":{"email":"reader@example.com"}}
{"cmd":"confirm_sign_up","username":"reader","code":"{{outbox}}"}
{"cmd":"sign_in","username":"reader","password":"Wrong-Passw0rd!","flow":"USER_PASSWORD_AUTH"}
{"cmd":"sign_in","username":"reader","password":"Reader-Passw0rd!"}
{"cmd":"sign_out"}
{"cmd":"sign_in","username":"mfa-sms","password":"DemoPassw0rd!"}
{"cmd":"confirm_sign_in","username":"mfa-sms","response":"{{outbox}}"}
{"cmd":"sign_out"}
COMMANDS
chmod 0644 "$out" "${out%.md}.json"
echo "$out"
echo "${out%.md}.json"
