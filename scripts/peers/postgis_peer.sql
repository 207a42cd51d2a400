-- PostGIS peer of tekichi, written as a GIS analyst would (PostgreSQL 15 + PostGIS 3.3).
--
-- scripts/peers/postgis_peer.py runs the sections of this file by name (`-- name: …`):
-- `prepare` and `analyze` once after ogr2ogr has loaded every layer file into a table named after its
-- kind (geometry column `geom`, EPSG:4326 = JGD2011 lon/lat, GiST index, `fid` = the
-- GeoJSON id or the 0-based index), `points` and `parcels` once for the whole batch, and
-- `point` (the `points` query over one site given as $1 lon, $2 lat) as a prepared
-- statement for the single-query round trip.
--
-- The rubric reading (the same as scripts/peers/rubric.py, written apart):
--   hazard: ア flood none 5 · <0.5 m 2 · 0.5–3.0 m 1 · ≥3.0 m 0;  イ river_erosion outside 2 ·
--   inside 0;  ウ landslide (がけ崩れ, A33_001 = 1, only) outside 4 · yellow (A33_002 1|3) 1 ·
--   red (2|4) 0;  エ tsunami none 4 · <0.5 m 2 · 0.5–3.0 m 1 · ≥3.0 m 0.  The lowest score
--   of the zones touching the site applies per category; a depth class [lo, hi) scores the
--   worst band it meets; KSJ ranks 1..6; range texts after NFKC; unrecognised → worst.
--   governing district: point → containing district, worst verdict then lowest fid on a
--   shared boundary; parcel → largest share of the geodesic area (pieces above the 1 m²
--   sliver tolerance; shares within 1e-6 tie → worst verdict, lowest fid); no district
--   governs when the uncovered part is larger than every district's share.
--   daily-life area: point → containing area, lowest area id on a boundary; parcel →
--   largest share, ties to the lowest area id.
--   nearest facility: geodesic (geography, spheroid) metres to the nearest `small_multi`
--   facility; for a parcel 0 when the facility is inside or on it, else from its boundary.
-- Predicates run on geometry (lon/lat, as in the files); areas and distances on geography.

-- name: prepare
-- Depth class of one zone → points under 多賀城市 2023 (flood and tsunami share the bands).
CREATE OR REPLACE FUNCTION inundation_points(lo float8, hi float8) RETURNS int
LANGUAGE sql IMMUTABLE AS $$
  -- [lo, hi) is a class, lo = hi an exact depth, NULL unrecognised (worst band).
  SELECT CASE
    WHEN lo IS NULL THEN 0
    WHEN (lo = hi AND lo >= 3.0) OR (lo < hi AND hi > 3.0) THEN 0
    WHEN (lo = hi AND lo >= 0.5) OR (lo < hi AND hi > 0.5) THEN 1
    ELSE 2 END
$$;

-- A depth text (a以上b未満, a未満, a以上, a～b, a〜b, a-b, or a bare number in metres).
CREATE OR REPLACE FUNCTION depth_text_points(t text) RETURNS int
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  s text := replace(replace(lower(normalize(btrim(t), NFKC)), ' ', ''), 'm', '');
  n text := '([0-9]+(?:\.[0-9]+)?)';
  m text[];
BEGIN
  IF t IS NULL THEN RETURN NULL; END IF;
  m := regexp_match(s, '^' || n || '以上' || n || '未満$');
  IF m IS NOT NULL AND m[1]::float8 < m[2]::float8 THEN RETURN inundation_points(m[1]::float8, m[2]::float8); END IF;
  m := regexp_match(s, '^' || n || '未満$');
  IF m IS NOT NULL THEN RETURN inundation_points(0, m[1]::float8); END IF;
  m := regexp_match(s, '^' || n || '以上$');
  IF m IS NOT NULL THEN RETURN inundation_points(m[1]::float8, 'Infinity'); END IF;
  m := regexp_match(s, '^' || n || '[~〜-]' || n || '$');
  IF m IS NOT NULL AND m[1]::float8 < m[2]::float8 THEN RETURN inundation_points(m[1]::float8, m[2]::float8); END IF;
  m := regexp_match(s, '^' || n || '$');
  IF m IS NOT NULL THEN RETURN inundation_points(m[1]::float8, m[1]::float8); END IF;
  RETURN NULL;
