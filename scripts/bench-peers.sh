#!/usr/bin/env bash
# tekichi side by side with geopandas/shapely and PostGIS, on the same generated city, in one run.
#
#   scripts/bench-peers.sh            # the ≥ 10⁵-hazard-polygon city, 10⁵ points, 10⁴ parcels
#   scripts/bench-peers.sh --quick    # a 10⁴-polygon city, 10⁴ points, 2,000 parcels (a few minutes)
#   SIZE=1000000 POINTS=20000 PARCELS=5000 scripts/bench-peers.sh
#
# What it does, on a fresh Debian machine:
#  1. installs what is missing: PostgreSQL + PostGIS from Debian packages (postgresql-N-postgis-3),
#     and geopandas / shapely 2 / pyproj / pyogrio / psycopg from PyPI into a venv under
#     target/peers-venv (never into the system Python);
#  2. generates the city deterministically into data/generated/ (scripts/gen_city.py large) unless
#     it is there, and builds target/release/tekichi (NO_BUILD=1 uses the binary as it is);
#  3. runs the same sites through
#     - tekichi: `tekichi assess --sites … --format ndjson`, and the same as `--format csv` (the
#       ranking table; load and batch from the CLI's own log lines), one-point round trips to `tekichi serve` (HTTP GET on loopback), and criterion's
#       in-process median when target/criterion holds one for this city (CRITERION=1 runs it);
#     - geopandas/shapely 2 (scripts/peers/geopandas_peer.py), vectorised;
#     - PostGIS (scripts/peers/postgis_peer.py + postgis_peer.sql) in a throwaway cluster: initdb in
#       a temporary directory, a Unix socket only (listen_addresses = ''), run as the `postgres`
#       user when this script runs as root, stopped and removed on exit, failure or Ctrl-C;
#  4. checks site by site that the answers agree (hazard total, governing district, daily-life
#     area, nearest facility distance within 0.5 m) — on the timed sites and on boundary sites
#     taken from the layers (scripts/peers/edge_sites.py: vertices of districts, areas and
#     zones; districts and zones as parcels) — and prints the figures with the ratios
#     tekichi ÷ peer (scripts/peers/compare.py). Exit 3 when an answer disagrees.
#
# Outputs (answers, timings, summary.md) stay in target/bench-peers/. Every stage is bounded by
# STAGE_TIMEOUT seconds (default 1800). Not part of scripts/test.sh: it is a benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; }
QUICK=${QUICK:-0}
for arg in "$@"; do
  case "$arg" in
    --quick) QUICK=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "bench-peers.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done
if [ "$QUICK" = 1 ]; then
  SIZE=${SIZE:-10000}; POINTS=${POINTS:-10000}; PARCELS=${PARCELS:-2000}; LATENCY=${LATENCY:-500}
fi
SIZE=${SIZE:-100000}
POINTS=${POINTS:-all}
PARCELS=${PARCELS:-all}
LATENCY=${LATENCY:-2000}
STAGE_TIMEOUT=${STAGE_TIMEOUT:-1800}
for v in SIZE LATENCY STAGE_TIMEOUT; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || { echo "bench-peers.sh: $v must be a positive integer, not '${!v}'" >&2; exit 2; }
done
for v in POINTS PARCELS; do
  [[ "${!v}" =~ ^(all|[1-9][0-9]*)$ ]] || { echo "bench-peers.sh: $v must be 'all' or a positive integer, not '${!v}'" >&2; exit 2; }
done

. scripts/deps.sh
step() { echo "==> $*"; }
# bounded CMD…: CMD under `timeout STAGE_TIMEOUT`, waited for in the background so that Ctrl-C /
# TERM reach the trap at once (cleanup then stops CMD too).
child=""
bounded() {
  timeout "$STAGE_TIMEOUT" "$@" &
  child=$!
  local rc=0
  wait "$child" || rc=$?
  child=""
  return "$rc"
}
die() { echo "bench-peers.sh: $*" >&2; exit 1; }

# --- 1. peers' software ---------------------------------------------------------------------
pg_bin=""
find_pg() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
    local v=${d#/usr/lib/postgresql/}; v=${v%/bin}
    if [ -x "$d/initdb" ] && [ -f "/usr/share/postgresql/$v/extension/postgis.control" ]; then pg_bin=$d; return 0; fi
  done
  return 1
}
if ! find_pg || ! command -v ogr2ogr >/dev/null; then
  step "apt-get install PostgreSQL + PostGIS"
  as_root apt-get update -qq
  pkg=$(apt-cache search --names-only '^postgresql-[0-9]+-postgis-3$' | awk '{print $1}' | sort -t- -k2 -n | tail -1)
  [ -n "$pkg" ] || die "no postgresql-N-postgis-3 package in the apt sources"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$pkg" gdal-bin python3-venv >/dev/null
  find_pg || die "installed $pkg but found no initdb with PostGIS under /usr/lib/postgresql"
