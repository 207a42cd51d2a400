//! The site being assessed: a point or a parcel (敷地), parsed once at the edge.
//!
//! Invalid sites are rejected, never repaired (SPEC "Invalid sites"): empty geometry,
//! a geometry type other than Point/Polygon/MultiPolygon, a ring with fewer than four
//! positions or not closed, a self-intersecting ring, non-finite coordinates, or
//! coordinates outside lon 122–154 / lat 20–46 (which also catches swapped lat/lon).

use crate::engine::geom::{self, ConvexPart, StraightEdgeArea};
use geo::{
    BooleanOps, BoundingRect, Centroid, Coord, LineString, MultiPoint, MultiPolygon, Point, Polygon, Rect, Validation,
};
use geojson::{GeometryValue, PolygonType, Position};

/// Longitude range accepted for Japan (degrees).
pub const LON_RANGE: (f64, f64) = (122.0, 154.0);
/// Latitude range accepted for Japan (degrees).
pub const LAT_RANGE: (f64, f64) = (20.0, 46.0);

/// Why a site geometry was rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SiteError {
    #[error("ジオメトリが空です / empty geometry")]
    Empty,
    #[error("対応していないジオメトリ型 {0} です（Point・Polygon・MultiPolygon を指定してください） / unsupported geometry type {0}: give a Point, Polygon or MultiPolygon")]
    UnsupportedType(String),
    #[error("リング {ring} の座標数が {positions} です（閉じたリングには4点以上が必要です） / ring {ring} has {positions} positions; a closed ring needs at least 4")]
    TooFewPositions { ring: usize, positions: usize },
    #[error("リング {ring} が閉じていません（最後の座標を最初の座標と同じにしてください） / ring {ring} is not closed: its last position must repeat the first")]
    RingNotClosed { ring: usize },
    #[error("座標 {index} が数値ではありません / coordinate {index} is not a finite number")]
    NonFinite { index: usize },
    #[error("座標 ({lon}, {lat}) が日本の範囲外です{hint_ja} / coordinate ({lon}, {lat}) is outside Japan (lon 122–154, lat 20–46){hint}")]
    OutOfRange {
        lon: f64,
        lat: f64,
        hint: &'static str,
        hint_ja: &'static str,
    },
    #[error("ポリゴン {polygon} が不正です（自己交差などは修正せず拒否します）: {reason} / polygon {polygon} is invalid: {reason} (self-intersecting rings are not repaired)")]
    InvalidPolygon { polygon: usize, reason: String },
}

impl SiteError {
    /// Stable machine-readable code for reports and API errors.
    pub fn code(&self) -> &'static str {
        match self {
            SiteError::Empty => "empty_geometry",
            SiteError::UnsupportedType(_) => "unsupported_geometry_type",
            SiteError::TooFewPositions { .. } => "too_few_positions",
            SiteError::RingNotClosed { .. } => "ring_not_closed",
            SiteError::NonFinite { .. } => "non_finite_coordinate",
            SiteError::OutOfRange { .. } => "coordinates_outside_japan",
            SiteError::InvalidPolygon { .. } => "invalid_polygon",
        }
    }
}

/// A parcel with its derived measures, computed once.
#[derive(Debug, Clone)]
pub struct Parcel {
    /// The parcel's exact coordinates (lon/lat, JGD2011).
    pub geometry: MultiPolygon<f64>,
    /// Geodesic area (m²).
    pub area_m2: f64,
    /// Planar centroid in lon/lat; the origin of bearings.
    pub centroid: Point<f64>,
    /// Bounding box in lon/lat.
    pub bbox: Rect<f64>,
    /// Largest geodesic distance (m) from the centroid to any vertex: bounds searches.
    pub radius_m: f64,
    /// Its parts prepared for clipping when every part is convex without holes (most
    /// parcels): overlaps are then measured without building intersections.
    convex_parts: Option<Vec<ConvexPart>>,
    /// How the parts of the parcel that lie in zones are measured, and its own area under it.
    measure: StraightEdgeArea,
    measured_m2: f64,
}

