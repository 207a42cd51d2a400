#!/usr/bin/env python3
"""Boundary sites for the agreement check of scripts/bench-peers.sh (not timed).

The generated candidate sites are random, so they almost never sit exactly on a boundary.
These do, taken deterministically from the layers themselves:
- points: vertices of zoning districts (on the shared edges of two to four districts, so the
  worst-verdict / lowest-id rule decides), of daily-life areas (lowest area id decides) and of
  hazard zones (boundary inclusive: the zone counts);
- parcels: zoning districts and hazard zones used as parcels (their edges are shared exactly
  with neighbouring districts, so zero-area contacts must not count, and each covers itself
  whole).

    edge_sites.py DATA_DIR OUT_DIR [N]  → OUT_DIR/edge-points.csv, OUT_DIR/edge-parcels.geojson

Coordinates are written with repr(), which gives back the very doubles the layer files
parse to.  Standard library only.
"""

from __future__ import annotations

import json
import os
import sys


def features(path: str):
    with open(path, encoding="utf-8") as f:
        return json.load(f)["features"]


def rings(geom):
    polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
    for poly in polys:
        yield from poly


def main() -> int:
    data, out = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    points = []
    for kind, share in (("zoning", 0.5), ("daily_life_area", 0.2), ("flood", 0.1), ("landslide", 0.1), ("tsunami", 0.1)):
        feats = features(os.path.join(data, f"{kind}.geojson"))
        want = max(1, int(n * share))
        step = max(1, len(feats) // want)
        for k in range(0, len(feats), step):
            ring = next(rings(feats[k]["geometry"]))
            lon, lat = ring[(k * 7) % (len(ring) - 1)]  # some vertex of the exterior ring
            points.append((f"E{kind[:2].upper()}{k:06d}", lon, lat))
            if len([p for p in points if p[0].startswith(f"E{kind[:2].upper()}")]) >= want:
                break
    with open(os.path.join(out, "edge-points.csv"), "w", encoding="utf-8", newline="") as f:
        f.write("site_id,lon,lat\n")
        for sid, lon, lat in points:
            f.write(f"{sid},{lon!r},{lat!r}\n")
    parcels = []
    for kind, share in (("zoning", 0.6), ("flood", 0.2), ("landslide", 0.2)):
        feats = features(os.path.join(data, f"{kind}.geojson"))
        want = max(1, int(n / 2 * share))
        step = max(1, len(feats) // want)
        first = 0 if kind == "zoning" else 10  # past the few big river/coast zones
        for k in range(first, len(feats), step)[:want]:
            sid = f"P{kind[:2].upper()}{k:06d}"
            parcels.append({"type": "Feature", "properties": {"site_id": sid}, "geometry": feats[k]["geometry"]})
    with open(os.path.join(out, "edge-parcels.geojson"), "w", encoding="utf-8") as f:
        json.dump({"type": "FeatureCollection", "features": parcels}, f)
    print(f"{len(points)} boundary points, {len(parcels)} layer-shaped parcels")
    return 0


if __name__ == "__main__":
    sys.exit(main())
