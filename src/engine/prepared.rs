//! A polygon prepared for repeated queries. A point test reads the segments crossing the
//! point's latitude straight from a horizontal band (no tree walk, no allocation); a
//! rectangle test walks an R-tree of the segments' envelopes. Large zones (a 区域区分 or
//! 中学校区 with thousands of vertices) are answered without visiting every vertex.
//!
//! The point predicate is exactly geo's `coord_pos_relative_to_ring` (winding number with
//! robust `orient2d`), restricted to the segments that can contribute.

use geo::{Coord, GeoNum, Kernel, Orientation, Polygon};

/// geo's robust (exact) orientation predicate for f64.
type RobustKernel = <f64 as GeoNum>::Ker;
use rstar::primitives::Rectangle;
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

/// A segment: its two ends and the ring it belongs to (0 = exterior).
#[derive(Debug, Clone, Copy)]
struct Segment {
    a: Coord<f64>,
    b: Coord<f64>,
    ring: u32,
}

/// Rings counted on the stack; polygons with more holes use a heap buffer.
const STACK_RINGS: usize = 16;

/// Horizontal bands of equal height over the polygon's latitude range; each lists the
/// segments whose latitude range meets it, so the segments crossing any latitude are all
/// in that latitude's band.
#[derive(Debug)]
struct Bands {
    min_y: f64,
    max_y: f64,
    /// Bands per degree of latitude.
    per_degree: f64,
    /// `members[start[i]..start[i + 1]]` are band `i`'s segments.
    start: Vec<u32>,
    members: Vec<u32>,
}

impl Bands {
    /// Chooses the band count so that the listings total about three per segment (a
    /// segment is listed once in every band it spans), with no more bands than segments.
    fn new(segments: &[Segment]) -> Self {
        let min_y = segments.iter().map(|s| s.a.y.min(s.b.y)).fold(f64::INFINITY, f64::min);
        let max_y = segments
            .iter()
            .map(|s| s.a.y.max(s.b.y))
            .fold(f64::NEG_INFINITY, f64::max);
        let span = max_y - min_y;
        let total_dy: f64 = segments.iter().map(|s| (s.a.y - s.b.y).abs()).sum();
        let n = segments.len() as f64;
        let count = if span > 0.0 && total_dy > 0.0 {
            n.min(2.0 * n * span / total_dy).max(1.0) as usize
        } else {
            1
        };
        let mut bands = Self {
            min_y,
            max_y,
            per_degree: if span > 0.0 { count as f64 / span } else { 0.0 },
            start: vec![0; count + 1],
            members: Vec::new(),
        };
        // Counting sort: sizes, offsets, then fill.
        for s in segments {
            let (lo, hi) = bands.spanned(s);
            for size in &mut bands.start[lo + 1..=hi + 1] {
                *size += 1;
            }
        }
        for i in 0..count {
            bands.start[i + 1] += bands.start[i];
        }
        let mut next = bands.start.clone();
        bands.members = vec![0; bands.start[count] as usize];
        for (i, s) in segments.iter().enumerate() {
            let (lo, hi) = bands.spanned(s);
            for slot in &mut next[lo..=hi] {
                bands.members[*slot as usize] = i as u32;
                *slot += 1;
            }
        }
        bands
    }

    /// The band of latitude `y`. Monotone in `y` (a subtraction, a multiplication by a
    /// positive constant and a truncation), so a segment listed in the bands of its two
    /// ends' latitudes is listed in the band of every latitude between them.
    fn of(&self, y: f64) -> usize {
        (((y - self.min_y) * self.per_degree) as usize).min(self.start.len() - 2)
    }

    fn spanned(&self, s: &Segment) -> (usize, usize) {
        (self.of(s.a.y.min(s.b.y)), self.of(s.a.y.max(s.b.y)))
    }

    /// The segments whose latitude range may contain `y` (none outside the polygon's range).
    fn at(&self, y: f64) -> &[u32] {
        if !(self.min_y..=self.max_y).contains(&y) {
            return &[];
        }
        let band = self.of(y);
        &self.members[self.start[band] as usize..self.start[band + 1] as usize]
    }
}

/// A polygon's segments, banded for point tests and in an R-tree for rectangle tests.
#[derive(Debug)]
pub struct PreparedPolygon {
    segments: Vec<Segment>,
    bands: Bands,
    envelopes: RTree<Rectangle<[f64; 2]>>,
    rings: usize,
}

impl PreparedPolygon {
    /// Indexes every segment of every ring of the polygon.
    pub fn new(polygon: &Polygon<f64>) -> Self {
        let rings: Vec<_> = std::iter::once(polygon.exterior()).chain(polygon.interiors()).collect();
        let segments: Vec<Segment> = rings
            .iter()
            .enumerate()
            .flat_map(|(r, ring)| {
                ring.lines().map(move |l| Segment {
                    a: l.start,
                    b: l.end,
                    ring: r as u32,
                })
            })
            .collect();
        let envelopes = segments
            .iter()
            .map(|s| Rectangle::from_corners([s.a.x, s.a.y], [s.b.x, s.b.y]))
            .collect();
        Self {
            bands: Bands::new(&segments),
            envelopes: RTree::bulk_load(envelopes),
            segments,
            rings: rings.len(),
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
        for &i in self.bands.at(c.y) {
            let Segment { a, b, ring } = self.segments[i as usize];
            // Only segments meeting the ray from `c` eastwards can count or hold `c`.
            if a.y.min(b.y) > c.y || a.y.max(b.y) < c.y || a.x.max(b.x) < c.x {
                continue;
            }
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
        self.envelopes
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

    /// A comb: one vertical tooth per height on a base, so most segments are
    /// vertical and a horizontal line crosses many of them; vertices on the 1/1024 grid.
    fn comb(heights: &[u32]) -> Polygon<f64> {
        let g = |v: i32| v as f64 / 1024.0;
        let mut ring = vec![coord! { x: g(0), y: g(0) }];
        for (i, h) in heights.iter().enumerate() {
            let x = 8 * i as i32;
            ring.push(coord! { x: g(x), y: g(64 + *h as i32) });
            ring.push(coord! { x: g(x + 4), y: g(64 + *h as i32) });
            ring.push(coord! { x: g(x + 4), y: g(32) });
            ring.push(coord! { x: g(x + 8), y: g(32) });
        }
        ring.push(coord! { x: g(8 * heights.len() as i32), y: g(0) });
        ring.push(ring[0]);
        Polygon::new(LineString(ring), vec![])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// Many bands, segments spanning many of them and points on band edges, vertices
        /// and edges: the banded test agrees with geo's `intersects` everywhere.
        #[test]
        fn comb_agrees_with_geo_intersects(
            heights in proptest::collection::vec(0u32..512, 13..80),
            px in -16i32..700,
        ) {
            let poly = comb(&heights);
            let prepared = PreparedPolygon::new(&poly);
            let bands = &prepared.bands;
            prop_assert!(bands.start.len() > 4, "several bands");
            // Every grid latitude from below to above the comb, and every band edge.
            let edges = (0..bands.start.len()).map(|k| bands.min_y + k as f64 / bands.per_degree);
            let latitudes = (-4..=600).map(|y| y as f64 / 1024.0).chain(edges);
            for y in latitudes {
                for dx in [-1, 0, 1, 4] {
                    let c = coord! { x: (px + dx) as f64 / 1024.0, y: y };
                    prop_assert_eq!(prepared.intersects(c), poly.intersects(&Point(c)), "at {:?}", c);
                }
            }
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
