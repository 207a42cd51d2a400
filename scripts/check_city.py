#!/usr/bin/env python3
"""Independent checks of the data written by scripts/gen_city.py.

This file deliberately shares no code with the generator.  It reads the GeoJSON
as a parser would (IEEE-754 doubles), turns every coordinate into an exact
integer (a double times 2**47 is exact for |x| < 256), and checks:

* FeatureCollection shape, geometry types per layer kind, coordinates with at
  most 7 decimals inside Japan's extent;
* GeoJSON ``id``: integers 0..n-1 everywhere, absent in daily_life_area and
  facility;
* rings: closed, at least 4 positions, simple (no self-intersection, no
  repeated vertex), exteriors counter-clockwise and holes clockwise, holes
  inside their exterior;
* tiling layers (zoning, area_division, daily_life_area): every edge either
  appears reversed in exactly one other feature or overlaps no other feature's
  edge (no T-junctions, no near-miss shared edges), and interiors do not
  overlap (sampled);
* the 市街化調整区域 hole is exactly the 市街化区域 outer ring;
* sample city only: every probe's expectations, recomputed from scratch
  (point-in-polygon with boundary detection, the SPEC readings for the
  verdict and the default rubric, nearest small_multi), and a margin of at
  least 1 m from every boundary the probe is not designed to sit on;
* large city (``--large``): at least ``--min-hazard`` hazard polygons, a
  sample of them validated, tiling layers checked in full.

Usage::

    python3 scripts/check_city.py data/sample-city
    python3 scripts/check_city.py --large --min-hazard 100000 data/generated/large-1e5
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import sys
import unicodedata

SCALE = 2**47  # exact for doubles with magnitude < 256
KINDS = ["zoning", "area_division", "farmland", "daily_life_area", "facility", "flood", "river_erosion", "landslide", "tsunami"]
HAZARDS = ["flood", "river_erosion", "landslide", "tsunami"]
TILING = ["zoning", "area_division", "daily_life_area"]

errors: list[str] = []


def fail(msg: str) -> None:
    errors.append(msg)
    if len(errors) <= 60:
        print("FAIL:", msg)


# ---------------------------------------------------------------- parsing


def decimals_ok(text: str) -> bool:
    if "e" in text or "E" in text:
        return False
    return "." not in text or len(text.split(".")[1]) <= 7


def to_int(text: str) -> int:
    v = float(text) * SCALE
    assert v == int(v)
    return int(v)


def rings_of(geom):
    """List of polygons, each a list of rings of (text_x, text_y) pairs."""
    t = geom["type"]
    if t == "Polygon":
        return [geom["coordinates"]]
    if t == "MultiPolygon":
        return geom["coordinates"]
    return []


def load(path: str):
    with open(path, encoding="utf-8") as f:
        return json.load(f, parse_float=str, parse_int=str)


# ---------------------------------------------------------------- exact geometry on ints


def cross(o, a, b):
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def between(a, b, p):
    return min(a[0], b[0]) <= p[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= p[1] <= max(a[1], b[1])


def seg_intersect(a, b, c, d) -> bool:
    d1, d2, d3, d4 = cross(c, d, a), cross(c, d, b), cross(a, b, c), cross(a, b, d)
    if ((d1 > 0) != (d2 > 0)) and d1 != 0 and d2 != 0 and ((d3 > 0) != (d4 > 0)) and d3 != 0 and d4 != 0:
        return True
    return (d1 == 0 and between(c, d, a)) or (d2 == 0 and between(c, d, b)) or (d3 == 0 and between(a, b, c)) or (d4 == 0 and between(a, b, d))


def signed_area2(r) -> int:
    return sum(r[k][0] * r[k + 1][1] - r[k + 1][0] * r[k][1] for k in range(len(r) - 1))


def simple(r) -> str | None:
    """None if the closed ring is simple, else a reason.  Sweep over x-sorted segments."""
    n = len(r) - 1
    if len(set(r[:-1])) != n:
        return "repeated vertex"
    segs = sorted(range(n), key=lambda k: min(r[k][0], r[k + 1][0]))
    lo = [min(r[k][0], r[k + 1][0]) for k in range(n)]
    hi = [max(r[k][0], r[k + 1][0]) for k in range(n)]
    for ai, k in enumerate(segs):
        for m in segs[ai + 1 :]:
            if lo[m] > hi[k]:
                break
            if abs(k - m) == 1 or abs(k - m) == n - 1:
                # neighbours share a vertex; only a fold-back is a fault
                if abs(k - m) == 1:
                    p, q = (k, m) if k < m else (m, k)
                else:
                    p, q = (n - 1, 0)
                a, b, c = r[p], r[p + 1], r[q + 1]
                if cross(a, b, c) == 0 and (b[0] - a[0]) * (c[0] - b[0]) + (b[1] - a[1]) * (c[1] - b[1]) <= 0:
                    return f"fold-back at vertex {p + 1}"
                continue
            if seg_intersect(r[k], r[k + 1], r[m], r[m + 1]):
                return f"segments {k} and {m} intersect"
    return None


def ring_pos(p, r) -> int:
    """1 inside, 0 on the boundary, -1 outside (crossing rule, exact)."""
    inside = False
    for k in range(len(r) - 1):
        a, b = r[k], r[k + 1]
        if cross(a, b, p) == 0 and between(a, b, p):
            return 0
        if (a[1] > p[1]) != (b[1] > p[1]):
            # x of the edge at p.y compared with p.x, without division
            lhs = (p[0] - a[0]) * (b[1] - a[1])
            rhs = (p[1] - a[1]) * (b[0] - a[0])
            if (b[1] > a[1] and lhs < rhs) or (b[1] < a[1] and lhs > rhs):
                inside = not inside
    return 1 if inside else -1


def contains(p, polys) -> int:
    """1 inside, 0 boundary, -1 outside for a (multi)polygon of int rings."""
    res = -1
    for poly in polys:
        e = ring_pos(p, poly[0])
        if e == 0:
            return 0
        if e < 0:
            continue
        state = 1
        for h in poly[1:]:
            hp = ring_pos(p, h)
            if hp == 0:
                return 0
            if hp > 0:
                state = -1
                break
        if state > 0:
            res = 1
    return res


def dist_m(p, polys, lat) -> float:
    """Approximate distance (m) from p to the polygon boundaries (local equirectangular)."""
    kx = 111320.0 * math.cos(math.radians(lat)) / SCALE
    ky = 110950.0 / SCALE
    best = math.inf
    px, py = p[0] * kx, p[1] * ky
    for poly in polys:
        for r in poly:
            for k in range(len(r) - 1):
                ax, ay = r[k][0] * kx, r[k][1] * ky
                bx, by = r[k + 1][0] * kx, r[k + 1][1] * ky
                dx, dy = bx - ax, by - ay
                ll = dx * dx + dy * dy
                t = 0.0 if ll == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / ll))
                best = min(best, math.hypot(px - ax - t * dx, py - ay - t * dy))
    return best


# ---------------------------------------------------------------- per-layer checks


class Layer:
    def __init__(self, kind, fc):
        self.kind = kind
        self.fc = fc
        self.features = fc["features"]
        self.polys = []  # per feature: list of polygons of int rings
        self.ids = []


def check_feature_geometry(kind, idx, geom, full=True):
    polys = []
    for poly in rings_of(geom):
        ip = []
        for k, ring in enumerate(poly):
            if len(ring) < 4:
                fail(f"{kind}[{idx}]: ring with {len(ring)} positions")
                continue
            if ring[0] != ring[-1]:
                fail(f"{kind}[{idx}]: ring not closed")
            for x, y in ring:
                if not (decimals_ok(x) and decimals_ok(y)):
                    fail(f"{kind}[{idx}]: coordinate {x},{y} has more than 7 decimals")
                    break
                if not (122 <= float(x) <= 154 and 20 <= float(y) <= 46):
                    fail(f"{kind}[{idx}]: coordinate {x},{y} outside Japan")
                    break
            r = [(to_int(x), to_int(y)) for x, y in ring]
            why = simple(r)
            if why:
                fail(f"{kind}[{idx}]: ring {k} not simple ({why})")
            a = signed_area2(r)
            if k == 0 and a <= 0:
                fail(f"{kind}[{idx}]: exterior not counter-clockwise")
            if k > 0 and a >= 0:
                fail(f"{kind}[{idx}]: hole not clockwise")
            ip.append(r)
        if full and ip:
            for h in ip[1:]:
                if any(ring_pos(v, ip[0]) <= 0 for v in h):
                    fail(f"{kind}[{idx}]: hole vertex not strictly inside the exterior")
                    break
                if len(ip[0]) * len(h) < 2_000_000:
                    if any(seg_intersect(ip[0][a], ip[0][a + 1], h[b], h[b + 1]) for a in range(len(ip[0]) - 1) for b in range(len(h) - 1)):
                        fail(f"{kind}[{idx}]: hole touches the exterior")
        polys.append(ip)
    if full and len(polys) > 1:
        for a in range(len(polys)):
            for b in range(len(polys)):
                if a != b and any(contains(v, [polys[b]]) >= 0 for v in polys[a][0][:-1]):
                    fail(f"{kind}[{idx}]: MultiPolygon parts {a} and {b} overlap or touch")
    return polys


def check_layer(kind, path, full=True):
    fc = load(path)
    L = Layer(kind, fc)
    if fc.get("type") != "FeatureCollection" or not isinstance(fc.get("features"), list):
        fail(f"{kind}: not a FeatureCollection")
        return L
    if "crs" in fc:
        fail(f"{kind}: RFC 7946 has no crs member")
    want_point = kind == "facility"
    ids = []
    for idx, f in enumerate(L.features):
        if f.get("type") != "Feature":
            fail(f"{kind}[{idx}]: not a Feature")
        if kind in ("daily_life_area", "facility"):
            if "id" in f:
                fail(f"{kind}[{idx}]: must not have an id")
        else:
            ids.append(f.get("id"))
        g = f["geometry"]
        if want_point:
            if g["type"] != "Point":
                fail(f"{kind}[{idx}]: expected a Point")
            L.polys.append([])
            continue
        if g["type"] not in ("Polygon", "MultiPolygon"):
            fail(f"{kind}[{idx}]: expected a (Multi)Polygon, got {g['type']}")
        L.polys.append(check_feature_geometry(kind, idx, g, full))
    if kind not in ("daily_life_area", "facility"):
        if ids != [str(k) for k in range(len(ids))]:
            fail(f"{kind}: ids are not the integers 0..n-1 in order")
    L.ids = list(range(len(L.features)))
    return L


def check_tiling(L: Layer):
    """Every edge matched in reverse by exactly one other feature, or overlapping nobody."""
    edges = {}
    owner = []
    for fi, polys in enumerate(L.polys):
        for poly in polys:
            for r in poly:
                for k in range(len(r) - 1):
                    e = (r[k], r[k + 1])
                    if e in edges:
                        fail(f"{L.kind}: directed edge repeated (features {edges[e]} and {fi})")
                    edges[e] = fi
                    owner.append((e, fi))
    unmatched = []
    shared = 0
    for (a, b), fi in owner:
        other = edges.get((b, a))
        if other is None:
            unmatched.append(((a, b), fi))
        elif other == fi:
            fail(f"{L.kind}[{fi}]: edge used both ways inside one feature")
        else:
            shared += 1
    # bucket unmatched + all edges by a coarse grid and look for collinear overlaps
    cell = 2**47 // 2000  # ≈ 0.0005°
    buckets = {}
    for (a, b), fi in owner:
        for gx in range(min(a[0], b[0]) // cell, max(a[0], b[0]) // cell + 1):
            for gy in range(min(a[1], b[1]) // cell, max(a[1], b[1]) // cell + 1):
                buckets.setdefault((gx, gy), []).append(((a, b), fi))
    bad = 0
    # an unmatched (outer) vertex must not lie strictly inside another feature
    fboxes = [poly_bbox(polys) if polys else (0, -1, 0, -1) for polys in L.polys]
    fb = {}
    for fi, bx in enumerate(fboxes):
        for gx in range(bx[0] // cell, bx[1] // cell + 1):
            for gy in range(bx[2] // cell, bx[3] // cell + 1):
                fb.setdefault((gx, gy), []).append(fi)
    for (a, b), fi in unmatched:
        for fj in fb.get((a[0] // cell, a[1] // cell), ()):
            bx = fboxes[fj]
            if fj != fi and bx[0] <= a[0] <= bx[1] and bx[2] <= a[1] <= bx[3] and contains(a, L.polys[fj]) > 0:
                bad += 1
                if bad <= 5:
                    fail(f"{L.kind}: vertex of feature {fi} strictly inside feature {fj}")
    for (a, b), fi in unmatched:
        seen = set()
        for gx in range(min(a[0], b[0]) // cell, max(a[0], b[0]) // cell + 1):
            for gy in range(min(a[1], b[1]) // cell, max(a[1], b[1]) // cell + 1):
                for (c, d), fj in buckets.get((gx, gy), ()):
                    if fj == fi or ((c, d), fj) in seen:
                        continue
                    seen.add(((c, d), fj))
                    o1, o2, o3, o4 = cross(a, b, c), cross(a, b, d), cross(c, d, a), cross(c, d, b)
                    if o1 * o2 < 0 and o3 * o4 < 0:
                        bad += 1
                        if bad <= 5:
                            fail(f"{L.kind}: edge of feature {fi} crosses an edge of feature {fj}")
                    if o1 == 0 and o2 == 0:
                        # collinear: overlap of positive length?
                        ax = 0 if a[0] != b[0] else 1
                        lo1, hi1 = sorted((a[ax], b[ax]))
                        lo2, hi2 = sorted((c[ax], d[ax]))
                        if min(hi1, hi2) > max(lo1, lo2):
                            bad += 1
                            if bad <= 5:
                                fail(f"{L.kind}: edge of feature {fi} partly shared with feature {fj} without identical vertices")
    return shared, len(unmatched)


def sample_points(bbox, n, rng):
    x0, x1, y0, y1 = bbox
    return [(rng.randint(x0, x1) | 1, rng.randint(y0, y1) | 1) for _ in range(n)]


def bbox_of(L: Layer):
    xs = [v[0] for polys in L.polys for poly in polys for r in poly for v in r]
    ys = [v[1] for polys in L.polys for poly in polys for r in poly for v in r]
    return min(xs), max(xs), min(ys), max(ys)


def poly_bbox(polys):
    xs = [v[0] for poly in polys for v in poly[0]]
    ys = [v[1] for poly in polys for v in poly[0]]
    return min(xs), max(xs), min(ys), max(ys)


def hits(L: Layer, p, boxes=None):
    out = []
    for fi, polys in enumerate(L.polys):
        if boxes is not None:
            b = boxes[fi]
            if not (b[0] <= p[0] <= b[1] and b[2] <= p[1] <= b[3]):
                continue
        c = contains(p, polys)
        if c >= 0:
            out.append((fi, c))
    return out


# ---------------------------------------------------------------- readings (independent)

NUM = r"(\d+(?:\.\d+)?)"


def depth_range(v):
    """(lo, hi) in metres for a rank, number or range text; None if unrecognised."""
    if isinstance(v, (int, float)):
        return (float(v), float(v))
    t = unicodedata.normalize("NFKC", str(v)).strip().replace("〜", "~").replace("～", "~")
    t = t.replace(" ", "")
    m = re.fullmatch(NUM + r"m?以上" + NUM + r"m?未満", t)
    if m:
        return (float(m[1]), float(m[2]))
    m = re.fullmatch(NUM + r"m?未満", t)
    if m:
        return (0.0, float(m[1]))
    m = re.fullmatch(NUM + r"m?以上", t)
    if m:
        return (float(m[1]), math.inf)
    m = re.fullmatch(NUM + r"m?[~\-]" + NUM + r"m?", t)
    if m:
        return (float(m[1]), float(m[2]))
    return None


RANKS = {1: (0, 0.5), 2: (0.5, 3), 3: (3, 5), 4: (5, 10), 5: (10, 20), 6: (20, math.inf)}


def rubric_points(rng) -> int:
    """<0.5 → 2, [0.5, 3.0) → 1, ≥3.0 → 0, worst case over a half-open range."""
    if rng is None:
        return 0
    lo, hi = rng
    if lo == hi:  # an exact depth
        return 2 if lo < 0.5 else 1 if lo < 3.0 else 0
    worst = 2
    for c_lo, c_hi, pts in ((0.0, 0.5, 2), (0.5, 3.0, 1), (3.0, math.inf, 0)):
        if lo < c_hi and hi > c_lo:
            worst = min(worst, pts)
    return worst


def norm_code(v):
    try:
        c = int(unicodedata.normalize("NFKC", str(v)))
    except ValueError:
        return None
    return 21 if c == 13 else c


def haversine_m(lon1, lat1, lon2, lat2):
    R = 6371008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * R * math.asin(math.sqrt(a))


def num(v):
    return int(v) if re.fullmatch(r"-?\d+", v) else float(v)


def raw_props(f):
    """Properties with the parse_float/parse_int strings turned back into numbers."""
    out = {}
    for k, v in f["properties"].items():
        if isinstance(v, str) and k not in ("A32_003", "A40_003", "name", "depth") and re.fullmatch(r"-?\d+(\.\d+)?", v):
            out[k] = num(v)
        else:
            out[k] = v
    return out


def check_probes(d, layers):
    fc = load(os.path.join(d, "probes.geojson"))
    names = set()
    boxes = {k: [poly_bbox(p) if p else (0, -1, 0, -1) for p in L.polys] for k, L in layers.items() if k != "facility"}
    fac = layers["facility"]
    small = []
    for f in fac.features:
        p = f["properties"]
        if p.get("type", "small_multi") == "small_multi":
            x, y = f["geometry"]["coordinates"]
            small.append((p["name"], float(x), float(y)))
    for idx, f in enumerate(fc["features"]):
        if f.get("id") != str(idx):
            fail(f"probes[{idx}]: id")
        raw = f["properties"]
        exp = json.loads(json.dumps(raw))  # strings for numbers (parse_float=str)
        name = raw["probe"]
        if name in names or not re.fullmatch(r"[a-z0-9_]+", name):
            fail(f"probe {name}: duplicate or not snake_case")
        names.add(name)
        xt, yt = f["geometry"]["coordinates"]
        p = (to_int(xt), to_int(yt))
        lat = float(yt)
        got = {k: hits(L, p, boxes[k]) for k, L in layers.items() if k != "facility"}
        props = {k: [raw_props(layers[k].features[fi]) for fi, _ in v] for k, v in got.items()}
        onb = [k for k in ("zoning", "area_division", "farmland", "daily_life_area", "flood", "river_erosion", "landslide", "tsunami") if any(c == 0 for _, c in got[k])]
        for k, L in layers.items():
            if k == "facility":
                continue
            for fi, polys in enumerate(L.polys):
                if any(fj == fi and c == 0 for fj, c in got[k]):
                    continue
                b = boxes[k][fi]
                pad = 2 * SCALE // 10000
                if b[0] - pad <= p[0] <= b[1] + pad and b[2] - pad <= p[1] <= b[3] + pad:
                    dm = dist_m(p, polys, lat)
                    if dm < 1.0:
                        fail(f"probe {name}: {dm:.2f} m from a {k} boundary without being on it")
        codes = [norm_code(q.get("A29_004")) for q in props["zoning"]]
        computed = {
            "zoning_codes": codes,
            "zoning_ids": [fi for fi, _ in got["zoning"]],
            "division": [q["division"] for q in props["area_division"]],
            "in_farmland": bool(got["farmland"]),
            "area_ids": [q["A32_003"] for q in props["daily_life_area"]],
            "flood_ids": [fi for fi, _ in got["flood"]],
            "flood_ranks": [q["A31a_205"] for q in props["flood"] if "A31a_205" in q],
            "flood_depths": [q["depth_m"] if "depth_m" in q else q.get("depth") for q in props["flood"] if "A31a_205" not in q],
            "erosion": bool(got["river_erosion"]),
            "erosion_ids": [fi for fi, _ in got["river_erosion"]],
            "landslide": [[q["A33_001"], q["A33_002"]] for q in props["landslide"]],
            "landslide_ids": [fi for fi, _ in got["landslide"]],
            "tsunami": [q["A40_003"] for q in props["tsunami"]],
            "tsunami_ids": [fi for fi, _ in got["tsunami"]],
            "on_boundary": onb,
        }
        # verdict for a point
        dv = {}
        for fi, c in zip(computed["zoning_ids"], codes):
            if c in (1, 2, 3, 4, 5, 6, 7, 21):
                dv[fi] = "buildable"
            elif c in (8, 9, 10, 11):
                dv[fi] = "conditional"
            elif c == 12:
                dv[fi] = "not_buildable"
            else:
                dv[fi] = "unknown"
        order = ["buildable", "conditional", "unknown", "not_buildable"]
        if dv:
            gov = max(dv, key=lambda fi: (order.index(dv[fi]), -fi))
            v = dv[gov]
        else:
            gov = None
            v = "conditional" if computed["division"] else "unknown"
        if "市街化調整区域" in computed["division"] or computed["in_farmland"]:
            v = "not_buildable"
        computed["verdict"] = v
        computed["governing_zoning_id"] = gov
        computed["straddles_districts"] = len(set(dv.values())) > 1
        fl = []
        for q in props["flood"]:
            if "A31a_205" in q:
                fl.append(rubric_points(RANKS.get(q["A31a_205"])))
            elif "depth_m" in q:
                fl.append(rubric_points((float(q["depth_m"]), float(q["depth_m"]))))
            else:
                fl.append(rubric_points(depth_range(q.get("depth"))))
        ls = 4
        for ph, zo in computed["landslide"]:
            if ph == 1:
                ls = min(ls, 1 if zo in (1, 3) else 0)
        hp = {
            "flood": min(fl, default=5),
            "river_erosion": 0 if computed["erosion"] else 2,
            "landslide": ls,
            "tsunami": min((rubric_points(depth_range(t)) for t in computed["tsunami"]), default=4),
        }
        hp["total"] = sum(hp.values())
        computed["hazard_points"] = hp
        for key, val in computed.items():
            want = exp.get(key)
            if key in ("zoning_ids", "flood_ids", "erosion_ids", "landslide_ids", "tsunami_ids", "governing_zoning_id"):
                want = None if want is None else (int(want) if not isinstance(want, list) else [int(w) for w in want])
            elif key in ("zoning_codes",):
                want = [int(w) for w in want]
            elif key == "landslide":
                want = [[int(a), int(b)] for a, b in want]
            elif key == "flood_ranks":
                want = [int(w) for w in want]
            elif key == "flood_depths":
                want = [num(w) if re.fullmatch(r"-?\d+(\.\d+)?", w) and not w.endswith("m") else w for w in want]
                val = [w for w in val]
            elif key == "hazard_points":
                want = {a: int(b) for a, b in want.items()}
            if want != val:
                fail(f"probe {name}: {key} = {want!r} in the file, recomputed {val!r}")
        # nearest small_multi
        lon, la = float(xt), float(yt)
        best = min((haversine_m(lon, la, x, y), n) for n, x, y in small)
        if best[1] != raw["nearest_small_multi"]:
            fail(f"probe {name}: nearest small_multi {raw['nearest_small_multi']} vs {best[1]}")
        dm = float(raw["nearest_small_multi_m"])
        if abs(dm - best[0]) > 0.005 * dm + 0.5:
            fail(f"probe {name}: nearest_small_multi_m {dm} vs haversine {best[0]:.1f}")
        if (raw["too_close"]) != (best[0] < 500.0) or abs(best[0] - 500) < 5:
            fail(f"probe {name}: too_close disagrees or ambiguous ({best[0]:.1f} m)")
    return len(fc["features"])


# ---------------------------------------------------------------- drivers


def check_sample(d: str) -> None:
    layers = {}
    for k in KINDS:
        layers[k] = check_layer(k, os.path.join(d, f"{k}.geojson"))
        print(f"  {k:16s} {len(layers[k].features):4d} features")
    for k in TILING:
        shared, outer = check_tiling(layers[k])
        print(f"  tiling {k:16s} shared edges {shared}, outer edges {outer}")
    # area_division: control ring's hole == 市街化区域 exterior
    ad = layers["area_division"]
    div = [f["properties"]["division"] for f in ad.features]
    ua = ad.polys[div.index("市街化区域")]
    uc = ad.polys[div.index("市街化調整区域")]
    holes = [h for poly in uc for h in poly[1:]]
    ok = False
    for poly in ua:
        ext = poly[0][:-1]
        for h in holes:
            hr = h[:-1][::-1]
            if len(hr) == len(ext) and ext[0] in hr:
                s = hr.index(ext[0])
                if hr[s:] + hr[:s] == ext:
                    ok = True
    if not ok:
        fail("area_division: no 市街化調整区域 hole equals a 市街化区域 exterior ring")
    # sampled non-overlap and coverage
    rng = random.Random(7)
    bb = bbox_of(layers["daily_life_area"])
    boxes = {k: [poly_bbox(p) for p in layers[k].polys] for k in TILING}
    for p in sample_points(bb, 3000, rng):
        n = {k: len(hits(layers[k], p, boxes[k])) for k in TILING}
        for k in TILING:
            if n[k] > 1:
                fail(f"{k}: features overlap at {p}")
        if n["area_division"] and not n["daily_life_area"]:
            fail(f"daily_life_area does not cover the planning area at {p}")
        in_ua = any(ad.features[fi]["properties"]["division"] == "市街化区域" for fi, _ in hits(ad, p, None))
        if in_ua and not n["zoning"]:
            fail(f"zoning does not cover the 市街化区域 at {p}")
    # attribute expectations of the brief
    codes = {norm_code(f["properties"]["A29_004"]) for f in layers["zoning"].features}
    for c in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 21, 99):
        if c not in codes:
            fail(f"zoning: code {c} missing")
    fac = [f["properties"] for f in layers["facility"].features]
    if sum(1 for p in fac if "type" not in p) != 2:
        fail("facility: expected exactly two features without type")
    # facilities per daily-life area (missing type = small_multi), and a close pair
    dla = layers["daily_life_area"]
    per = {f["properties"]["A32_003"]: 0 for f in dla.features}
    pts = []
    for f in layers["facility"].features:
        if f["properties"].get("type", "small_multi") != "small_multi":
            continue
        x, y = f["geometry"]["coordinates"]
        pts.append((float(x), float(y)))
        h = hits(dla, (to_int(x), to_int(y)))
        if len(h) != 1 or h[0][1] != 1:
            fail(f"facility {f['properties']['name']}: not strictly inside one area")
        for fi, _ in h[:1]:
            per[dla.features[fi]["properties"]["A32_003"]] += 1
    print(f"  small_multi per area: {per}")
    if min(per.values()) != 0 or max(per.values()) < 2:
        fail("need an area without small_multi and one with two or more")
    close = [(a, b) for i, a in enumerate(pts) for b in pts[i + 1 :] if haversine_m(*a, *b) < 500]
    print(f"  small_multi pairs closer than 500 m: {len(close)}")
    if not close:
        fail("no two small_multi facilities closer than 500 m")
    n = check_probes(d, layers)
    print(f"  probes {n} recomputed")
    size = sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))
    print(f"  total size {size / 1e6:.3f} MB")
    if size > 1_500_000:
        fail("sample city larger than 1.5 MB")


def check_large(d: str, min_hazard: int) -> None:
    total = 0
    rng = random.Random(11)
    for k in HAZARDS:
        path = os.path.join(d, f"{k}.geojson")
        n = 0
        checked = 0
        verts = []
        with open(path, encoding="utf-8") as f:
            head = f.readline()
            if not head.startswith('{"type":"FeatureCollection"'):
                fail(f"{k}: header")
            for line in f:
                if not line.startswith('{"type":"Feature"'):
                    continue
                line = line.rstrip("\n").rstrip(",")
                n += 1
                if n <= 50 or rng.random() < 0.02:
                    feat = json.loads(line, parse_float=str, parse_int=str)
                    if feat.get("id") != str(n - 1):
                        fail(f"{k}[{n - 1}]: id {feat.get('id')}")
                    check_feature_geometry(k, n - 1, feat["geometry"], full=True)
                    verts.append(sum(len(r) - 1 for poly in rings_of(feat["geometry"]) for r in poly))
                    checked += 1
        total += n
        small = sorted(v for v in verts if v <= 40)
        print(f"  {k:14s} {n:8d} polygons ({checked} validated; vertices min {min(verts)}, median {small[len(small) // 2]}, max {max(verts)})")
    print(f"  hazard polygons in total: {total} (required ≥ {min_hazard})")
    if total < min_hazard:
        fail(f"only {total} hazard polygons, {min_hazard} required")
    layers = {}
    for k in ("zoning", "area_division", "daily_life_area", "farmland"):
        layers[k] = check_layer(k, os.path.join(d, f"{k}.geojson"), full=True)
        print(f"  {k:16s} {len(layers[k].features):5d} features")
    for k in TILING:
        shared, outer = check_tiling(layers[k])
        print(f"  tiling {k:16s} shared edges {shared}, outer edges {outer}")
    fac = check_layer("facility", os.path.join(d, "facility.geojson"))
    print(f"  facility         {len(fac.features):5d} features")
    with open(os.path.join(d, "sites-points.csv"), encoding="utf-8") as f:
        rows = sum(1 for _ in f) - 1
    print(f"  sites-points.csv {rows} rows")
    sp = check_layer("sites-parcels", os.path.join(d, "sites-parcels.geojson"))
    nv = [len(rings_of(f["geometry"])[0][0]) - 1 for f in sp.features]
    print(f"  sites-parcels    {len(sp.features)} parcels, {min(nv)}–{max(nv)} vertices")
    if not all("site_id" in f["properties"] for f in sp.features):
        fail("sites-parcels: site_id missing")


def main() -> int:
    ap = argparse.ArgumentParser(description="Independent checks of gen_city.py output (stdlib only).")
    ap.add_argument("dir")
    ap.add_argument("--large", action="store_true", help="check a large benchmark city instead of the sample")
    ap.add_argument("--min-hazard", type=int, default=0, help="minimum hazard polygons (with --large)")
    a = ap.parse_args()
    print(f"checking {a.dir}")
    if a.large:
        check_large(a.dir, a.min_hazard)
    else:
        check_sample(a.dir)
    if errors:
        print(f"{len(errors)} problem(s)")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
