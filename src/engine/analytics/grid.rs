//! The suitability map (適地マップ): the same assessment as one site, run over a regular
//! grid of cells or over every parcel of a parcel file, in parallel, plus the best places
//! in open areas ranked exactly as `assess --rank` ranks candidates.
//!
//! **Cells.** Rows are `cell_m` metres tall along the meridian (geodesic, Karney) from the
//! extent's southern edge; each row's columns are `cell_m` metres wide along its central
//! parallel, so cells are `cell_m` × `cell_m` on the ellipsoid whatever the latitude. A cell
//! is assessed at its centre, as a point site: its verdict, hazard total, area and spacing
//! are those of [`Assessor::assess`] at that point (SPEC §1–4 for a point).
//!
//! **Extent.** By default the grid covers the daily-life areas: cells whose centre lies in
//! some area (boundary included). Without that layer, every cell of the zoning (else of all
//! layers') bounding box is kept. A bounding box can be given instead.

use crate::engine::analytics::degrees_per_metre;
use crate::engine::assess::{summary_order, AssessOptions, Assessor, SiteInput};
use crate::engine::catalog::{Catalog, LayerKind};
use crate::engine::geom;
use crate::engine::report::{HazardStatus, SiteErrorReport, Summary, Verdict};
use crate::engine::site::Site;
use geo::{Geometry, Point, Rect};
use geographiclib_rs::{DirectGeodesic, Geodesic};
use rayon::prelude::*;
use serde::Serialize;
use std::sync::OnceLock;
use utoipa::ToSchema;

/// Smallest cell edge accepted (m): below it cells are finer than the layers are drawn.
pub const MIN_CELL_M: f64 = 5.0;
/// Largest cell edge accepted (m).
pub const MAX_CELL_M: f64 = 10_000.0;

fn ellipsoid() -> &'static Geodesic {
    static WGS84: OnceLock<Geodesic> = OnceLock::new();
    WGS84.get_or_init(Geodesic::wgs84)
}

/// Where the grid lies.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GridExtent {
    /// Cells whose centre is in a daily-life area; without that layer, the zoning bounding
    /// box (else the bounding box of every loaded layer).
    Auto,
    /// Every cell of this lon/lat box.
    Bbox(Rect<f64>),
}

/// What grid to assess.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GridSpec {
    /// Cell edge (m).
    pub cell_m: f64,
    pub extent: GridExtent,
    /// Refuse grids whose bounding box holds more cells than this (before the extent filter).
    pub max_cells: usize,
}

/// Why a grid cannot be assessed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GridError {
    #[error("セルの大きさ {cell_m} m は {MIN_CELL_M}〜{MAX_CELL_M} m の範囲で指定してください / cell size {cell_m} m is outside {MIN_CELL_M}–{MAX_CELL_M} m")]
    CellSize { cell_m: f64 },
    #[error("{cell_m} m のセルが {cells} 個になり、上限 {max} 個を超えます（セルを大きくするか範囲を狭めてください） / {cells} cells of {cell_m} m exceed the limit of {max}: use larger cells or a smaller extent")]
    TooManyCells { cells: usize, max: usize, cell_m: f64 },
    #[error(
        "レイヤが読み込まれていないため、市の範囲が分かりません / no layer is loaded, so the city's extent is unknown"
    )]
    NoExtent,
}

impl GridError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            GridError::CellSize { .. } => "bad_cell_size",
            GridError::TooManyCells { .. } => "too_many_cells",
            GridError::NoExtent => "no_extent",
        }
    }
}

/// One assessed place: a grid cell or a parcel of a parcel file.
#[derive(Debug, Clone)]
pub struct PlaceResult {
    /// `r{row}c{col}` for a cell; the site id for a parcel.
    pub id: serde_json::Value,
    /// The point assessed for a cell (its centre); the anchor (centroid) of a parcel.
    pub anchor: Point<f64>,
    /// The cell rectangle, or the parcel as given (lon/lat). `None` for a rejected parcel.
    pub geometry: Option<Geometry<f64>>,
    pub summary: Option<Summary>,
    /// Set when a parcel was rejected (then `summary` is null).
    pub error: Option<SiteErrorReport>,
}

/// A whole suitability map.
#[derive(Debug, Clone)]
pub struct Suitability {
    /// Cell edge (m), `None` for a parcel map.
    pub cell_m: Option<f64>,
    /// Cells in the grid's bounding box (before the extent filter), or parcels given.
    pub considered: usize,
    pub places: Vec<PlaceResult>,
}

