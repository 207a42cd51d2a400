#!/usr/bin/env python3
"""geopandas / shapely 2 peer of tekichi, written as a GIS analyst would.

Reads the same data directory as ``tekichi assess`` (one GeoJSON per layer kind), then
answers, for every point site and every parcel site, the four figures that
scripts/peers/compare.py checks against tekichi and PostGIS: hazard total, governing
district (用途地域), daily-life area and nearest target facility distance.  The rubric
reading is stated in scripts/peers/rubric.py.

How, vectorised throughout:
- layers read with geopandas (pyogrio); each zone gets its rubric points once at load;
  zone geometries are prepared (``shapely.prepare``) and indexed (``shapely.STRtree``, the
  tree behind ``GeoSeries.sindex``) at load;
- points: envelope candidates from the tree for all sites at once, then the exact
  ``shapely.intersects`` on the prepared zones (the join ``sjoin`` does, 6× faster than
  ``query(predicate=...)`` here because the big zones are prepared), then per-site minima
  with numpy;
- parcels: the same, then ``shapely.intersection`` on the (parcel, zone) pairs in lon/lat
  that the zone does not contain outright, and the geodesic area of each piece with
  ``pyproj.Geod`` (GRS80);
- nearest facility: candidates from an STRtree in JGD2011 plane-rectangular zone X
  (EPSG:6678, the zone for Miyagi), every facility within 1.001 × the planar nearest + 1 m,
  then geodesic distances with ``pyproj.Geod.inv``; for a parcel the closest boundary
  point is taken in the plane and measured geodesically.

Usage (scripts/bench-peers.sh runs it):
    geopandas_peer.py --data DIR --points sites.csv --parcels sites.geojson --out DIR [--latency N]
Writes ``geopandas-points.csv``, ``geopandas-parcels.csv`` and ``geopandas-timings.json``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import sys
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rubric  # noqa: E402

GEOD = pyproj.Geod(ellps="GRS80")
PLANE = "EPSG:6678"  # JGD2011 / Japan Plane Rectangular CS X (Miyagi)
HAZARDS = ("flood", "river_erosion", "landslide", "tsunami")


def read_layer(data: str, kind: str) -> gpd.GeoDataFrame:
    df = gpd.read_file(os.path.join(data, f"{kind}.geojson"), engine="pyogrio")
    # feature id: the GeoJSON id where the file has one (pyogrio reads it as the FID and
    # drops it), else the 0-based index; the generator writes id = index, so the index it is.
    df["feature_id"] = np.arange(len(df))
    return df


def geodesic_area(geoms) -> np.ndarray:
    """Geodesic area (m²) of each polygon on the GRS80 ellipsoid."""
    return np.array([abs(GEOD.geometry_area_perimeter(g)[0]) if not g.is_empty else 0.0 for g in geoms])


class Layer:
    """One layer's geometries (prepared, as shapely recommends for repeated predicates) and STRtree."""

    def __init__(self, df: gpd.GeoDataFrame):
        self.df = df
        self.geoms = np.asarray(df.geometry.values, dtype=object)
        shapely.prepare(self.geoms)
        self.tree = shapely.STRtree(self.geoms)

    def touching(self, sites: np.ndarray, site_area: np.ndarray | None):
        """(site index, zone index, overlap m² or None) of every zone touching a site.

        A point touches a zone it is inside or on (boundary inclusive); a parcel touches
        a zone when their overlap is above the sliver tolerance.
        """
        s, z = self.tree.query(sites)  # envelope candidates
        hit = shapely.intersects(self.geoms[z], sites[s])  # exact test on the prepared zone
        s, z = s[hit], z[hit]
        if site_area is None:
            return s, z, None
        # a parcel well inside its zone needs no clipping; the others are clipped in lon/lat
        inside = shapely.contains_properly(self.geoms[z], sites[s])
        piece = site_area[s].copy()
        cut = ~inside
        piece[cut] = geodesic_area(shapely.intersection(sites[s[cut]], self.geoms[z[cut]]))
        keep = piece > rubric.SLIVER_M2
        return s[keep], z[keep], piece[keep]