impl Parcel {
    /// Geodesic area (m²) of the parcel's part inside `polygon` (a zone's part).
    ///
    /// The share of the parcel inside is measured with edges straight in lon/lat, as the
    /// clipping and the containment tests read them ([`StraightEdgeArea`]), so the shares
    /// of zones that partition a parcel add up exactly to one; the share times the
    /// parcel's geodesic area is the answer.
    pub fn area_inside_m2(&self, polygon: &Polygon<f64>) -> f64 {
        match &self.convex_parts {
            Some(parts) => {
                let inside: f64 = parts.iter().map(|p| p.area_inside_m2(polygon, &self.measure)).sum();
                self.scaled_m2(inside)
            }
            None => self.piece_area_m2(&self.geometry.intersection(polygon)),
        }
    }

    /// Geodesic area (m²) of a piece of the parcel (an intersection with zones), measured
    /// as in [`Parcel::area_inside_m2`].
    pub fn piece_area_m2(&self, piece: &MultiPolygon<f64>) -> f64 {
        self.scaled_m2(self.measure.multipolygon_m2(piece))
    }

    fn scaled_m2(&self, measured_m2: f64) -> f64 {
        (measured_m2 / self.measured_m2).clamp(0.0, 1.0) * self.area_m2
    }
}

/// A validated site.
#[derive(Debug, Clone)]
pub enum Site {
    Point(Point<f64>),
    Parcel(Parcel),
}

impl Site {
    /// Parses a GeoJSON geometry (lon/lat) into a site, rejecting anything invalid.
    pub fn from_geojson(geometry: &geojson::Geometry) -> Result<Site, SiteError> {
        match &geometry.value {
            GeometryValue::Point { coordinates: p } => {
                let c = position(p, 0)?;
                check_in_japan(c)?;
                Ok(Site::Point(Point(c)))
            }
            GeometryValue::Polygon { coordinates: rings } => Site::parcel(vec![polygon(rings, 0)?]),
            GeometryValue::MultiPolygon { coordinates: polys } => {
                if polys.is_empty() {
                    return Err(SiteError::Empty);
                }
                let mut ring_base = 0;
                let mut parts = Vec::with_capacity(polys.len());
                for rings in polys {
                    parts.push(polygon(rings, ring_base)?);
                    ring_base += rings.len();
                }
                Site::parcel(parts)
            }
            other => Err(SiteError::UnsupportedType(other.type_name().to_string())),
        }
    }

    /// Builds a point site from lon/lat, checking the range.
    pub fn point(lon: f64, lat: f64) -> Result<Site, SiteError> {
        let c = finite(Coord { x: lon, y: lat }, 0)?;
        check_in_japan(c)?;
        Ok(Site::Point(Point(c)))
    }

    /// Builds a parcel from polygons already in lon/lat (e.g. after a CRS transform),
    /// applying the same checks as GeoJSON input.
    pub fn from_polygons(parts: Vec<Polygon<f64>>) -> Result<Site, SiteError> {
        let mut checked = Vec::with_capacity(parts.len());
        let mut ring_base = 0;
        for p in parts {
            let rings: PolygonType = std::iter::once(p.exterior())
                .chain(p.interiors())
                .map(|r| r.0.iter().map(|c| Position::from([c.x, c.y])).collect())
                .collect();
            checked.push(polygon(&rings, ring_base)?);
            ring_base += rings.len();
        }
        if checked.is_empty() {
            return Err(SiteError::Empty);
        }
        Site::parcel(checked)
    }

    fn parcel(parts: Vec<Polygon<f64>>) -> Result<Site, SiteError> {
        for (i, p) in parts.iter().enumerate() {
            if let Err(e) = p.check_validation() {
                return Err(SiteError::InvalidPolygon {
                    polygon: i,
                    reason: e.to_string(),
                });
            }
        }
        let geometry = MultiPolygon(parts);
        if let Err(e) = geometry.check_validation() {
            return Err(SiteError::InvalidPolygon {
                polygon: 0,
                reason: e.to_string(),
            });
        }
        let area_m2 = geom::multipolygon_area_m2(&geometry);
        // Invariant: validation above guarantees non-empty rings, so both exist.
        let bbox = geometry.bounding_rect().ok_or(SiteError::Empty)?;
        let centroid = geometry.centroid().ok_or(SiteError::Empty)?;
        let radius_m = geometry
            .0
            .iter()
            .flat_map(|p| p.exterior().0.iter())
            .map(|c| geom::distance_m(centroid, Point(*c)))
            .fold(0.0, f64::max);
        let measure = StraightEdgeArea::around(centroid.y());
        Ok(Site::Parcel(Parcel {
            convex_parts: geometry.0.iter().map(ConvexPart::new).collect(),
            measured_m2: measure.multipolygon_m2(&geometry),
            measure,
            geometry,
            area_m2,
            centroid,
            bbox,
            radius_m,
        }))
    }

