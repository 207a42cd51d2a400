//! A polygon prepared for repeated point queries: its ring segments go into an R-tree, so
//! a boundary-inclusive point test visits only the segments crossing the point's ray
//! instead of every vertex. Large zones (a 区域区分 or 中学校区 with thousands of
//! vertices) are answered in O(log n).
//!
//! The predicate is exactly geo's `coord_pos_relative_to_ring` (winding number with
//! robust `orient2d`), restricted to the segments that can contribute.

use geo::{Coord, GeoNum, Kernel, Orientation, Polygon};

/// geo's robust (exact) orientation predicate for f64.
type RobustKernel = <f64 as GeoNum>::Ker;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

/// Parts with more vertices than this are prepared; smaller ones are walked directly.
pub const PREPARE_ABOVE_VERTICES: usize = 48;

/// Where a point lies relative to a polygon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    Inside,
    OnBoundary,
    Outside,
}

/// A segment and the ring it belongs to (0 = exterior).
type Segment = GeomWithData<Rectangle<[f64; 2]>, (Coord<f64>, Coord<f64>, u32)>;

/// Rings counted on the stack; polygons with more holes use a heap buffer.
const STACK_RINGS: usize = 16;

/// A polygon's segments indexed by envelope.
#[derive(Debug)]
pub struct PreparedPolygon {
    segments: RTree<Segment>,
    rings: usize,
    max_x: f64,
}

impl PreparedPolygon {
    /// Indexes every segment of every ring of the polygon.
    pub fn new(polygon: &Polygon<f64>) -> Self {
        let mut max_x = f64::NEG_INFINITY;
        let rings: Vec<_> = std::iter::once(polygon.exterior()).chain(polygon.interiors()).collect();
        let segments = rings
            .iter()
            .enumerate()
            .flat_map(|(r, ring)| ring.lines().map(move |l| (r as u32, l)))
            .map(|(r, l)| {
                max_x = max_x.max(l.start.x).max(l.end.x);
                GeomWithData::new(
                    Rectangle::from_corners([l.start.x, l.start.y], [l.end.x, l.end.y]),
                    (l.start, l.end, r),
                )
            })
            .collect();
        Self {
            segments: RTree::bulk_load(segments),
            rings: rings.len(),
            max_x,
        }
    }

    /// Position of `c`: `OnBoundary` when it lies on any segment; `Inside` when the
    /// exterior ring winds around it and no hole does (whatever the rings' orientation).
    pub fn position(&self, c: Coord<f64>) -> Position {
        let mut stack = [0i32; STACK_RINGS];
        let mut heap = Vec::new();
        let winding: &mut [i32] = if self.rings <= STACK_RINGS {
            &mut stack[..self.rings]
        } else {
            heap.resize(self.rings, 0);
            &mut heap
        };
        let ray = AABB::from_corners([c.x, c.y], [self.max_x.max(c.x), c.y]);
        for seg in self.segments.locate_in_envelope_intersecting(&ray) {
            let (a, b, ring) = seg.data;
            let winding = &mut winding[ring as usize];
            let between_x = |x: f64| (a.x.min(b.x)..=a.x.max(b.x)).contains(&x);
            if a.y <= c.y {
                if b.y >= c.y {
                    match RobustKernel::orient2d(a, b, c) {
                        Orientation::CounterClockwise if b.y != c.y => *winding += 1,
                        Orientation::Collinear if between_x(c.x) => return Position::OnBoundary,
                        _ => {}
                    }
                }
            } else {
                match RobustKernel::orient2d(a, b, c) {
                    Orientation::Clockwise => *winding -= 1,
                    Orientation::Collinear if between_x(c.x) => return Position::OnBoundary,
                    _ => {}
                }
            }
        }
        if winding[0] != 0 && winding[1..].iter().all(|w| *w == 0) {
            Position::Inside
        } else {
            Position::Outside
        }
    }

    /// Inside or on the boundary.
    pub fn intersects(&self, c: Coord<f64>) -> bool {
        self.position(c) != Position::Outside
    }

    /// Whether any segment's envelope meets the rectangle. When none does, everything in
    /// the rectangle is on one side of the boundary: one point test decides for all of it.
    pub fn has_segments_in(&self, min: Coord<f64>, max: Coord<f64>) -> bool {
        let envelope = AABB::from_corners([min.x, min.y], [max.x, max.y]);
        self.segments
            .locate_in_envelope_intersecting(&envelope)
            .next()
            .is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{coord, Intersects, LineString, Point};
    use proptest::prelude::*;

    fn star(n: usize, cx: f64, cy: f64) -> Polygon<f64> {
        let ring: Vec<Coord<f64>> = (0..=n)
            .map(|i| {
                let t = (i % n) as f64 / n as f64 * std::f64::consts::TAU;
                let r = if i % 2 == 0 { 1.0 } else { 0.45 };
                // Snap to a grid so vertices and edges can be hit exactly.
                coord! { x: ((cx + r * t.cos()) * 1024.0).round() / 1024.0, y: ((cy + r * t.sin()) * 1024.0).round() / 1024.0 }
            })
            .collect();
        let hole: Vec<Coord<f64>> = [
            (-0.125, -0.125),
            (0.125, -0.125),
            (0.125, 0.125),
            (-0.125, 0.125),
            (-0.125, -0.125),
        ]
        .iter()
        .map(|(x, y)| coord! { x: cx + x, y: cy + y })
        .collect();
        Polygon::new(LineString(ring), vec![LineString(hole)])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// Agrees with geo's own boundary-inclusive `intersects`, including on vertices,
        /// edges and the hole, for points on a grid that hits them.
        #[test]
        fn agrees_with_geo_intersects(
            n in 3usize..40,
            px in -1200i32..1200,
            py in -1200i32..1200,
            near_hole in any::<bool>(),
            reversed in any::<bool>(),
            vertex in any::<bool>(),
            k in 0usize..80,
        ) {
            let mut poly = star(2 * n, 0.0, 0.0);
            if reversed {
                // Holes wound like the shell, as real files often have them.
                poly = Polygon::new(poly.exterior().clone(), poly.interiors().iter().map(|r| LineString(r.0.iter().rev().copied().collect())).collect());
            }
            let (px, py) = if near_hole { (px / 6, py / 6) } else { (px, py) };
            let prepared = PreparedPolygon::new(&poly);
            let c = if vertex {
                poly.exterior().0[k % poly.exterior().0.len()]
            } else {
                coord! { x: px as f64 / 1024.0, y: py as f64 / 1024.0 }
            };
            prop_assert_eq!(prepared.intersects(c), poly.intersects(&Point(c)), "at {:?}", c);
        }
    }

    #[test]
    fn hole_and_its_edge() {
        let poly = star(16, 0.0, 0.0);
        let prepared = PreparedPolygon::new(&poly);
        assert_eq!(prepared.position(coord! { x: 0.0, y: 0.0 }), Position::Outside);
        assert_eq!(prepared.position(coord! { x: 0.125, y: 0.0 }), Position::OnBoundary);
        assert_eq!(prepared.position(coord! { x: 0.3, y: 0.0 }), Position::Inside);
        assert_eq!(prepared.position(coord! { x: 2.0, y: 0.0 }), Position::Outside);
    }
}
