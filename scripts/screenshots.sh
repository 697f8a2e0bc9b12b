#!/usr/bin/env bash
# Regenerates screenshots/*.png from the app's own rendering: the `screenshots` example
# draws each main screen on a ratatui TestBackend with sample data and a fixed clock, writes
# one SVG per screen (cell by cell, with colours), and rsvg-convert turns them into PNGs.
# Usage: scripts/screenshots.sh [WIDTHxHEIGHT]   (default 120x36)
set -euo pipefail
cd "$(dirname "$0")/.."

size="${1:-120x36}"
out=screenshots

need_pkgs=()
command -v rsvg-convert >/dev/null || need_pkgs+=(librsvg2-bin)
fc-list 2>/dev/null | grep -qi "DejaVu Sans Mono" || need_pkgs+=(fonts-dejavu-core)
if ((${#need_pkgs[@]})); then
    echo "installing ${need_pkgs[*]}" >&2
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cargo run --quiet --example screenshots -- "$tmp" "--size=$size"
for svg in "$tmp"/*.svg; do
    name="$(basename "$svg" .svg)"
    rsvg-convert --format png --output "$out/$name.png" "$svg"
    echo "$out/$name.png"
done
