#!/usr/bin/env bash
# Rebuilds data/chino-city from the published files in ../shared/data with tekichi's own
# importer: each layer is imported into a fresh layer store, activated, and exported as a
# data directory (GeoJSON in JGD2011 lon/lat + manifest.toml with provenance).
# Usage: scripts/build_chino.sh [SHARED_DATA_DIR] [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
src=${1:-../shared/data}
out=${2:-data/chino-city}
chino="$src/chino-20214"
kaigo="$src/mhlw-kaigo"
cargo build --quiet
tekichi=target/debug/tekichi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
store="$tmp/store.sqlite"
plateau=(--source "茅野市 開発許可判定サンプルデータ（Project PLATEAU）" --publisher "国土交通省 Project PLATEAU" --date 2023-03-15 --licence "PLATEAU サイトポリシー（CC BY 4.0 互換）")
imp() { "$tekichi" import "$@" --store "$store" --activate --actor build_chino.sh >/dev/null; }

imp zoning "$chino/use_districts/use_districts.shp" "${plateau[@]}"
# 都市計画区域 with no 線引き: the whole planning area is 非線引き (the youto field says 都市計画区域).
imp area_division "$chino/city_planning/city_planning.shp" "${plateau[@]}"
imp farmland "$chino/agricultural_land/agricultural_land.shp" "${plateau[@]}"
# In/out only: no depth, so each zone is scored as the worst class and flagged.
imp flood "$chino/flood_assumption/flood_assumption.shp" "${plateau[@]}"
# The national 介護サービス情報公表 lists, cut to Nagano prefecture (header kept).
for code in 730 770; do
  python3 - "$kaigo/jigyosho_$code.csv" "$tmp/nagano_$code.csv" <<'PY'
import csv, sys
with open(sys.argv[1], encoding="utf-8-sig", newline="") as f, open(sys.argv[2], "w", encoding="utf-8", newline="") as g:
    r = csv.reader(f); w = csv.writer(g)
    header = next(r); w.writerow(header)
    pref = header.index("都道府県名")
    for row in r:
        if len(row) > pref and row[pref] == "長野県":
            w.writerow(row)
PY
done
imp facility "$tmp/nagano_730.csv" "$tmp/nagano_770.csv" \
  --source "介護サービス情報公表システム オープンデータ（長野県分）" --publisher "厚生労働省" --licence "CC BY 4.0"

rm -rf "$out"
"$tekichi" layers export --store "$store" --out "$out" --name "茅野市（長野県）" \
  --description "茅野市の用途地域・都市計画区域（非線引き）・農用地区域・洪水浸水想定区域（区域のみ、深さなし）と長野県の既存事業所。scripts/build_chino.sh で再生成。"
# Parcels (地番) for the UI's candidate list, in lon/lat.
ogr2ogr -f GeoJSON -t_srs EPSG:6668 -oo ENCODING=CP932 -lco RFC7946=YES -lco COORDINATE_PRECISION=9 \
  -sql "SELECT chiban AS site_id, chiban, districtid FROM f_lot_number" \
  "$out/parcels.geojson" "$chino/f_lot_number/f_lot_number.shp"
echo "wrote $out"