    /// The point bearings are measured from: the point itself or the parcel's centroid.
    pub fn anchor(&self) -> Point<f64> {
        match self {
            Site::Point(p) => *p,
            Site::Parcel(parcel) => parcel.centroid,
        }
    }
}

/// An order to visit points in that keeps neighbours together: the positions of `points`
/// sorted along a Hilbert curve over their lon/lat bounding box (ties by position), the
/// `None`s last in their own order. Assessing a batch this way keeps the index nodes and
/// polygons that neighbouring sites share in the CPU cache, whatever order the input came
/// in; it changes no answer.
pub fn locality_order(points: &[Option<Point<f64>>]) -> Vec<usize> {
    let Some(bbox) = MultiPoint(points.iter().flatten().copied().collect()).bounding_rect() else {
        return (0..points.len()).collect();
    };
    // 2^16 cells a side: under a metre over a city, some 50 m over all of Japan.
    let cell = |v: f64, lo: f64, span: f64| {
        if span > 0.0 {
            ((v - lo) / span * f64::from(u16::MAX)) as u16
        } else {
            0
        }
    };
    let mut keyed: Vec<(bool, u32, usize)> = points
        .iter()
        .enumerate()
        .map(|(i, p)| match p {
            Some(p) => (
                false,
                fast_hilbert::xy2h(
                    cell(p.x(), bbox.min().x, bbox.width()),
                    cell(p.y(), bbox.min().y, bbox.height()),
                    16,
                ),
                i,
            ),
            None => (true, 0, i),
        })
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, _, i)| i).collect()
}

fn finite(c: Coord<f64>, index: usize) -> Result<Coord<f64>, SiteError> {
    if c.x.is_finite() && c.y.is_finite() {
        Ok(c)
    } else {
        Err(SiteError::NonFinite { index })
    }
}

fn position(p: &Position, index: usize) -> Result<Coord<f64>, SiteError> {
    match p.as_slice() {
        [x, y, ..] => finite(Coord { x: *x, y: *y }, index),
        _ => Err(SiteError::NonFinite { index }),
    }
}

fn check_in_japan(c: Coord<f64>) -> Result<(), SiteError> {
    let inside = |v: f64, (lo, hi): (f64, f64)| (lo..=hi).contains(&v);
    if inside(c.x, LON_RANGE) && inside(c.y, LAT_RANGE) {
        return Ok(());
    }
    let swapped = inside(c.y, LON_RANGE) && inside(c.x, LAT_RANGE);
    Err(SiteError::OutOfRange {
        lon: c.x,
        lat: c.y,
        hint: if swapped {
            ": latitude and longitude look swapped, GeoJSON order is [lon, lat]"
        } else {
            ""
        },
        hint_ja: if swapped {
            "（緯度と経度が逆のようです。GeoJSON の順序は [経度, 緯度] です）"
        } else {
            ""
        },
    })
}

