//! Geodesic measures on JGD2011 geographic coordinates (lon, lat in degrees).
//!
//! Containment predicates elsewhere in the engine run on the exact input coordinates;
//! this module turns geometry into metres: areas in m² and distances in m on the
//! GRS80/WGS84 ellipsoid (the two differ by less than a millimetre here), via
//! Karney's algorithms (`geographiclib-rs`).

use geo::{Coord, LineString, MultiPolygon, Point, Polygon};
use geographiclib_rs::{Geodesic, InverseGeodesic, PolygonArea, Winding};
use std::sync::OnceLock;

/// Mean Earth radius (m), used only for the spherical pruning bounds of nearest-neighbour search.
pub const MEAN_EARTH_RADIUS_M: f64 = 6_371_008.8;

fn ellipsoid() -> &'static Geodesic {
    static WGS84: OnceLock<Geodesic> = OnceLock::new();
    WGS84.get_or_init(Geodesic::wgs84)
}

/// Geodesic area (m²) enclosed by one ring, whatever its winding.
fn ring_area_m2(ring: &LineString<f64>) -> f64 {
    let mut pa = PolygonArea::new(ellipsoid(), Winding::CounterClockwise);
    // The closing coordinate repeats the first; PolygonArea closes the ring itself.
    let coords = &ring.0;
    let open = match (coords.first(), coords.last()) {
        (Some(a), Some(b)) if coords.len() > 1 && a == b => &coords[..coords.len() - 1],
        _ => &coords[..],
    };
    for c in open {
        pa.add_point(c.y, c.x);
    }
    let (_perimeter, signed_area, _count) = pa.compute(true);
    signed_area.abs()
}

/// Geodesic area (m²) of a polygon: its exterior minus its holes, independent of ring
/// orientation (a clockwise exterior or a counter-clockwise hole gives the same answer).
pub fn polygon_area_m2(polygon: &Polygon<f64>) -> f64 {
    let holes: f64 = polygon.interiors().iter().map(ring_area_m2).sum();
    (ring_area_m2(polygon.exterior()) - holes).max(0.0)
}

/// Geodesic area (m²) of a multipolygon, the sum of its parts (parts are assumed not to overlap).
pub fn multipolygon_area_m2(mp: &MultiPolygon<f64>) -> f64 {
    mp.0.iter().map(polygon_area_m2).sum()
}

/// Geodesic distance (m) between two lon/lat points.
pub fn distance_m(a: Point<f64>, b: Point<f64>) -> f64 {
    let s12: f64 = ellipsoid().inverse(a.y(), a.x(), b.y(), b.x());
    s12
}

/// Initial geodesic bearing (degrees clockwise from north, in `[0, 360)`) from `a` towards `b`.
pub fn bearing_deg(a: Point<f64>, b: Point<f64>) -> f64 {
    distance_and_bearing(a, b).1
}

/// Geodesic distance (m) and initial bearing (degrees in `[0, 360)`) from `a` to `b`,
/// from one solution of the inverse problem.
pub fn distance_and_bearing(a: Point<f64>, b: Point<f64>) -> (f64, f64) {
    let (s12, azi1, _azi2, _a12): (f64, f64, f64, f64) = ellipsoid().inverse(a.y(), a.x(), b.y(), b.x());
    (s12, azi1.rem_euclid(360.0))
}

/// A local equirectangular frame in metres around an origin: accurate to well below a
/// centimetre over a few hundred metres, used only to find the closest point of a short
/// segment before the distance itself is measured geodesically.
struct LocalFrame {
    origin: Coord<f64>,
    m_per_deg_lon: f64,
    m_per_deg_lat: f64,
}

impl LocalFrame {
    fn new(origin: Coord<f64>) -> Self {
        let m_per_deg_lat = MEAN_EARTH_RADIUS_M.to_radians();
        Self {
            origin,
            m_per_deg_lon: m_per_deg_lat * origin.y.to_radians().cos(),
            m_per_deg_lat,
        }
    }

