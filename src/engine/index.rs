//! R-tree indexes over one layer's features, queried in two phases: envelope
//! candidates from the tree, then the exact predicate (boundary-inclusive containment on
//! the exact lon/lat coordinates) or the exact geodesic measure.

use crate::engine::geom;
use crate::engine::prepared::{PreparedPolygon, PREPARE_ABOVE_VERTICES};
use crate::engine::site::{Parcel, Site};
use geo::{BooleanOps, BoundingRect, Intersects, MultiPolygon, Point, Polygon};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{Envelope, RTree, RTreeObject, AABB};
use serde::Serialize;
use std::cmp::Ordering;

/// A layer feature's identity: its GeoJSON `id`, else its 0-based index in its file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum FeatureId {
    Number(u64),
    Text(String),
}

impl Ord for FeatureId {
    /// Numbers before texts; numbers by value; texts lexically.
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (FeatureId::Number(a), FeatureId::Number(b)) => a.cmp(b),
            (FeatureId::Number(_), FeatureId::Text(_)) => Ordering::Less,
            (FeatureId::Text(_), FeatureId::Number(_)) => Ordering::Greater,
            (FeatureId::Text(a), FeatureId::Text(b)) => a.cmp(b),
        }
    }
}

impl PartialOrd for FeatureId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl std::fmt::Display for FeatureId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FeatureId::Number(n) => write!(f, "{n}"),
            FeatureId::Text(s) => f.write_str(s),
        }
    }
}

/// One polygon feature of a zone layer with its normalised attributes.
#[derive(Debug, Clone)]
pub struct Zone<A> {
    pub id: FeatureId,
    /// Index of the source file within the layer version (several files may be merged).
    pub file: u32,
    pub geometry: MultiPolygon<f64>,
    pub attrs: A,
}

impl<A> Zone<A> {
    /// Total order used for "lowest feature id" tie-breaks.
    pub fn order_key(&self) -> (&FeatureId, u32) {
        (&self.id, self.file)
    }
}

/// The part of a parcel that lies in one zone feature.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Overlap {
    /// Index of the zone in its layer.
    pub zone: usize,
    /// Geodesic area (m²) of the intersection.
    pub area_m2: f64,
}

/// A polygon part in the tree: (zone index, part index, index into `prepared` or `NOT_PREPARED`).
type PartEntry = GeomWithData<Rectangle<[f64; 2]>, (u32, u32, u32)>;

const NOT_PREPARED: u32 = u32::MAX;

/// A polygon layer indexed by the envelopes of its polygon parts (MultiPolygons are
/// split so a far-flung part does not inflate the envelope of the others). Parts with
/// many vertices also get a [`PreparedPolygon`] for fast point tests. Envelope queries
/// (parcels) walk the R-tree; point queries read one cell of a [`PointGrid`].
#[derive(Debug)]
pub struct ZoneIndex<A> {
    zones: Vec<Zone<A>>,
    tree: RTree<PartEntry>,
    prepared: Vec<PreparedPolygon>,
    /// Every part's envelope and key, in zone order; the grid's cells list indices into it.
    parts: Vec<PartEntry>,
    grid: Option<PointGrid>,
}

/// Cells of a [`PointGrid`] per indexed part: about one part per cell.
const GRID_CELLS_PER_PART: f64 = 1.0;
/// The most cells a [`PointGrid`] has, whatever the layer's size.
const GRID_MAX_CELLS: usize = 1 << 22;
/// A grid whose cell lists would hold more than this many entries per part (parts that
/// are large and overlap, so each one is listed in many cells) is not built; the R-tree
/// answers point queries instead.
const GRID_MAX_ENTRIES_PER_PART: usize = 16;

/// A uniform grid over the envelope of a layer's parts. Each cell lists the parts whose
/// envelope meets it (boundary included), so the parts that may contain a point are the
/// list of the one cell the point falls in: the same monotone cell function maps an
/// envelope's corners and the point, so a point inside an envelope lands in a cell that
/// lists it.
#[derive(Debug)]
struct PointGrid {
    frame: GridFrame,
    /// The parts of cell `c` are `entries[offsets[c]..offsets[c + 1]]`, ascending.
    offsets: Vec<u32>,
    entries: Vec<u32>,
}

/// Where a [`PointGrid`]'s cells lie.
#[derive(Debug, Clone, Copy)]
struct GridFrame {
    min: [f64; 2],
    /// Cells per degree along x and y.
    scale: [f64; 2],
    dims: [usize; 2],
}