fi
venv=target/peers-venv
if ! "$venv/bin/python" -c 'import geopandas, shapely, pyproj, pyogrio, psycopg; assert shapely.__version__ >= "2"' 2>/dev/null; then
  step "pip install geopandas shapely pyproj pyogrio psycopg into $venv"
  dpkg -s python3-venv >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq python3-venv >/dev/null
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "geopandas>=1.0" "shapely>=2.0,<3" "pyproj>=3.6" "pyogrio>=0.7" "psycopg[binary]>=3.1" \
    || die "pip install into $venv failed (PyPI unreachable?)"
fi
py=$venv/bin/python

# --- 2. data and binary ---------------------------------------------------------------------
case "$SIZE" in
  10000) name=large-1e4 ;; 100000) name=large-1e5 ;; 1000000) name=large-1e6 ;; *) name=large-$SIZE ;;
esac
data=data/generated/$name
gen_cmd="python3 scripts/gen_city.py large --hazard-polygons $SIZE --out $data"
if [ ! -f "$data/manifest.toml" ] || [ ! -f "$data/sites-parcels.geojson" ]; then
  step "generating $data: $gen_cmd"
  bounded $gen_cmd || die "generating $data failed"
fi
bin=target/release/tekichi
if [ "${NO_BUILD:-0}" != 1 ]; then
  step "cargo build --release"
  cargo build --release --quiet || die "cargo build --release failed"
fi
[ -x "$bin" ] || die "$bin missing (NO_BUILD=1 needs a built binary)"

work=target/bench-peers
rm -rf "$work"
mkdir -p "$work"
points=$work/sites-points.csv
parcels=$work/sites-parcels.geojson
if [ "$POINTS" = all ]; then cp "$data/sites-points.csv" "$points"; else head -n "$((POINTS + 1))" "$data/sites-points.csv" >"$points"; fi
python3 - "$data/sites-parcels.geojson" "$parcels" "$PARCELS" <<'PY'
import json, sys
src, dst, n = sys.argv[1], sys.argv[2], sys.argv[3]
fc = json.load(open(src, encoding="utf-8"))
if n != "all":
    fc["features"] = fc["features"][: int(n)]
json.dump(fc, open(dst, "w", encoding="utf-8"), ensure_ascii=False)
PY
python3 scripts/peers/edge_sites.py "$data" "$work" >/dev/null || die "could not derive the boundary sites from $data"
n_points=$(($(wc -l <"$points") - 1))
n_parcels=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['features']))" "$parcels")

# --- cleanup of everything this script starts -----------------------------------------------
server=""
pg_dir=""
pg_user=""
as_pg() { if [ -n "$pg_user" ]; then runuser -u "$pg_user" -- "$@"; else "$@"; fi; }
cleanup() {
  if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null || true; wait "$child" 2>/dev/null || true; child=""; fi
  if [ -n "$server" ]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; server=""; fi
  if [ -n "$pg_dir" ]; then
    if [ -f "$pg_dir/data/postmaster.pid" ]; then
      as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -t 60 stop >/dev/null 2>&1 \
        || as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$pg_dir"
    pg_dir=""
  fi
}
trap cleanup EXIT
trap 'echo "bench-peers.sh: interrupted" >&2; exit 130' INT TERM

now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print(float(sys.argv[2]) - float(sys.argv[1]))" "$1" "$2"; }

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
mem=$(free -g | awk '/Mem:/ {print $2}')
step "machine: $(nproc) cores, $mem GiB, $cpu"
step "date: $(date -u +%Y-%m-%dT%H:%MZ)  commit: $(git rev-parse --short HEAD 2>/dev/null || echo none)  load average: $(cut -d' ' -f1-3 /proc/loadavg)"
step "data: $data ($gen_cmd); $n_points point sites, $n_parcels parcels"

