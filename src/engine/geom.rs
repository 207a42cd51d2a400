//! Geodesic measures on JGD2011 geographic coordinates (lon, lat in degrees).
//!
//! Containment predicates elsewhere in the engine run on the exact input coordinates;
//! this module turns geometry into metres: areas in m² and distances in m on the
//! GRS80/WGS84 ellipsoid (the two differ by less than a millimetre here), via
//! Karney's algorithms (`geographiclib-rs`).

use geo::{BoundingRect, Coord, LineString, MultiPolygon, Point, Polygon};
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
    let open = open_ring(&ring.0);
    if open.len() < 3 {
        return 0.0;
    }
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

/// Twice the signed planar area of the triangle (a, b, p): positive when `p` lies to the
/// left of the line from `a` to `b`.
fn side(a: Coord<f64>, b: Coord<f64>, p: Coord<f64>) -> f64 {
    (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x)
}

/// A ring's positions without the closing repeat of the first.
fn open_ring(coords: &[Coord<f64>]) -> &[Coord<f64>] {
    match coords {
        [first, .., last] if first == last => &coords[..coords.len() - 1],
        _ => coords,
    }
}

/// Areas of small regions around one latitude whose edges are straight in lon/lat, as
/// the clipping of parcels by zones produces them: the ellipsoid's area element per
/// square radian, `w(φ) = M(φ)·N(φ)·cos φ`, expanded to second order around φ₀. A ring
/// then encloses `|∮ W(φ) dλ|` with `W(φ) = ∫_{φ₀}^{φ} w`, which each edge contributes in
/// closed form; within a few kilometres of φ₀ the truncation is below 10⁻⁹ of the area.
///
/// Unlike the geodesic area (edges as geodesics), this measure adds up along a straight
/// segment split anywhere, so the pieces of a partition sum exactly to the whole and
/// clipping's doubled edges enclose nothing. Over a parcel the two readings of an edge
/// differ by about a part per million of its area.
#[derive(Debug, Clone, Copy)]
pub struct StraightEdgeArea {
    lat0: f64,
    /// w(φ₀), w′(φ₀)/2 and w″(φ₀)/6: the coefficients of u, u² and u³ in W, u = φ − φ₀.
    coefficients: [f64; 3],
}

impl StraightEdgeArea {
    /// The measure expanded around latitude `lat_deg`.
    pub fn around(lat_deg: f64) -> Self {
        let ellipsoid = ellipsoid();
        let (a, e2) = (ellipsoid.equatorial_radius(), ellipsoid._e2);
        let w = |phi: f64| {
            let d = 1.0 - e2 * phi.sin().powi(2);
            a * a * (1.0 - e2) * phi.cos() / (d * d)
        };
        let (lat0, h) = (lat_deg.to_radians(), 1e-3);
        let (w0, wp, wm) = (w(lat0), w(lat0 + h), w(lat0 - h));
        let first = (wp - wm) / (2.0 * h);
        let second = (wp - 2.0 * w0 + wm) / (h * h);
        Self {
            lat0,
            coefficients: [w0, first / 2.0, second / 6.0],
        }
    }

    /// Signed area (m², positive counter-clockwise) of a ring, closed or open.
    fn ring_signed_m2(&self, ring: &[Coord<f64>]) -> f64 {
        let [c1, c2, c3] = self.coefficients;
        let ring = open_ring(ring);
        let n = ring.len();
        let mut sum = 0.0;
        for i in 0..n {
            let (p, q) = (ring[i], ring[(i + 1) % n]);
            let (u1, u2) = (p.y.to_radians() - self.lat0, q.y.to_radians() - self.lat0);
            // The mean of W along the edge, where u runs linearly from u1 to u2.
            let mean_w = c1 * (u1 + u2) / 2.0
                + c2 * (u1 * u1 + u1 * u2 + u2 * u2) / 3.0
                + c3 * (u1 + u2) * (u1 * u1 + u2 * u2) / 4.0;
            sum -= (q.x - p.x).to_radians() * mean_w;
        }
        sum
    }

    /// Area (m²) of a polygon: its exterior minus its holes, whatever their winding.
    pub fn polygon_m2(&self, polygon: &Polygon<f64>) -> f64 {
        let holes: f64 = polygon
            .interiors()
            .iter()
            .map(|r| self.ring_signed_m2(&r.0).abs())
            .sum();
        (self.ring_signed_m2(&polygon.exterior().0).abs() - holes).max(0.0)
    }

    /// Area (m²) of a multipolygon, the sum of its parts.
    pub fn multipolygon_m2(&self, mp: &MultiPolygon<f64>) -> f64 {
        mp.0.iter().map(|p| self.polygon_m2(p)).sum()
    }
}

