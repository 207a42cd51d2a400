#!/usr/bin/env bash
# In-process benchmarks (criterion) and timed batch CLI runs, on the sample city and on a
# generated city with ≥ 10⁵ hazard polygons, then how cost grows from 10⁴ to 10⁶ hazard
# polygons. Figures go into BENCHMARKS.md by hand, with the machine and date this script
# prints. The HTTP load test is scripts/bench-http.sh, the peers scripts/bench-peers.sh.
#
#   scripts/bench.sh                    # everything (the 10⁶ city takes ~1 min to generate)
#   SCALES="10000 100000" scripts/bench.sh
#   SKIP_CRITERION=1 scripts/bench.sh   # batch and scaling only
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
fi

[ -x /usr/bin/time ] || { as_root apt-get install -y -qq time; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "==> batch CLI (release, both cores)"
cargo build --release --quiet
for f in "$large/sites-points.csv" "$large/sites-parcels.geojson"; do
  n=$(python3 -c "import sys,json,csv; p=sys.argv[1]; print(len(json.load(open(p))['features']) if p.endswith('json') else sum(1 for _ in open(p))-1)" "$f")
  start=$(date +%s.%N)
  /usr/bin/time -f "    peak RSS %M KiB" target/release/tekichi assess --data "$large" --sites "$f" --format ndjson --output /dev/null
  end=$(date +%s.%N)
  python3 -c "import sys; n=int(sys.argv[1]); t=float(sys.argv[3])-float(sys.argv[2]); print(f'    {sys.argv[4]}: {n} sites in {t:.2f} s (load included) = {n/t:,.0f} sites/s')" "$n" "$start" "$end" "$(basename "$f")"
done

echo "==> scaling: 10⁴ → 10⁶ hazard polygons (load, memory, per-site time)"
for n in ${SCALES:-10000 100000 1000000}; do
  exp=$(python3 -c "import math,sys; print(round(math.log10(int(sys.argv[1]))))" "$n")
  dir="data/generated/large-1e$exp"
  if [ ! -f "$dir/manifest.toml" ]; then
    echo "    generating $dir"
    python3 scripts/gen_city.py large --hazard-polygons "$n" --sites-points 10000 --sites-parcels 2000 --out "$dir" >/dev/null
  fi
  head -n 10001 "$dir/sites-points.csv" >"$work/points.csv"
  # The CLI logs its own load and assessment times (tracing, TEKICHI_LOG=tekichi=info).
  TEKICHI_LOG=tekichi=info /usr/bin/time -f "%e %M" -o "$work/batch.time" \
    target/release/tekichi assess --data "$dir" --sites "$work/points.csv" --format ndjson --output /dev/null \
    2>"$work/batch.log"
  read -r wall kib <"$work/batch.time"
  python3 - "$n" "$wall" "$kib" "$work/batch.log" <<'PY'
import re, sys
n, wall, kib, log = sys.argv[1:]
text = open(log, encoding="utf-8").read()
load = float(re.search(r"layers loaded and indexed seconds=([0-9.e-]+)", text).group(1))
rate = float(re.search(r"sites_per_second=([0-9.e+-]+)", text).group(1))
print(f"    {int(n):>9,} polygons: load + index {load:5.2f} s; 10,000 points after load "
      f"{10000 / rate:5.2f} s = {rate:8,.0f} sites/s = {1e6 / rate:6.1f} µs/site; "
      f"wall {float(wall):.2f} s, peak RSS {int(kib) / 1024:,.0f} MiB")
PY
  if [ -z "${SKIP_CRITERION:-}" ] && [ "$exp" != 5 ]; then
    TEKICHI_BENCH_LARGE="$dir" cargo bench --bench assess -- --noplot "large-1e$exp" >/dev/null 2>&1
    medians "large-1e$exp"
  fi
done