# --- 3a. tekichi ----------------------------------------------------------------------------
# The CLI logs its own load and assessment times (TEKICHI_LOG=tekichi=info): "layers loaded
# and indexed seconds=…" and "sites assessed and written sites=… seconds=…". Wall time is
# taken around the whole run as well.
logged_seconds() {
  python3 - "$1" "$2" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
pattern = {"load": r"layers loaded and indexed seconds=([0-9.e-]+)",
           "batch": r"sites assessed and written sites=[0-9]+ seconds=([0-9.e-]+)"}[sys.argv[2]]
print(re.search(pattern, text).group(1))
PY
}
declare -A batch_s wall_s load_s csv_s
for kind in points parcels; do
  f=$points; [ "$kind" = parcels ] && f=$parcels
  step "tekichi: batch $kind (timed with output to /dev/null as ndjson and as csv, then again into $work/tekichi-$kind.ndjson for the check)"
  t0=$(now)
  bounded env TEKICHI_LOG=tekichi=info "$bin" assess --data "$data" --sites "$f" --format ndjson --output /dev/null \
    2>"$work/tekichi-$kind.log" || { cat "$work/tekichi-$kind.log" >&2; die "tekichi assess --sites $f failed"; }
  wall_s[$kind]=$(elapsed "$t0" "$(now)")
  load_s[$kind]=$(logged_seconds "$work/tekichi-$kind.log" load)
  batch_s[$kind]=$(logged_seconds "$work/tekichi-$kind.log" batch)
  bounded env TEKICHI_LOG=tekichi=info "$bin" assess --data "$data" --sites "$f" --format csv --output /dev/null \
    2>"$work/tekichi-$kind-csv.log" || { cat "$work/tekichi-$kind-csv.log" >&2; die "tekichi assess --sites $f --format csv failed"; }
  csv_s[$kind]=$(logged_seconds "$work/tekichi-$kind-csv.log" batch)
  bounded "$bin" assess --data "$data" --sites "$f" --format ndjson --output "$work/tekichi-$kind.ndjson" || die "tekichi assess --sites $f failed"
done
step "tekichi: boundary sites (untimed, for the check)"
for f in "$work/edge-points.csv" "$work/edge-parcels.geojson"; do
  out=$work/tekichi-$(basename "${f%.*}").ndjson
  bounded "$bin" assess --data "$data" --sites "$f" --format ndjson --output "$out" || die "tekichi assess --sites $f failed"
done
step "tekichi: $LATENCY one-point round trips to tekichi serve (HTTP GET, loopback, keep-alive)"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" serve --data "$data" --bind "127.0.0.1:$port" 2>"$work/serve.log" &
server=$!
ready=""
for _ in $(seq 1 300); do
  if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/readyz', timeout=1)" 2>/dev/null; then ready=1; break; fi
  kill -0 "$server" 2>/dev/null || break
  sleep 0.2
done
[ -n "$ready" ] || { cat "$work/serve.log" >&2; die "tekichi serve did not become ready on 127.0.0.1:$port"; }
http=$(bounded python3 scripts/peers/tekichi_latency.py "$port" "$points" "$LATENCY") || die "HTTP round trips failed"
kill -TERM "$server"; wait "$server" 2>/dev/null || true; server=""
if [ "${CRITERION:-0}" = 1 ] && [ "$name" = large-1e5 ]; then
  step "tekichi: criterion point/large-1e5 (in-process)"
  bounded cargo bench --bench assess -- --noplot 'point/large-1e5' || die "cargo bench failed"
fi
python3 - "$work" "$name" "$bin" "${load_s[points]}" "${load_s[parcels]}" "${batch_s[points]}" "${wall_s[points]}" "$n_points" \
  "${batch_s[parcels]}" "${wall_s[parcels]}" "$n_parcels" "$http" "${csv_s[points]}" "${csv_s[parcels]}" <<'PY'
import json, os, sys, time
work, name, binary, load_pts, load_par, pts_s, pts_wall, n_pts, par_s, par_wall, n_par, http, pts_csv, par_csv = sys.argv[1:]
load_pts, load_par, pts_s, pts_wall, par_s, par_wall, pts_csv, par_csv = map(
    float, (load_pts, load_par, pts_s, pts_wall, par_s, par_wall, pts_csv, par_csv))
t = {
    "load_s": load_pts,
    "points_wall_s": pts_wall, "points_s": pts_s, "points_n": int(n_pts), "points_csv_s": pts_csv,
    "parcels_wall_s": par_wall, "parcels_s": par_s, "parcels_n": int(n_par), "parcels_csv_s": par_csv,
    "single_point_us_http_median": json.loads(http)["median_us"],
    "single_point_us_http_p99": json.loads(http)["p99_us"],
    "notes": f"load and batch times are the CLI's own log lines (load + index {load_pts:.2f} s on the "
             f"points run, {load_par:.2f} s on the parcels run); with load (wall): "
             f"{int(n_pts) / pts_wall:,.0f} points/s, {int(n_par) / par_wall:,.0f} parcels/s. "
             f"HTTP p99 {json.loads(http)['p99_us']:.0f} µs.",
}
est = f"target/criterion/point_{name}/new/estimates.json"
if os.path.exists(est):
    t["single_point_us_inprocess"] = json.load(open(est))["median"]["point_estimate"] / 1000
    age = "older" if os.path.getmtime(est) < os.path.getmtime(binary) else "newer"
    t["inprocess_source"] = (f"criterion median of point/{name} from {est}, measured "
                             f"{time.strftime('%Y-%m-%d %H:%M', time.localtime(os.path.getmtime(est)))} "
                             f"({age} than the release binary; CRITERION=1 re-measures)")