END $$;

-- KSJ depth rank 1..6 → points.
CREATE OR REPLACE FUNCTION depth_rank_points(r int) RETURNS int
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE r WHEN 1 THEN inundation_points(0, 0.5) WHEN 2 THEN inundation_points(0.5, 3.0)
                WHEN 3 THEN 0 WHEN 4 THEN 0 WHEN 5 THEN 0 WHEN 6 THEN 0 END
$$;

ALTER TABLE flood ADD COLUMN points int;
UPDATE flood SET points = coalesce(depth_text_points(depth_m::text), depth_rank_points(a31a_205), depth_text_points(depth), 0);
ALTER TABLE tsunami ADD COLUMN points int;
UPDATE tsunami SET points = coalesce(depth_text_points(a40_003), 0);
ALTER TABLE river_erosion ADD COLUMN points int;
UPDATE river_erosion SET points = 0;
ALTER TABLE landslide ADD COLUMN points int;
UPDATE landslide SET points = CASE WHEN a33_002 IN (1, 3) THEN 1 ELSE 0 END;
-- 土石流 (2) and 地すべり (3) zones are not scored under 多賀城市: leave them out.
DELETE FROM landslide WHERE a33_001 IN (2, 3);

ALTER TABLE zoning ADD COLUMN verdict int;  -- 0 buildable, 1 conditional, 2 unknown, 3 not_buildable
UPDATE zoning SET verdict = CASE
  WHEN a29_004 IN (1, 2, 3, 4, 5, 6, 7, 21, 13) THEN 0
  WHEN a29_004 IN (8, 9, 10, 11) THEN 1
  WHEN a29_004 = 12 THEN 3
  ELSE 2 END;

ALTER TABLE daily_life_area ADD COLUMN area_id text;
UPDATE daily_life_area SET area_id = btrim(a32_003);

DROP TABLE IF EXISTS target_facility;
CREATE TABLE target_facility AS
  SELECT fid, name, geom, geom::geography AS geog FROM facility
  WHERE coalesce(btrim(type), 'small_multi') = 'small_multi';
CREATE INDEX ON target_facility USING gist (geog);
CREATE INDEX ON target_facility USING gist (geom);

-- name: analyze
VACUUM ANALYZE;

-- name: points
SELECT s.site_id,
       coalesce(fl.points, 5) + coalesce(re.points, 2) + coalesce(ls.points, 4) + coalesce(ts.points, 4) AS hazard_total,
       z.fid AS district,
       a.area_id,
       f.d AS nearest_m
FROM sites_pt s
LEFT JOIN LATERAL (SELECT min(h.points) AS points FROM flood h WHERE ST_Intersects(h.geom, s.geom)) fl ON true
LEFT JOIN LATERAL (SELECT min(h.points) AS points FROM river_erosion h WHERE ST_Intersects(h.geom, s.geom)) re ON true
LEFT JOIN LATERAL (SELECT min(h.points) AS points FROM landslide h WHERE ST_Intersects(h.geom, s.geom)) ls ON true
LEFT JOIN LATERAL (SELECT min(h.points) AS points FROM tsunami h WHERE ST_Intersects(h.geom, s.geom)) ts ON true
LEFT JOIN LATERAL (SELECT z.fid FROM zoning z WHERE ST_Intersects(z.geom, s.geom)
                   ORDER BY z.verdict DESC, z.fid LIMIT 1) z ON true
LEFT JOIN LATERAL (SELECT a.area_id FROM daily_life_area a WHERE ST_Intersects(a.geom, s.geom)
                   ORDER BY a.area_id, a.fid LIMIT 1) a ON true
