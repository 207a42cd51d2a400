#!/usr/bin/env python3
"""One-point round trips to a running `tekichi serve`: sequential GET /api/assess?lon=&lat= on one
keep-alive connection, the way the PostGIS peer sends one prepared statement at a time.

    tekichi_latency.py PORT sites-points.csv N  → prints JSON {median_us, p99_us, n}

Every answer must be 200 and carry the report of the point asked for; anything else stops the
run with a message.  Standard library only.
"""

from __future__ import annotations

import csv
import http.client
import json
import statistics
import sys
import time


def main() -> int:
    port, path, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    with open(path, encoding="utf-8") as f:
        coords = [(r["lon"], r["lat"]) for _, r in zip(range(n), csv.DictReader(f))]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    lat_us = []
    for k, (lon, lat) in enumerate(coords):
        t = time.perf_counter_ns()
        conn.request("GET", f"/api/assess?lon={lon}&lat={lat}")
        resp = conn.getresponse()
        body = resp.read()
        lat_us.append((time.perf_counter_ns() - t) / 1000)
        if resp.status != 200:
            sys.exit(f"GET /api/assess?lon={lon}&lat={lat}: HTTP {resp.status}: {body[:300]!r}")
        if k == 0:
            report = json.loads(body)
            if report.get("hazard", {}).get("total") is None:
                sys.exit(f"unexpected answer from tekichi serve: {body[:300]!r}")
    print(json.dumps({"median_us": statistics.median(lat_us), "p99_us": sorted(lat_us)[int(0.99 * (len(lat_us) - 1))], "n": len(lat_us)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