json.dump(t, open(os.path.join(work, "tekichi-timings.json"), "w"), indent=2)
PY

# --- 3b. geopandas / shapely ----------------------------------------------------------------
step "geopandas/shapely: load, batch points, batch parcels, $LATENCY one-point queries"
bounded "$py" scripts/peers/geopandas_peer.py --data "$data" --points "$points" --parcels "$parcels" \
  --out "$work" --latency "$LATENCY" --edge-points "$work/edge-points.csv" --edge-parcels "$work/edge-parcels.geojson" >"$work/geopandas.log" 2>&1 \
  || { tail -20 "$work/geopandas.log" >&2; die "the geopandas peer failed or timed out (log: $work/geopandas.log)"; }

# --- 3c. PostGIS in a throwaway cluster -----------------------------------------------------
step "PostGIS: throwaway cluster ($pg_bin) on a Unix socket"
pg_dir=$(mktemp -d /tmp/tekichi-bench-pg.XXXXXX)
if [ "$(id -u)" -eq 0 ]; then
  pg_user=postgres
  id -u "$pg_user" >/dev/null 2>&1 || die "running as root but there is no 'postgres' user to run the cluster as"
  chown "$pg_user": "$pg_dir"
fi
chmod 700 "$pg_dir"
as_pg "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$work/initdb.log" 2>&1 \
  || { cat "$work/initdb.log" >&2; die "initdb failed"; }
# An analyst's tuning for a one-off batch on this machine: memory for 24 GiB, no durability
# (the cluster is thrown away), and no JIT (it compiled for seconds and made the batch 3× slower).
pg_opts="-c listen_addresses='' -c unix_socket_directories='$pg_dir' -c shared_buffers=2GB -c work_mem=128MB"
pg_opts+=" -c maintenance_work_mem=1GB -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_wal_size=8GB -c jit=off"
as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 -o "$pg_opts" start >/dev/null \
  || { cat "$pg_dir/server.log" >&2; die "the PostgreSQL cluster did not start"; }
psql -X -q -h "$pg_dir" -U postgres -d postgres -c "CREATE DATABASE bench" || die "CREATE DATABASE failed"
step "PostGIS: ogr2ogr load, batch points, batch parcels, $LATENCY prepared one-point queries"
bounded "$py" scripts/peers/postgis_peer.py --conninfo "host=$pg_dir dbname=bench user=postgres" \
  --data "$data" --points "$points" --parcels "$parcels" --out "$work" --latency "$LATENCY" \
  --edge-points "$work/edge-points.csv" --edge-parcels "$work/edge-parcels.geojson" >"$work/postgis.log" 2>&1 \
  || { tail -20 "$work/postgis.log" >&2; tail -20 "$pg_dir/server.log" >&2; die "the PostGIS peer failed or timed out (log: $work/postgis.log)"; }
cleanup

# --- 4. agreement and figures ---------------------------------------------------------------
"$py" - "$work" <<'PY'
import json, re, sys
w = sys.argv[1]
g = json.load(open(f"{w}/geopandas-timings.json"))["versions"]
p = json.load(open(f"{w}/postgis-timings.json"))["versions"]
pg = dict(re.findall(r'(\w+)="([^"]*)"', p["postgis"]))
print(f"==> versions: geopandas {g['geopandas']}, shapely {g['shapely']} (GEOS {g['geos']}), pyproj {g['pyproj']}; "
      f"PostgreSQL {p['postgresql']}, PostGIS {pg.get('POSTGIS', '?')} (GEOS {pg.get('GEOS', '?')}, PROJ {pg.get('PROJ', '?')})")
PY
echo
set +e
python3 scripts/peers/compare.py "$work"
rc=$?
set -e
echo
echo "(summary as Markdown: $work/summary.md)"
if [ "$rc" = 3 ]; then
  echo "bench-peers.sh: the answers disagree (see above)" >&2
fi
exit "$rc"