impl GridFrame {
    /// The cell (column, row) of a position, clamped to the grid.
    fn cell_of(&self, [x, y]: [f64; 2]) -> (usize, usize) {
        let along = |v: f64, axis: usize| {
            ((v - self.min[axis]) * self.scale[axis])
                .floor()
                .clamp(0.0, (self.dims[axis] - 1) as f64) as usize
        };
        (along(x, 0), along(y, 1))
    }

    /// The first and last cell (column, row) an envelope meets.
    fn corners(&self, envelope: &AABB<[f64; 2]>) -> ((usize, usize), (usize, usize)) {
        (self.cell_of(envelope.lower()), self.cell_of(envelope.upper()))
    }

    /// How many cells an envelope meets.
    fn cell_count(&self, envelope: &AABB<[f64; 2]>) -> usize {
        let ((x0, y0), (x1, y1)) = self.corners(envelope);
        (x1 - x0 + 1) * (y1 - y0 + 1)
    }

    /// The index of every cell an envelope meets (cells count row by row).
    fn cells_of(&self, envelope: &AABB<[f64; 2]>) -> impl Iterator<Item = usize> {
        let ((x0, y0), (x1, y1)) = self.corners(envelope);
        let columns = self.dims[0];
        (y0..=y1).flat_map(move |y| (x0..=x1).map(move |x| y * columns + x))
    }
}

impl PointGrid {
    /// Builds the grid over the parts' envelopes, or `None` for no parts or when the cell
    /// lists would grow past [`GRID_MAX_ENTRIES_PER_PART`] per part.
    fn new<P: RTreeObject<Envelope = AABB<[f64; 2]>>>(parts: &[P]) -> Option<Self> {
        let extent = parts.iter().map(|p| p.envelope()).reduce(|a, b| a.merged(&b))?;
        let (min, max) = (extent.lower(), extent.upper());
        // A degenerate extent (one point, one line) still gets cells of some size.
        let size = [(max[0] - min[0]).max(1e-9), (max[1] - min[1]).max(1e-9)];
        let cells = (parts.len() as f64 * GRID_CELLS_PER_PART).clamp(1.0, GRID_MAX_CELLS as f64);
        let nx = (cells * size[0] / size[1]).sqrt().round().clamp(1.0, cells);
        let ny = (cells / nx).round().clamp(1.0, cells);
        let frame = GridFrame {
            min,
            scale: [nx / size[0], ny / size[1]],
            dims: [nx as usize, ny as usize],
        };
        // The cells of each part are computed again in each pass rather than kept.
        let total: usize = parts.iter().map(|p| frame.cell_count(&p.envelope())).sum();
        if total > GRID_MAX_ENTRIES_PER_PART * parts.len() {
            return None;
        }
        // Counting sort into compressed rows: count per cell, prefix sums, then fill.
        let mut counts = vec![0u32; frame.dims[0] * frame.dims[1] + 1];
        for cell in parts.iter().flat_map(|p| frame.cells_of(&p.envelope())) {
            counts[cell + 1] += 1;
        }
        for c in 1..counts.len() {
            counts[c] += counts[c - 1];
        }
        let mut next = counts.clone();
        let mut entries = vec![0; total];
        for (part, p) in parts.iter().enumerate() {
            for cell in frame.cells_of(&p.envelope()) {
                entries[next[cell] as usize] = part as u32;
                next[cell] += 1;
            }
        }
        Some(PointGrid {
            frame,
            offsets: counts,
            entries,
        })
    }

    /// The parts whose envelope may hold the position, ascending.
    fn candidates(&self, position: [f64; 2]) -> &[u32] {
        let (x, y) = self.frame.cell_of(position);
        let cell = y * self.frame.dims[0] + x;
        &self.entries[self.offsets[cell] as usize..self.offsets[cell + 1] as usize]
    }
}