/// A convex parcel part without holes, prepared to measure how much of another polygon
/// lies inside it by clipping (Sutherland–Hodgman) instead of building the intersection.
/// Where the other polygon leaves and re-enters, the clipped ring runs along this part's
/// edge there and back, which encloses no area under [`StraightEdgeArea`].
#[derive(Debug, Clone)]
pub struct ConvexPart {
    /// Counter-clockwise, open (no repeated closing position), no repeated positions.
    ring: Vec<Coord<f64>>,
}

impl ConvexPart {
    /// `None` unless the polygon is convex (collinear vertices allowed) without holes.
    pub fn new(polygon: &Polygon<f64>) -> Option<Self> {
        if !polygon.interiors().is_empty() {
            return None;
        }
        let mut ring: Vec<Coord<f64>> = open_ring(&polygon.exterior().0).to_vec();
        ring.dedup();
        let n = ring.len();
        let (mut left, mut right) = (false, false);
        for i in 0..n {
            let turn = side(ring[i], ring[(i + 1) % n], ring[(i + 2) % n]);
            left |= turn > 0.0;
            right |= turn < 0.0;
        }
        match (left, right) {
            (true, false) => Some(Self { ring }),
            (false, true) => {
                ring.reverse();
                Some(Self { ring })
            }
            _ => None,
        }
    }

    /// Area (m², under `measure`) of the part of `polygon` inside this part: its clipped
    /// exterior minus its clipped holes.
    pub fn area_inside_m2(&self, polygon: &Polygon<f64>, measure: &StraightEdgeArea) -> f64 {
        let clipped = |ring: &LineString<f64>| measure.ring_signed_m2(&self.clip(&ring.0)).abs();
        let holes: f64 = polygon.interiors().iter().map(clipped).sum();
        (clipped(polygon.exterior()) - holes).max(0.0)
    }

