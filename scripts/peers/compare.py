#!/usr/bin/env python3
"""Checks that tekichi, geopandas and PostGIS agree site by site, and prints the figures.

Reads, from the work directory of scripts/bench-peers.sh:
  tekichi-{points,parcels}.ndjson      `tekichi assess --format ndjson` reports
  {geopandas,postgis}-{points,parcels}.csv   site_id, hazard_total, district, area_id, nearest_m
  the same for edge-points / edge-parcels (boundary sites of scripts/peers/edge_sites.py)
  {tekichi,geopandas,postgis}-timings.json   (tekichi's also times the same batches as CSV)

Compared per site: hazard.total, buildability.governing_district.feature_id,
daily_life_area.id, facilities.nearest_distance_m (agreeing within TOL_M metres).
Prints the disagreements (count and up to EXAMPLES examples per field and peer), the
figures and the ratios, and writes the same as Markdown to summary.md.
Exit status 3 when any answer disagrees (the figures are still printed).

Standard library only.
"""

from __future__ import annotations

import csv
import json
import math
import os
import sys

TOL_M = 0.5  # nearest-distance tolerance (metres)
EXAMPLES = 5
FIELDS = ("hazard_total", "district", "area_id", "nearest_m")
PEERS = ("geopandas", "postgis")


def tekichi_answers(path: str) -> dict:
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            sid = str(r["site"]["id"])
            if r.get("error"):
                out[sid] = {"error": r["error"]}
                continue
            gov = (r.get("buildability") or {}).get("governing_district")
            area = r.get("daily_life_area") or {}
            out[sid] = {
                "hazard_total": r["hazard"]["total"],
                "district": None if gov is None else str(gov["feature_id"]),
                "area_id": area.get("id"),
                "nearest_m": r["facilities"]["nearest_distance_m"],
            }
    return out