impl<A> ZoneIndex<A> {
    /// Bulk-loads the index.
    pub fn new(zones: Vec<Zone<A>>) -> Self {
        let mut prepared = Vec::new();
        let mut entries = Vec::new();
        for (zi, z) in zones.iter().enumerate() {
            for (pi, part) in z.geometry.0.iter().enumerate() {
                let Some(r) = part.bounding_rect() else { continue };
                let vertices = part.exterior().0.len() + part.interiors().iter().map(|r| r.0.len()).sum::<usize>();
                let slot = if vertices > PREPARE_ABOVE_VERTICES {
                    prepared.push(PreparedPolygon::new(part));
                    (prepared.len() - 1) as u32
                } else {
                    NOT_PREPARED
                };
                entries.push(GeomWithData::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    (zi as u32, pi as u32, slot),
                ));
            }
        }
        let grid = PointGrid::new(&entries);
        Self {
            zones,
            tree: RTree::bulk_load(entries.clone()),
            prepared,
            parts: entries,
            grid,
        }
    }

    pub fn zones(&self) -> &[Zone<A>] {
        &self.zones
    }

    pub fn zone(&self, index: usize) -> &Zone<A> {
        &self.zones[index]
    }

    fn part(&self, (zi, pi, _): (u32, u32, u32)) -> &Polygon<f64> {
        &self.zones[zi as usize].geometry.0[pi as usize]
    }

    /// Whether a part contains the point, boundary included.
    fn part_intersects(&self, key: (u32, u32, u32), point: Point<f64>) -> bool {
        match key.2 {
            NOT_PREPARED => self.part(key).intersects(&point),
            slot => self.prepared[slot as usize].intersects(point.0),
        }
    }

    /// For a part whose boundary does not come near the parcel (no segment envelope meets
    /// the parcel's bbox): `Some(true)` when the parcel lies wholly inside it,
    /// `Some(false)` when wholly outside; `None` when the exact intersection is needed.
    fn part_side(&self, key: (u32, u32, u32), parcel: &Parcel) -> Option<bool> {
        let (min, max) = (parcel.bbox.min(), parcel.bbox.max());
        let near = match self.prepared.get(key.2 as usize) {
            Some(prepared) => prepared.has_segments_in(min, max),
            None => {
                let part = self.part(key);
                std::iter::once(part.exterior())
                    .chain(part.interiors())
                    .flat_map(|r| r.lines())
                    .any(|l| {
                        l.start.x.max(l.end.x) >= min.x
                            && l.start.x.min(l.end.x) <= max.x
                            && l.start.y.max(l.end.y) >= min.y
                            && l.start.y.min(l.end.y) <= max.y
                    })
            }
        };
        if near {
            return None;
        }
        // Invariant: a validated parcel has a non-empty exterior ring.
        let vertex = Point(parcel.geometry.0[0].exterior().0[0]);
        Some(self.part_intersects(key, vertex))
    }

    /// Indices of every zone containing the point, boundary included, ascending.
    pub fn containing(&self, point: Point<f64>) -> Vec<usize> {
        let position = [point.x(), point.y()];
        let mut hits: Vec<usize> = match &self.grid {
            Some(grid) => grid
                .candidates(position)
                .iter()
                .map(|&part| &self.parts[part as usize])
                .filter(|e| e.envelope().contains_point(&position) && self.part_intersects(e.data, point))
                .map(|e| e.data.0 as usize)
                .collect(),
            None => self
                .tree
                .locate_in_envelope_intersecting(&AABB::from_point(position))
                .filter(|e| self.part_intersects(e.data, point))
                .map(|e| e.data.0 as usize)
                .collect(),
        };
        hits.sort_unstable();
        hits.dedup();
        hits
    }

    /// Every zone whose intersection with the parcel has a geodesic area above
    /// `sliver_m2` (a shared edge alone has zero area and never counts), by zone index.
    ///
    /// Parts whose boundary stays away from the parcel are decided by one point test; a
    /// convex parcel clips the one part of a zone that crosses it without building the
    /// intersection; other cases intersect exactly ([`ZoneIndex::intersection`]).
    pub fn overlapping(&self, parcel: &Parcel, sliver_m2: f64) -> Vec<Overlap> {
        let envelope = AABB::from_corners(
            [parcel.bbox.min().x, parcel.bbox.min().y],
            [parcel.bbox.max().x, parcel.bbox.max().y],
        );
        let mut parts: Vec<(u32, u32, u32)> = self
            .tree
            .locate_in_envelope_intersecting(&envelope)
            .map(|e| e.data)
            .collect();
        parts.sort_unstable();
        let mut out: Vec<Overlap> = Vec::new();
        for zone_parts in parts.chunk_by(|a, b| a.0 == b.0) {
            let zone = zone_parts[0].0 as usize;
            // Whether a part holds the whole parcel; the parts whose boundary crosses it.
            let (mut whole, mut first, mut more) = (false, None, false);
            for &key in zone_parts {
                match self.part_side(key, parcel) {
                    Some(true) => whole = true,
                    Some(false) => {}
                    None if first.is_none() => first = Some(key),
                    None => more = true,
                }
            }
            let area_m2 = match first {
                _ if whole => parcel.area_m2,
                None => continue,
                Some(key) if !more => parcel.area_inside_m2(self.part(key)),
                // Parts of one feature should not overlap, but real files have some that
                // do: the union of the pieces counts no area twice.
                Some(_) => parcel.piece_area_m2(&self.intersection(parcel, zone)),
            };
            if area_m2 > sliver_m2 {
                out.push(Overlap { zone, area_m2 });
            }
        }
        out
    }

    /// The exact intersection of the parcel with one zone (all its parts, unioned).
    pub fn intersection(&self, parcel: &Parcel, zone: usize) -> MultiPolygon<f64> {
        let mut pieces: Vec<MultiPolygon<f64>> = self.zones[zone]
            .geometry
            .0
            .iter()
            .filter(|part| part.bounding_rect().is_some_and(|r| r.intersects(&parcel.bbox)))
            .map(|part| parcel.geometry.intersection(part))
            .filter(|piece| !piece.0.is_empty())
            .collect();
        match pieces.len() {
            0 | 1 => pieces.pop().unwrap_or_else(|| MultiPolygon(Vec::new())),
            _ => geo::unary_union(&pieces),
        }
    }

    /// Zones touching the site: containing the point, or overlapping the parcel above the
    /// sliver tolerance. Each hit carries the overlap area (None for a point).
    pub fn touching(&self, site: &Site, sliver_m2: f64) -> Vec<(usize, Option<f64>)> {
        match site {
            Site::Point(p) => self.containing(*p).into_iter().map(|i| (i, None)).collect(),
            Site::Parcel(parcel) => self
                .overlapping(parcel, sliver_m2)
                .into_iter()
                .map(|o| (o.zone, Some(o.area_m2)))
                .collect(),
        }
    }
}