    /// The part of a ring inside this part (Sutherland–Hodgman), keeping its winding.
    fn clip(&self, ring: &[Coord<f64>]) -> Vec<Coord<f64>> {
        let mut output = open_ring(ring).to_vec();
        let mut input = Vec::with_capacity(output.len());
        for (i, &a) in self.ring.iter().enumerate() {
            let b = self.ring[(i + 1) % self.ring.len()];
            std::mem::swap(&mut input, &mut output);
            output.clear();
            let Some(&last) = input.last() else { break };
            let (mut s, mut ds) = (last, side(a, b, last));
            for &e in &input {
                let de = side(a, b, e);
                let crossing = |s: Coord<f64>, ds: f64| {
                    let t = ds / (ds - de);
                    Coord {
                        x: s.x + t * (e.x - s.x),
                        y: s.y + t * (e.y - s.y),
                    }
                };
                if de >= 0.0 {
                    if ds < 0.0 {
                        output.push(crossing(s, ds));
                    }
                    output.push(e);
                } else if ds >= 0.0 {
                    output.push(crossing(s, ds));
                }
                (s, ds) = (e, de);
            }
        }
        output
    }
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

/// Mean spacing (m) of points spread evenly over their lon/lat bounding box: the square
/// root of the box's approximate area per point (0 for fewer than two distinct points). A
/// scale for search radii, not a measurement.
pub fn mean_spacing_m(points: impl Iterator<Item = Point<f64>>) -> f64 {
    let points: geo::MultiPoint<f64> = points.collect();
    let Some(r) = points.bounding_rect() else { return 0.0 };
    let m_per_deg = MEAN_EARTH_RADIUS_M.to_radians();
    let mid_lat = ((r.min().y + r.max().y) / 2.0).to_radians();
    let area_m2 = r.width() * mid_lat.cos() * m_per_deg * r.height() * m_per_deg;
    (area_m2 / points.0.len() as f64).sqrt()
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
    fn convex_parts_are_convex_polygons_without_holes_turned_counter_clockwise() {
        let clockwise = square(141.0, 38.0, 0.001).orient(geo::orient::Direction::Reversed);
        let part = ConvexPart::new(&clockwise).expect("a square is convex");
        assert_eq!(part.ring.len(), 4);
        assert!(
            side(part.ring[0], part.ring[1], part.ring[2]) > 0.0,
            "counter-clockwise"
        );
        // A collinear vertex on an edge keeps it convex.
        let with_midpoint = Polygon::new(
            LineString::from(vec![
                (0.0, 0.0),
                (1.0, 0.0),
                (2.0, 0.0),
                (2.0, 1.0),
                (0.0, 1.0),
                (0.0, 0.0),
            ]),
            vec![],
        );
        assert!(ConvexPart::new(&with_midpoint).is_some());
        let l_shape = Polygon::new(
            LineString::from(vec![
                (0.0, 0.0),
                (2.0, 0.0),
                (2.0, 1.0),
                (1.0, 1.0),
                (1.0, 2.0),
                (0.0, 2.0),
                (0.0, 0.0),
            ]),
            vec![],
        );
        assert!(ConvexPart::new(&l_shape).is_none());
        let outer = square(141.0, 38.0, 0.01);
        let holed = Polygon::new(
            outer.exterior().clone(),
            vec![square(141.004, 38.004, 0.002).exterior().clone()],
        );
        assert!(ConvexPart::new(&holed).is_none());
    }

    #[test]
    fn straight_edge_area_is_within_a_part_per_million_of_the_geodesic_area() {
        // A 1 km square, a 10 km square with a hole, and a thin rotated parcel.
        let hole = square(141.02, 38.02, 0.03);
        let cases = [
            square(141.0, 38.0, 0.01),
            Polygon::new(
                square(141.0, 38.0, 0.1).exterior().clone(),
                vec![hole.exterior().clone()],
            ),
            geo::Rotate::rotate_around_centroid(
                &Polygon::new(
                    LineString::from(vec![
                        (138.1, 36.0),
                        (138.102, 36.0),
                        (138.102, 36.0001),
                        (138.1, 36.0001),
                        (138.1, 36.0),
                    ]),
                    vec![],
                ),
                40.0,
            ),
        ];
        for polygon in cases {
            let straight = StraightEdgeArea::around(polygon.exterior().0[0].y).polygon_m2(&polygon);
            let geodesic = polygon_area_m2(&polygon);
            assert!((straight / geodesic - 1.0).abs() < 1e-6, "{straight} vs {geodesic}");
        }
    }

    /// A ring of `n` vertices around (cx, cy) with radii from `radii` (concave in general).
    fn star(cx: f64, cy: f64, radii: &[f64], scale: f64) -> LineString<f64> {
        let n = radii.len();
        let mut ring: Vec<Coord<f64>> = radii
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let t = i as f64 / n as f64 * std::f64::consts::TAU;
                Coord {
                    x: cx + scale * r * t.cos(),
                    y: cy + scale * r * t.sin(),
                }
            })
            .collect();
        ring.push(ring[0]);
        LineString(ring)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        /// Clipping by a convex parcel measures the same area as the exact intersection does,
        /// for concave zones with holes, zones around the parcel, inside it and beside it.
        #[test]
        fn convex_clip_area_matches_the_exact_intersection(
            radii in proptest::collection::vec(0.3f64..1.0, 3..40),
            hole in proptest::prelude::any::<bool>(),
            (dx, dy) in (-0.003f64..0.003, -0.003f64..0.003),
            zone_scale in 0.0002f64..0.004,
            (w, h, turn) in (0.0001f64..0.002, 0.0001f64..0.002, 0.0f64..std::f64::consts::PI),
        ) {
            use geo::{BooleanOps, Rotate};
            let (cx, cy) = (138.1, 36.0);
            let exterior = star(cx + dx, cy + dy, &radii, zone_scale);
            let holes = if hole {
                vec![star(cx + dx, cy + dy, &[0.15; 6], zone_scale)]
            } else {
                vec![]
            };
            let zone = Polygon::new(exterior, holes);
            // A hole crossing the exterior of a spiky zone makes an invalid zone: skip those.
            proptest::prop_assume!(geo::Validation::is_valid(&zone));
            let parcel = square(cx, cy, 1.0).exterior().0.iter()
                .map(|c| (cx + (c.x - cx) * w, cy + (c.y - cy) * h))
                .collect::<Vec<_>>();
            let parcel = Polygon::new(LineString::from(parcel), vec![]).rotate_around_centroid(turn.to_degrees());
            let convex = ConvexPart::new(&parcel).expect("a rectangle is convex");
            let measure = StraightEdgeArea::around(cy);
            let clipped = convex.area_inside_m2(&zone, &measure);
            let exact = measure.multipolygon_m2(&parcel.intersection(&zone));
            // i_overlay rounds its inputs to an integer grid of a few µm here.
            proptest::prop_assert!(
                (clipped - exact).abs() <= 1e-7 * measure.polygon_m2(&parcel) + 1e-4,
                "clipped {clipped} m², exact {exact} m²"
            );
        }
    }

    #[test]
    fn chord_round_trip() {
        for d in [0.0, 1.0, 500.0, 2000.0, 1.0e6] {
            assert!((distance_m_for_chord2(chord2_for_distance_m(d)) - d).abs() < 1e-6 * d.max(1.0));
        }
    }
}