    fn to_local(&self, c: Coord<f64>) -> (f64, f64) {
        (
            (c.x - self.origin.x) * self.m_per_deg_lon,
            (c.y - self.origin.y) * self.m_per_deg_lat,
        )
    }

    fn to_geo(&self, (x, y): (f64, f64)) -> Coord<f64> {
        Coord {
            x: self.origin.x + x / self.m_per_deg_lon,
            y: self.origin.y + y / self.m_per_deg_lat,
        }
    }
}

/// Geodesic distance (m) from `point` to the nearest point of any ring of `mp`
/// (its boundary). The caller decides separately whether the point is inside.
pub fn distance_to_boundary_m(point: Point<f64>, mp: &MultiPolygon<f64>) -> f64 {
    let frame = LocalFrame::new(point.0);
    let mut best: Option<(f64, Coord<f64>)> = None;
    let rings =
        mp.0.iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()));
    for ring in rings {
        for line in ring.lines() {
            let (ax, ay) = frame.to_local(line.start);
            let (bx, by) = frame.to_local(line.end);
            let (dx, dy) = (bx - ax, by - ay);
            let len2 = dx * dx + dy * dy;
            let t = if len2 > 0.0 {
                ((-ax * dx - ay * dy) / len2).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let (cx, cy) = (ax + t * dx, ay + t * dy);
            let d2 = cx * cx + cy * cy;
            if best.is_none_or(|(b, _)| d2 < b) {
                best = Some((d2, frame.to_geo((cx, cy))));
            }
        }
    }
    best.map_or(f64::INFINITY, |(_, c)| distance_m(point, Point(c)))
}