class City:
    """The layers in memory with their spatial indexes (what "load" measures)."""

    def __init__(self, data: str):
        self.hazards = {}
        for kind in HAZARDS:
            df = read_layer(data, kind)
            props = df.drop(columns="geometry").to_dict("records")
            if kind == "flood":
                pts = [rubric.flood_points(p) for p in props]
            elif kind == "tsunami":
                pts = [rubric.tsunami_points(p) for p in props]
            elif kind == "landslide":
                pts = [rubric.landslide_points(p) for p in props]
            else:
                pts = [0] * len(df)  # inside a house-collapse zone: 0 points
            df["points"] = pd.array(pts, dtype="Int64")
            df = df[df["points"].notna()].reset_index(drop=True)  # unscored landslide phenomena
            layer = Layer(df)
            layer.points = df["points"].to_numpy(dtype=np.int64)
            self.hazards[kind] = layer
        z = read_layer(data, "zoning")
        self.zoning = Layer(z)
        self.zone_verdict = np.array([rubric.use_verdict(c) for c in z["A29_004"]])
        self.zone_fid = z["feature_id"].to_numpy()
        a = read_layer(data, "daily_life_area")
        self.areas = Layer(a)
        self.area_id = a["A32_003"].astype(str).str.strip().to_numpy()
        # rank for the "lowest id" rule: area id, then feature id
        self.area_order = np.argsort(np.lexsort((a["feature_id"].to_numpy(), self.area_id)))
        f = read_layer(data, "facility")
        if "type" not in f:
            f["type"] = None
        f = f[f["type"].fillna(rubric.TARGET_TYPE).str.strip() == rubric.TARGET_TYPE].reset_index(drop=True)
        self.fac_geoms = np.asarray(f.geometry.values, dtype=object)
        self.fac_lon = f.geometry.x.to_numpy()
        self.fac_lat = f.geometry.y.to_numpy()
        self.to_plane = pyproj.Transformer.from_crs("EPSG:6668", PLANE, always_xy=True)
        self.from_plane = pyproj.Transformer.from_crs(PLANE, "EPSG:6668", always_xy=True)
        self.fac_plane = np.asarray(f.to_crs(PLANE).geometry.values, dtype=object)
        self.fac_tree = shapely.STRtree(self.fac_plane)

    # --- batch -----------------------------------------------------------------

    def hazard_total(self, sites: np.ndarray, area: np.ndarray | None) -> np.ndarray:
        total = np.zeros(len(sites), dtype=np.int64)
        for kind, layer in self.hazards.items():
            s, z, _ = layer.touching(sites, area)
            best = np.full(len(sites), rubric.NONE_POINTS[kind], dtype=np.int64)
            np.minimum.at(best, s, layer.points[z])  # the lowest score applies
            total += best
        return total

    def districts(self, sites: np.ndarray, area: np.ndarray | None) -> list:
        s, z, piece = self.zoning.touching(sites, area)
        verdict, fid = self.zone_verdict[z], self.zone_fid[z]
        out = [None] * len(sites)
        if area is None:
            # point: worst verdict, then lowest feature id
            order = np.lexsort((fid, -verdict, s))
            first = np.unique(s[order], return_index=True)[1]
            for k in order[first]:
                out[s[k]] = int(fid[k])
            return out
        covered = np.zeros(len(sites))
        np.add.at(covered, s, piece)  # districts tile without overlap: sum = union
        uncovered_m2 = area - covered
        uncovered = np.where(uncovered_m2 > rubric.SLIVER_M2, np.clip(uncovered_m2 / area, 0, 1), 0.0)
        share = np.minimum(piece / area[s], 1.0)
        for i, rows in pd.Series(np.arange(len(s))).groupby(s):
            rows = rows.to_numpy()
            top = share[rows].max()
            tied = rows[share[rows] >= top - rubric.SHARE_TIE]
            best = min(tied, key=lambda k: (-verdict[k], fid[k]))
            if top + rubric.SHARE_TIE >= uncovered[i]:  # the uncovered part competes
                out[i] = int(fid[best])
        return out

    def area_ids(self, sites: np.ndarray, area: np.ndarray | None) -> list:
        s, z, piece = self.areas.touching(sites, area)
        order_key = self.area_order[z]
        out = [None] * len(sites)
        if area is None:
            order = np.lexsort((order_key, s))
            first = np.unique(s[order], return_index=True)[1]
            for k in order[first]:
                out[s[k]] = self.area_id[z[k]]
            return out
        share = piece / area[s]
        for i, rows in pd.Series(np.arange(len(s))).groupby(s):
            rows = rows.to_numpy()
            top = share[rows].max()
            tied = rows[share[rows] >= top - rubric.SHARE_TIE]
            out[i] = self.area_id[z[min(tied, key=lambda k: order_key[k])]]
        return out

    def nearest_m(self, sites: np.ndarray, parcels: bool) -> np.ndarray:
        n = len(sites)
        plane = shapely.transform(sites, lambda xy: np.column_stack(self.to_plane.transform(xy[:, 0], xy[:, 1])))
        # the planar nearest distance bounds the geodesic nearest (zone X scale error < 1e-4 here)
        _, d0 = self.fac_tree.query_nearest(plane, return_distance=True, all_matches=False)
        s, f = self.fac_tree.query(plane, predicate="dwithin", distance=d0 * 1.001 + 1.0)
        if not parcels:
            lon, lat = shapely.get_x(sites[s]), shapely.get_y(sites[s])
        else:
            # closest point of the parcel to the facility, in the plane, then back to lon/lat
            line = shapely.shortest_line(plane[s], self.fac_plane[f])
            x, y = shapely.get_coordinates(line)[0::2].T
            lon, lat = self.from_plane.transform(x, y)
        _, _, d = GEOD.inv(self.fac_lon[f], self.fac_lat[f], lon, lat)
        if parcels:  # a facility inside or on the parcel is at 0 m
            d = np.where(shapely.intersects(sites[s], self.fac_geoms[f]), 0.0, d)
        best = np.full(n, np.inf)
        np.minimum.at(best, s, d)
        return best

    def assess(self, sites: np.ndarray, parcels: bool) -> pd.DataFrame:
        area = geodesic_area(sites) if parcels else None
        return pd.DataFrame(
            {
                "hazard_total": self.hazard_total(sites, area),
                "district": pd.Series(self.districts(sites, area), dtype=object),
                "area_id": pd.Series(self.area_ids(sites, area), dtype=object),
                "nearest_m": self.nearest_m(sites, parcels),
            }
        )

    # --- one point, the way an interactive tool would ask ------------------------

    def assess_point(self, lon: float, lat: float) -> dict:
        p = shapely.Point(lon, lat)

        def hits(layer):
            cand = layer.tree.query(p)
            return cand[shapely.intersects(layer.geoms[cand], p)]

        total = 0
        for kind, layer in self.hazards.items():
            hit = hits(layer)
            total += int(layer.points[hit].min()) if len(hit) else rubric.NONE_POINTS[kind]
        hit = hits(self.zoning)
        district = int(self.zone_fid[min(hit, key=lambda k: (-self.zone_verdict[k], k))]) if len(hit) else None
        hit = hits(self.areas)
        area_id = self.area_id[min(hit, key=lambda k: self.area_order[k])] if len(hit) else None
        q = shapely.Point(*self.to_plane.transform(lon, lat))
        _, d0 = self.fac_tree.query_nearest(q, return_distance=True, all_matches=False)
        cand = self.fac_tree.query(q, predicate="dwithin", distance=float(d0[0]) * 1.001 + 1.0)
        _, _, d = GEOD.inv(self.fac_lon[cand], self.fac_lat[cand], np.full(len(cand), lon), np.full(len(cand), lat))
        return {"hazard_total": total, "district": district, "area_id": area_id, "nearest_m": float(d.min())}


