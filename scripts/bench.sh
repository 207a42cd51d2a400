#!/usr/bin/env bash
# In-process benchmarks (criterion, and the per-site latency spread) and timed batch CLI
# runs, on the sample city and on a generated city with ≥ 10⁵ hazard polygons, then how
# cost grows from 10⁴ to 10⁶ hazard polygons. Figures go into BENCHMARKS.md by hand, with
# the machine and date this script prints. Last, the HTTP load test (scripts/bench-http.sh, wrk on loopback). The peers are
# scripts/bench-peers.sh.
#
#   scripts/bench.sh                    # everything (the 10⁶ city takes ~1 min to generate)
#   SCALES="10000 100000" scripts/bench.sh
#   SKIP_CRITERION=1 scripts/bench.sh   # no criterion
#   SKIP_HTTP=1 scripts/bench.sh        # no HTTP load test
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh

large=data/generated/large-1e5
if [ ! -f "$large/manifest.toml" ]; then
  echo "==> generating $large (deterministic)"
  python3 scripts/gen_city.py large --hazard-polygons 100000 --out "$large"
fi

echo "==> machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "==> date: $(date -u +%Y-%m-%dT%H:%MZ)  commit: $(git rev-parse --short HEAD 2>/dev/null || echo none)"

echo "==> load average: $(cut -d' ' -f1-3 /proc/loadavg) (figures are only comparable on a quiet machine)"

# Criterion medians of the benchmarks whose names match $1 (a regex).
medians() {
  python3 - "$1" <<'PY'
import json, pathlib, re, sys
for f in sorted(pathlib.Path("target/criterion").glob("**/new/estimates.json")):
    name = str(f.parent.parent.relative_to("target/criterion"))
    if not re.search(sys.argv[1], name):
        continue
    med = json.loads(f.read_text())["median"]["point_estimate"] / 1000
    unit, val = ("ms", med / 1000) if med >= 1000 else ("µs", med)
    print(f"    {name:<22} median {val:8.2f} {unit}")
PY
}

if [ -z "${SKIP_CRITERION:-}" ]; then
  echo "==> criterion (in-process)"
  cargo bench --bench assess -- --noplot "$@"
  echo "==> medians (criterion estimates)"
  medians 'sample|large-1e5'
  echo "==> per-site latency (median of 21 interleaved passes per site, then across sites)"
  cargo bench --quiet --bench latency 2>/dev/null
fi

[ -x /usr/bin/time ] || { as_root apt-get install -y -qq time; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# One `tekichi assess` of FILE on DIR as FORMAT into /dev/null: wall time and peak RSS from
# /usr/bin/time, load and assessment times from the CLI's own log (TEKICHI_LOG=tekichi=info:
# "layers loaded and indexed", "sites assessed and written").
timed_assess() {
  local dir=$1 file=$2 format=$3 label=$4
  TEKICHI_LOG=tekichi=info /usr/bin/time -f "%e %M" -o "$work/run.time" \
    target/release/tekichi assess --data "$dir" --sites "$file" --format "$format" --output /dev/null \
    2>"$work/run.log"
  python3 - "$label" "$format" "$work/run.time" "$work/run.log" <<'PY'
import re, sys
label, fmt, timing, log = sys.argv[1:]
wall, kib = open(timing).read().split()[:2]
text = open(log, encoding="utf-8").read()
load = float(re.search(r"layers loaded and indexed seconds=([0-9.e-]+)", text).group(1))
m = re.search(r"sites=([0-9]+) seconds=([0-9.e-]+) sites_per_second=([0-9.e+-]+)", text)
n, secs, rate = int(m.group(1)), float(m.group(2)), float(m.group(3))
print(f"    {label} {fmt:>6}: {n:,} sites; load + index {load:5.2f} s; assessed and written "
      f"{secs:5.2f} s = {rate:9,.0f} sites/s ({2e6 / rate:5.1f} µs CPU/site on 2 cores); "
      f"wall {float(wall):.2f} s = {n / float(wall):,.0f} sites/s with load; peak RSS {int(kib) / 1024:,.0f} MiB")
PY
}

echo "==> batch CLI (release, both cores)"
cargo build --release --quiet
timed_assess "$large" "$large/sites-points.csv" ndjson "100,000 points "
timed_assess "$large" "$large/sites-points.csv" csv "100,000 points "
timed_assess "$large" "$large/sites-parcels.geojson" ndjson "10,000 parcels "
timed_assess "$large" "$large/sites-parcels.geojson" csv "10,000 parcels "

echo "==> scaling: 10⁴ → 10⁶ hazard polygons (10,000 points each)"
for n in ${SCALES:-10000 100000 1000000}; do
  exp=$(python3 -c "import math,sys; print(round(math.log10(int(sys.argv[1]))))" "$n")
  dir="data/generated/large-1e$exp"
  if [ ! -f "$dir/manifest.toml" ]; then
    echo "    generating $dir"
    python3 scripts/gen_city.py large --hazard-polygons "$n" --sites-points 10000 --sites-parcels 2000 --out "$dir" >/dev/null
  fi
  head -n 10001 "$dir/sites-points.csv" >"$work/points.csv"
  label=$(python3 -c "import sys; print(f'{int(sys.argv[1]):>9,} polygons')" "$n")
  timed_assess "$dir" "$work/points.csv" ndjson "$label"
  if [ -z "${SKIP_CRITERION:-}" ] && [ "$exp" != 5 ]; then
    TEKICHI_BENCH_LARGE="$dir" cargo bench --bench assess -- --noplot "large-1e$exp" >/dev/null 2>&1
    medians "large-1e$exp"
    TEKICHI_BENCH_LARGE="$dir" cargo bench --quiet --bench latency -- "large-1e$exp" 2>/dev/null
  fi
done

if [ -z "${SKIP_HTTP:-}" ]; then
  echo "==> HTTP (scripts/bench-http.sh)"
  bash scripts/bench-http.sh
fi