-- KNN (<->) on geography orders by sphere distance; every facility within 1 percent more of the
-- sphere-nearest is measured on the spheroid, so the true nearest is among them.
LEFT JOIN LATERAL (
  SELECT min(ST_Distance(t.geog, s.geom::geography)) AS d
  FROM target_facility t
  WHERE ST_DWithin(t.geog, s.geom::geography,
        (SELECT 1.01 * (k.geog <-> s.geom::geography) + 1.0 FROM target_facility k
         ORDER BY k.geog <-> s.geom::geography LIMIT 1))
) f ON true
ORDER BY s.ord;

-- name: parcels
SELECT s.site_id,
       coalesce(fl.points, 5) + coalesce(re.points, 2) + coalesce(ls.points, 4) + coalesce(ts.points, 4) AS hazard_total,
       z.fid AS district,
       a.area_id,
       f.d AS nearest_m
FROM (SELECT p.*, ST_Area(p.geom::geography) AS area FROM sites_parcel p) s
-- a hazard zone counts when its overlap with the parcel is above the 1 m² sliver tolerance
LEFT JOIN LATERAL (SELECT min(h.points) AS points FROM flood h WHERE ST_Intersects(h.geom, s.geom)
                   AND ST_Area(ST_Intersection(h.geom, s.geom)::geography) > 1.0) fl ON true
LEFT JOIN LATERAL (SELECT min(h.points) AS points FROM river_erosion h WHERE ST_Intersects(h.geom, s.geom)
                   AND ST_Area(ST_Intersection(h.geom, s.geom)::geography) > 1.0) re ON true
LEFT JOIN LATERAL (SELECT min(h.points) AS points FROM landslide h WHERE ST_Intersects(h.geom, s.geom)
                   AND ST_Area(ST_Intersection(h.geom, s.geom)::geography) > 1.0) ls ON true
LEFT JOIN LATERAL (SELECT min(h.points) AS points FROM tsunami h WHERE ST_Intersects(h.geom, s.geom)
                   AND ST_Area(ST_Intersection(h.geom, s.geom)::geography) > 1.0) ts ON true
LEFT JOIN LATERAL (
  WITH d AS (
    SELECT z.fid, z.verdict, ST_Area(ST_Intersection(z.geom, s.geom)::geography) AS m2
    FROM zoning z WHERE ST_Intersects(z.geom, s.geom)),
  k AS (SELECT fid, verdict, least(m2 / s.area, 1.0) AS share, m2 FROM d WHERE m2 > 1.0),
  u AS (SELECT CASE WHEN s.area - coalesce(sum(m2), 0) > 1.0
                    THEN least(greatest((s.area - coalesce(sum(m2), 0)) / s.area, 0), 1) ELSE 0 END AS uncovered,
               max(share) AS top FROM k)
  SELECT k.fid FROM k, u
  WHERE k.share >= u.top - 1e-6 AND u.top + 1e-6 >= u.uncovered
  ORDER BY k.verdict DESC, k.fid LIMIT 1
) z ON true
LEFT JOIN LATERAL (
  WITH k AS (SELECT a.area_id, a.fid, ST_Area(ST_Intersection(a.geom, s.geom)::geography) AS m2
             FROM daily_life_area a WHERE ST_Intersects(a.geom, s.geom))
  SELECT k.area_id FROM k
  WHERE k.m2 > 1.0 AND k.m2 / s.area >= (SELECT max(m2) FROM k WHERE m2 > 1.0) / s.area - 1e-6
  ORDER BY k.area_id, k.fid LIMIT 1
) a ON true
LEFT JOIN LATERAL (
  SELECT min(CASE WHEN ST_Intersects(t.geom, s.geom) THEN 0 ELSE ST_Distance(t.geog, s.geom::geography) END) AS d
  FROM target_facility t
  WHERE ST_DWithin(t.geog, s.geom::geography,
        (SELECT 1.01 * (k.geog <-> s.geom::geography) + 1.0 FROM target_facility k
         ORDER BY k.geog <-> s.geom::geography LIMIT 1))
) f ON true
ORDER BY s.ord;