def peer_answers(path: str) -> dict:
    out = {}
    with open(path, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            out[row["site_id"]] = {
                "hazard_total": int(row["hazard_total"]),
                "district": row["district"] or None,
                "area_id": row["area_id"] or None,
                "nearest_m": float(row["nearest_m"]) if row["nearest_m"] not in ("", "inf") else None,
            }
    return out


def same(field: str, a, b) -> bool:
    if field != "nearest_m":
        return a == b
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= TOL_M


def load_json(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        return {}


def fmt_rate(x):
    return "—" if x is None else f"{x:,.0f}"


def fmt_ratio(t, p, higher_is_better: bool):
    if t is None or p is None or t == 0 or p == 0:
        return "—"
    r = t / p
    return f"{r:,.1f}×" if higher_is_better else f"{r:.3g}×"


def main(work: str) -> int:
    lines: list[str] = []

    def out(s: str = "") -> None:
        print(s)
        lines.append(s)

    total_bad = 0
    max_diff = {}
    out("### Agreement, site by site")
    out()
    out(f"Fields: hazard total, governing district (feature id), daily-life area id, nearest `small_multi` distance (±{TOL_M} m).")
    out()
    out("| sites | peer | compared | hazard total | governing district | daily-life area | nearest distance | max \\|Δ distance\\| |")
    out("|---|---|---:|---:|---:|---:|---:|---:|")
    examples = []
    for kind in ("points", "parcels", "edge-points", "edge-parcels"):
        if not os.path.exists(os.path.join(work, f"tekichi-{kind}.ndjson")):
            continue
        tek = tekichi_answers(os.path.join(work, f"tekichi-{kind}.ndjson"))
        errors = [k for k, v in tek.items() if "error" in v]
        for peer in PEERS:
            path = os.path.join(work, f"{peer}-{kind}.csv")
            if not os.path.exists(path):
                out(f"| {kind} | {peer} | not run | | | | | |")
                continue
            other = peer_answers(path)
            missing = sorted(set(tek) ^ set(other))
            bad = {f: [] for f in FIELDS}
            worst = 0.0
            for sid, a in tek.items():
                b = other.get(sid)
                if b is None or "error" in a:
                    continue
                for f in FIELDS:
                    if not same(f, a[f], b[f]):
                        bad[f].append((sid, a[f], b[f]))
                if a["nearest_m"] is not None and b["nearest_m"] is not None:
                    worst = max(worst, abs(a["nearest_m"] - b["nearest_m"]))
            n_bad = sum(len(v) for v in bad.values()) + len(missing) + len(errors)
            total_bad += n_bad
            max_diff[(kind, peer)] = worst
            out(f"| {kind} | {peer} | {len(tek) - len(errors)} | {len(bad['hazard_total'])} | {len(bad['district'])} | {len(bad['area_id'])} | {len(bad['nearest_m'])} | {worst:.2e} m |")
            if missing:
                examples.append(f"{kind}/{peer}: {len(missing)} site ids in one output only, e.g. {missing[:EXAMPLES]}")
            if errors:
                examples.append(f"{kind}: tekichi rejected {len(errors)} sites, e.g. {errors[:EXAMPLES]}")
            for f, rows in bad.items():
                for sid, a, b in rows[:EXAMPLES]:
                    examples.append(f"{kind}/{peer}: site {sid} {f}: tekichi {a!r}, {peer} {b!r}")
    out()
    if examples:
        out("Disagreements (examples):")
        out()
        for e in examples:
            out(f"- {e}")
        out()
    else:
        out("No disagreement.")
        out()

    t = load_json(os.path.join(work, "tekichi-timings.json"))
    g = load_json(os.path.join(work, "geopandas-timings.json"))
    p = load_json(os.path.join(work, "postgis-timings.json"))

    def rate(d, kind, timed=""):
        s, n = d.get(f"{kind}{timed}_s"), d.get(f"{kind}_n")
        return n / s if s and n else None

    out("### Figures (ratio = tekichi ÷ peer; for throughput higher is better, for times lower is better)")
    out()
    out("| measure | tekichi | geopandas/shapely | PostGIS | tekichi ÷ geopandas | tekichi ÷ PostGIS |")
    out("|---|---:|---:|---:|---:|---:|")
    tl, gl, pl = t.get("load_s"), g.get("load_s"), p.get("load_s")
    out(f"| load + index (s) | {tl:.2f} | {gl:.2f} | {pl:.2f} | {fmt_ratio(tl, gl, False)} | {fmt_ratio(tl, pl, False)} |" if None not in (tl, gl, pl) else "| load + index (s) | — | — | — | — | — |")
    for kind in ("points", "parcels"):
        tr, gr, pr = rate(t, kind), rate(g, kind), rate(p, kind)
        out(f"| batch {kind} (sites/s, load excluded) | {fmt_rate(tr)} | {fmt_rate(gr)} | {fmt_rate(pr)} | {fmt_ratio(tr, gr, True)} | {fmt_ratio(tr, pr, True)} |")
        tc = rate(t, kind, "_csv")
        if tc is not None:
            out(f"| batch {kind}, tekichi writing its CSV table instead (sites/s) | {fmt_rate(tc)} | {fmt_rate(gr)} | {fmt_rate(pr)} | {fmt_ratio(tc, gr, True)} | {fmt_ratio(tc, pr, True)} |")
    ti, gi = t.get("single_point_us_inprocess"), g.get("single_point_us_median")
    th, ph = t.get("single_point_us_http_median"), p.get("single_point_us_median")
    out(f"| one point in-process (µs, median) | {'—' if ti is None else f'{ti:.1f}'} | {'—' if gi is None else f'{gi:.0f}'} | | {fmt_ratio(ti, gi, False)} | |")
    out(f"| one point round trip (µs, median): tekichi HTTP GET vs PostGIS prepared statement | {'—' if th is None else f'{th:.0f}'} | | {'—' if ph is None else f'{ph:.0f}'} | | {fmt_ratio(th, ph, False)} |")
    out()
    notes = []
    if t.get("inprocess_source"):
        notes.append(f"tekichi in-process figure: {t['inprocess_source']}.")
    for name, d in (("tekichi", t), ("geopandas", g), ("PostGIS", p)):
        if d.get("notes"):
            notes.append(f"{name}: {d['notes']}")
    for n in notes:
        out(f"- {n}")
    with open(os.path.join(work, "summary.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return 3 if total_bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "target/bench-peers"))
