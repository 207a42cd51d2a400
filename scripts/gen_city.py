#!/usr/bin/env python3
"""Deterministic synthetic layers for tekichi (適地).

Two products, both fictional (架空) and generated from a fixed seed, so every run
writes byte-identical files:

``sample``
    The bundled sample city 「架空市 潮見市（しおみし, Shiomi — fictional）」, a coastal
    city of about 6 km × 5 km in Miyagi Prefecture (lon 141.00–141.07, lat
    38.26–38.31, the Pacific to the east).  It writes one GeoJSON file per layer
    kind (``zoning.geojson``, ``area_division.geojson``, ``farmland.geojson``,
    ``daily_life_area.geojson``, ``facility.geojson``, ``flood.geojson``,
    ``river_erosion.geojson``, ``landslide.geojson``, ``tsunami.geojson``), a
    ``manifest.toml``, candidate sites (``candidates.geojson``,
    ``candidates.csv``), the test oracle ``probes.geojson`` and a ``README.md``.

``large``
    A large synthetic city for benchmarks: at least ``--hazard-polygons`` hazard
    polygons in total across flood / river_erosion / landslide / tsunami (mostly
    small polygons of 5–40 vertices plus a few big zones with thousands of
    vertices), thousands of zoning districts tiling the urban area with exact
    shared edges, area_division, farmland, 20–60 daily-life areas, hundreds of
    facilities, ``sites-points.csv`` and ``sites-parcels.geojson``.  GeoJSON is
    written as a stream (one feature per line), so a million polygons fit in a
    small, constant amount of memory.

Geometry conventions (both products): RFC 7946 FeatureCollections in lon/lat
(JGD2011, EPSG:6668), coordinates rounded once to 7 decimals, closed rings,
exterior rings counter-clockwise and holes clockwise, UTF-8, one feature per
line.  Tiling layers (zoning, area_division, daily_life_area) are traced from a
shared lattice of integer coordinates (units of 1e-7 degree), so a shared edge
carries bit-identical vertices on both sides and there are no T-junctions.

The probe expectations in ``probes.geojson`` are computed here with exact
rational point-in-polygon tests (boundary inclusive): once on the decimal
coordinates as written and once on the IEEE-754 doubles a parser reads from
them (``fractions.Fraction``); the generator refuses to write a probe whose two
readings differ, or that lies within 3 m of a boundary it is not designed to
sit on.

Usage::

    python3 scripts/gen_city.py sample --out data/sample-city
    python3 scripts/gen_city.py large --hazard-polygons 100000 --out data/generated/large-1e5

Standard library only (Python 3.11+).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
import unicodedata
from fractions import Fraction

UNIT = 10**7  # coordinates are integers in units of 1e-7 degree
SAMPLE_SEED = 20261123
LARGE_SEED = 20261124
DATA_DATE = "2026-11-23"

KINDS = [
    "zoning",
    "area_division",
    "farmland",
    "daily_life_area",
    "facility",
    "flood",
    "river_erosion",
    "landslide",
    "tsunami",
]
HAZARD_KINDS = ["flood", "river_erosion", "landslide", "tsunami"]
NO_ID_KINDS = {"daily_life_area", "facility"}

KIND_JA = {
    "zoning": "用途地域",
    "area_division": "区域区分",
    "farmland": "農振農用地区域",
    "daily_life_area": "日常生活圏域（中学校区）",
    "facility": "既存事業所",
    "flood": "洪水浸水想定区域（想定最大規模）",
    "river_erosion": "家屋倒壊等氾濫想定区域",
    "landslide": "土砂災害警戒区域",
    "tsunami": "津波浸水想定",
}

USE_NAMES = {
    1: "第一種低層住居専用地域",
    2: "第二種低層住居専用地域",
    3: "第一種中高層住居専用地域",
    4: "第二種中高層住居専用地域",
    5: "第一種住居地域",
    6: "第二種住居地域",
    7: "準住居地域",
    8: "近隣商業地域",
    9: "商業地域",
    10: "準工業地域",
    11: "工業地域",
    12: "工業専用地域",
    21: "田園住居地域",
}


# ---------------------------------------------------------------------------
# Output helpers
# ---------------------------------------------------------------------------


def fmt_units(u: int) -> str:
    """Integer 1e-7-degree units -> shortest exact decimal text (at least one decimal)."""
    sign = "-" if u < 0 else ""
    ip, fp = divmod(abs(u), UNIT)
    frac = f"{fp:07d}".rstrip("0") or "0"
    return f"{sign}{ip}.{frac}"


def jdump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


class Origin:
    """Absolute position of the relative integer lattice (units of 1e-7 degree)."""

    def __init__(self, lon0_u: int, lat0_u: int):
        self.lon0 = lon0_u
        self.lat0 = lat0_u

    def lonlat_text(self, x: int, y: int) -> tuple[str, str]:
        return fmt_units(self.lon0 + x), fmt_units(self.lat0 + y)

    def pos(self, x: int, y: int) -> str:
        lo, la = self.lonlat_text(x, y)
        return f"[{lo},{la}]"

    def ring(self, ring) -> str:
        return "[" + ",".join(self.pos(x, y) for x, y in ring) + "]"

    def geometry(self, polys) -> str:
        """polys: list of polygons, each [exterior, hole, ...] with closed int rings."""
        if len(polys) == 1:
            body = ",".join(self.ring(r) for r in polys[0])
            return '{"type":"Polygon","coordinates":[' + body + "]}"
        parts = ["[" + ",".join(self.ring(r) for r in p) + "]" for p in polys]
        return '{"type":"MultiPolygon","coordinates":[' + ",".join(parts) + "]}"

    def point(self, x: int, y: int) -> str:
        return '{"type":"Point","coordinates":' + self.pos(x, y) + "}"

    def lon_f(self, x: int) -> float:
        return float(fmt_units(self.lon0 + x))

    def lat_f(self, y: int) -> float:
        return float(fmt_units(self.lat0 + y))


def feature_line(fid, props: dict, geom: str) -> str:
    head = '{"type":"Feature",'
    if fid is not None:
        head += f'"id":{fid},'
    return head + '"properties":' + jdump(props) + ',"geometry":' + geom + "}"


def write_collection(path: str, name: str, description: str, lines: list[str]) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write('{"type":"FeatureCollection","name":' + jdump(name))
        f.write(',"description":' + jdump(description) + ',"features":[\n')
        f.write(",\n".join(lines))
        f.write("\n]}\n")


class StreamCollection:
    """Writes a FeatureCollection one feature per line without keeping features."""

    def __init__(self, path: str, name: str, description: str):
        self.f = open(path, "w", encoding="utf-8", newline="\n", buffering=1 << 20)
        self.f.write('{"type":"FeatureCollection","name":' + jdump(name))
        self.f.write(',"description":' + jdump(description) + ',"features":[\n')
        self.n = 0

    def add(self, line: str) -> None:
        if self.n:
            self.f.write(",\n")
        self.f.write(line)
        self.n += 1

    def close(self) -> None:
        self.f.write("\n]}\n")
        self.f.close()


# ---------------------------------------------------------------------------
# Exact geometry on integer rings
# ---------------------------------------------------------------------------


def area2(ring) -> int:
    """Twice the signed area (positive = counter-clockwise) of a closed ring."""
    s = 0
    for k in range(len(ring) - 1):
        x1, y1 = ring[k]
        x2, y2 = ring[k + 1]
        s += x1 * y2 - x2 * y1
    return s


def orient(a, b, c):
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def on_segment(a, b, p) -> bool:
    return (
        orient(a, b, p) == 0
        and min(a[0], b[0]) <= p[0] <= max(a[0], b[0])
        and min(a[1], b[1]) <= p[1] <= max(a[1], b[1])
    )


def segments_touch(a, b, c, d) -> bool:
    o1, o2, o3, o4 = orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b)
    if ((o1 > 0 and o2 < 0) or (o1 < 0 and o2 > 0)) and ((o3 > 0 and o4 < 0) or (o3 < 0 and o4 > 0)):
        return True
    return on_segment(a, b, c) or on_segment(a, b, d) or on_segment(c, d, a) or on_segment(c, d, b)


def ring_is_simple(ring) -> bool:
    """Closed ring without repeated points, spikes or self-intersections (O(n^2), small rings)."""
    n = len(ring) - 1
    if n < 3 or ring[0] != ring[-1]:
        return False
    if len(set(ring[:-1])) != n:
        return False
    segs = [(ring[k], ring[k + 1]) for k in range(n)]
    for k in range(n):
        a, b = segs[k]
        for m in range(k + 1, n):
            c, d = segs[m]
            if m == k + 1 or (k == 0 and m == n - 1):
                # adjacent: they share one endpoint; they must not fold back on each other
                shared = b if m == k + 1 else a
                other1 = a if shared == b else b
                other2 = d if shared == c else c
                if orient(other1, shared, other2) == 0:
                    # collinear: fine only when the turn is straight ahead (no overlap)
                    v1 = (shared[0] - other1[0], shared[1] - other1[1])
                    v2 = (other2[0] - shared[0], other2[1] - shared[1])
                    if v1[0] * v2[0] + v1[1] * v2[1] <= 0:
                        return False
                continue
            if segments_touch(a, b, c, d):
                return False
    return True


def rings_cross(r1, r2) -> bool:
    for k in range(len(r1) - 1):
        for m in range(len(r2) - 1):
            if segments_touch(r1[k], r1[k + 1], r2[m], r2[m + 1]):
                return True
    return False


def ring_location(px, py, ring) -> str:
    """'boundary' | 'inside' | 'outside' for a point and a closed ring (any number type)."""
    inside = False
    for k in range(len(ring) - 1):
        x1, y1 = ring[k]
        x2, y2 = ring[k + 1]
        cr = (x2 - x1) * (py - y1) - (y2 - y1) * (px - x1)
        if cr == 0 and min(x1, x2) <= px <= max(x1, x2) and min(y1, y2) <= py <= max(y1, y2):
            return "boundary"
        if (y1 > py) != (y2 > py):
            t = (px - x1) * (y2 - y1) - (py - y1) * (x2 - x1)
            if (y2 > y1 and t < 0) or (y2 < y1 and t > 0):
                inside = not inside
    return "inside" if inside else "outside"


def polygon_location(px, py, polys) -> str:
    """Location of a point in a (multi)polygon given as list of [ext, holes...]."""
    best = "outside"
    for poly in polys:
        loc = ring_location(px, py, poly[0])
        if loc == "outside":
            continue
        if loc == "boundary":
            return "boundary"
        state = "inside"
        for hole in poly[1:]:
            h = ring_location(px, py, hole)
            if h == "boundary":
                return "boundary"
            if h == "inside":
                state = "outside"
                break
        if state == "inside":
            best = "inside"
    return best


def check_polys(polys, what: str) -> None:
    """Assert simple rings, orientation, holes inside their exterior, parts apart."""
    for poly in polys:
        for k, r in enumerate(poly):
            assert ring_is_simple(r), f"{what}: ring not simple"
            a = area2(r)
            assert (a > 0) if k == 0 else (a < 0), f"{what}: bad orientation"
        for hole in poly[1:]:
            assert not rings_cross(poly[0], hole), f"{what}: hole touches exterior"
            assert ring_location(*hole[0], poly[0]) == "inside", f"{what}: hole outside"
        for i in range(1, len(poly)):
            for j in range(i + 1, len(poly)):
                assert not rings_cross(poly[i], poly[j]), f"{what}: holes touch"


# ---------------------------------------------------------------------------
# Tracing cell labels on a structured lattice into polygons with shared edges
# ---------------------------------------------------------------------------


def fill_pinches(cells: set) -> set:
    """Close diagonal-only contacts of a cell set so traced rings never pinch."""
    cells = set(cells)
    changed = True
    while changed:
        changed = False
        for (i, j) in sorted(cells):
            for di in (1, -1):
                a, b = (i + di, j + 1), (i + di, j)
                c = (i, j + 1)
                if a in cells and b not in cells and c not in cells:
                    cells.add(b)
                    changed = True
    return cells


def trace(ni: int, nj: int, label_of, node_xy, edge_mid=None):
    """Trace every labelled region of an ni × nj cell lattice into polygons.

    label_of(i, j) -> label or None; node_xy(i, j) -> (x, y) integer node position;
    edge_mid(key) -> intermediate points of a lattice edge in its forward direction
    (key ('h', i, j): node(i,j)->node(i+1,j); ('v', i, j): node(i,j)->node(i,j+1)).
    Returns {label: [[exterior, hole, ...], ...]} in first-seen order; exteriors are
    counter-clockwise, holes clockwise.  A lattice node that is straight on a
    two-label boundary is dropped on both sides; every node where three or more
    labels (None counts) meet is kept, so shared edges are identical both ways.
    """
    lab = [[label_of(i, j) for j in range(nj)] for i in range(ni)]

    def L(i, j):
        if 0 <= i < ni and 0 <= j < nj:
            return lab[i][j]
        return None

    out: dict = {}
    for j in range(nj):
        for i in range(ni):
            a = lab[i][j]
            if a is None:
                continue
            d = out.setdefault(a, {})

            def add(s, e, key, fwd):
                assert s not in d, f"pinch in region {a!r} at node {s}"
                d[s] = (e, key, fwd)

            if L(i, j - 1) != a:
                add((i, j), (i + 1, j), ("h", i, j), True)
            if L(i + 1, j) != a:
                add((i + 1, j), (i + 1, j + 1), ("v", i + 1, j), True)
            if L(i, j + 1) != a:
                add((i + 1, j + 1), (i, j + 1), ("h", i, j + 1), False)
            if L(i - 1, j) != a:
                add((i, j + 1), (i, j), ("v", i, j), False)

    def junction(n):
        i, j = n
        return len({L(i - 1, j - 1), L(i, j - 1), L(i - 1, j), L(i, j)}) >= 3

    result = {}
    for label, d in out.items():
        rings = []
        while d:
            start = min(d)
            seq = []  # list of (node, pts_after_node)
            n = start
            while True:
                e, key, fwd = d.pop(n)
                mids = list(edge_mid(key)) if edge_mid else []
                if not fwd:
                    mids.reverse()
                seq.append((n, mids))
                n = e
                if n == start:
                    break
            # flatten with node flags
            pts = []
            for node, mids in seq:
                pts.append((node_xy(*node), node))
                for m in mids:
                    pts.append((m, None))
            m = len(pts)
            keep = []
            for k in range(m):
                p, node = pts[k]
                if node is None or junction(node):
                    keep.append(p)
                    continue
                prev = pts[k - 1][0]
                nxt = pts[(k + 1) % m][0]
                if orient(prev, p, nxt) != 0:
                    keep.append(p)
            keep.append(keep[0])
            rings.append(keep)
        exts = [r for r in rings if area2(r) > 0]
        holes = [r for r in rings if area2(r) < 0]
        polys = [[r] for r in exts]
        for h in holes:
            owners = [p for p in polys if ring_location(*h[0], p[0]) == "inside"]
            owners.sort(key=lambda p: area2(p[0]))
            owners[0].append(h)
        result[label] = polys
    return result


# ---------------------------------------------------------------------------
# Geodesy (GRS80) for designed distances
# ---------------------------------------------------------------------------

GRS80_A = 6378137.0
GRS80_F = 1 / 298.257222101


def geodesic_m(lon1, lat1, lon2, lat2) -> float:
    """Vincenty inverse distance on GRS80 (metres); ample for a few km."""
    a, f = GRS80_A, GRS80_F
    b = a * (1 - f)
    L = math.radians(lon2 - lon1)
    U1 = math.atan((1 - f) * math.tan(math.radians(lat1)))
    U2 = math.atan((1 - f) * math.tan(math.radians(lat2)))
    sU1, cU1, sU2, cU2 = math.sin(U1), math.cos(U1), math.sin(U2), math.cos(U2)
    lam = L
    for _ in range(200):
        sl, cl = math.sin(lam), math.cos(lam)
        ss = math.hypot(cU2 * sl, cU1 * sU2 - sU1 * cU2 * cl)
        if ss == 0:
            return 0.0
        cs = sU1 * sU2 + cU1 * cU2 * cl
        sig = math.atan2(ss, cs)
        sa = cU1 * cU2 * sl / ss
        c2a = 1 - sa * sa
        c2m = cs - 2 * sU1 * sU2 / c2a if c2a else 0.0
        C = f / 16 * c2a * (4 + f * (4 - 3 * c2a))
        prev = lam
        lam = L + (1 - C) * f * sa * (sig + C * ss * (c2m + C * cs * (-1 + 2 * c2m * c2m)))
        if abs(lam - prev) < 1e-13:
            break
    u2 = c2a * (a * a - b * b) / (b * b)
    A = 1 + u2 / 16384 * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)))
    B = u2 / 1024 * (256 + u2 * (-128 + u2 * (74 - 47 * u2)))
    ds = B * ss * (c2m + B / 4 * (cs * (-1 + 2 * c2m * c2m) - B / 6 * c2m * (-3 + 4 * ss * ss) * (-3 + 4 * c2m * c2m)))
    return b * A * (sig - ds)


def metres_per_degree(lat_deg: float) -> tuple[float, float]:
    e2 = GRS80_F * (2 - GRS80_F)
    s = math.sin(math.radians(lat_deg))
    w = math.sqrt(1 - e2 * s * s)
    mlon = math.pi / 180 * GRS80_A * math.cos(math.radians(lat_deg)) / w
    mlat = math.pi / 180 * GRS80_A * (1 - e2) / (w**3)
    return mlon, mlat


# ---------------------------------------------------------------------------
# Polyline helpers in a local metric frame
# ---------------------------------------------------------------------------


def chaikin(pts, iterations):
    for _ in range(iterations):
        out = [pts[0]]
        for k in range(len(pts) - 1):
            (x1, y1), (x2, y2) = pts[k], pts[k + 1]
            out.append((0.75 * x1 + 0.25 * x2, 0.75 * y1 + 0.25 * y2))
            out.append((0.25 * x1 + 0.75 * x2, 0.25 * y1 + 0.75 * y2))
        out.append(pts[-1])
        pts = out
    return pts


def offset_line(pts, d):
    """Mitered offset of an open polyline (metres); positive d = left of travel."""
    n = len(pts)
    normals = []
    for k in range(n - 1):
        dx, dy = pts[k + 1][0] - pts[k][0], pts[k + 1][1] - pts[k][1]
        ln = math.hypot(dx, dy)
        normals.append((-dy / ln, dx / ln))
    out = []
    for k in range(n):
        if k == 0:
            nx, ny = normals[0]
            s = 1.0
        elif k == n - 1:
            nx, ny = normals[-1]
            s = 1.0
        else:
            ax, ay = normals[k - 1]
            bx, by = normals[k]
            nx, ny = ax + bx, ay + by
            ln = math.hypot(nx, ny)
            nx, ny = nx / ln, ny / ln
            s = 1.0 / max(0.5, nx * ax + ny * ay)
        out.append((pts[k][0] + nx * d * s, pts[k][1] + ny * d * s))
    return out


# ===========================================================================
# The sample city 潮見市 (fictional)
# ===========================================================================

S_LON0 = 1_410_000_000  # 141.0000000
S_LAT0 = 382_600_000  # 38.2600000
CELL = 10_000  # one lattice cell = 0.001 degree (≈ 87 m east-west, ≈ 111 m north-south)
NI, NJ = 70, 50  # lattice cells: lon 141.000–141.070, lat 38.260–38.310
COAST_I = 62  # lattice column of the coastline (its nodes wiggle east-west)
MLON, MLAT = metres_per_degree(38.285)
UX = MLON / UNIT  # metres per unit east
UY = MLAT / UNIT  # metres per unit north

CITY_JA = "架空市 潮見市（しおみし）"
CITY_NOTE = (
    "架空データ（fictional）: 宮城県の架空の沿岸都市「潮見市（Shiomi）」。実在の地物・区域・施設とは無関係。"
    " Generated by scripts/gen_city.py (tekichi)."
)


def rect(i0, i1, j0, j1):
    """Inclusive cell rectangle."""
    return (i0, i1, j0, j1)


def in_rects(i, j, rects):
    return any(a <= i <= b and c <= j <= d for a, b, c, d in rects)


class SampleCity:
    def __init__(self, seed: int):
        self.seed = seed
        self.rng = random.Random(seed)
        self.o = Origin(S_LON0, S_LAT0)
        rng = self.rng
        self.coast_w = [rng.randrange(-30, 31) * 100 for _ in range(NJ + 1)]
        self.build_masks()
        self.build_tiling_layers()
        self.build_hazards()
        self.build_facilities()

    # -- lattice ------------------------------------------------------------
    def node(self, i, j):
        x = i * CELL
        if i == COAST_I:
            x += self.coast_w[j]
        return (x, j * CELL)

    def coast_x(self, j):
        return self.node(COAST_I, j)[0]

    def build_masks(self):
        self.core_rects = [rect(22, 56, 13, 41), rect(33, 43, 42, 45)]
        self.core_cuts = [rect(22, 26, 13, 17), rect(51, 56, 37, 41)]
        self.port_rects = [rect(55, 61, 2, 9)]
        self.basin = [rect(59, 61, 5, 6)]
        self.nt_rects = [rect(6, 17, 36, 49)]
        self.island = [rect(66, 67, 30, 31)]

    def land(self, i, j):
        if in_rects(i, j, self.island):
            return True
        return 0 <= i < COAST_I and 0 <= j < NJ and not in_rects(i, j, self.basin)

    def is_core(self, i, j):
        return in_rects(i, j, self.core_rects) and not in_rects(i, j, self.core_cuts)

    def is_port(self, i, j):
        return in_rects(i, j, self.port_rects) and self.land(i, j)

    def is_nt(self, i, j):
        return in_rects(i, j, self.nt_rects)

    def division_of(self, i, j):
        if not self.land(i, j) or in_rects(i, j, self.island) or i < 6:
            return None
        if self.is_core(i, j) or self.is_port(i, j):
            return "市街化区域"
        if self.is_nt(i, j):
            return "非線引き"
        return "市街化調整区域"

    # -- tiling layers --------------------------------------------------------
    def build_tiling_layers(self):
        # zoning districts: key, A29_004 value, A29_005, 建蔽率, 容積率, cell rectangles
        Z = [
            ("nishi_teiso2", 2, None, 60, 150, [rect(22, 33, 13, 20)], "西潮見"),
            ("kawabata_teiso1", 1, None, 50, 100, [rect(22, 31, 21, 30)], "川端"),
            ("kawabata_kinrin", 8, None, 80, 200, [rect(25, 26, 25, 26)], "川端中央"),
            ("chuko2", 4, None, 60, 200, [rect(32, 33, 21, 30), rect(46, 47, 31, 36)], "本町・汐入"),
            ("chuko1", 3, None, 60, 200, [rect(22, 31, 31, 41)], "潮見台"),
            ("kita_jukyo1", 5, None, 60, 200, [rect(32, 37, 31, 41)], "北本町"),
            ("junko", 10, None, 60, 200, [rect(34, 45, 13, 18)], "南町"),
            ("jukyo2", 6, None, 60, 200, [rect(34, 37, 19, 30)], "本町"),
            ("ekimae_jukyo1", 5, None, 60, 200, [rect(38, 43, 19, 24)], "駅南"),
            ("ekimae_shogyo", 9, None, 80, 400, [rect(38, 43, 25, 30)], "駅前"),
            ("jujukyo", 7, None, 60, 200, [rect(44, 45, 19, 30)], "潮見通"),
            ("kogyo", 11, None, 60, 200, [rect(46, 56, 13, 20)], "浜工業団地"),
            ("fumei", 99, "不明", None, None, [rect(56, 56, 13, 13)], "浜工業団地東端"),
            ("kinrin_fw", "８", None, 80, 300, [rect(46, 50, 21, 30)], "汐入商店街"),
            ("higashi_jujukyo", 7, None, 60, 200, [rect(51, 56, 21, 30)], "汐入"),
            ("wakaba_chuko1", 3, None, 60, 200, [rect(38, 45, 31, 41)], "若葉台"),
            ("higashi_teiso1", 1, None, 50, 100, [rect(48, 56, 31, 36), rect(46, 50, 37, 41)], "松ヶ丘"),
            ("kitaoka_teiso2", 2, None, 60, 150, [rect(33, 43, 42, 45)], "北丘"),
            ("minato_senyo", 12, None, 60, 200, [rect(55, 61, 2, 9)], "潮見港"),
            ("nt_denen", 21, None, 50, 100, [rect(10, 12, 38, 47)], "西山田園"),
            ("nt_teiso1", 1, None, 50, 100, [rect(13, 16, 38, 42)], "西山"),
            ("nt_denen13", 13, "田園住居地域", 50, 100, [rect(13, 16, 43, 47)], "西山北"),
        ]
        paint = {}
        for key, code, name, _, _, rects, _ in Z:
            for a, b, c, d in rects:
                for i in range(a, b + 1):
                    for j in range(c, d + 1):
                        if self.is_core(i, j) or self.is_port(i, j) or self.is_nt(i, j):
                            paint[(i, j)] = key
        for i in range(NI):
            for j in range(NJ):
                if self.is_core(i, j) or self.is_port(i, j):
                    assert (i, j) in paint, f"unzoned urban cell {(i, j)}"
        self.zoning_cells = paint
        traced = trace(NI, NJ, lambda i, j: paint.get((i, j)), self.node)
        self.zoning = []
        for fid, (key, code, name, kenpei, yoseki, _, town) in enumerate(Z):
            if name is None:
                name = USE_NAMES[int(unicodedata.normalize("NFKC", str(code)))]
            props = {"A29_004": code, "A29_005": name, "A29_006": kenpei, "A29_007": yoseki, "town": town + "（架空）"}
            self.zoning.append({"id": fid, "key": key, "props": props, "polys": traced[key]})
        self.zoning_by_key = {z["key"]: z for z in self.zoning}

        traced = trace(NI, NJ, self.division_of, self.node)
        self.division = []
        for fid, value in enumerate(["市街化区域", "市街化調整区域", "非線引き"]):
            props = {"division": value, "plan_area": "潮見都市計画区域（架空）" if value != "非線引き" else "西山都市計画区域（架空）"}
            self.division.append({"id": fid, "props": props, "polys": traced[value]})

        farm_defs = [
            ("潮見南部農用地区域（架空）", [rect(8, 16, 4, 12)]),
            ("浜田農用地区域（架空）", [rect(24, 30, 3, 8), rect(34, 41, 3, 7)]),
            ("北原農用地区域（架空）", [rect(23, 30, 44, 48)]),
        ]
        fcells = {}
        for k, (_, rects) in enumerate(farm_defs):
            for a, b, c, d in rects:
                for i in range(a, b + 1):
                    for j in range(c, d + 1):
                        assert self.division_of(i, j) == "市街化調整区域"
                        fcells[(i, j)] = k
        traced = trace(NI, NJ, lambda i, j: fcells.get((i, j)), self.node)
        self.farmland = [
            {"id": k, "props": {"name": name, "zone": "農用地区域"}, "polys": traced[k]}
            for k, (name, _) in enumerate(farm_defs)
        ]

        def area_of(i, j):
            if not self.land(i, j):
                return None
            if in_rects(i, j, self.island):
                return 3
            if i <= 19:
                return 0
            if i <= 39:
                return 1 if j < (27 if i < 30 else 29) else 2
            return 3 if j >= (17 if i < 50 else 14) else 4

        self.area_of = area_of
        traced = trace(NI, NJ, area_of, self.node)
        dla = [
            ("C104220000021", "潮見西中学校", 6120, 2480),
            ("C104220000011", "潮見第一中学校", 14850, 3920),
            ("C104220000031", "潮見北中学校", 9730, 3110),
            ("C104220000041", "潮見東中学校", 11240, 3350),
            ("C104220000051", "潮見港中学校", 5410, 1980),
        ]
        self.dla = []
        for k, (code, name, pop, old) in enumerate(dla):
            props = {
                "A32_001": "04299",
                "A32_002": "潮見市（架空）",
                "A32_003": code,
                "A32_004": name,
                "population": pop,
                "population_65plus": old,
            }
            self.dla.append({"id": k, "props": props, "polys": traced[k]})

    # -- hazards ---------------------------------------------------------------
    def to_m(self, p):
        return (p[0] * UX, p[1] * UY)

    def to_u(self, p):
        return (int(round(p[0] / UX)), int(round(p[1] / UY)))

    def band(self, centre_m, d_left, d_right, k0, k1):
        """Polygon between two offset lines of a polyline (indices k0..k1), int ring, CCW."""
        left = offset_line(centre_m, d_left)[k0 : k1 + 1]
        right = offset_line(centre_m, d_right)[k0 : k1 + 1]
        ring = [self.to_u(p) for p in left] + [self.to_u(p) for p in reversed(right)]
        ring.append(ring[0])
        if area2(ring) < 0:
            ring.reverse()
        return ring

    def star(self, cx, cy, radii_m, phase=0.0, sx=1.0, sy=1.0):
        n = len(radii_m)
        ring = []
        for k, r in enumerate(radii_m):
            a = phase + 2 * math.pi * k / n
            ring.append(self.to_u((cx * UX + sx * r * math.cos(a), cy * UY + sy * r * math.sin(a))))
        ring.append(ring[0])
        return ring

    def build_hazards(self):
        rng = self.rng
        # 潮見川 (fictional river): west hills -> sea, through the urban core
        river_u = [
            (0, 303000), (40000, 300000), (80000, 294000), (120000, 296000), (160000, 291000),
            (200000, 287000), (240000, 289000), (280000, 283000), (320000, 279000), (360000, 276000),
            (400000, 268000), (440000, 262000), (480000, 252000), (520000, 240000), (560000, 228000),
            (590000, 222000), (612000, 221000),
        ]
        river = chaikin([self.to_m(p) for p in river_u], 3)
        self.river_m = river
        nr = len(river)

        def idx_at_x(xu):
            return min(range(nr), key=lambda k: abs(river[k][0] - xu * UX))

        def at_offset(k, d):
            return self.to_u(offset_line(river, d)[k])

        self.river_idx = idx_at_x
        self.river_at = at_offset
        flood = []

        def fz(props, polys, name):
            for p in polys:
                check_polys([p], name)
            flood.append({"id": len(flood), "props": dict(props, river=name), "polys": polys})

        R = "潮見川（架空）"
        T = "汐入川（架空）"
        broad = self.band(river, 380, -380, 0, nr - 1)
        km = idx_at_x(150000)
        cxm, cym = offset_line(river, 280)[km]
        hole_c = self.to_u((cxm, cym))
        hole = [self.to_u((cxm + dx, cym + dy)) for dx, dy in ((-45, -45), (-45, 45), (45, 45), (45, -45))]
        hole.append(hole[0])  # clockwise: dry mound (旧堤防跡の高台)
        self.mound_centre = hole_c
        self.mound_hole = hole
        fz({"A31a_205": 1}, [[broad, hole]], R)
        fz({"A31a_205": 2}, [[self.band(river, 180, -180, idx_at_x(30000), nr - 1)]], R)
        fz({"A31a_205": 3}, [[self.band(river, 70, -70, idx_at_x(380000), nr - 1)]], R)
        kp = idx_at_x(500000)
        px, py = self.to_u(river[kp])
        self.pocket_centre = (px, py)
        fz({"A31a_205": 4}, [[self.star(px, py, [60] * 8, math.pi / 8)]], R)
        fz({"A31a_205": 5}, [[self.star(px, py, [25] * 8, math.pi / 8)]], R)
        k6 = idx_at_x(566000)
        qx, qy = self.to_u(offset_line(river, -35)[k6])
        self.oldchannel_centre = (qx, qy)
        fz({"A31a_205": 6}, [[self.star(qx, qy, [20, 24, 22, 26, 21, 23], 0.3)]], R)
        # local depressions with a numeric depth (m)
        fz({"depth_m": 1.2}, [[[(330000, 305000), (352000, 303000), (370000, 310000), (366000, 325000), (344000, 327000), (331000, 318000), (330000, 305000)]]], R)
        fz({"depth_m": 0.5}, [[[(416000, 300000), (430000, 300000), (430000, 312000), (416000, 312000), (416000, 300000)]]], R)
        fz({"depth_m": 3.0}, [[[(520000, 270000), (536000, 270000), (536000, 280000), (520000, 280000), (520000, 270000)]]], R)
        fz({"depth_m": 0.3}, [[[(200000, 240000), (230000, 240000), (226000, 255000), (204000, 255000), (200000, 240000)]]], R)
        # tributary 汐入川 from the north, joining near x = 440000
        trib_u = [(455000, 440000), (452000, 400000), (447000, 360000), (443000, 320000), (441000, 285000), (440000, 266000)]
        trib = chaikin([self.to_m(p) for p in trib_u], 3)
        self.trib_m = trib
        nt_ = len(trib)

        def tidx(yu):
            return min(range(nt_), key=lambda k: abs(trib[k][1] - yu * UY))

        a, b, c = tidx(360000), tidx(310000), tidx(420000)
        self.trib_idx = tidx
        fz({"depth": "0.5m以上3.0m未満"}, [[self.band(trib, 90, -90, 0, a)]], T)
        fz({"depth": "０．５ｍ～３．０ｍ"}, [[self.band(trib, 90, -90, a, b)]], T)
        fz({"depth": "3m以上"}, [[self.band(trib, 40, -40, b, nt_ - 1)]], T)
        fz({"depth": "0.5m未満"}, [[self.band(trib, 160, 90, tidx(420000), tidx(320000))], [self.band(trib, -90, -160, tidx(420000), tidx(320000))]], T)
        fz({"depth": "調査中"}, [[[(70000, 440000), (92000, 436000), (112000, 444000), (114000, 458000), (98000, 470000), (78000, 468000), (68000, 456000), (70000, 440000)]]], "西山沢（架空）")
        self.flood = flood

        erosion = []

        def ez(props, ring):
            check_polys([[ring]], "erosion")
            erosion.append({"id": len(erosion), "props": props, "polys": [[ring]]})

        k60, k300, k330, k610 = idx_at_x(60000), idx_at_x(300000), idx_at_x(330000), idx_at_x(610000)
        ez({"type": "河岸侵食", "bank": "左岸", "river": R}, self.band(river, 50, 15, k60, k300))
        ez({"type": "河岸侵食", "bank": "右岸", "river": R}, self.band(river, -15, -50, k60, k300))
        ez({"type": "河岸侵食", "bank": "左岸", "river": R}, self.band(river, 50, 15, k330, k610))
        ez({"type": "河岸侵食", "bank": "右岸", "river": R}, self.band(river, -15, -50, k330, k610))
        ez({"type": "氾濫流", "river": R}, self.band(river, 110, -110, idx_at_x(280000), idx_at_x(350000)))
        self.erosion = erosion

        # 土砂災害警戒区域 in the western hills (and one scarp in the core)
        ls = []

        def lz(phen, zone, ring, name):
            check_polys([[ring]], "landslide")
            ls.append({"id": len(ls), "props": {"A33_001": phen, "A33_002": zone, "name": name + "（架空）"}, "polys": [[ring]]})
            return ring

        def pair(cx, cy, rmean, n, phen, zy, zr, name, sx=1.0, sy=1.0, red=0.45):
            radii = [rmean * (0.8 + 0.4 * rng.random()) for _ in range(n)]
            lz(phen, zy, self.star(cx, cy, radii, 0.1, sx, sy), name)
            if zr is not None:
                lz(phen, zr, self.star(cx, cy, [r * red for r in radii], 0.1, sx, sy), name)

        pair(35000, 180000, 150, 10, 1, 1, 2, "西山一丁目 急傾斜地")
        self.ls_centre_gake = (35000, 180000)
        pair(45000, 352000, 170, 12, 2, 1, 2, "西山沢 土石流", sx=1.3, sy=0.8)
        self.ls_centre_doseki = (45000, 352000)
        pair(30000, 450000, 170, 9, 3, 1, None, "奥山 地すべり")
        self.ls_centre_jisuberi = (30000, 450000)
        pair(90000, 220000, 140, 10, 1, 3, 4, "西原 急傾斜地（指定前）")
        self.ls_centre_pre = (90000, 220000)
        scarp = [(240000, 385000), (262000, 384000), (284000, 386000), (300000, 386500), (299000, 392000), (270000, 391500), (241000, 392000), (240000, 385000)]
        lz(1, 1, scarp, "潮見台 段丘崖")
        self.landslide = ls

        # 津波浸水想定: nested bands along the coast (and the island)
        classes = [
            ("0.3m以上0.5m未満", 1600),
            ("0.5m以上1.0m未満", 1150),
            ("1.0m以上2.0m未満", 760),
            ("2.0m以上5.0m未満", 420),
            ("5.0m以上10.0m未満", 170),
        ]
        fac = [1.0 + 0.35 * math.exp(-(((j - 22) / 4.0) ** 2)) + 0.06 * math.sin(j * 0.9) for j in range(NJ + 1)]
        ts = []
        for text, w in classes:
            coast = [self.node(COAST_I, j) for j in range(NJ + 1)]
            inland = [(self.coast_x(j) - int(round(w * fac[j] / UX)), j * CELL) for j in range(NJ, -1, -1)]
            ring = coast + inland + [coast[0]]
            check_polys([[ring]], "tsunami")
            ts.append({"id": len(ts), "props": {"A40_003": text}, "polys": [[ring]]})
        isl = [(660000, 300000), (680000, 300000), (680000, 320000), (660000, 320000), (660000, 300000)]
        ts.append({"id": len(ts), "props": {"A40_003": "5.0m以上10.0m未満"}, "polys": [[isl]]})
        for t in ts:
            t["props"]["name"] = "宮城県津波浸水想定（架空）"
        self.tsunami = ts

    # -- facilities -------------------------------------------------------------
    def build_facilities(self):
        F = [
            ("小規模多機能ホーム しおさい", "small_multi", 29, "2012-04-01", (286000, 163000)),
            ("小規模多機能型居宅介護 なぎさの家", "small_multi", 25, "2018-10-01", (316000, 181000)),
            ("小規模多機能 ひまわり", "small_multi", 25, "2009-06-01", (215000, 115000)),
            ("小規模多機能 やまびこ", None, 29, "2016-04-01", (140000, 170000)),
            ("小規模多機能 さくら", "small_multi", 25, "2020-04-01", (150000, 400000)),
            ("小規模多機能 うみかぜ", "small_multi", "２９", "2014-07-01", (530000, 330000)),
            ("小規模多機能 はまなす", None, 25, "2019-04-01", (480000, 440000)),
            ("小規模多機能 みなと", "small_multi", None, "2021-10-01", (480000, 120000)),
            ("看護小規模多機能 ひだまり", "nursing_small_multi", 29, "2017-04-01", (300000, 360000)),
            ("看護小規模多機能 汐入", "nursing_small_multi", 29, "2022-04-01", (430000, 360000)),
            ("グループホーム 松風", "group_home", 18, "2010-04-01", (370000, 430000)),
            ("グループホーム 汐風", "group_home", 18, "2013-04-01", (520000, 60000)),
            ("潮見市地域包括支援センター", "care_plaza", None, "2006-04-01", (395000, 265000)),
            ("潮見市立病院", "hospital", 199, "1985-04-01", (420000, 225000)),
        ]
        self.facilities = []
        for k, (name, typ, cap, opened, (x, y)) in enumerate(F):
            props = {"name": name + "（架空）"}
            if typ is not None:
                props["type"] = typ
            if cap is not None:
                props["capacity"] = cap
            props["opened"] = opened
            self.facilities.append({"id": k, "props": props, "xy": (x, y)})

    def small_multi(self):
        return [f for f in self.facilities if f["props"].get("type", "small_multi") == "small_multi"]

    # -- layers as a list -----------------------------------------------------
    def layers(self):
        return {
            "zoning": self.zoning,
            "area_division": self.division,
            "farmland": self.farmland,
            "daily_life_area": self.dla,
            "flood": self.flood,
            "river_erosion": self.erosion,
            "landslide": self.landslide,
            "tsunami": self.tsunami,
        }


# ---------------------------------------------------------------------------
# Readings used for the designed expectations (SPEC "Readings")
# ---------------------------------------------------------------------------

RESIDENTIAL = {1, 2, 3, 4, 5, 6, 7, 21}
NON_RESIDENTIAL = {8, 9, 10, 11}
VERDICT_RANK = {"buildable": 0, "conditional": 1, "unknown": 2, "not_buildable": 3}


def use_code(props) -> int | None:
    raw = props.get("A29_004")
    try:
        code = int(unicodedata.normalize("NFKC", str(raw)).strip())
    except ValueError:
        return None
    if code == 13:
        return 21
    return code


def district_verdict(code) -> str:
    if code in RESIDENTIAL:
        return "buildable"
    if code in NON_RESIDENTIAL:
        return "conditional"
    if code == 12:
        return "not_buildable"
    return "unknown"


DEPTH_TEXT = {
    "0.5m以上3.0m未満": (0.5, 3.0),
    "０．５ｍ～３．０ｍ": (0.5, 3.0),
    "3m以上": (3.0, math.inf),
    "0.5m未満": (0.0, 0.5),
    "0.3m以上0.5m未満": (0.3, 0.5),
    "0.5m以上1.0m未満": (0.5, 1.0),
    "1.0m以上2.0m未満": (1.0, 2.0),
    "2.0m以上5.0m未満": (2.0, 5.0),
    "5.0m以上10.0m未満": (5.0, 10.0),
}
RANK_RANGE = {1: (0.0, 0.5), 2: (0.5, 3.0), 3: (3.0, 5.0), 4: (5.0, 10.0), 5: (10.0, 20.0), 6: (20.0, math.inf)}


def depth_points(rng_or_value) -> int:
    """多賀城市 rubric for flood and tsunami: <0.5 → 2, 0.5–3.0 → 1, ≥3.0 → 0 (worst case in a range)."""
    if rng_or_value is None:
        return 0  # unrecognised → worst class
    if isinstance(rng_or_value, float):
        d = rng_or_value
        return 2 if d < 0.5 else (1 if d < 3.0 else 0)
    lo, hi = rng_or_value
    # worst class overlapping [lo, hi)
    if hi > 3.0:
        return 0
    if hi > 0.5:
        return 1
    return 2


def flood_depth(props):
    if "A31a_205" in props:
        return RANK_RANGE.get(props["A31a_205"])
    if "depth_m" in props:
        return float(props["depth_m"])
    return DEPTH_TEXT.get(props.get("depth"))


# ---------------------------------------------------------------------------
# Probes
# ---------------------------------------------------------------------------


def exact_location(city_o: Origin, x: int, y: int, polys, binary: bool) -> str:
    if not binary:
        return polygon_location(x, y, polys)

    def conv(p):
        return (Fraction(city_o.lon_f(p[0])), Fraction(city_o.lat_f(p[1])))

    P = conv((x, y))
    fp = [[[conv(p) for p in r] for r in poly] for poly in polys]
    return polygon_location(P[0], P[1], fp)


def seg_dist_m(p, a, b) -> float:
    px, py = p[0] * UX, p[1] * UY
    ax, ay = a[0] * UX, a[1] * UY
    bx, by = b[0] * UX, b[1] * UY
    dx, dy = bx - ax, by - ay
    ll = dx * dx + dy * dy
    t = 0.0 if ll == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / ll))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def boundary_dist_m(p, polys) -> float:
    best = math.inf
    for poly in polys:
        for r in poly:
            for k in range(len(r) - 1):
                best = min(best, seg_dist_m(p, r[k], r[k + 1]))
    return best


def locate_all(city: SampleCity, x: int, y: int):
    """{kind: [(feature, location)]} for every feature containing (x, y), boundary inclusive.

    Raises if the decimal and the binary readings differ."""
    found = {}
    for kind, feats in city.layers().items():
        hits = []
        for f in feats:
            dec = exact_location(city.o, x, y, f["polys"], False)
            binr = exact_location(city.o, x, y, f["polys"], True)
            assert dec == binr, f"decimal/binary disagree at {(x, y)} in {kind} {f['id']}"
            if dec != "outside":
                hits.append((f, dec))
        found[kind] = hits
    return found


PROBLEMS: list[str] = []


def probe_properties(city: SampleCity, name: str, x: int, y: int, note: str):
    found = locate_all(city, x, y)
    on_boundary = []
    for kind, feats in city.layers().items():
        if any(loc == "boundary" for _, loc in found[kind]):
            on_boundary.append(kind)
        for f in feats:
            loc = next((l for g, l in found[kind] if g is f), "outside")
            if loc != "boundary":
                d = boundary_dist_m((x, y), f["polys"])
                if d < 3.0:
                    PROBLEMS.append(f"probe {name}: {d:.2f} m from a {kind} boundary (feature {f['id']})")
    zon = found["zoning"]
    zcodes = [use_code(f["props"]) for f, _ in zon]
    zids = [f["id"] for f, _ in zon]
    division = [f["props"]["division"] for f, _ in found["area_division"]]
    in_farm = bool(found["farmland"])
    areas = [f["props"]["A32_003"] for f, _ in found["daily_life_area"]]
    fl = [f for f, _ in found["flood"]]
    flood_ranks = [f["props"]["A31a_205"] for f in fl if "A31a_205" in f["props"]]
    flood_depths = [f["props"].get("depth_m", f["props"].get("depth")) for f in fl if "A31a_205" not in f["props"]]
    erosion = bool(found["river_erosion"])
    landslide = [[f["props"]["A33_001"], f["props"]["A33_002"]] for f, _ in found["landslide"]]
    tsunami = [f["props"]["A40_003"] for f, _ in found["tsunami"]]

    # buildability for a point (SPEC §1 and Readings)
    verdicts = []
    governing = None
    straddles = False
    if zon:
        ranked = sorted(zip(zids, zcodes), key=lambda t: (-VERDICT_RANK[district_verdict(t[1])], t[0]))
        governing = ranked[0][0]
        dv = {district_verdict(c) for c in zcodes}
        straddles = len(dv) > 1
        verdicts.append(district_verdict(ranked[0][1]))
    elif division:
        verdicts.append("conditional")  # no_use_district (非線引き白地 / inside a planning area)
    else:
        verdicts.append("unknown")  # no_zoning_data
    if "市街化調整区域" in division:
        verdicts.append("not_buildable")
    if in_farm:
        verdicts.append("not_buildable")
    verdict = max(verdicts, key=lambda v: VERDICT_RANK[v])

    # hazard points, default rubric (多賀城市 2023)
    fp = min([depth_points(flood_depth(f["props"])) for f in fl], default=5)
    ep = 0 if erosion else 2
    lp = 4
    for ph, zo in landslide:
        if ph == 1:
            lp = min(lp, 1 if zo in (1, 3) else 0)
    tp = min([depth_points(DEPTH_TEXT.get(t)) for t in tsunami], default=4)

    # nearest small_multi (type missing = small_multi), geodesic
    lon, lat = city.o.lon_f(x), city.o.lat_f(y)
    best = None
    for f in city.small_multi():
        fx, fy = f["xy"]
        d = geodesic_m(lon, lat, city.o.lon_f(fx), city.o.lat_f(fy))
        if best is None or d < best[0]:
            best = (d, f)
    if abs(best[0] - 500.0) <= 5.0:
        PROBLEMS.append(f"probe {name}: nearest facility {best[0]:.1f} m, too close to 500 m")

    props = {
        "probe": name,
        "zoning_codes": zcodes,
        "zoning_ids": zids,
        "governing_zoning_id": governing,
        "division": division,
        "in_farmland": in_farm,
        "area_ids": areas,
        "flood_ranks": flood_ranks,
        "flood_depths": flood_depths,
        "flood_ids": [f["id"] for f in fl],
        "erosion": erosion,
        "erosion_ids": [f["id"] for f, _ in found["river_erosion"]],
        "landslide": landslide,
        "landslide_ids": [f["id"] for f, _ in found["landslide"]],
        "tsunami": tsunami,
        "tsunami_ids": [f["id"] for f, _ in found["tsunami"]],
        "on_boundary": on_boundary,
        "verdict": verdict,
        "straddles_districts": straddles,
        "hazard_points": {"flood": fp, "river_erosion": ep, "landslide": lp, "tsunami": tp, "total": fp + ep + lp + tp},
        "nearest_small_multi": best[1]["props"]["name"],
        "nearest_small_multi_m": round(best[0], 1),
        "too_close": best[0] < 500.0,
        "note": note,
    }
    return props


def sample_probes(city: SampleCity):
    """(name, x, y, note, designed expectations subset)."""
    river = city.river_m
    P = []

    def add(name, x, y, note, **expect):
        P.append((name, int(x), int(y), note, expect))

    add("zone_01_low_rise_1", 235000, 225000, "第一種低層住居専用地域（川端）/ category 1 district", zoning_codes=[1])
    add("zone_02_low_rise_2", 300000, 150000, "第二種低層住居専用地域 / category 2", zoning_codes=[2])
    add("zone_03_mid_high_1", 255000, 345000, "第一種中高層住居専用地域 / category 3", zoning_codes=[3])
    add("zone_04_mid_high_2_part_a", 330000, 245000, "第二種中高層住居専用地域 MultiPolygon の一方 / part A of a MultiPolygon district", zoning_codes=[4])
    add("zone_04_mid_high_2_part_b", 470000, 340000, "第二種中高層住居専用地域 MultiPolygon のもう一方 / part B", zoning_codes=[4])
    add("zone_05_residential_1", 350000, 380000, "第一種住居地域 / category 5", zoning_codes=[5])
    add("zone_06_residential_2", 360000, 215000, "第二種住居地域 / category 6", zoning_codes=[6])
    add("zone_07_quasi_residential", 450000, 200000, "準住居地域 / category 7", zoning_codes=[7])
    add("zone_08_in_hole", 260000, 260000, "第一種低層の穴の中の近隣商業地域 / neighbourhood-commercial district filling a hole", zoning_codes=[8])
    add("zone_08_fullwidth_code", 485000, 235000, "近隣商業地域、A29_004 が全角文字列 \"８\" / full-width text code", zoning_codes=[8])
    add("zone_09_commercial", 410000, 285000, "商業地域（駅前）/ commercial", zoning_codes=[9])
    add("zone_10_quasi_industrial", 390000, 160000, "準工業地域 / quasi-industrial", zoning_codes=[10])
    add("zone_11_industrial", 505000, 175000, "工業地域 / industrial", zoning_codes=[11])
    add("zone_12_exclusive_industrial_port", 570000, 30000, "工業専用地域（潮見港）/ exclusive industrial by the port", zoning_codes=[12])
    add("zone_21_rural_residential", 115000, 425000, "田園住居地域（非線引き区域内）/ rural residential, code 21", zoning_codes=[21])
    add("zone_13_read_as_21", 145000, 455000, "A29_004=13 の田園住居地域（21 として読む）/ code 13 read as 21", zoning_codes=[21])
    add("zone_99_unknown", 565000, 135000, "A29_004=99「不明」の小区画 / unrecognised use district", zoning_codes=[99])
    add("edge_residential_commercial", 405000, 250000, "第一種住居地域と商業地域の共有辺上 / exactly on the shared edge of categories 5 and 9", zoning_codes=[5, 9], on_boundary=["zoning"])
    add("vertex_four_districts", 380000, 310000, "4 つの用途地域が接する頂点 / on a vertex shared by four districts", zoning_codes=[6, 9, 5, 3], on_boundary=["zoning"])
    add("on_hole_boundary", 250000, 262000, "穴の境界上（第一種低層と近隣商業の両方）/ on the hole's ring: in both districts", zoning_codes=[1, 8], on_boundary=["zoning"])
    add("shiraji_non_senbiki", 80000, 405000, "非線引き区域の用途白地 / unzoned part of the 非線引き area", zoning_codes=[], division=["非線引き"])
    add("far_west_no_data", 30000, 255000, "西部山地：区域区分・用途地域なし / outside every zoning and area_division polygon", zoning_codes=[], division=[])
    add("control_area_ring", 150000, 205000, "市街化調整区域 / urbanisation control area", zoning_codes=[], division=["市街化調整区域"])
    add("ring_inner_boundary", 220000, 355000, "市街化区域と調整区域の境界上 / on the control ring's inner boundary", zoning_codes=[3], division=["市街化区域", "市街化調整区域"], on_boundary=["zoning", "area_division"])
    add("farmland_south", 120000, 85000, "農振農用地区域（潮見南部）/ farmland", in_farmland=True, division=["市街化調整区域"])
    add("farmland_multipolygon_part_2", 380000, 55000, "農振農用地 MultiPolygon の 2 つ目 / second part of a farmland MultiPolygon", in_farmland=True)
    add("area_nishi", 100000, 145000, "潮見西中学校区 / West JHS area", area_ids=["C104220000021"])
    add("area_daiichi", 250000, 105000, "潮見第一中学校区 / No.1 JHS area", area_ids=["C104220000011"])
    add("area_kita_open", 330000, 400000, "潮見北中学校区：小規模多機能なし（募集圏域）/ North JHS area, no small_multi", area_ids=["C104220000031"])
    add("area_higashi", 535000, 395000, "潮見東中学校区 / East JHS area", area_ids=["C104220000041"])
    add("area_minato", 455000, 85000, "潮見港中学校区 / Port JHS area", area_ids=["C104220000051"])
    add("area_shared_edge", 200000, 105000, "西と第一の中学校区の共有辺上 / on the shared edge of two areas", area_ids=["C104220000021", "C104220000011"], on_boundary=["daily_life_area"])
    add("area_triple_vertex", 400000, 290000, "3 つの中学校区が接する頂点 / vertex of three areas", area_ids=["C104220000011", "C104220000031", "C104220000041"], on_boundary=["daily_life_area"])
    add("offshore_island", 670000, 310000, "沖合の島（潮見東中学校区 MultiPolygon の一部）/ the offshore island", area_ids=["C104220000041"], zoning_codes=[], division=[])
    add("sea_outside_city", 650000, 150000, "海上（どの区域にも入らない）/ at sea, outside every layer", area_ids=[], zoning_codes=[])
    k = city.river_idx(485000)
    x, y = city.river_at(k, 60)
    add("flood_nested_1_2_3", x, y, "浸水ランク 1・2・3 が重なる地点 / nested flood zones (ranks 1, 2, 3)", flood_ranks=[1, 2, 3])
    px, py = city.pocket_centre
    add("flood_pocket_rank_4_5", px + 500, py + 300, "深い窪地（ランク 4 と 5 が入れ子）/ deep pocket: ranks 1–5 nested", flood_ranks=[1, 2, 3, 4, 5])
    qx, qy = city.oldchannel_centre
    add("flood_old_channel_rank_6", qx, qy, "旧河道（ランク 6）/ old channel, rank 6")
    mx, my = city.mound_centre
    add("flood_hole_dry_mound", mx, my, "浸水区域の穴（高台）：浸水なし / in the flood zone's hole (dry mound)", flood_ranks=[], flood_depths=[])
    hx, hy0, hy1 = city.mound_hole[0][0], city.mound_hole[0][1], city.mound_hole[1][1]
    add("flood_hole_boundary", hx, (hy0 + hy1) // 2, "浸水区域の穴の境界上（境界は区域に含む）/ on the hole's ring: inside the zone", flood_ranks=[1], on_boundary=["flood"])
    add("flood_unrecognised", 90000, 455000, "depth=\"調査中\"（認識不能な値）/ unrecognised flood value", flood_depths=["調査中"])
    add("flood_depth_m_0_5_exact", 423000, 306000, "depth_m = 0.5（0.5–3.0 m の区分）/ exactly 0.5 m")
    add("flood_depth_m_3_0_exact", 524000, 273000, "depth_m = 3.0（3.0 m 以上の区分）/ exactly 3.0 m")
    kt = city.trib_idx(335000)
    tx, ty = city.to_u(city.trib_m[kt])
    add("flood_range_fullwidth", tx, ty, "全角の範囲表記「０．５ｍ～３．０ｍ」/ full-width range text")
    kt = city.trib_idx(290000)
    tx, ty = city.to_u(city.trib_m[kt])
    add("flood_range_3m_or_more", tx, ty, "「3m以上」の区域 / open-ended range text")
    kt = city.trib_idx(380000)
    tx, ty = city.to_u(offset_line(city.trib_m, -125)[kt])
    add("flood_multipolygon_fringe", tx, ty, "「0.5m未満」MultiPolygon の右岸側 / fringe MultiPolygon, right part", flood_depths=["0.5m未満"])
    k = city.river_idx(150000)
    x, y = city.river_at(k, 32)
    add("erosion_bank", x, y, "家屋倒壊等氾濫想定区域（河岸侵食）/ riverbank erosion strip", erosion=True)
    k = city.river_idx(315000)
    x, y = city.river_at(k, 0)
    add("erosion_overflow_channel", x, y, "氾濫流の区域（河道中心）/ overflow zone on the river centre line", erosion=True)
    cx, cy = city.ls_centre_gake
    add("landslide_red_in_yellow", cx, cy, "がけ崩れ 特別警戒区域（警戒区域の内側）/ red zone inside its yellow zone", landslide=[[1, 1], [1, 2]])
    add("landslide_yellow_only", cx + 10000, cy - 6000, "がけ崩れ 警戒区域のみ / yellow zone only", landslide=[[1, 1]])
    cx, cy = city.ls_centre_doseki
    add("landslide_debris_flow", cx, cy, "土石流 特別警戒区域（採点対象外）/ debris flow, red", landslide=[[2, 1], [2, 2]])
    cx, cy = city.ls_centre_jisuberi
    add("landslide_jisuberi", cx, cy, "地すべり 警戒区域 / landslide (地すべり)", landslide=[[3, 1]])
    cx, cy = city.ls_centre_pre
    add("landslide_predesignation", cx, cy, "指定前（A33_002 = 3, 4）/ pre-designation yellow 3 and red 4", landslide=[[1, 3], [1, 4]])
    add("landslide_scarp_in_core", 270000, 388000, "市街化区域内の段丘崖（がけ崩れ警戒区域）/ scarp inside the zoned core", landslide=[[1, 1]], zoning_codes=[3])
    cxj = city.coast_x(40)
    add("tsunami_deepest_band", cxj - 9000, 405000, "海岸近く：5 つの津波帯すべて / all five nested tsunami bands")
    add("tsunami_shallow_band", cxj - 150000, 405000, "0.3m以上0.5m未満の帯のみ / shallowest tsunami band only", tsunami=["0.3m以上0.5m未満"])
    add("tsunami_middle_band", cxj - 70000, 405000, "1.0m以上2.0m未満まで / down to the 1.0–2.0 m band")
    add("tsunami_port", 600000, 85000, "港の岸壁（工業専用地域・津波）/ port quay, exclusive industrial", zoning_codes=[12])
    add("near_close_facilities", 301000, 172000, "500 m 以内に 2 つの小規模多機能 / between the two close facilities", area_ids=["C104220000011"])
    add("near_facility_nagisa", 319000, 186000, "なぎさの家のすぐ北東 / next to なぎさの家")
    return P


def build_probe_features(city: SampleCity):
    feats = []
    names = set()
    for name, x, y, note, expect in sample_probes(city):
        assert name not in names, name
        expect.setdefault("on_boundary", [])
        names.add(name)
        props = probe_properties(city, name, x, y, note)
        for key, val in expect.items():
            got = props[key]
            if (sorted(got) != sorted(val)) if key == "zoning_codes" else (got != val):
                PROBLEMS.append(f"probe {name}: {key} {got} != designed {val}")
        feats.append((props, x, y))
    if PROBLEMS:
        raise SystemExit("probe design problems:\n  " + "\n  ".join(PROBLEMS))
    return feats


# ---------------------------------------------------------------------------
# Candidates
# ---------------------------------------------------------------------------


def parcel_rect(cx, cy, w_m, h_m):
    hw, hh = int(round(w_m / 2 / UX)), int(round(h_m / 2 / UY))
    r = [(cx - hw, cy - hh), (cx + hw, cy - hh), (cx + hw, cy + hh), (cx - hw, cy + hh)]
    return r + [r[0]]


def parcel_span(x0, x1, y0, y1):
    r = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    return r + [r[0]]


def sample_candidates(city: SampleCity):
    """(site_id, name, polys or None, (x, y) point / representative point)."""
    W35 = int(round(35 / UX))  # 35 m east-west
    H30 = int(round(30 / UY))
    C = []

    def parcel(name, polys):
        xs = [p[0] for p in polys[0][0][:-1]]
        ys = [p[1] for p in polys[0][0][:-1]]
        C.append((name, polys, ((min(xs) + max(xs)) // 2, (min(ys) + max(ys)) // 2)))

    def point(name, x, y):
        C.append((name, None, (x, y)))

    k = city.river_idx(150000)
    parcel("川端二丁目（第一種低層・浸水想定）", [[parcel_rect(235000, 222000, 30, 40)]])
    parcel("駅前一丁目（第一種住居と商業にまたがる）", [[parcel_span(405000, 405000 + W35, 250000 - int(0.3 * H30), 250000 + int(0.7 * H30))]])
    parcel("潮見台西（大部分が市街化調整区域）", [[parcel_span(220000 - int(0.7 * W35), 220000 + int(0.3 * W35), 370000, 370000 + H30)]])
    parcel("潮見台西二（一部が市街化調整区域）", [[parcel_span(220000 - int(0.3 * W35), 220000 + int(0.7 * W35), 330000, 330000 + H30)]])
    parcel("潮見台三丁目（調整区域と辺で接するのみ）", [[parcel_span(220000, 220000 + W35, 395000, 395000 + H30)]])
    parcel("西山（非線引き白地）", [[parcel_rect(80000, 410000, 40, 30)]])
    parcel("南部（農用地に一部かかる）", [[parcel_span(170000 - int(0.6 * W35), 170000 + int(0.4 * W35), 100000, 100000 + H30)]])
    parcel("潮見港（工業専用地域）", [[parcel_rect(580000, 30000, 50, 40)]])
    parcel("汐入浜（津波浸水 深い帯）", [[parcel_rect(city.coast_x(42) - 9000, 420000, 30, 30)]])
    parcel("川端中央（近隣商業の穴と第一種低層にまたがる）", [[parcel_span(250000 - int(0.4 * W35), 250000 + int(0.6 * W35), 262000, 262000 + H30)]])
    parcel("西潮見（既存 2 事業所の近く）", [[parcel_rect(300000, 168000, 30, 30)]])
    parcel("北本町（募集圏域・北中学校区）", [[parcel_rect(335000, 390000, 35, 30)]])
    a = parcel_rect(400000, 360000, 25, 30)
    b = parcel_rect(400000 + int(round(45 / UX)), 360000, 25, 30)
    parcel("若葉台（2 筆の MultiPolygon）", [[a], [b]])
    parcel("奥山（データなし）", [[parcel_rect(30000, 120000, 40, 40)]])
    px, py = city.pocket_centre
    parcel("川口（深い窪地：浸水ランク 4・5）", [[parcel_rect(px, py, 30, 30)]])
    parcel("浜工業団地東端（用途不明）", [[parcel_rect(565000, 135000, 20, 20)]])
    parcel("潮見台（段丘崖に一部かかる）", [[parcel_span(270000, 270000 + W35, 392000 - int(0.4 * H30), 392000 + int(0.6 * H30))]])
    parcel("若葉台東（北と東の中学校区にまたがる）", [[parcel_span(400000 - int(0.4 * W35), 400000 + int(0.6 * W35), 340000, 340000 + H30)]])
    point("本町（4 用途地域の頂点）", 380000, 310000)
    point("駅南（第一種住居と商業の境界）", 405000, 250000)
    point("西原（市街化調整区域）", 150000, 205000)
    point("西山（非線引き白地）", 80000, 405000)
    point("沖ノ島（離島）", 670000, 310000)
    point("沖合（海上・区域外）", 650000, 150000)
    point("汐入浜（津波 5.0m以上）", city.coast_x(40) - 9000, 405000)
    point("西山一丁目（土砂 特別警戒区域）", *city.ls_centre_gake)
    point("高台（浸水区域の穴）", *city.mound_centre)
    point("西潮見（既存事業所の近く）", 301000, 172000)
    point("西山北（田園住居 A29_004=13）", 145000, 455000)
    point("汐入商店街（全角コード８）", 485000, 235000)
    out = []
    for n, (name, polys, xy) in enumerate(C):
        if polys:
            check_polys(polys[0:1] if len(polys) == 1 else polys, name)
        out.append((f"C{n + 1:02d}", name + "（架空）", polys, xy))
    return out


# ---------------------------------------------------------------------------
# Writing the sample city
# ---------------------------------------------------------------------------

LAYER_DESC = {
    "zoning": "用途地域（A29 形式）",
    "area_division": "区域区分（市街化区域・市街化調整区域・非線引き）",
    "farmland": "農振農用地区域",
    "daily_life_area": "日常生活圏域＝中学校区（A32 形式）。GeoJSON の id は意図的に付けていない（0 始まりの順番が feature id）",
    "facility": "既存の介護事業所。GeoJSON の id は意図的に付けていない",
    "flood": "洪水浸水想定区域（想定最大規模）。A31a_205 ランク・depth_m・depth 範囲文字列が混在",
    "river_erosion": "家屋倒壊等氾濫想定区域（河岸侵食・氾濫流）",
    "landslide": "土砂災害警戒区域（A33 形式）",
    "tsunami": "津波浸水想定（A40 形式、入れ子の帯）",
}


def manifest_text(title: str, header: str, source: str) -> str:
    out = [f"# {header}", f'name = "{title}"', ""]
    for kind in KINDS:
        out += [
            f"[layers.{kind}]",
            f'files = ["{kind}.geojson"]',
            f'source = "{source}"',
            'publisher = "tekichi project"',
            f'date = "{DATA_DATE}"',
            'licence = "CC0-1.0"',
            "",
        ]
    return "\n".join(out)


def write_sample(out: str, seed: int) -> None:
    t0 = time.perf_counter()
    os.makedirs(out, exist_ok=True)
    city = SampleCity(seed)
    o = city.o
    for kind, feats in city.layers().items():
        lines = []
        for f in feats:
            fid = None if kind in NO_ID_KINDS else f["id"]
            lines.append(feature_line(fid, f["props"], o.geometry(f["polys"])))
        write_collection(os.path.join(out, f"{kind}.geojson"), kind, f"{CITY_JA} {LAYER_DESC[kind]} — {CITY_NOTE}", lines)
    lines = [feature_line(None, f["props"], o.point(*f["xy"])) for f in city.facilities]
    write_collection(os.path.join(out, "facility.geojson"), "facility", f"{CITY_JA} {LAYER_DESC['facility']} — {CITY_NOTE}", lines)

    probes = build_probe_features(city)
    lines = [feature_line(n, props, o.point(x, y)) for n, (props, x, y) in enumerate(probes)]
    write_collection(
        os.path.join(out, "probes.geojson"),
        "probes",
        f"{CITY_JA} テスト用の判定点（設計上の期待値、厳密な有理数演算で算出）— {CITY_NOTE}",
        lines,
    )

    cands = sample_candidates(city)
    lines = []
    for n, (sid, name, polys, xy) in enumerate(cands):
        geom = o.geometry(polys) if polys else o.point(*xy)
        lines.append(feature_line(n, {"site_id": sid, "name": name}, geom))
    write_collection(os.path.join(out, "candidates.geojson"), "candidates", f"{CITY_JA} 候補地（区画と地点）— {CITY_NOTE}", lines)
    with open(os.path.join(out, "candidates.csv"), "w", encoding="utf-8", newline="") as f:
        f.write("site_id,name,lon,lat\n")
        for sid, name, polys, (x, y) in cands:
            lo, la = o.lonlat_text(x, y)
            f.write(f"{sid},{name},{lo},{la}\n")

    with open(os.path.join(out, "manifest.toml"), "w", encoding="utf-8", newline="\n") as f:
        f.write(manifest_text("潮見市（架空）サンプル", "data/sample-city — 架空市 潮見市 (fictional)", "架空データ（scripts/gen_city.py により生成）"))
    with open(os.path.join(out, "README.md"), "w", encoding="utf-8", newline="\n") as f:
        f.write(sample_readme(city, probes, cands))
    print(f"sample city written to {out} in {time.perf_counter() - t0:.2f} s", file=sys.stderr)


def sample_readme(city: SampleCity, probes, cands) -> str:
    o = city.o

    def ll(x, y):
        lo, la = o.lonlat_text(x, y)
        return f"{lo}, {la}"

    lines = []
    a = lines.append
    a("# 潮見市（架空）サンプルデータ — Shiomi sample city (fictional)")
    a("")
    a("**これは架空のデータです / This data is entirely fictional.** 「架空市 潮見市（しおみし, Shiomi）」は")
    a("宮城県の太平洋岸にあるという設定の架空の都市で、実在の市町村・区域・施設・人口とは関係がありません。")
    a("Every feature here was generated by `scripts/gen_city.py`; regenerate with")
    a("")
    a("```sh")
    a("python3 scripts/gen_city.py sample --out data/sample-city")
    a("python3 scripts/check_city.py data/sample-city   # independent checks")
    a("```")
    a("")
    a("The output is byte-identical on every run (fixed seed %d). Being wholly synthetic, it is dedicated to the public" % city.seed)
    a("domain under CC0-1.0 (as `manifest.toml` declares) and ships with the repository under its licence (MIT OR Apache-2.0).")
    a("")
    a("## Conventions")
    a("")
    a("- RFC 7946 GeoJSON, lon/lat on JGD2011 (EPSG:6668), coordinates rounded once to 7 decimals, UTF-8, one feature per line.")
    a("- Exterior rings counter-clockwise, holes clockwise, rings closed.")
    a("- Integer GeoJSON `id` 0..n-1 on every feature, **except** `daily_life_area.geojson` and `facility.geojson`, which")
    a("  deliberately have none (the engine then uses the 0-based index).")
    a("- The city is built on a lattice of 0.001° cells (≈ 87 m × 111 m); the coastline column wiggles. Zoning,")
    a("  area_division and daily_life_area are traced from that lattice, so shared edges have bit-identical vertices on")
    a("  both sides and no T-junctions.")
    a("")
    a("## Layout")
    a("")
    a("| landmark | lon, lat |")
    a("|---|---|")
    a(f"| city extent (lattice) | {ll(0, 0)} – {ll(NI * CELL, NJ * CELL)} |")
    a(f"| coastline (sea to the east) | lon ≈ {fmt_units(o.lon0 + COAST_I * CELL)} ± 0.0003 |")
    a(f"| far-west hills, no zoning / area_division (→ `no_zoning_data`) | lon {ll(0, 0).split(',')[0]} – {fmt_units(o.lon0 + 6 * CELL)} |")
    a(f"| 非線引き area (north-west), with 用途白地 around 3 districts | {ll(6 * CELL, 36 * CELL)} – {ll(18 * CELL, 50 * CELL)} |")
    a(f"| 市街化区域 core (zoned) | {ll(22 * CELL, 13 * CELL)} – {ll(57 * CELL, 42 * CELL)}, north lobe to lat {fmt_units(o.lat0 + 46 * CELL)} |")
    a(f"| 潮見港 port (工業専用, second part of the 市街化区域 MultiPolygon) | {ll(55 * CELL, 2 * CELL)} – {ll(62 * CELL, 10 * CELL)} |")
    a("| 市街化調整区域 | everything else on land east of lon 141.006 (a polygon whose hole is exactly the core's outer ring) |")
    a(f"| 潮見川 river mouth | {ll(*city.to_u(city.river_m[-1]))} |")
    a(f"| 汐入川 tributary joins | {ll(*city.to_u(city.trib_m[-1]))} |")
    a(f"| 沖ノ島 offshore island (part of 潮見東中学校区) | {ll(66 * CELL, 30 * CELL)} – {ll(68 * CELL, 32 * CELL)} |")
    a(f"| dry mound (hole in the rank-1 flood zone) | {ll(*city.mound_centre)} |")
    a(f"| two small_multi facilities < 500 m apart | {ll(*city.facilities[0]['xy'])} and {ll(*city.facilities[1]['xy'])} |")
    a("")
    a("## Files")
    a("")
    a("| file | features | what is deliberately in it |")
    a("|---|---|---|")
    cnt = {k: len(v) for k, v in city.layers().items()}
    cnt["facility"] = len(city.facilities)
    a(f"| `zoning.geojson` | {cnt['zoning']} | `A29_004`–`A29_007`; every code 1–12 and 21; a district (川端, id {city.zoning_by_key['kawabata_teiso1']['id']}) with a hole filled by another (id {city.zoning_by_key['kawabata_kinrin']['id']}); a MultiPolygon district (id {city.zoning_by_key['chuko2']['id']}); code 13 named 田園住居地域 (feature id {city.zoning_by_key['nt_denen13']['id']}; the code is read as 21); code 99 不明 (id {city.zoning_by_key['fumei']['id']}); a full-width text code \"８\" 近隣商業地域 (id {city.zoning_by_key['kinrin_fw']['id']}); 工業専用 by the port (id {city.zoning_by_key['minato_senyo']['id']}) |")
    a(f"| `area_division.geojson` | {cnt['area_division']} | `division`: 市街化区域 (MultiPolygon: core + port), 市街化調整区域 (ring with a hole = the core), 非線引き |")
    a(f"| `farmland.geojson` | {cnt['farmland']} | 農振農用地区域 inside the control ring; id 1 is a MultiPolygon |")
    a(f"| `daily_life_area.geojson` | {cnt['daily_life_area']} | 中学校区 (`A32_003` code, `A32_004` name, `population`, `population_65plus`), tiling the land; 潮見東 is a MultiPolygon with the island; **no `id`** |")
    a(f"| `facility.geojson` | {cnt['facility']} | Points; two small_multi without `type`; capacity 25/29, one \"２９\" text, one missing; **no `id`**; 潮見北中学校区 has no small_multi (open), 潮見第一 has three |")
    a(f"| `flood.geojson` | {cnt['flood']} | ranks `A31a_205` 1–6 (nested: 1 ⊃ 2 ⊃ 3 ⊃ 4 ⊃ 5), `depth_m` 1.2 / 0.5 / 3.0 / 0.3, range texts in `depth` (\"0.5m以上3.0m未満\", \"０．５ｍ～３．０ｍ\", \"3m以上\", \"0.5m未満\" as a MultiPolygon), \"調査中\" (unrecognised); id 0 has a hole |")
    a(f"| `river_erosion.geojson` | {cnt['river_erosion']} | bank strips `type` 河岸侵食, one 氾濫流 |")
    a(f"| `landslide.geojson` | {cnt['landslide']} | `A33_001` 1/2/3, `A33_002` 1/2 and pre-designation 3/4; red zones strictly inside their yellow zones |")
    a(f"| `tsunami.geojson` | {cnt['tsunami']} | `A40_003` classes, five nested bands along the coast plus the island |")
    a(f"| `candidates.geojson` | {len(cands)} | named candidate parcels and points (`site_id`, `name`) |")
    a(f"| `candidates.csv` | {len(cands)} | the same sites as points: `site_id,name,lon,lat` (parcels by their bbox centre) |")
    a(f"| `probes.geojson` | {len(probes)} | the test oracle (below) |")
    a("| `manifest.toml` | | one `[layers.KIND]` table per kind |")
    a("")
    a("## probes.geojson — the test oracle")
    a("")
    a("Each Point's properties hold the *designed* answers, computed by the generator with exact rational")
    a("point-in-polygon tests (boundary inclusive) on both the decimal coordinates and the doubles a parser reads;")
    a("a probe that is not meant to sit on a boundary is at least 3 m from every boundary.")
    a("")
    a("| property | meaning |")
    a("|---|---|")
    a("| `zoning_codes`, `zoning_ids` | every zoning district containing the point (feature-id order); codes normalised: full-width parsed, 13 read as 21 |")
    a("| `governing_zoning_id` | the district that governs a point (worst verdict, tie → lowest id), or null |")
    a("| `division` | `division` values of every area_division polygon containing it |")
    a("| `in_farmland` | inside or on a farmland polygon |")
    a("| `area_ids` | `A32_003` of every daily-life area containing it, in file order (first = the one the point goes to) |")
    a("| `flood_ranks` / `flood_depths` / `flood_ids` | `A31a_205` of containing rank zones / `depth_m` or `depth` of the other containing zones / all their ids |")
    a("| `erosion`, `erosion_ids` | in any river_erosion zone |")
    a("| `landslide`, `landslide_ids` | `[A33_001, A33_002]` of every containing zone |")
    a("| `tsunami`, `tsunami_ids` | `A40_003` of every containing zone |")
    a("| `on_boundary` | layer kinds on whose feature boundary the point lies exactly |")
    a("| `verdict`, `straddles_districts` | SPEC §1 buildability for a point |")
    a("| `hazard_points` | default rubric (多賀城市 2023) per category and total; unrecognised → worst class; ranges → worst case |")
    a("| `nearest_small_multi`, `nearest_small_multi_m`, `too_close` | nearest small_multi (missing `type` counts), geodesic metres, `< 500 m` |")
    a("")
    a("| # | probe | lon, lat | zoning | division | area | flood | hazard | verdict |")
    a("|---|---|---|---|---|---|---|---|---|")
    for n, (p, x, y) in enumerate(probes):
        fl = [str(v) for v in p["flood_ranks"]] + [str(v) for v in p["flood_depths"]]
        a(
            f"| {n} | `{p['probe']}` | {ll(x, y)} | {p['zoning_codes']} | {', '.join(p['division']) or '—'} | "
            f"{', '.join(p['area_ids']) or '—'} | {', '.join(fl) or '—'} | {p['hazard_points']['total']} | {p['verdict']} |"
        )
    a("")
    a("## Candidates")
    a("")
    a("| site_id | name | kind | lon, lat |")
    a("|---|---|---|---|")
    for sid, name, polys, xy in cands:
        kind = "point" if polys is None else ("parcel (MultiPolygon)" if len(polys) > 1 else "parcel")
        a(f"| {sid} | {name} | {kind} | {ll(*xy)} |")
    a("")
    return "\n".join(lines)


# ===========================================================================
# The large synthetic city (benchmarks)
# ===========================================================================

L_LON0 = 1_408_000_000  # 140.80
L_LAT0 = 381_000_000  # 38.10
L_NI, L_NJ = 160, 150
L_DX, L_DY = 25_000, 20_000  # 0.0025° × 0.002° cells (≈ 219 m × 222 m)
L_MLON, L_MLAT = metres_per_degree(38.25)
ZONE_CODES = [1, 1, 1, 2, 3, 3, 4, 5, 5, 6, 7, 8, 9, 10, 11, 12, 21]


def write_large(out: str, n_haz: int, n_points: int, n_parcels: int, seed: int) -> None:
    t0 = time.perf_counter()
    os.makedirs(out, exist_ok=True)
    rng = random.Random(seed)
    o = Origin(L_LON0, L_LAT0)
    desc = "架空データ（fictional）: ベンチマーク用の大規模合成都市。scripts/gen_city.py large により生成。実在の地物とは無関係。"

    # lattice nodes: jittered, straight outer boundary
    nodes = {}
    for i in range(L_NI + 1):
        for j in range(L_NJ + 1):
            x, y = i * L_DX, j * L_DY
            if 0 < i < L_NI:
                x += int(rng.uniform(-0.2, 0.2) * L_DX)
            if 0 < j < L_NJ:
                y += int(rng.uniform(-0.2, 0.2) * L_DY)
            nodes[(i, j)] = (x, y)

    def node_xy(i, j):
        return nodes[(i, j)]

    mids = {}

    def edge_mid(key):
        if key not in mids:
            kind, i, j = key
            a = nodes[(i, j)]
            b = nodes[(i + 1, j)] if kind == "h" else nodes[(i, j + 1)]
            r = random.Random(hash_key(seed, key))
            k = r.choice((0, 0, 1, 1, 2, 3))
            dx, dy = b[0] - a[0], b[1] - a[1]
            pts = []
            for m in range(1, k + 1):
                t = m / (k + 1)
                off = r.uniform(-0.06, 0.06)
                pts.append((int(a[0] + t * dx - off * dy), int(a[1] + t * dy + off * dx)))
            mids[key] = pts
        return mids[key]

    def coast_cells(jf):
        return 150 + 3 * math.sin(jf / 9.0) + 1.5 * math.sin(jf / 3.7)

    coast_i = [int(round(coast_cells(j + 0.5))) for j in range(L_NJ)]

    def land(i, j):
        return 0 <= i < coast_i[j] and 0 <= j < L_NJ

    ci, cj, ri, rj = 95, 75, 42, 40
    urban = {(i, j) for i in range(L_NI) for j in range(L_NJ) if land(i, j) and ((i + 0.5 - ci) / ri) ** 2 + ((j + 0.5 - cj) / rj) ** 2 <= 1.0}
    urban = fill_pinches(urban)
    assert all(land(i, j) for i, j in urban)

    # zoning districts: one or two cells each
    label = {}
    for j in range(L_NJ):
        i = 0
        while i < L_NI:
            if (i, j) in urban:
                if (i + 1, j) in urban and rng.random() < 0.3:
                    label[(i, j)] = label[(i + 1, j)] = (i, j)
                    i += 2
                    continue
                label[(i, j)] = (i, j)
            i += 1
    traced = trace(L_NI, L_NJ, lambda i, j: label.get((i, j)), node_xy, edge_mid)
    zs = StreamCollection(os.path.join(out, "zoning.geojson"), "zoning", "用途地域 — " + desc)
    for fid, (key, polys) in enumerate(sorted(traced.items())):
        i, j = key
        dist = math.hypot((i - ci) / ri, (j - cj) / rj)
        if dist < 0.15:
            code = rng.choice((8, 9, 9, 9, 5))
        elif i > 125 and j < 80:
            code = rng.choice((10, 11, 12, 12))
        else:
            code = rng.choice(ZONE_CODES)
        props = {"A29_004": code, "A29_005": USE_NAMES[code], "A29_006": 60, "A29_007": 200}
        zs.add(feature_line(fid, props, o.geometry(polys)))
    zs.close()
    n_zoning = zs.n

    def division(i, j):
        if not land(i, j) or i < 8:
            return None
        return "市街化区域" if (i, j) in urban else "市街化調整区域"

    traced = trace(L_NI, L_NJ, division, node_xy, edge_mid)
    ad = StreamCollection(os.path.join(out, "area_division.geojson"), "area_division", "区域区分 — " + desc)
    for fid, value in enumerate(("市街化区域", "市街化調整区域")):
        ad.add(feature_line(fid, {"division": value}, o.geometry(traced[value])))
    ad.close()

    # farmland: rectangular patches of control-area cells, kept one cell apart
    farm = {}
    tries = 0
    while len(set(farm.values())) < 80 and tries < 5000:
        tries += 1
        w, h = rng.randint(3, 10), rng.randint(3, 8)
        i0, j0 = rng.randint(8, L_NI - w - 1), rng.randint(1, L_NJ - h - 1)
        cells = [(i, j) for i in range(i0 - 1, i0 + w + 1) for j in range(j0 - 1, j0 + h + 1)]
        if all(division(i, j) == "市街化調整区域" and (i, j) not in farm for i, j in cells):
            k = len(set(farm.values()))
            for i in range(i0, i0 + w):
                for j in range(j0, j0 + h):
                    farm[(i, j)] = k
    traced = trace(L_NI, L_NJ, lambda i, j: farm.get((i, j)), node_xy, edge_mid)
    fm = StreamCollection(os.path.join(out, "farmland.geojson"), "farmland", "農振農用地区域 — " + desc)
    for fid, k in enumerate(sorted(traced)):
        fm.add(feature_line(fid, {"name": f"農用地区域 {k + 1}（架空）"}, o.geometry(traced[k])))
    fm.close()

    # daily-life areas: 6 row bands × 6 column blocks with per-band split positions
    rows = [0, 25, 50, 75, 100, 125, L_NJ]
    splits = []
    for b in range(6):
        s = [0] + [int(c * L_NI / 6.2) + rng.randint(-3, 3) for c in range(1, 6)] + [L_NI]
        splits.append(s)

    def area(i, j):
        if not land(i, j):
            return None
        b = next(k for k in range(6) if rows[k] <= j < rows[k + 1])
        c = next(k for k in range(6) if splits[b][k] <= i < splits[b][k + 1])
        return b * 6 + c

    traced = trace(L_NI, L_NJ, area, node_xy, edge_mid)
    da = StreamCollection(os.path.join(out, "daily_life_area.geojson"), "daily_life_area", "日常生活圏域（中学校区）— " + desc)
    for k in sorted(traced):
        props = {"A32_003": f"C1042990{k + 1:04d}1", "A32_004": f"合成第{k + 1}中学校（架空）", "population": rng.randint(4000, 30000)}
        props["population_65plus"] = int(props["population"] * rng.uniform(0.22, 0.38))
        da.add(feature_line(None, props, o.geometry(traced[k])))
    da.close()
    n_areas = da.n

    mlon_u = L_MLON / UNIT  # metres per unit
    mlat_u = L_MLAT / UNIT
    lon0, lat0 = L_LON0 / UNIT, L_LAT0 / UNIT
    x_max_deg = L_NI * L_DX / UNIT
    y_max_deg = L_NJ * L_DY / UNIT
    deg_per_m_lon = 1.0 / L_MLON
    deg_per_m_lat = 1.0 / L_MLAT

    def coast_deg(yd):
        return coast_cells(yd / (L_DY / UNIT)) * L_DX / UNIT

    # facilities
    fc = StreamCollection(os.path.join(out, "facility.geojson"), "facility", "既存事業所 — " + desc)
    types = ["small_multi"] * 6 + ["nursing_small_multi", "group_home", "care_plaza", "hospital"]
    for k in range(400):
        while True:
            xd, yd = rng.uniform(0.02, x_max_deg), rng.uniform(0.0, y_max_deg)
            if xd < coast_deg(yd) - 0.003:
                break
        props = {"name": f"合成事業所 {k + 1:03d}（架空）", "type": rng.choice(types), "capacity": rng.choice((25, 29, 18)), "opened": f"{rng.randint(2006, 2025)}-04-01"}
        fc.add(feature_line(None, props, '{"type":"Point","coordinates":[%.7f,%.7f]}' % (lon0 + xd, lat0 + yd)))
    fc.close()

    # rivers (in metres from the origin)
    rivers = []
    for r in range(3):
        y0 = (0.2 + 0.3 * r) * y_max_deg * L_MLAT
        ctrl = []
        x = 0.0
        y = y0
        while x < coast_deg(y / L_MLAT) * L_MLON + 400:
            ctrl.append((x, y))
            x += 1000.0
            y += rng.uniform(-250, 250)
        pts = chaikin(ctrl, 3)
        dense = [pts[0]]
        for p in pts[1:]:
            q = dense[-1]
            d = math.hypot(p[0] - q[0], p[1] - q[1])
            n = max(1, int(d / 10.0))
            for m in range(1, n + 1):
                dense.append((q[0] + (p[0] - q[0]) * m / n, q[1] + (p[1] - q[1]) * m / n))
        rivers.append(dense)

    def ring_deg(ring_m):
        return "[" + ",".join("[%.7f,%.7f]" % (lon0 + x * deg_per_m_lon, lat0 + y * deg_per_m_lat) for x, y in ring_m) + "]"

    def band_m(centre, dl, dr):
        left = offset_line(centre, dl)
        right = offset_line(centre, dr)
        ring = left + right[::-1]
        a2 = sum(ring[k][0] * ring[(k + 1) % len(ring)][1] - ring[(k + 1) % len(ring)][0] * ring[k][1] for k in range(len(ring)))
        if a2 < 0:
            ring.reverse()
        ring.append(ring[0])
        return ring

    def big_geom(ring_m):
        return '{"type":"Polygon","coordinates":[' + ring_deg(ring_m) + "]}"

    big = {"flood": [], "river_erosion": [], "tsunami": [], "landslide": []}
    for r, rv in enumerate(rivers):
        big["flood"].append(({"A31a_205": 2, "river": f"合成川 {r + 1}（架空）"}, band_m(rv, 150, -150)))
        big["river_erosion"].append(({"type": "河岸侵食", "river": f"合成川 {r + 1}（架空）"}, band_m(rv, 60, 15)))
    tsu_classes = [("0.3m以上0.5m未満", 3000), ("0.5m以上1.0m未満", 2200), ("1.0m以上2.0m未満", 1500), ("2.0m以上5.0m未満", 800)]
    ys = [k * 15.0 for k in range(int(y_max_deg * L_MLAT / 15.0) + 1)]
    coast_line = [(coast_deg(yy / L_MLAT) * L_MLON + 30 * math.sin(yy / 700.0), yy) for yy in ys]
    for text, w in tsu_classes:
        inland = [(x - w * (1.0 + 0.2 * math.sin(yy / 2300.0)), yy) for x, yy in reversed(coast_line)]
        ring = coast_line + inland + [coast_line[0]]
        big["tsunami"].append(({"A40_003": text}, ring))
    n_big = sum(len(v) for v in big.values())
    n_small = max(0, n_haz - n_big)
    share = {"flood": 0.45, "landslide": 0.30, "tsunami": 0.15}
    counts = {k: int(n_small * s) for k, s in share.items()}
    counts["river_erosion"] = n_small - sum(counts.values())

    tau = 2 * math.pi

    def star_ring(cx, cy, rmean, n, r):
        step = tau / n
        ph = r.random() * tau
        parts = []
        first = None
        for k in range(n):
            a = ph + step * (k + 0.6 * (r.random() - 0.5))
            rr = rmean * (0.6 + 0.4 * r.random())
            s = "[%.7f,%.7f]" % (cx + rr * math.cos(a) * deg_per_m_lon, cy + rr * math.sin(a) * deg_per_m_lat)
            if first is None:
                first = s
            parts.append(s)
        parts.append(first)
        return "[" + ",".join(parts) + "]"

    def star_pair(cx, cy, rmean, n, r, scale):
        """A yellow/red pair: the red ring uses the same angles and radii × scale."""
        step = tau / n
        ph = r.random() * tau
        outer, inner = [], []
        for k in range(n):
            a = ph + step * (k + 0.6 * (r.random() - 0.5))
            rr = rmean * (0.6 + 0.4 * r.random())
            c, s = math.cos(a) * deg_per_m_lon, math.sin(a) * deg_per_m_lat
            outer.append("[%.7f,%.7f]" % (cx + rr * c, cy + rr * s))
            inner.append("[%.7f,%.7f]" % (cx + rr * scale * c, cy + rr * scale * s))
        outer.append(outer[0])
        inner.append(inner[0])
        return "[" + ",".join(outer) + "]", "[" + ",".join(inner) + "]"

    def nverts(r):
        return 5 + int(36 * r.random() ** 2.2)

    def poly(ring):
        return '{"type":"Polygon","coordinates":[' + ring + "]}"

    flood_texts = ["0.5m以上3.0m未満", "0.5m未満", "3m以上", "０．５ｍ～３．０ｍ", "3.0m以上5.0m未満"]
    rivers_deg = [[(lon0 + x * deg_per_m_lon, lat0 + y * deg_per_m_lat) for x, y in rv[::20]] for rv in rivers]

    def near_river(r, spread_m):
        rv = r.choice(rivers_deg)
        lon, lat = rv[r.randrange(len(rv))]
        return lon + r.gauss(0, spread_m) * deg_per_m_lon, lat + r.gauss(0, spread_m) * deg_per_m_lat

    stats = {}
    for kind in HAZARD_KINDS:
        sc = StreamCollection(os.path.join(out, f"{kind}.geojson"), kind, KIND_JA[kind] + " — " + desc)
        r = random.Random(hash_key(seed, kind))
        for props, ring in big[kind]:
            sc.add(feature_line(sc.n, props, big_geom(ring)))
        target = counts[kind] + len(big[kind])
        while sc.n < target:
            if kind == "flood":
                cx, cy = near_river(r, 700) if r.random() < 0.8 else (lon0 + r.uniform(0.02, 0.36), lat0 + r.uniform(0, y_max_deg))
                u = r.random()
                if u < 0.8:
                    props = {"A31a_205": r.choice((1, 1, 1, 2, 2, 2, 2, 3, 3, 4, 5, 6))}
                elif u < 0.9:
                    props = {"depth_m": round(r.uniform(0.1, 6.0), 1)}
                else:
                    props = {"depth": r.choice(flood_texts)}
                sc.add(feature_line(sc.n, props, poly(star_ring(cx, cy, r.uniform(15, 120), nverts(r), r))))
            elif kind == "river_erosion":
                cx, cy = near_river(r, 60)
                props = {"type": "河岸侵食" if r.random() < 0.9 else "氾濫流"}
                sc.add(feature_line(sc.n, props, poly(star_ring(cx, cy, r.uniform(10, 60), nverts(r), r))))
            elif kind == "landslide":
                cx = lon0 + r.uniform(0.0, 0.12)
                cy = lat0 + r.uniform(0.0, y_max_deg)
                phen = r.choice((1, 1, 1, 1, 2, 2, 3))
                rm = r.uniform(20, 150)
                n = nverts(r)
                pre = r.random() < 0.05
                if sc.n + 1 < target and r.random() < 0.5:
                    yellow, red = star_pair(cx, cy, rm, n, r, 0.5)
                    sc.add(feature_line(sc.n, {"A33_001": phen, "A33_002": 3 if pre else 1}, poly(yellow)))
                    sc.add(feature_line(sc.n, {"A33_001": phen, "A33_002": 4 if pre else 2}, poly(red)))
                else:
                    sc.add(feature_line(sc.n, {"A33_001": phen, "A33_002": 3 if pre else 1}, poly(star_ring(cx, cy, rm, n, r))))
            else:
                cy = lat0 + r.uniform(0.0, y_max_deg)
                cx = lon0 + coast_deg(cy - lat0) - r.uniform(0.0, 3500.0) * deg_per_m_lon
                props = {"A40_003": r.choice([t for t, _ in tsu_classes] + ["5.0m以上10.0m未満"])}
                sc.add(feature_line(sc.n, props, poly(star_ring(cx, cy, r.uniform(15, 120), nverts(r), r))))
        sc.close()
        stats[kind] = sc.n

    # candidate sites
    r = random.Random(hash_key(seed, "sites"))
    ulon0 = lon0 + (ci - ri) * L_DX / UNIT
    ulon1 = lon0 + (ci + ri) * L_DX / UNIT
    ulat0 = lat0 + (cj - rj) * L_DY / UNIT
    ulat1 = lat0 + (cj + rj) * L_DY / UNIT
    with open(os.path.join(out, "sites-points.csv"), "w", encoding="utf-8", newline="") as f:
        f.write("site_id,lon,lat\n")
        buf = []
        for k in range(n_points):
            buf.append("S%06d,%.7f,%.7f\n" % (k + 1, r.uniform(ulon0, ulon1), r.uniform(ulat0, ulat1)))
            if len(buf) >= 10000:
                f.write("".join(buf))
                buf = []
        f.write("".join(buf))
    sp = StreamCollection(os.path.join(out, "sites-parcels.geojson"), "sites-parcels", "候補区画 — " + desc)
    for k in range(n_parcels):
        cx, cy = r.uniform(ulon0, ulon1), r.uniform(ulat0, ulat1)
        n = r.randint(4, 8)
        rad = r.uniform(15, 60) / 2
        step = tau / n
        ph = r.random() * tau
        pts = []
        for m in range(n):
            a = ph + step * (m + 0.5 * (r.random() - 0.5))
            rr = rad * r.uniform(0.85, 1.0)
            pts.append("[%.7f,%.7f]" % (cx + rr * math.cos(a) * deg_per_m_lon, cy + rr * math.sin(a) * deg_per_m_lat))
        pts.append(pts[0])
        sp.add(feature_line(k, {"site_id": "L%05d" % (k + 1)}, poly("[" + ",".join(pts) + "]")))
    sp.close()

    with open(os.path.join(out, "manifest.toml"), "w", encoding="utf-8", newline="\n") as f:
        f.write(manifest_text("大規模合成都市（架空）ベンチマーク", f"large synthetic benchmark city (fictional, 架空), seed {seed}, {n_haz} hazard polygons", "架空データ（scripts/gen_city.py large により生成）"))
    total = sum(stats.values())
    dt = time.perf_counter() - t0
    print(
        f"large city written to {out} in {dt:.1f} s: zoning {n_zoning}, daily_life_area {n_areas}, "
        + ", ".join(f"{k} {v}" for k, v in stats.items())
        + f" (hazard total {total}, of which {n_big} big zones), {n_points} site points, {n_parcels} parcels",
        file=sys.stderr,
    )
    assert total >= n_haz


def hash_key(seed: int, key) -> int:
    """A stable integer from a seed and a key (Python's hash() is salted for str)."""
    s = f"{seed}:{key!r}".encode()
    h = 1469598103934665603
    for b in s:
        h = ((h ^ b) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h


# ---------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        prog="gen_city.py",
        description="Deterministic fictional (架空) layers for tekichi: the bundled sample city 潮見市 and large benchmark cities.",
        epilog="Examples:\n  python3 scripts/gen_city.py sample --out data/sample-city\n"
        "  python3 scripts/gen_city.py large --hazard-polygons 100000 --out data/generated/large-1e5",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sample", help="write the sample city 潮見市 (fictional) with candidates and probes")
    s.add_argument("--out", default="data/sample-city", help="output directory (default: data/sample-city)")
    s.add_argument("--seed", type=int, default=SAMPLE_SEED, help=f"random seed (default {SAMPLE_SEED}; the bundled files use the default)")
    g = sub.add_parser("large", help="write a large synthetic city for benchmarks (streamed GeoJSON)")
    g.add_argument("--out", required=True, help="output directory, e.g. data/generated/large-1e5")
    g.add_argument("--hazard-polygons", type=int, default=100_000, help="minimum total hazard polygons across flood/river_erosion/landslide/tsunami (default 100000)")
    g.add_argument("--sites-points", type=int, default=100_000, help="rows in sites-points.csv (default 100000)")
    g.add_argument("--sites-parcels", type=int, default=10_000, help="parcels in sites-parcels.geojson (default 10000)")
    g.add_argument("--seed", type=int, default=LARGE_SEED, help=f"random seed (default {LARGE_SEED})")
    args = ap.parse_args(argv)
    if args.cmd == "sample":
        write_sample(args.out, args.seed)
    else:
        if args.hazard_polygons < 1:
            ap.error("--hazard-polygons must be positive")
        write_large(args.out, args.hazard_polygons, args.sites_points, args.sites_parcels, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