/// A point feature (an existing facility) with its attributes.
#[derive(Debug, Clone)]
pub struct Place<A> {
    pub id: FeatureId,
    pub file: u32,
    pub point: Point<f64>,
    pub attrs: A,
}

type PlaceEntry = GeomWithData<[f64; 3], u32>;

/// The smallest first radius (m) of a nearest search.
const MIN_REACH_M: f64 = 100.0;

/// Squared chord between two unit vectors.
fn chord2(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    a.iter().zip(b).map(|(a, b)| (a - b) * (a - b)).sum()
}

/// Point features indexed on the unit sphere, so nearest-neighbour order is great-circle
/// order; exact distances are then geodesic on the ellipsoid.
#[derive(Debug)]
pub struct PlaceIndex<A> {
    places: Vec<Place<A>>,
    tree: RTree<PlaceEntry>,
    /// Mean spacing (m) of the places over their bounding box: where a nearest search
    /// starts its first radius.
    spacing_m: f64,
}

/// A place found near a site.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Near {
    pub place: usize,
    /// Geodesic distance (m) from the site: 0 inside a parcel, else from its boundary.
    pub distance_m: f64,
    /// Bearing (degrees) from a point site, from the same geodesic solution; `None` for a
    /// parcel, whose bearing is measured from its centroid by the caller.
    pub bearing_deg: Option<f64>,
}

impl<A> PlaceIndex<A> {
    /// Bulk-loads the index.
    pub fn new(places: Vec<Place<A>>) -> Self {
        let entries = places
            .iter()
            .enumerate()
            .map(|(i, p)| GeomWithData::new(geom::unit_vector(p.point), i as u32))
            .collect();
        let spacing_m = geom::mean_spacing_m(places.iter().map(|p| p.point));
        Self {
            places,
            tree: RTree::bulk_load(entries),
            spacing_m,
        }
    }

    pub fn places(&self) -> &[Place<A>] {
        &self.places
    }

    pub fn place(&self, index: usize) -> &Place<A> {
        &self.places[index]
    }

    /// Geodesic distance (m) from a site to a point: 0 when a parcel contains it
    /// (boundary included), otherwise to the parcel's nearest boundary point.
    pub fn site_distance_m(site: &Site, point: Point<f64>) -> f64 {
        match site {
            Site::Point(p) => geom::distance_m(*p, point),
            Site::Parcel(parcel) if parcel.geometry.intersects(&point) => 0.0,
            Site::Parcel(parcel) => geom::distance_to_boundary_m(point, &parcel.geometry),
        }
    }

