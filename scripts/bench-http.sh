#!/usr/bin/env bash
# Load test of `tekichi serve` on loopback with wrk, bounded in time: the point GET
# (coordinates rotating over the dataset's own points) and the parcel POST (rotating
# parcels), on the sample city and, when generated, the city with ≥ 10⁵ hazard polygons
# (data/generated/large-1e5; scripts/bench.sh generates it). Prints requests/s and the
# p50/p99 latency of each run, and the server's resident memory when ready and after the
# load tests; the figures go into BENCHMARKS.md with the machine line.
#
#   scripts/bench-http.sh                       # 10 s per run, 2 wrk threads, 32 connections
#   DURATION=30s CONNECTIONS=64 scripts/bench-http.sh
#   LARGE="1e5 1e6" scripts/bench-http.sh       # also the 10⁶ city, when generated
#
# wrk runs on the same machine as the server, so both share its cores; the bar for
# issue 3 is ≥ 10,000 point requests/s with p99 < 10 ms on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
if ! command -v wrk >/dev/null 2>&1; then
  echo "==> apt-get install wrk"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq wrk
fi

DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}

echo "==> cargo build --release"
cargo build --release --quiet
bin=target/release/tekichi

work=$(mktemp -d)
server=""
stop_server() {
  if [ -n "$server" ]; then
    kill -TERM "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    server=""
  fi
}
trap 'stop_server; rm -rf "$work"' EXIT

echo "==> machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "==> date: $(date -u +%Y-%m-%dT%H:%MZ)  commit: $(git rev-parse --short HEAD 2>/dev/null || echo none)  load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "==> wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency (server and wrk share the machine)"

datasets=("sample-city:data/sample-city")
for scale in ${LARGE:-1e5}; do
  if [ -f "data/generated/large-$scale/manifest.toml" ]; then
    datasets+=("large-$scale:data/generated/large-$scale")
  else
    echo "    (data/generated/large-$scale not generated: run scripts/bench.sh first to include it)"
  fi
done

# The server's resident set now and its peak so far (VmRSS, VmHWM), in MiB.
rss() {
  awk '/^VmRSS:/ {now = $2} /^VmHWM:/ {peak = $2} END {printf "%.0f MiB (peak %.0f MiB)", now / 1024, peak / 1024}' "/proc/$1/status"
}

results=()
for entry in "${datasets[@]}"; do
  name=${entry%%:*}
  dir=${entry#*:}
  # wrk Lua scripts: GET paths over the dataset's points, POST bodies over its parcels.
  python3 - "$dir" "$work" <<'PY'
import csv, json, pathlib, sys
data, work = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
points, parcels = [], []
if (data / "sites-points.csv").exists():
    with open(data / "sites-points.csv", encoding="utf-8") as f:
        points = [(float(r["lon"]), float(r["lat"])) for _, r in zip(range(2000), csv.DictReader(f))]
else:
    for name in ("probes.geojson", "candidates.geojson"):
        for feat in json.loads((data / name).read_text(encoding="utf-8"))["features"]:
            if feat["geometry"]["type"] == "Point":
                points.append(tuple(feat["geometry"]["coordinates"][:2]))
source = data / ("sites-parcels.geojson" if (data / "sites-parcels.geojson").exists() else "candidates.geojson")
for feat in json.loads(source.read_text(encoding="utf-8"))["features"]:
    if feat["geometry"]["type"] in ("Polygon", "MultiPolygon"):
        parcels.append(json.dumps(feat, ensure_ascii=False, separators=(",", ":")))
    if len(parcels) == 500:
        break
paths = ",\n".join(f'  "/api/assess?lon={lon!r}&lat={lat!r}"' for lon, lat in points)
(work / "point.lua").write_text(f"""local paths = {{
{paths}
}}
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
""", encoding="utf-8")
bodies = ",\n".join(f"  [==[{b}]==]" for b in parcels)
(work / "parcel.lua").write_text(f"""local bodies = {{
{bodies}
}}
local headers = {{ ["Content-Type"] = "application/geo+json" }}
local i = 0
request = function()
  i = i % #bodies + 1
  return wrk.format("POST", "/api/assess", headers, bodies[i])
end
""", encoding="utf-8")
print(f"    {data}: {len(points)} points, {len(parcels)} parcels")
PY
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  echo "==> $name: tekichi serve --data $dir --bind 127.0.0.1:$port"
  started=$(date +%s.%N)
  "$bin" serve --data "$dir" --bind "127.0.0.1:$port" 2>"$work/server.log" &
  server=$!
  ready=""
  for _ in $(seq 1 600); do
    if python3 -c "import urllib.request, sys; urllib.request.urlopen('http://127.0.0.1:$port/readyz', timeout=1)" 2>/dev/null; then
      ready=1
      break
    fi
    kill -0 "$server" 2>/dev/null || break
    sleep 0.2
  done
  if [ -z "$ready" ]; then
    echo "server did not become ready:" >&2
    cat "$work/server.log" >&2
    exit 1
  fi
  echo "    ready after $(python3 -c "import time; print(f'{time.time() - $started:.1f}')") s (polled every 0.2 s); resident when ready: $(rss "$server")"
  for test in point parcel; do
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$work/$test.lua" "http://127.0.0.1:$port" >"$work/$test.out"
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$work/$test.out")
    p50=$(awk '$1 == "50%" {print $2}' "$work/$test.out")
    p99=$(awk '$1 == "99%" {print $2}' "$work/$test.out")
    bad=$(awk '/Non-2xx or 3xx responses:/ {print $5}' "$work/$test.out")
    errors=$(awk '/Socket errors:/ {print $0}' "$work/$test.out")
    line=$(printf "%-10s %-12s %10s req/s   p50 %8s   p99 %8s   non-2xx %s %s" "$name" "$test" "$rps" "$p50" "$p99" "${bad:-0}" "$errors")
    echo "    $line"
    results+=("$line")
    if [ -n "$bad" ] && [ "$bad" != "0" ]; then
      echo "non-2xx answers: the load test is invalid" >&2
      exit 1
    fi
  done
  echo "    resident after the load tests: $(rss "$server")"
  stop_server
done

echo
echo "==> summary (wrk -t$THREADS -c$CONNECTIONS -d$DURATION)"
for r in "${results[@]}"; do echo "    $r"; done