def write_csv(path: str, ids, df: pd.DataFrame) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["site_id", "hazard_total", "district", "area_id", "nearest_m"])
        for sid, row in zip(ids, df.itertuples(index=False)):
            w.writerow([sid, row.hazard_total, "" if row.district is None else row.district, row.area_id or "", repr(float(row.nearest_m))])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--points", required=True, help="CSV with site_id, lon, lat")
    ap.add_argument("--parcels", required=True, help="GeoJSON FeatureCollection with properties.site_id")
    ap.add_argument("--out", required=True)
    ap.add_argument("--latency", type=int, default=2000, help="single-point queries to time")
    ap.add_argument("--edge-points", help="extra point sites to answer, untimed (edge-points.csv)")
    ap.add_argument("--edge-parcels", help="extra parcel sites to answer, untimed (edge-parcels.geojson)")
    args = ap.parse_args()
    timings = {"versions": {"geopandas": gpd.__version__, "shapely": shapely.__version__, "pyproj": pyproj.__version__, "geos": shapely.geos_version_string}}

    t = time.perf_counter()
    city = City(args.data)
    timings["load_s"] = time.perf_counter() - t

    pts = pd.read_csv(args.points, dtype={"site_id": str})
    t = time.perf_counter()
    sites = shapely.points(pts["lon"].to_numpy(), pts["lat"].to_numpy())
    pres = city.assess(sites, parcels=False)
    timings["points_s"] = time.perf_counter() - t
    timings["points_n"] = len(sites)
    write_csv(os.path.join(args.out, "geopandas-points.csv"), pts["site_id"], pres)

    par = gpd.read_file(args.parcels, engine="pyogrio")
    t = time.perf_counter()
    res = city.assess(np.asarray(par.geometry.values, dtype=object), parcels=True)
    timings["parcels_s"] = time.perf_counter() - t
    timings["parcels_n"] = len(par)
    write_csv(os.path.join(args.out, "geopandas-parcels.csv"), par["site_id"], res)

    lat_us = []
    mismatches = 0
    lons, lats = pts["lon"].to_numpy(), pts["lat"].to_numpy()
    for k in range(min(args.latency, len(pts))):
        t = time.perf_counter_ns()
        one = city.assess_point(float(lons[k]), float(lats[k]))
        lat_us.append((time.perf_counter_ns() - t) / 1000)
        # the scalar path must give the batch's answer
        row = pres.iloc[k]
        if (one["hazard_total"], one["district"], one["area_id"]) != (row.hazard_total, row.district, row.area_id) or abs(one["nearest_m"] - row.nearest_m) > 1e-6:
            mismatches += 1
    timings["single_point_vs_batch_mismatches"] = mismatches
    timings["single_point_us_median"] = statistics.median(lat_us) if lat_us else None
    timings["single_point_us_p99"] = float(np.percentile(lat_us, 99)) if lat_us else None
    if args.edge_points:
        e = pd.read_csv(args.edge_points, dtype={"site_id": str})
        res = city.assess(shapely.points(e["lon"].to_numpy(), e["lat"].to_numpy()), parcels=False)
        write_csv(os.path.join(args.out, "geopandas-edge-points.csv"), e["site_id"], res)
    if args.edge_parcels:
        e = gpd.read_file(args.edge_parcels, engine="pyogrio")
        res = city.assess(np.asarray(e.geometry.values, dtype=object), parcels=True)
        write_csv(os.path.join(args.out, "geopandas-edge-parcels.csv"), e["site_id"], res)
    with open(os.path.join(args.out, "geopandas-timings.json"), "w", encoding="utf-8") as f:
        json.dump(timings, f, indent=2)
    print(json.dumps(timings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
