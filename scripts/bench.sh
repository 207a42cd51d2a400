#!/usr/bin/env bash
# In-process benchmarks (criterion) and a timed batch CLI run, on the sample city and on a
# generated city with ≥ 10⁵ hazard polygons. Figures go into BENCHMARKS.md by hand, with
# the machine and date this script prints.
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

echo "==> criterion (in-process)"
cargo bench --bench assess -- --noplot "$@"
echo "==> medians (criterion estimates)"
python3 - <<'PY'
import json, pathlib
for f in sorted(pathlib.Path("target/criterion").glob("**/new/estimates.json")):
    e = json.loads(f.read_text())
    name = str(f.parent.parent.relative_to("target/criterion"))
    med = e["median"]["point_estimate"] / 1000
    unit, val = ("ms", med / 1000) if med >= 1000 else ("µs", med)
    print(f"    {name:<22} median {val:8.2f} {unit}")
PY

[ -x /usr/bin/time ] || { as_root apt-get install -y -qq time; }
echo "==> batch CLI (release, both cores)"
cargo build --release --quiet
for f in "$large/sites-points.csv" "$large/sites-parcels.geojson"; do
  n=$(python3 -c "import sys,json,csv; p=sys.argv[1]; print(len(json.load(open(p))['features']) if p.endswith('json') else sum(1 for _ in open(p))-1)" "$f")
  start=$(date +%s.%N)
  /usr/bin/time -f "    peak RSS %M KiB" target/release/tekichi assess --data "$large" --sites "$f" --format ndjson --output /dev/null
  end=$(date +%s.%N)
  python3 -c "import sys; n=int(sys.argv[1]); t=float(sys.argv[3])-float(sys.argv[2]); print(f'    {sys.argv[4]}: {n} sites in {t:.2f} s (load included) = {n/t:,.0f} sites/s')" "$n" "$start" "$end" "$(basename "$f")"
done
