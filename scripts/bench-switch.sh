#!/usr/bin/env bash
# Resident memory of `tekichi serve` across layer switches: imports the generated city with
# ≥ 10⁵ hazard polygons (data/generated/large-1e5, made by scripts/bench.sh) into a throwaway
# layer store, adds its flood layer again as version 2, serves the store, switches flood
# between versions 1 and 2 (SWITCHES times, default 4) through the admin API
# (POST /api/layers/flood/activate) and prints VmRSS/VmHWM right after each switch, 1 s and
# 6 s later, and 20 s after the last.
#
#   scripts/bench-switch.sh
#   NO_BUILD=1 SWITCHES=12 DATA=data/generated/large-1e4 scripts/bench-switch.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh

DATA=${DATA:-data/generated/large-1e5}
if [ ! -f "$DATA/manifest.toml" ]; then
  echo "$DATA is not generated: run scripts/bench.sh (or scripts/gen_city.py large) first" >&2
  exit 2
fi
if [ -z "${NO_BUILD:-}" ]; then
  echo "==> cargo build --release"
  cargo build --release --quiet
fi
bin=target/release/tekichi

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then
    kill -TERM "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "==> machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; date: $(date -u +%Y-%m-%dT%H:%MZ); commit: $(git rev-parse --short HEAD 2>/dev/null || echo none); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "==> importing $DATA into a throwaway store"
store="$work/layers.sqlite"
for kind in zoning area_division farmland daily_life_area facility flood river_erosion landslide tsunami; do
  [ -f "$DATA/$kind.geojson" ] || continue
  "$bin" import "$kind" "$DATA/$kind.geojson" --store "$store" --source bench --activate >"$work/import.log" 2>&1 ||
    { cat "$work/import.log" >&2; exit 1; }
done
"$bin" import flood "$DATA/flood.geojson" --store "$store" --source "bench, again" >"$work/import.log" 2>&1 ||
  { cat "$work/import.log" >&2; exit 1; }

# An admin token for this run only.
token=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
sha=$(printf %s "$token" | sha256sum | cut -d' ' -f1)
printf '[[tokens]]\nname = "bench"\nsha256 = "%s"\nrole = "admin"\n' "$sha" >"$work/tekichi.toml"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" serve --store "$store" --config "$work/tekichi.toml" --bind "127.0.0.1:$port" 2>"$work/server.log" &
server=$!
for _ in $(seq 1 600); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/readyz', timeout=1)" 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.2
done
sleep 1

# VmRSS / VmHWM of the server, in MiB.
rss() {
  awk '/^VmRSS:/ {now = $2} /^VmHWM:/ {peak = $2} END {printf "%.0f / %.0f MiB", now / 1024, peak / 1024}' "/proc/$server/status"
}
echo "==> serving the store: resident / peak $(rss)"
for i in $(seq 1 "${SWITCHES:-4}"); do
  version=$((2 - (i + 1) % 2))
  python3 - "$port" "$token" "$version" <<'PY'
import json, sys, urllib.request
port, token, version = sys.argv[1:]
request = urllib.request.Request(
    f"http://127.0.0.1:{port}/api/layers/flood/activate",
    data=json.dumps({"version": int(version)}).encode(),
    headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    method="POST",
)
urllib.request.urlopen(request, timeout=120).read()
PY
  now=$(rss)
  sleep 1
  one=$(rss)
  sleep 5
  echo "    flood v$version active: right after $now, +1 s $one, +6 s $(rss)"
done
sleep 20
echo "    20 s after the last switch: $(rss)"