    /// Lower bound (m) of the site distance for a place at squared chord `chord2` from the anchor.
    fn lower_bound_m(site: &Site, chord2: f64) -> f64 {
        let sphere = geom::distance_m_for_chord2(chord2) * geom::SPHERE_TO_GEODESIC_SLACK;
        match site {
            Site::Point(_) => sphere,
            Site::Parcel(p) => sphere - p.radius_m,
        }
    }

    /// The `k` places nearest to the site that pass `keep`, nearest first (ties by index).
    ///
    /// Searches discs of growing radius around the site's anchor (a range query walks the
    /// tree without the priority queue a nearest-neighbour iterator keeps) and measures
    /// candidates geodesically in great-circle order until the next one's lower bound
    /// exceeds the k-th distance found.
    pub fn nearest(&self, site: &Site, k: usize, keep: impl Fn(&Place<A>) -> bool) -> Vec<Near> {
        let mut best: Vec<Near> = Vec::with_capacity(k + 1);
        if k == 0 || self.places.is_empty() {
            return best;
        }
        let anchor = geom::unit_vector(site.anchor());
        let decided =
            |best: &[Near], chord2: f64| best.len() == k && Self::lower_bound_m(site, chord2) > best[k - 1].distance_m;
        let mut reach_m = (self.spacing_m * (4.0 * k as f64 / std::f64::consts::PI).sqrt()).max(MIN_REACH_M);
        let mut searched = -1.0;
        let mut candidates: Vec<(f64, u32)> = Vec::new();
        loop {
            let limit = geom::chord2_for_distance_m(reach_m);
            // Widened by a relative 1e-9 so that rounding in the tree's own distance cannot
            // drop a place this function counts as inside `limit`.
            candidates.clear();
            candidates.extend(
                self.tree
                    .locate_within_distance(anchor, limit * (1.0 + 1e-9))
                    .map(|e| (chord2(e.geom(), &anchor), e.data))
                    .filter(|&(c, _)| c > searched && c <= limit),
            );
            candidates.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            for &(chord2, place) in &candidates {
                if decided(&best, chord2) {
                    return best;
                }
                let place = place as usize;
                if keep(&self.places[place]) {
                    let near = self.measure(site, place);
                    let at = best.partition_point(|b| (b.distance_m, b.place) < (near.distance_m, near.place));
                    best.insert(at, near);
                    best.truncate(k);
                }
            }
            // Every place within `limit` is measured; the rest lie farther.
            if decided(&best, limit) || limit >= 4.0 {
                return best;
            }
            searched = limit;
            reach_m *= 2.0;
        }
    }

    /// The geodesic distance (and, for a point site, bearing) from the site to a place.
    fn measure(&self, site: &Site, place: usize) -> Near {
        let point = self.places[place].point;
        match site {
            Site::Point(p) => {
                let (distance_m, bearing) = geom::distance_and_bearing(*p, point);
                Near {
                    place,
                    distance_m,
                    bearing_deg: Some(bearing),
                }
            }
            Site::Parcel(_) => Near {
                place,
                distance_m: Self::site_distance_m(site, point),
                bearing_deg: None,
            },
        }
    }