/// The flat record of one place: the CSV columns and the GeoJSON properties of the map.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlaceRow {
    /// `r{row}c{col}` for a cell; the site id for a parcel.
    pub id: serde_json::Value,
    /// Position in the best-places list (1 = best); null when not listed.
    #[schema(required = true)]
    pub best_rank: Option<usize>,
    /// The assessed point (cell centre, or parcel centroid).
    #[schema(required = true)]
    pub lon: Option<f64>,
    #[schema(required = true)]
    pub lat: Option<f64>,
    #[schema(required = true)]
    pub verdict: Option<Verdict>,
    /// 適 / 要協議 / 判定不可 / 不適
    #[schema(required = true)]
    pub verdict_ja: Option<&'static str>,
    #[schema(required = true)]
    pub hazard_total: Option<u32>,
    #[schema(required = true)]
    pub hazard_max: Option<u32>,
    #[schema(required = true)]
    pub hazard_status: Option<HazardStatus>,
    /// Daily-life area of the place.
    #[schema(required = true)]
    pub area_id: Option<String>,
    /// 募集圏域: the area has no facility of the target type.
    #[schema(required = true)]
    pub open_area: Option<bool>,
    /// Nearest target facility closer than the rubric's spacing.
    #[schema(required = true)]
    pub too_close: Option<bool>,
    /// Geodesic distance (m) to the nearest target facility.
    #[schema(required = true)]
    pub nearest_distance_m: Option<f64>,
    /// Set when a parcel was rejected.
    #[schema(required = true)]
    pub error_code: Option<String>,
}

impl PlaceResult {
    /// The flat record, with the place's position in the best list if it is listed.
    pub fn row(&self, best_rank: Option<usize>) -> PlaceRow {
        let s = self.summary.as_ref();
        let finite = |v: f64| v.is_finite().then_some(v);
        PlaceRow {
            id: self.id.clone(),
            best_rank,
            lon: finite(self.anchor.x()),
            lat: finite(self.anchor.y()),
            verdict: s.map(|s| s.verdict),
            verdict_ja: s.map(|s| s.verdict_ja),
            hazard_total: s.map(|s| s.hazard_total),
            hazard_max: s.map(|s| s.hazard_max),
            hazard_status: s.map(|s| s.hazard_status),
            area_id: s.and_then(|s| s.area_id.as_deref().map(String::from)),
            open_area: s.and_then(|s| s.open_area),
            too_close: s.and_then(|s| s.too_close),
            nearest_distance_m: s.and_then(|s| s.nearest_distance_m),
            error_code: self.error.as_ref().map(|e| e.code.clone()),
        }
    }

    /// The place as a GeoJSON Feature (the cell or parcel geometry; properties: [`PlaceRow`]).
    pub fn feature(&self, best_rank: Option<usize>) -> geojson::Feature {
        let properties = match serde_json::to_value(self.row(best_rank)) {
            Ok(serde_json::Value::Object(map)) => Some(map),
            _ => None,
        };
        geojson::Feature {
            bbox: None,
            geometry: self
                .geometry
                .as_ref()
                .map(|g| geojson::Geometry::new(geojson::GeometryValue::from(g))),
            id: None,
            properties,
            foreign_members: None,
        }
    }
}

/// Positions in the best list by place index (`best` as returned by [`best_places`]).
pub fn best_ranks(places: usize, best: &[usize]) -> Vec<Option<usize>> {
    let mut ranks = vec![None; places];
    for (rank, &i) in best.iter().enumerate() {
        ranks[i] = Some(rank + 1);
    }
    ranks
}

/// The row edges (lat) and per-row column width (degrees of longitude) of a grid.
struct Layout {
    bbox: Rect<f64>,
    lat_edges: Vec<f64>,
    dlon: Vec<f64>,
    cols: Vec<usize>,
}

/// Degrees of longitude spanning `metres` along the parallel at `lat` (GRS80/WGS84).
fn parallel_degrees(metres: f64, lat: f64) -> f64 {
    metres * degrees_per_metre(lat).0
}

