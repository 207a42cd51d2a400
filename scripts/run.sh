#!/usr/bin/env bash
# tekichi's main job on the bundled sample city (架空市 潮見市): installs what is missing,
# builds the release binary, lists the layers, ranks the sample candidate sites, then serves
# the map UI on http://127.0.0.1:8080/ (TEKICHI_PORT to change; not under CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh

echo "==> cargo build --release"
cargo build --release --quiet
bin=target/release/tekichi
data=data/sample-city

echo
echo "==> 読み込んだレイヤ / loaded layers ($data)"
"$bin" layers --data "$data"

echo
echo "==> 候補地の評価（良い順） / candidate sites, best first"
mkdir -p target/run
"$bin" assess --data "$data" --sites "$data/candidates.geojson" --rank --format csv --output target/run/ranked.csv
"$bin" assess --data "$data" --sites "$data/candidates.geojson" --rank --format geojson --output target/run/ranked.geojson
python3 - <<'PY'
import csv
rows = list(csv.DictReader(open("target/run/ranked.csv", encoding="utf-8-sig")))
print(f"{'順位':<4} {'候補地':<22} {'判定':<8} {'ハザード':<8} {'圏域':<16} {'募集':<4} {'最寄り既存(m)':>12}")
for r in rows:
    name = (r["name"] or r["site_id"])[:20]
    verdict = r["verdict_ja"] or ("エラー: " + r["error_code"])
    hazard = f"{r['hazard_total']}/{r['hazard_max']}" if r["hazard_total"] else "-"
    area = (r["area_name"] or "-")[:14]
    open_ = {"true": "○", "false": "×"}.get(r["open_for_application"], "-")
    near = r["nearest_distance_m"] or "-"
    print(f"{r['rank']:<4} {name:<22} {verdict:<8} {hazard:<8} {area:<16} {open_:<4} {near:>12}")
PY
echo
echo "全件の報告書 / full reports: target/run/ranked.geojson, target/run/ranked.csv"
echo "一地点の例 / one point:  $bin assess --data $data --lon 141.03 --lat 38.285"

echo
echo "==> 地図画面 / the map UI (tekichi serve; Ctrl-C で停止 / to stop)"
port=${TEKICHI_PORT:-8080}
echo "    ブラウザで開く / open in a browser:  http://127.0.0.1:$port/"
if [ "${CI:-}" = true ]; then
  echo "    (CI: not started; run: $bin serve --data $data --bind 127.0.0.1:$port)"
  exit 0
fi
exec "$bin" serve --data "$data" --bind "127.0.0.1:$port"