/// Unit vector on the sphere for a lon/lat point: chord distances between such vectors
/// order points exactly as great-circle distances do.
pub fn unit_vector(p: Point<f64>) -> [f64; 3] {
    let (lon, lat) = (p.x().to_radians(), p.y().to_radians());
    [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
}

/// Squared chord length on the unit sphere that corresponds to a great-circle distance in metres.
pub fn chord2_for_distance_m(distance_m: f64) -> f64 {
    let angle = (distance_m / MEAN_EARTH_RADIUS_M).min(std::f64::consts::PI);
    let chord = 2.0 * (angle / 2.0).sin();
    chord * chord
}

/// Great-circle distance (m, on the mean sphere) for a squared unit-sphere chord.
pub fn distance_m_for_chord2(chord2: f64) -> f64 {
    let half = (chord2.sqrt() / 2.0).min(1.0);
    2.0 * half.asin() * MEAN_EARTH_RADIUS_M
}

/// The ellipsoidal geodesic differs from the mean-sphere great circle by less than 0.7 %
/// anywhere on Earth; search bounds use this factor so no candidate is ever missed.
pub const SPHERE_TO_GEODESIC_SLACK: f64 = 0.99;

/// Whether a closed ring crosses or touches itself anywhere other than between
/// consecutive segments (which share a vertex). Segment envelopes go into an R-tree, so
/// a ring of n vertices costs O(n log n) instead of geo's pairwise check.
pub fn ring_self_intersects(ring: &LineString<f64>) -> bool {
    use geo::line_intersection::{line_intersection, LineIntersection};
    use rstar::primitives::{GeomWithData, Rectangle};
    let lines: Vec<geo::Line<f64>> = ring.lines().filter(|l| l.start != l.end).collect();
    let n = lines.len();
    if n < 3 {
        return false;
    }
    let tree = rstar::RTree::bulk_load(
        lines
            .iter()
            .enumerate()
            .map(|(i, l)| GeomWithData::new(Rectangle::from_corners(l.start.x_y().into(), l.end.x_y().into()), i))
            .collect(),
    );
    lines.iter().enumerate().any(|(i, a)| {
        let envelope = rstar::AABB::from_corners(
            [a.start.x.min(a.end.x), a.start.y.min(a.end.y)],
            [a.start.x.max(a.end.x), a.start.y.max(a.end.y)],
        );
        tree.locate_in_envelope_intersecting(&envelope).any(|e| {
            let j = e.data;
            if j <= i {
                return false;
            }
            let adjacent = j == i + 1 || (i == 0 && j == n - 1);
            match line_intersection(*a, lines[j]) {
                None => false,
                // Consecutive segments meet at their shared vertex; anything more is a defect.
                Some(LineIntersection::SinglePoint { .. }) if adjacent => false,
                Some(_) => true,
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, Orient};

    fn square(lon: f64, lat: f64, d: f64) -> Polygon<f64> {
        polygon![(x: lon, y: lat), (x: lon + d, y: lat), (x: lon + d, y: lat + d), (x: lon, y: lat + d), (x: lon, y: lat)]
    }

    #[test]
    fn area_ignores_ring_orientation_and_subtracts_holes() {
        let outer = square(141.0, 38.0, 0.01);
        let hole = square(141.002, 38.002, 0.002);
        let ccw_cw = Polygon::new(outer.exterior().clone(), vec![hole.exterior().clone()])
            .orient(geo::orient::Direction::Default);
        let cw_ccw = ccw_cw.orient(geo::orient::Direction::Reversed);
        let a1 = polygon_area_m2(&ccw_cw);
        let a2 = polygon_area_m2(&cw_ccw);
        assert!((a1 - a2).abs() < 1e-6, "{a1} vs {a2}");
        let expected = polygon_area_m2(&outer) - polygon_area_m2(&hole);
        assert!((a1 - expected).abs() < 1e-6);
        // 0.01° × 0.01° at 38°N is about 877 m × 1110 m.
        assert!((polygon_area_m2(&outer) - 973_000.0).abs() < 5_000.0);
    }

    #[test]
    fn distance_to_boundary_matches_geodesic_to_the_nearest_edge() {
        let mp = MultiPolygon(vec![square(141.0, 38.0, 0.01)]);
        // 0.001° of latitude south of the bottom edge: ~111 m.
        let p = Point::new(141.005, 37.999);
        let d = distance_to_boundary_m(p, &mp);
        let direct = distance_m(p, Point::new(141.005, 38.0));
        assert!((d - direct).abs() < 0.01, "{d} vs {direct}");
        assert!((d - 110.99).abs() < 0.5);
    }

    #[test]
    fn bearing_is_in_range() {
        let a = Point::new(141.0, 38.0);
        assert!((bearing_deg(a, Point::new(141.0, 38.1)) - 0.0).abs() < 1e-9);
        assert!((bearing_deg(a, Point::new(140.9, 38.0)) - 270.0).abs() < 0.1);
    }

    #[test]
    fn self_intersection_is_found_and_simple_rings_pass() {
        let square = square(141.0, 38.0, 0.01);
        assert!(!ring_self_intersects(square.exterior()));
        let bow_tie = LineString::from(vec![
            (141.0, 38.0),
            (141.01, 38.01),
            (141.01, 38.0),
            (141.0, 38.01),
            (141.0, 38.0),
        ]);
        assert!(ring_self_intersects(&bow_tie));
        // A spike that touches an earlier vertex.
        let touching = LineString::from(vec![
            (0.0, 0.0),
            (4.0, 0.0),
            (4.0, 4.0),
            (2.0, 0.0),
            (0.0, 4.0),
            (0.0, 0.0),
        ]);
        assert!(ring_self_intersects(&touching));
    }

    #[test]
    fn chord_round_trip() {
        for d in [0.0, 1.0, 500.0, 2000.0, 1.0e6] {
            assert!((distance_m_for_chord2(chord2_for_distance_m(d)) - d).abs() < 1e-6 * d.max(1.0));
        }
    }
}