impl Layout {
    fn new(bbox: Rect<f64>, cell_m: f64, max_cells: usize) -> Result<Layout, GridError> {
        let (south, north) = (bbox.min().y, bbox.max().y);
        // A bound on the cell count from the box's size, before walking the rows: the
        // rows are never shorter than at the box's widest parallel.
        let height_m = geom::distance_m(Point::new(bbox.min().x, south), Point::new(bbox.min().x, north));
        let widest = if south.abs() < north.abs() { south } else { north };
        let width_m = (bbox.width() / parallel_degrees(1.0, widest)).max(0.0);
        let estimate = ((height_m / cell_m).ceil().max(1.0)) * ((width_m / cell_m).ceil().max(1.0));
        if !estimate.is_finite() || estimate > max_cells as f64 * 1.01 + 1.0 {
            return Err(GridError::TooManyCells {
                cells: estimate.min(usize::MAX as f64) as usize,
                max: max_cells,
                cell_m,
            });
        }
        let mut lat_edges = vec![south];
        while *lat_edges.last().unwrap_or(&north) < north {
            let lat = *lat_edges.last().unwrap_or(&north);
            let (next_lat, _lon) = ellipsoid().direct(lat, bbox.min().x, 0.0, cell_m);
            lat_edges.push(next_lat);
        }
        if lat_edges.len() == 1 {
            // A zero-height box still gets one row.
            let (next_lat, _lon) = ellipsoid().direct(south, bbox.min().x, 0.0, cell_m);
            lat_edges.push(next_lat);
        }
        let mut dlon = Vec::with_capacity(lat_edges.len() - 1);
        let mut cols = Vec::with_capacity(lat_edges.len() - 1);
        for w in lat_edges.windows(2) {
            let d = parallel_degrees(cell_m, (w[0] + w[1]) / 2.0);
            dlon.push(d);
            cols.push(((bbox.width() / d).ceil() as usize).max(1));
        }
        let total: usize = cols.iter().sum();
        if total > max_cells {
            return Err(GridError::TooManyCells {
                cells: total,
                max: max_cells,
                cell_m,
            });
        }
        Ok(Layout {
            bbox,
            lat_edges,
            dlon,
            cols,
        })
    }

    fn cells(&self) -> impl Iterator<Item = (usize, usize, Rect<f64>)> + '_ {
        (0..self.cols.len()).flat_map(move |row| {
            let (s, n) = (self.lat_edges[row], self.lat_edges[row + 1]);
            let d = self.dlon[row];
            let west = self.bbox.min().x;
            (0..self.cols[row]).map(move |col| {
                let w = west + col as f64 * d;
                (
                    row,
                    col,
                    Rect::new(geo::coord! { x: w, y: s }, geo::coord! { x: w + d, y: n }),
                )
            })
        })
    }
}