fn polygon(rings: &[Vec<Position>], ring_base: usize) -> Result<Polygon<f64>, SiteError> {
    if rings.is_empty() {
        return Err(SiteError::Empty);
    }
    let mut out = Vec::with_capacity(rings.len());
    let mut index = 0;
    for (r, ring) in rings.iter().enumerate() {
        let ring_no = ring_base + r;
        if ring.is_empty() {
            return Err(SiteError::Empty);
        }
        if ring.len() < 4 {
            return Err(SiteError::TooFewPositions {
                ring: ring_no,
                positions: ring.len(),
            });
        }
        let coords = ring
            .iter()
            .map(|p| {
                let c = position(p, index)?;
                index += 1;
                check_in_japan(c)?;
                Ok(c)
            })
            .collect::<Result<Vec<_>, SiteError>>()?;
        if coords.first() != coords.last() {
            return Err(SiteError::RingNotClosed { ring: ring_no });
        }
        out.push(LineString(coords));
    }
    let exterior = out.remove(0);
    Ok(Polygon::new(exterior, out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn locality_order_keeps_neighbours_together_and_rejected_sites_last() {
        // Two clusters 30 km apart, alternating in the input, and two rejected sites.
        let west = |i: u32| Some(Point::new(138.10 + f64::from(i) * 1e-4, 35.95));
        let east = |i: u32| Some(Point::new(138.40 + f64::from(i) * 1e-4, 35.95));
        let points = vec![west(0), east(0), None, west(1), east(1), west(2), None, east(2)];
        let order = locality_order(&points);
        let cluster = |i: usize| points[i].map(|p| p.x() > 138.3);
        let runs: Vec<Option<bool>> = order.iter().map(|&i| cluster(i)).collect();
        assert!(
            runs == [
                Some(false),
                Some(false),
                Some(false),
                Some(true),
                Some(true),
                Some(true),
                None,
                None
            ] || runs
                == [
                    Some(true),
                    Some(true),
                    Some(true),
                    Some(false),
                    Some(false),
                    Some(false),
                    None,
                    None
                ],
            "{order:?}"
        );
        assert_eq!(order[6..], [2, 6], "rejected sites last, in input order");
    }

    #[test]
    fn locality_order_of_equal_or_missing_points_is_the_input_order() {
        let here = Some(Point::new(138.15, 35.99));
        assert_eq!(locality_order(&[here, here, here]), [0, 1, 2]);
        assert_eq!(locality_order(&[None, None]), [0, 1]);
        assert!(locality_order(&[]).is_empty());
    }

    proptest! {
        #[test]
        fn locality_order_is_a_permutation(
            points in proptest::collection::vec(
                proptest::option::of((122.0..154.0f64, 20.0..46.0f64).prop_map(|(x, y)| Point::new(x, y))),
                0..200,
            )
        ) {
            let mut order = locality_order(&points);
            let missing_from = points.iter().filter(|p| p.is_some()).count();
            prop_assert!(order[missing_from..].iter().all(|&i| points[i].is_none()));
            order.sort_unstable();
            prop_assert_eq!(order, (0..points.len()).collect::<Vec<_>>());
        }
    }

    fn geometry(json: &str) -> geojson::Geometry {
        json.parse().unwrap()
    }

    #[test]
    fn accepts_point_polygon_multipolygon() {
        assert!(matches!(
            Site::from_geojson(&geometry(r#"{"type":"Point","coordinates":[141.0,38.3]}"#)),
            Ok(Site::Point(_))
        ));
        let poly = r#"{"type":"Polygon","coordinates":[[[141.0,38.3],[141.001,38.3],[141.001,38.301],[141.0,38.301],[141.0,38.3]]]}"#;
        match Site::from_geojson(&geometry(poly)).unwrap() {
            Site::Parcel(p) => assert!((p.area_m2 - 9_740.0).abs() < 100.0, "{}", p.area_m2),
            _ => panic!("expected a parcel"),
        }
    }

    #[test]
    fn rejects_each_invalid_class_with_its_code() {
        let cases = [
            (
                r#"{"type":"LineString","coordinates":[[141.0,38.3],[141.1,38.3]]}"#,
                "unsupported_geometry_type",
            ),
            (r#"{"type":"Polygon","coordinates":[]}"#, "empty_geometry"),
            (r#"{"type":"MultiPolygon","coordinates":[]}"#, "empty_geometry"),
            (
                r#"{"type":"Polygon","coordinates":[[[141.0,38.3],[141.001,38.3],[141.0,38.3]]]}"#,
                "too_few_positions",
            ),
            (
                r#"{"type":"Polygon","coordinates":[[[141.0,38.3],[141.001,38.3],[141.001,38.301],[141.0,38.301]]]}"#,
                "ring_not_closed",
            ),
            // bow-tie
            (
                r#"{"type":"Polygon","coordinates":[[[141.0,38.3],[141.001,38.301],[141.001,38.3],[141.0,38.301],[141.0,38.3]]]}"#,
                "invalid_polygon",
            ),
            (
                r#"{"type":"Point","coordinates":[38.3,141.0]}"#,
                "coordinates_outside_japan",
            ),
            (
                r#"{"type":"Point","coordinates":[2.35,48.85]}"#,
                "coordinates_outside_japan",
            ),
        ];
        for (json, code) in cases {
            let err = Site::from_geojson(&geometry(json)).unwrap_err();
            assert_eq!(err.code(), code, "{json}: {err}");
        }
    }

    #[test]
    fn swapped_lat_lon_gets_a_hint() {
        let err = Site::point(38.3, 141.0).unwrap_err();
        assert!(err.to_string().contains("swapped"), "{err}");
        assert!(err.to_string().contains("逆"), "{err}");
        let err = Site::point(f64::NAN, 38.0).unwrap_err();
        assert_eq!(err.code(), "non_finite_coordinate");
    }
}