    /// How many places that pass `keep` lie within `radius_m` of the site (inclusive).
    pub fn count_within(&self, site: &Site, radius_m: f64, keep: impl Fn(&Place<A>) -> bool) -> usize {
        let reach = match site {
            Site::Point(_) => radius_m,
            Site::Parcel(p) => radius_m + p.radius_m,
        } / geom::SPHERE_TO_GEODESIC_SLACK;
        let anchor = geom::unit_vector(site.anchor());
        self.tree
            .locate_within_distance(anchor, geom::chord2_for_distance_m(reach))
            .filter(|e| keep(&self.places[e.data as usize]))
            .filter(|e| {
                let point = self.places[e.data as usize].point;
                if let Site::Point(_) = site {
                    // The geodesic is within 1 % of the sphere: far enough inside the
                    // radius, no exact solution is needed.
                    let sphere = geom::distance_m_for_chord2(chord2(e.geom(), &anchor));
                    if sphere / geom::SPHERE_TO_GEODESIC_SLACK <= radius_m {
                        return true;
                    }
                }
                Self::site_distance_m(site, point) <= radius_m
            })
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;
    use proptest::prelude::*;

    fn zone(id: u64, poly: Polygon<f64>) -> Zone<()> {
        Zone {
            id: FeatureId::Number(id),
            file: 0,
            geometry: MultiPolygon(vec![poly]),
            attrs: (),
        }
    }

    fn square(x: f64, y: f64, d: f64) -> Polygon<f64> {
        polygon![(x: x, y: y), (x: x + d, y: y), (x: x + d, y: y + d), (x: x, y: y + d), (x: x, y: y)]
    }

    #[test]
    fn point_grid_lists_each_part_in_the_cells_its_envelope_meets() {
        let rect = |x0, y0, x1, y1| Rectangle::from_corners([x0, y0], [x1, y1]);
        let envelopes = [
            rect(0.0, 0.0, 1.0, 1.0),
            rect(3.0, 3.0, 4.0, 4.0),
            rect(1.0, 1.0, 3.0, 3.0),
            rect(0.0, 3.0, 0.5, 4.0),
        ];
        let grid = PointGrid::new(&envelopes).unwrap();
        assert_eq!(grid.frame.dims, [2, 2]);
        assert_eq!(grid.candidates([0.5, 0.5]), [0, 2]);
        // On the line between cells: the part whose envelope ends there is listed.
        assert_eq!(grid.candidates([2.0, 2.0]), [1, 2]);
        assert_eq!(grid.candidates([0.25, 3.5]), [2, 3]);
        // Outside the extent: the nearest cell, whose envelopes then reject the point.
        assert_eq!(grid.candidates([-5.0, 9.0]), [2, 3]);
        // Large overlapping parts, each listed in every cell: no grid.
        let crowded = vec![rect(0.0, 0.0, 10.0, 10.0); 40];
        assert!(PointGrid::new(&[crowded, vec![rect(5.0, 5.0, 5.0, 5.0); 20]].concat()).is_none());
        assert!(PointGrid::new::<Rectangle<[f64; 2]>>(&[]).is_none());
    }

    #[test]
    fn point_on_shared_edge_is_in_both_zones() {
        let index = ZoneIndex::new(vec![
            zone(0, square(141.0, 38.0, 0.01)),
            zone(1, square(141.01, 38.0, 0.01)),
        ]);
        assert_eq!(index.containing(Point::new(141.01, 38.005)), vec![0, 1]);
        assert_eq!(index.containing(Point::new(141.005, 38.005)), vec![0]);
        // shared vertex
        assert_eq!(index.containing(Point::new(141.01, 38.0)), vec![0, 1]);
    }

    #[test]
    fn point_in_hole_is_outside() {
        let outer = square(141.0, 38.0, 0.01);
        let hole = square(141.004, 38.004, 0.002);
        let with_hole = Polygon::new(outer.exterior().clone(), vec![hole.exterior().clone()]);
        let index = ZoneIndex::new(vec![zone(0, with_hole)]);
        assert!(index.containing(Point::new(141.005, 38.005)).is_empty());
        // the hole's edge is the zone's boundary: included
        assert_eq!(index.containing(Point::new(141.004, 38.005)), vec![0]);
    }

    #[test]
    fn parcel_sharing_only_an_edge_does_not_overlap() {
        let index = ZoneIndex::new(vec![zone(0, square(141.0, 38.0, 0.01))]);
        let site = Site::from_polygons(vec![square(141.01, 38.002, 0.001)]).unwrap();
        let Site::Parcel(parcel) = site else { unreachable!() };
        assert!(index.overlapping(&parcel, 1.0).is_empty());
        let site = Site::from_polygons(vec![square(141.0095, 38.002, 0.001)]).unwrap();
        let Site::Parcel(parcel) = site else { unreachable!() };
        let o = index.overlapping(&parcel, 1.0);
        assert_eq!(o.len(), 1);
        assert!((o[0].area_m2 / parcel.area_m2 - 0.5).abs() < 1e-3);
    }

    #[test]
    fn nearest_looks_past_the_first_disc_for_a_long_parcel() {
        // An 8.8 km × 110 m parcel: place 0 is 55 m off its side near the anchor, place 1
        // lies inside its far end, outside the first search disc yet at distance 0.
        let place = |i, x, y| Place {
            id: FeatureId::Number(i),
            file: 0,
            point: Point::new(x, y),
            attrs: (),
        };
        let index = PlaceIndex::new(vec![place(0, 141.05, 38.0015), place(1, 141.099, 38.0005)]);
        let parcel = Polygon::new(
            geo::LineString::from(vec![
                (141.0, 38.0),
                (141.1, 38.0),
                (141.1, 38.001),
                (141.0, 38.001),
                (141.0, 38.0),
            ]),
            vec![],
        );
        let site = Site::from_polygons(vec![parcel]).unwrap();
        let nearest = index.nearest(&site, 1, |_| true);
        assert_eq!(nearest.len(), 1);
        assert_eq!((nearest[0].place, nearest[0].distance_m), (1, 0.0));
    }

    /// The `k` nearest of the places whose index is a multiple of `every`, by measuring all.
    fn brute_nearest(index: &PlaceIndex<()>, site: &Site, k: usize, every: usize) -> Vec<Near> {
        let mut all: Vec<Near> = index
            .places()
            .iter()
            .enumerate()
            .filter(|(i, _)| i % every == 0)
            .map(|(i, p)| Near {
                place: i,
                distance_m: PlaceIndex::<()>::site_distance_m(site, p.point),
                bearing_deg: match site {
                    Site::Point(s) => Some(geom::bearing_deg(*s, p.point)),
                    Site::Parcel(_) => None,
                },
            })
            .collect();
        all.sort_by(|a, b| (a.distance_m, a.place).partial_cmp(&(b.distance_m, b.place)).unwrap());
        all.truncate(k);
        all
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn zone_index_matches_brute_force(
            squares in prop::collection::vec((0u32..200, 0u32..200, 1u32..40, any::<bool>()), 1..60),
            probes in prop::collection::vec((0u32..280, 0u32..280), 1..30),
            large in prop_oneof![Just(0u32), 0u32..40],
        ) {
            // Squares on a lattice of 1e-4°, probes on the same lattice (so on corners and
            // edges too) and outside the layer's extent; some zones have a second part, and
            // `large` whole-extent zones may crowd the grid out (then the R-tree answers).
            let grid = 1e-4;
            let at = |x: u32, y: u32, d: u32| square(141.0 + x as f64 * grid, 38.0 + y as f64 * grid, d as f64 * grid);
            let mut zones: Vec<Zone<()>> = squares.iter().enumerate()
                .map(|(i, &(x, y, d, two))| {
                    let mut z = zone(i as u64, at(x, y, d));
                    if two {
                        z.geometry.0.push(at((x + 57) % 200, (y + 91) % 200, d / 2 + 1));
                    }
                    z
                })
                .collect();
            for j in 0..large {
                zones.push(zone((squares.len() as u32 + j) as u64, at(j, j, 240)));
            }
            let brute = zones.clone();
            let index = ZoneIndex::new(zones);
            for (px, py) in probes {
                let p = Point::new(141.0 + (px as f64 - 20.0) * grid, 38.0 + (py as f64 - 20.0) * grid);
                let expected: Vec<usize> = brute.iter().enumerate()
                    .filter(|(_, z)| z.geometry.intersects(&p)).map(|(i, _)| i).collect();
                prop_assert_eq!(index.containing(p), expected);
            }
        }

        #[test]
        fn points_on_a_large_zone_with_a_hole_match_brute_force(
            squares in prop::collection::vec((0u32..200, 0u32..200, 1u32..40), 0..40),
            probes in prop::collection::vec((0u32..240, 0u32..240), 1..40),
        ) {
            // A 200-vertex zone (prepared) with a square hole, among small squares: probes
            // on the squares' lattice, so on their corners and edges and the hole's.
            let lattice = 1e-4;
            let ring: Vec<geo::Coord<f64>> = (0..=200)
                .map(|i| {
                    let t = (i % 200) as f64 / 200.0 * std::f64::consts::TAU;
                    let r = 0.009 + 0.002 * (7.0 * t).sin();
                    geo::coord! { x: 141.012 + r * t.cos(), y: 38.012 + r * t.sin() }
                })
                .collect();
            let hole = square(141.010, 38.010, 0.004).exterior().clone();
            let mut zones = vec![zone(0, Polygon::new(geo::LineString(ring), vec![hole]))];
            zones.extend(squares.iter().enumerate().map(|(i, &(x, y, d))| {
                zone(i as u64 + 1, square(141.0 + x as f64 * lattice, 38.0 + y as f64 * lattice, d as f64 * lattice))
            }));
            let brute = zones.clone();
            let index = ZoneIndex::new(zones);
            for (px, py) in probes {
                let p = Point::new(141.0 + px as f64 * lattice, 38.0 + py as f64 * lattice);
                let expected: Vec<usize> = brute.iter().enumerate()
                    .filter(|(_, z)| z.geometry.intersects(&p)).map(|(i, _)| i).collect();
                prop_assert_eq!(index.containing(p), expected);
            }
        }

        #[test]
        fn parcel_overlap_on_a_large_zone_matches_exact_clipping(
            cx in 0.0f64..0.02,
            cy in 0.0f64..0.02,
            size in 0.0001f64..0.003,
            l_shaped in any::<bool>(),
        ) {
            // A 200-vertex zone with a hole: prepared, so the shortcut applies away from its edges.
            let ring: Vec<geo::Coord<f64>> = (0..=200)
                .map(|i| {
                    let t = (i % 200) as f64 / 200.0 * std::f64::consts::TAU;
                    let r = 0.008 + 0.001 * (5.0 * t).sin();
                    geo::coord! { x: 141.01 + r * t.cos(), y: 38.01 + r * t.sin() }
                })
                .collect();
            let hole = square(141.009, 38.009, 0.002).exterior().clone();
            let zone_poly = Polygon::new(geo::LineString(ring), vec![hole]);
            let index = ZoneIndex::new(vec![zone(0, zone_poly.clone())]);
            // A square is clipped; an L-shaped parcel (not convex) is intersected exactly.
            let (x, y) = (141.0 + cx, 38.0 + cy);
            let shape = if l_shaped {
                Polygon::new(
                    geo::LineString::from(vec![
                        (x, y), (x + size, y), (x + size, y + size / 2.0), (x + size / 2.0, y + size / 2.0),
                        (x + size / 2.0, y + size), (x, y + size), (x, y),
                    ]),
                    vec![],
                )
            } else {
                square(x, y, size)
            };
            let Site::Parcel(parcel) = Site::from_polygons(vec![shape]).unwrap() else { unreachable!() };
            let exact_piece = parcel.geometry.intersection(&zone_poly);
            let got: f64 = index.overlapping(&parcel, 0.0).iter().map(|o| o.area_m2).sum();
            // The same measure on the exact intersection (i_overlay rounds to a grid of a few µm)…
            let exact = parcel.piece_area_m2(&exact_piece);
            prop_assert!((got - exact).abs() <= 1e-7 * parcel.area_m2 + 1e-4, "got {got}, exact {exact}");
            // …and within a few parts per million of the intersection's geodesic area.
            let geodesic = geom::multipolygon_area_m2(&exact_piece);
            prop_assert!((got - geodesic).abs() <= 3e-6 * parcel.area_m2 + 1e-6, "got {got}, geodesic {geodesic}");
        }

        #[test]
        fn nearest_matches_brute_force(
            points in prop::collection::vec((0.0f64..0.2, 0.0f64..0.2), 1..80),
            probe in (0.0f64..0.2, 0.0f64..0.2),
            far in prop_oneof![Just(0.0), 0.0f64..3.0],
            parcel in any::<bool>(),
            k in 1usize..8,
            every in 1usize..4,
        ) {
            // The probe is among the places or up to 3° away (the search widens several
            // times); only every `every`-th place is kept.
            let probe = (probe.0 + far, probe.1 - far / 2.0);
            let places: Vec<Place<()>> = points.iter().enumerate()
                .map(|(i, &(x, y))| Place { id: FeatureId::Number(i as u64), file: 0, point: Point::new(141.0 + x, 38.0 + y), attrs: () })
                .collect();
            let index = PlaceIndex::new(places);
            let site = if parcel {
                Site::from_polygons(vec![square(141.0 + probe.0, 38.0 + probe.1, 0.003)]).unwrap()
            } else {
                Site::point(141.0 + probe.0, 38.0 + probe.1).unwrap()
            };
            prop_assert_eq!(index.nearest(&site, k, |_| true), brute_nearest(&index, &site, k, 1));
            prop_assert_eq!(
                index.nearest(&site, k, |p| matches!(p.id, FeatureId::Number(i) if i as usize % every == 0)),
                brute_nearest(&index, &site, k, every)
            );
            let brute_count = index.places().iter().filter(|p| PlaceIndex::<()>::site_distance_m(&site, p.point) <= 5_000.0).count();
            prop_assert_eq!(index.count_within(&site, 5_000.0, |_| true), brute_count);
        }
    }
}