/// The box a [`GridExtent::Auto`] grid covers.
pub fn city_extent(catalog: &Catalog) -> Option<Rect<f64>> {
    for kind in [LayerKind::DailyLifeArea, LayerKind::Zoning] {
        if let Some(b) = catalog.info(kind).and_then(|i| i.bbox) {
            return Some(b);
        }
    }
    catalog.infos().filter_map(|i| i.bbox).reduce(|a, b| {
        Rect::new(
            geo::coord! { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
            geo::coord! { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
        )
    })
}

/// The options every map assessment uses: one nearest facility (the summary needs no more).
fn map_options() -> AssessOptions {
    AssessOptions {
        k: Some(1),
        types: None,
    }
}

/// Assesses a regular grid (see the module docs), in parallel.
pub fn suitability_grid(assessor: &Assessor<'_>, spec: &GridSpec) -> Result<Suitability, GridError> {
    if !(spec.cell_m.is_finite() && (MIN_CELL_M..=MAX_CELL_M).contains(&spec.cell_m)) {
        return Err(GridError::CellSize { cell_m: spec.cell_m });
    }
    let (bbox, within_areas) = match spec.extent {
        GridExtent::Bbox(b) => (b, false),
        GridExtent::Auto => (
            city_extent(assessor.catalog).ok_or(GridError::NoExtent)?,
            assessor.catalog.daily_life_area.is_some(),
        ),
    };
    let layout = Layout::new(bbox, spec.cell_m, spec.max_cells)?;
    let cells: Vec<(usize, usize, Rect<f64>)> = layout.cells().collect();
    let considered = cells.len();
    let options = map_options();
    let areas = assessor.catalog.daily_life_area.as_ref().map(|l| &l.index);
    let places: Vec<PlaceResult> = cells
        .into_par_iter()
        .filter_map(|(row, col, rect)| {
            let centre = rect.center();
            if within_areas && areas.is_some_and(|a| a.containing(Point(centre)).is_empty()) {
                return None;
            }
            let site = Site::point(centre.x, centre.y).ok()?;
            let id = serde_json::Value::String(format!("r{row}c{col}"));
            let input = SiteInput {
                id: id.clone(),
                name: None,
                source_ref: None,
                site: Ok(site),
            };
            let report = assessor.assess(&input, &options);
            Some(PlaceResult {
                id,
                anchor: Point(centre),
                geometry: Some(Geometry::Polygon(rect.to_polygon())),
                summary: report.summary,
                error: report.error,
            })
        })
        .collect();
    Ok(Suitability {
        cell_m: Some(spec.cell_m),
        considered,
        places,
    })
}

/// Assesses every site of a parcel file (points are accepted too), in parallel.
pub fn suitability_of_sites(assessor: &Assessor<'_>, inputs: &[SiteInput]) -> Suitability {
    let options = map_options();
    let places = inputs
        .par_iter()
        .map(|input| {
            let report = assessor.assess(input, &options);
            let (anchor, geometry) = match &input.site {
                Ok(site) => (
                    site.anchor(),
                    Some(match site {
                        Site::Point(p) => Geometry::Point(*p),
                        Site::Parcel(p) => Geometry::MultiPolygon(p.geometry.clone()),
                    }),
                ),
                Err(_) => (Point::new(f64::NAN, f64::NAN), None),
            };
            PlaceResult {
                id: input.id.clone(),
                anchor,
                geometry,
                summary: report.summary,
                error: report.error,
            }
        })
        .collect();
    Suitability {
        cell_m: None,
        considered: inputs.len(),
        places,
    }
}

/// The best `n` places in open areas (募集圏域), best first, by the ranking of
/// `assess --rank` ([`summary_order`]; ties keep grid/input order). Places that are
/// `not_buildable` are never listed. Each listed place is at least `separation_m` from
/// every better one (greedy), so the list names distinct places rather than `n`
/// neighbouring cells of one field; 0 lists neighbours too. Returns indexes into `places`.
pub fn best_places(places: &[PlaceResult], n: usize, separation_m: f64) -> Vec<usize> {
    let mut open: Vec<usize> = (0..places.len())
        .filter(|&i| {
            places[i]
                .summary
                .as_ref()
                .is_some_and(|s| s.open_area == Some(true) && s.verdict != Verdict::NotBuildable)
        })
        .collect();
    // Invariant: the filter above keeps only places with a summary.
    let summary = |i: usize| places[i].summary.as_ref().expect("filtered on summary");
    open.sort_by(|&a, &b| summary_order(summary(a), summary(b)));
    let mut chosen: Vec<usize> = Vec::with_capacity(n);
    for i in open {
        if chosen.len() >= n {
            break;
        }
        let far = chosen
            .iter()
            .all(|&j| geom::distance_m(places[i].anchor, places[j].anchor) >= separation_m);
        if far {
            chosen.push(i);
        }
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_cell_m_square_on_the_ellipsoid() {
        let bbox = Rect::new(geo::coord! { x: 141.0, y: 38.0 }, geo::coord! { x: 141.02, y: 38.01 });
        let layout = Layout::new(bbox, 50.0, 1_000_000).unwrap();
        for (_, _, r) in layout.cells().step_by(37) {
            let c = r.center();
            let (w, e) = (Point::new(r.min().x, c.y), Point::new(r.max().x, c.y));
            let (s, n) = (Point::new(c.x, r.min().y), Point::new(c.x, r.max().y));
            // Along the parallel the geodesic chord is a hair shorter than the arc.
            assert!((geom::distance_m(w, e) - 50.0).abs() < 1e-3, "{r:?}");
            assert!((geom::distance_m(s, n) - 50.0).abs() < 1e-6, "{r:?}");
        }
        // The rows cover the box and no more than one row beyond it.
        assert!(*layout.lat_edges.last().unwrap() >= 38.01);
        assert!(layout.lat_edges[layout.lat_edges.len() - 2] < 38.01);
        let cells: usize = layout.cols.iter().sum();
        assert_eq!(cells, layout.cells().count());
    }

    #[test]
    fn absurd_grids_are_refused_before_any_work() {
        let japan = Rect::new(geo::coord! { x: 122.0, y: 20.0 }, geo::coord! { x: 154.0, y: 46.0 });
        match Layout::new(japan, 5.0, 100_000) {
            Err(GridError::TooManyCells { cells, max, .. }) => assert!(cells > 1_000_000_000 && max == 100_000),
            other => panic!("expected TooManyCells, got {:?}", other.err()),
        }
    }
}
