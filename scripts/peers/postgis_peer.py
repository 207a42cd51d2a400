#!/usr/bin/env python3
"""PostGIS peer of tekichi: loads a data directory with ogr2ogr and runs scripts/peers/postgis_peer.sql.

Needs a running PostgreSQL with PostGIS available and a database to work in (scripts/bench-peers.sh
starts a throwaway cluster on a Unix socket and passes its connection string).

Steps, each timed:
- load: ``ogr2ogr`` each layer file into a table named after its kind (COPY, GiST index),
  then the `prepare` section (rubric points per zone, target facilities as geography with
  their own GiST index, VACUUM ANALYZE);
- batch: the sites go in with ogr2ogr too (not timed), then the `points` and `parcels`
  queries run once each over the whole batch;
- single query: the `points` query over one site, as a prepared statement through psycopg,
  one round trip per point on the Unix socket.

Writes ``postgis-points.csv``, ``postgis-parcels.csv`` and ``postgis-timings.json``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import statistics
import subprocess
import sys
import time

import psycopg

HERE = os.path.dirname(os.path.abspath(__file__))
KINDS = ["zoning", "area_division", "farmland", "daily_life_area", "facility", "flood", "river_erosion", "landslide", "tsunami"]
POLYGON_KINDS = set(KINDS) - {"facility"}


def sections() -> dict:
    text = open(os.path.join(HERE, "postgis_peer.sql"), encoding="utf-8").read()
    parts = re.split(r"^-- name: (\w+)\s*$", text, flags=re.M)
    return {parts[k]: parts[k + 1].strip() for k in range(1, len(parts), 2)}


def ogr2ogr(pg: str, path: str, table: str, extra: list[str]) -> None:
    cmd = [
        "ogr2ogr", "-f", "PostgreSQL", pg, path, "-nln", table, "-overwrite",
        "-lco", "GEOMETRY_NAME=geom", "-lco", "SPATIAL_INDEX=GIST", "-a_srs", "EPSG:4326",
        "--config", "PG_USE_COPY", "YES", *extra,
    ]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"ogr2ogr failed for {path} → {table}:\n{r.stderr.strip()}")


def write_csv(path: str, rows) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["site_id", "hazard_total", "district", "area_id", "nearest_m"])
        for sid, total, district, area_id, d in rows:
            w.writerow([sid, total, "" if district is None else district, area_id or "", "" if d is None else repr(float(d))])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--conninfo", required=True, help="libpq connection string, e.g. 'host=/tmp/x dbname=bench user=postgres'")
    ap.add_argument("--data", required=True)
    ap.add_argument("--points", required=True)
    ap.add_argument("--parcels", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--latency", type=int, default=2000)
    ap.add_argument("--edge-points", help="extra point sites to answer, untimed (edge-points.csv)")
    ap.add_argument("--edge-parcels", help="extra parcel sites to answer, untimed (edge-parcels.geojson)")
    args = ap.parse_args()
    sql = sections()
    pg = "PG:" + args.conninfo
    timings = {}

    with psycopg.connect(args.conninfo, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        timings["versions"] = {
            "postgresql": conn.execute("SHOW server_version").fetchone()[0],
            "postgis": conn.execute("SELECT postgis_full_version()").fetchone()[0],
        }

        t = time.perf_counter()
        for kind in KINDS:
            extra = ["-lco", "FID=fid", "-preserve_fid"]
            if kind in POLYGON_KINDS:
                extra += ["-nlt", "PROMOTE_TO_MULTI"]
            ogr2ogr(pg, os.path.join(args.data, f"{kind}.geojson"), kind, extra)
        conn.execute(sql["prepare"])
        conn.execute(sql["analyze"])
        timings["load_s"] = time.perf_counter() - t

        # feature ids must be the files' ids / 0-based indexes, as tekichi reports them
        for kind in ("zoning", "daily_life_area"):
            lo, n, hi = conn.execute(f"SELECT min(fid), count(*), max(fid) FROM {kind}").fetchone()
            if (lo, hi) != (0, n - 1):
                sys.exit(f"{kind}: fid runs {lo}..{hi} over {n} rows; expected 0..{n - 1}")

        ogr2ogr(pg, args.points, "sites_pt", ["-lco", "FID=ord", "-oo", "X_POSSIBLE_NAMES=lon", "-oo", "Y_POSSIBLE_NAMES=lat", "-oo", "KEEP_GEOM_COLUMNS=NO"])
        ogr2ogr(pg, args.parcels, "sites_parcel", ["-lco", "FID=ord", "-nlt", "PROMOTE_TO_MULTI"])
        conn.execute("ANALYZE sites_pt; ANALYZE sites_parcel")

        for name, table in (("points", "sites_pt"), ("parcels", "sites_parcel")):
            t = time.perf_counter()
            rows = conn.execute(sql[name]).fetchall()
            timings[f"{name}_s"] = time.perf_counter() - t
            timings[f"{name}_n"] = len(rows)
            write_csv(os.path.join(args.out, f"postgis-{name}.csv"), rows)

        # the same queries over the boundary sites (untimed)
        for name, path, table, extra in (
            ("points", args.edge_points, "sites_pt", ["-oo", "X_POSSIBLE_NAMES=lon", "-oo", "Y_POSSIBLE_NAMES=lat", "-oo", "KEEP_GEOM_COLUMNS=NO"]),
            ("parcels", args.edge_parcels, "sites_parcel", ["-nlt", "PROMOTE_TO_MULTI"]),
        ):
            if path:
                ogr2ogr(pg, path, f"edge_{table}", ["-lco", "FID=ord", *extra])
                rows = conn.execute(sql[name].replace(f"FROM {table} ", f"FROM edge_{table} ")).fetchall()
                write_csv(os.path.join(args.out, f"postgis-edge-{name}.csv"), rows)

        one = (
            "WITH sites_pt AS (SELECT 'q'::text AS site_id, 0 AS ord, "
            "ST_SetSRID(ST_MakePoint(%s::float8, %s::float8), 4326) AS geom) " + sql["points"]
        )
        coords = conn.execute("SELECT ST_X(geom), ST_Y(geom) FROM sites_pt ORDER BY ord LIMIT %s", (args.latency,)).fetchall()
        lat_us = []
        with conn.cursor() as cur:
            for lon, lat in coords:
                t = time.perf_counter_ns()
                cur.execute(one, (lon, lat), prepare=True)
                cur.fetchall()
                lat_us.append((time.perf_counter_ns() - t) / 1000)
        timings["single_point_us_median"] = statistics.median(lat_us) if lat_us else None
        timings["single_point_us_p99"] = sorted(lat_us)[int(0.99 * (len(lat_us) - 1))] if lat_us else None

    with open(os.path.join(args.out, "postgis-timings.json"), "w", encoding="utf-8") as f:
        json.dump(timings, f, indent=2)
    print(json.dumps({k: v for k, v in timings.items() if k != "versions"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
