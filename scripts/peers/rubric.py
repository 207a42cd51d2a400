"""The SPEC rubric as the peers read it (default rubric: 多賀城市 選定基準 2023, 15 points).

This is the reading the geopandas peer applies; scripts/peers/postgis_peer.sql states the
same reading in SQL, written apart so that the two peers share nothing but the text of
SPEC.md.  Both answer four things per site (SPEC §1–4):

hazard total
    ア flood: none 5 · <0.5 m 2 · 0.5–3.0 m 1 · ≥3.0 m 0.
    イ river_erosion: outside 2 · inside 0 (河岸侵食 and 氾濫流 both count).
    ウ landslide: outside 4 · 警戒区域 (A33_002 1, or 3 before designation) 1 ·
       特別警戒区域 (2, or 4) 0; only がけ崩れ (A33_001 = 1) zones are scored.
    エ tsunami: none 4 · <0.5 m 2 · 0.5–3.0 m 1 · ≥3.0 m 0.
    Within a category the lowest score of the zones touching the site applies; the
    total is the sum.  A depth class is the half-open range [lo, hi) and is scored with
    the worst band it meets (2.0m以上5.0m未満 → 0); an exact depth of 0.5 m is in
    0.5–3.0 m, 3.0 m is ≥3.0 m; KSJ ranks 1..6 are [0,0.5) [0.5,3) [3,5) [5,10) [10,20)
    [20,∞); range texts are read after NFKC; an unrecognised value scores the worst band.
governing district (用途地域)
    Point: the district containing it (boundary inclusive); on a shared boundary the
    worst verdict governs (not_buildable > unknown > conditional > buildable), tie:
    lowest feature id.  Parcel: the district with the largest share of the parcel's
    geodesic area (intersection above the 1 m² sliver tolerance); shares within 1e-6
    are ties (worst verdict, then lowest feature id); the uncovered part competes, so
    if it is larger than every district's share no district governs.
daily-life area (日常生活圏域)
    Point: the area containing it; on a boundary the lowest area id (A32_003).  Parcel:
    the largest share (above 1 m²), ties within 1e-6 to the lowest area id.
nearest facility
    Geodesic distance (GRS80 ellipsoid) in metres to the nearest facility of the target
    type (small_multi; a missing type means small_multi).  For a parcel: 0 when the
    facility is inside or on it, else the distance from the parcel's boundary.

Predicates (intersects, contains) run on the files' lon/lat coordinates; metres are for
areas and distances only.  Feature ids are the GeoJSON ``id`` where present, else the
0-based index in the file (the generator writes ``id`` = index where it writes one).
"""

from __future__ import annotations

import math
import re
import unicodedata

SLIVER_M2 = 1.0
SHARE_TIE = 1e-6
TARGET_TYPE = "small_multi"

# Category maxima (points when no zone touches the site).
NONE_POINTS = {"flood": 5, "river_erosion": 2, "landslide": 4, "tsunami": 4}
# Inundation bands shared by flood and tsunami under 多賀城市 2023: [from, to) -> points.
BANDS = [(0.0, 0.5, 2), (0.5, 3.0, 1), (3.0, math.inf, 0)]
KSJ_RANKS = {1: (0.0, 0.5), 2: (0.5, 3.0), 3: (3.0, 5.0), 4: (5.0, 10.0), 5: (10.0, 20.0), 6: (20.0, math.inf)}

# Verdict order for the boundary/tie rule: higher is worse.
BUILDABLE, CONDITIONAL, UNKNOWN, NOT_BUILDABLE = 0, 1, 2, 3
USE_VERDICT = {c: BUILDABLE for c in (1, 2, 3, 4, 5, 6, 7, 21, 13)}
USE_VERDICT.update({8: CONDITIONAL, 9: CONDITIONAL, 10: CONDITIONAL, 11: CONDITIONAL, 12: NOT_BUILDABLE})


def band_points(lo: float, hi: float | None) -> int:
    """Worst points of the bands met by [lo, hi), or of the band holding an exact depth (hi None)."""
    if hi is None:
        return next(p for a, b, p in BANDS if a <= lo < b)
    return min(p for a, b, p in BANDS if a < hi and b > lo)


_NUM = r"(\d+(?:\.\d+)?)"


def parse_depth_text(text: str):
    """(lo, hi) for a class, (d, None) for an exact depth, None if not understood."""
    s = unicodedata.normalize("NFKC", str(text)).strip().lower().replace(" ", "").replace("m", "")
    for pattern, make in (
        (rf"^{_NUM}以上{_NUM}未満$", lambda a, b: (a, b)),
        (rf"^{_NUM}未満$", lambda a: (0.0, a)),
        (rf"^{_NUM}以上$", lambda a: (a, math.inf)),
        (rf"^{_NUM}[~〜\-]{_NUM}$", lambda a, b: (a, b)),
        (rf"^{_NUM}$", lambda a: (a, None)),
    ):
        m = re.match(pattern, s)
        if m:
            lo, hi = make(*(float(g) for g in m.groups()))
            if hi is not None and not lo < hi:
                return None
            return lo, hi
    return None


def _present(v) -> bool:
    return v is not None and not (isinstance(v, float) and math.isnan(v)) and str(v).strip() != ""


def inundation_points(props: dict, value_fields, rank_fields, text_fields) -> int:
    """Points of one flood/tsunami zone: the first recognised field wins; nothing recognised → worst."""
    for f in value_fields:
        v = props.get(f)
        if _present(v):
            r = parse_depth_text(v)
            if r:
                return band_points(*r)
    for f in rank_fields:
        v = props.get(f)
        if _present(v):
            try:
                rank = int(float(unicodedata.normalize("NFKC", str(v))))
                if rank in KSJ_RANKS:
                    return band_points(*KSJ_RANKS[rank])
            except ValueError:
                r = parse_depth_text(v)
                if r:
                    return band_points(*r)
    for f in text_fields:
        v = props.get(f)
        if _present(v):
            r = parse_depth_text(v)
            if r:
                return band_points(*r)
    return 0


def flood_points(props: dict) -> int:
    return inundation_points(props, ["depth_m"], ["A31_201", "A31_101", "A31a_205", "A31a_105"], ["depth", "depth_class", "浸水深"])


def tsunami_points(props: dict) -> int:
    return inundation_points(props, ["depth_m"], ["A40_003", "rank"], ["depth", "depth_class", "浸水深"])


def landslide_points(props: dict) -> int | None:
    """Points of a landslide zone, or None when the rubric does not score its phenomenon."""
    try:
        phenomenon = int(float(unicodedata.normalize("NFKC", str(props.get("A33_001")))))
    except ValueError:
        phenomenon = None
    if phenomenon in (2, 3):  # 土石流, 地すべり: listed by tekichi, not scored under 多賀城市
        return None
    try:
        zone = int(float(unicodedata.normalize("NFKC", str(props.get("A33_002")))))
    except ValueError:
        zone = None
    return {1: 1, 3: 1, 2: 0, 4: 0}.get(zone, 0)


def use_verdict(code) -> int:
    try:
        return USE_VERDICT.get(int(float(code)), UNKNOWN)
    except (TypeError, ValueError):
        return UNKNOWN
