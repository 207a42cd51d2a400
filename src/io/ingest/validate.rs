//! Checking and repairing one feature's geometry, after it is read and before it is
//! transformed into the engine's types. Unambiguous defects are repaired and listed;
//! the rest reject the feature with a reason.
//!
//! Order: empty → finite numbers → transform to JGD2011 lon/lat → inside Japan's extent →
//! geometry type for the kind → per ring: drop repeated consecutive positions, close an
//! open ring, at least 4 positions → orientation (exterior counter-clockwise, holes
//! clockwise, as RFC 7946) → self-intersection: resolved when the even-odd and non-zero
//! readings of the ring agree (a bow-tie becomes a MultiPolygon of its two lobes), else
//! rejected as ambiguous.

use crate::engine::catalog::LayerKind;
use crate::engine::geom::ring_self_intersects;
use crate::engine::site::{LAT_RANGE, LON_RANGE};
use crate::io::crs::Reprojector;
use crate::io::ingest::read::ReadGeometry;
use geo::algorithm::bool_ops::{BooleanOps, FillRule, OpType};
use geo::orient::{Direction, Orient};
use geo::{Area, Geometry, LineString, MultiPolygon, Polygon, Winding};
use geojson::{GeometryValue, Position};
use serde::Serialize;

/// A repair applied to a feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Repair {
    RingClosed,
    DuplicatePointsRemoved,
    Reoriented,
    SelfIntersectionResolved,
    SinglePointMultiPoint,
    DegenerateRingRemoved,
}

impl Repair {
    pub fn message(self) -> &'static str {
        match self {
            Repair::RingClosed => "リングを閉じました / closed an open ring (first position repeated at the end)",
            Repair::DuplicatePointsRemoved => "連続する重複点を除去しました / removed repeated consecutive positions",
            Repair::Reoriented => "リングの向きを直しました / re-oriented rings (exterior counter-clockwise, holes clockwise)",
            Repair::SelfIntersectionResolved => "自己交差を解消しました（部分ごとの MultiPolygon に） / resolved a self-intersection (make-valid into a MultiPolygon)",
            Repair::SinglePointMultiPoint => "1点の MultiPoint を Point にしました / a one-point MultiPoint became a Point",
            Repair::DegenerateRingRemoved => "面積のない穴・部分（異なる点が3未満）を除去しました / removed a hole or part with fewer than 3 distinct positions (it covers no area)",
        }
    }
}

/// Why a feature is rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejection {
    /// `empty`, `not_finite`, `transform`, `outside_japan`, `wrong_geometry_type`,
    /// `ring_too_short`, `self_intersection`.
    pub code: &'static str,
    pub message: String,
}

fn reject(code: &'static str, message: impl Into<String>) -> Rejection {
    Rejection {
        code,
        message: message.into(),
    }
}

/// A checked feature geometry and what was repaired.
#[derive(Debug)]
pub struct Checked {
    pub geometry: Geometry<f64>,
    pub repairs: Vec<Repair>,
    /// Coordinates in the geometry.
    pub vertices: usize,
}

/// Whether lon/lat lie inside Japan's extent (SPEC: lon 122–154, lat 20–46).
pub fn in_japan(lon: f64, lat: f64) -> bool {
    (LON_RANGE.0..=LON_RANGE.1).contains(&lon) && (LAT_RANGE.0..=LAT_RANGE.1).contains(&lat)
}

/// Every position of a GeoJSON geometry.
pub fn positions(value: &GeometryValue) -> Vec<&Position> {
    match value {
        GeometryValue::Point { coordinates } => vec![coordinates],
        GeometryValue::MultiPoint { coordinates } | GeometryValue::LineString { coordinates } => {
            coordinates.iter().collect()
        }
        GeometryValue::MultiLineString { coordinates } | GeometryValue::Polygon { coordinates } => {
            coordinates.iter().flatten().collect()
        }
        GeometryValue::MultiPolygon { coordinates } => coordinates.iter().flatten().flatten().collect(),
        GeometryValue::GeometryCollection { geometries } => {
            geometries.iter().flat_map(|g| positions(&g.value)).collect()
        }
    }
}

fn type_name(value: &GeometryValue) -> &'static str {
    match value {
        GeometryValue::Point { .. } => "Point",
        GeometryValue::MultiPoint { .. } => "MultiPoint",
        GeometryValue::LineString { .. } => "LineString",
        GeometryValue::MultiLineString { .. } => "MultiLineString",
        GeometryValue::Polygon { .. } => "Polygon",
        GeometryValue::MultiPolygon { .. } => "MultiPolygon",
        GeometryValue::GeometryCollection { .. } => "GeometryCollection",
    }
}

/// Checks one geometry read in the file's CRS; `reprojector` is `None` for lon/lat input.
pub fn check(kind: LayerKind, geometry: ReadGeometry, reprojector: Option<&Reprojector>) -> Result<Checked, Rejection> {
    let mut g = match geometry {
        None => {
            return Err(reject(
                "empty",
                "ジオメトリがない、または空です / the geometry is missing or empty",
            ))
        }
        Some(Err(message)) => return Err(reject("not_finite", message)),
        Some(Ok(g)) => g,
    };
    let all = positions(&g.value);
    if all.is_empty() {
        return Err(reject("empty", "ジオメトリが空です / the geometry is empty"));
    }
    if all
        .iter()
        .any(|p| p.len() < 2 || !p[0].is_finite() || !p[1].is_finite())
    {
        return Err(reject(
            "not_finite",
            "座標が数値ではありません（NaN など） / a coordinate is not a finite number (NaN or infinite)",
        ));
    }
    if let Some(r) = reprojector {
        r.geometry(&mut g).map_err(|e| reject("transform", e.to_string()))?;
    }
    if let Some(p) = positions(&g.value).into_iter().find(|p| !in_japan(p[0], p[1])) {
        return Err(reject(
            "outside_japan",
            format!(
                "座標 ({:.6}, {:.6}) が日本の範囲外です / coordinate ({:.6}, {:.6}) is outside Japan (lon 122–154, lat 20–46)",
                p[0], p[1], p[0], p[1]
            ),
        ));
    }
    let vertices = positions(&g.value).len();
    let mut repairs = Vec::new();
    let geometry = if kind.is_point_kind() {
        match g.value {
            GeometryValue::Point { coordinates } => Geometry::Point(geo::Point::new(coordinates[0], coordinates[1])),
            GeometryValue::MultiPoint { coordinates } if coordinates.len() == 1 => {
                repairs.push(Repair::SinglePointMultiPoint);
                Geometry::Point(geo::Point::new(coordinates[0][0], coordinates[0][1]))
            }
            other => {
                return Err(reject(
                    "wrong_geometry_type",
                    format!(
                        "{} には点（Point）が必要ですが {} です / layer {kind} needs Point features, found {}",
                        kind.name_ja(),
                        type_name(&other),
                        type_name(&other)
                    ),
                ))
            }
        }
    } else {
        let parts = match g.value {
            GeometryValue::Polygon { coordinates } => vec![coordinates],
            GeometryValue::MultiPolygon { coordinates } => coordinates,
            other => {
                return Err(reject(
                    "wrong_geometry_type",
                    format!(
                        "{} にはポリゴンが必要ですが {} です / layer {kind} needs Polygon or MultiPolygon features, found {}",
                        kind.name_ja(),
                        type_name(&other),
                        type_name(&other)
                    ),
                ))
            }
        };
        polygonal(parts, &mut repairs)?
    };
    Ok(Checked {
        geometry,
        repairs,
        vertices,
    })
}

fn note(repairs: &mut Vec<Repair>, r: Repair) {
    if !repairs.contains(&r) {
        repairs.push(r);
    }
}

/// Rings → a valid (Multi)Polygon, repairing what is unambiguous.
fn polygonal(parts: Vec<Vec<Vec<Position>>>, repairs: &mut Vec<Repair>) -> Result<Geometry<f64>, Rejection> {
    let mut polygons = Vec::with_capacity(parts.len());
    let rings_total_parts = parts.len();
    for (part, rings) in parts.into_iter().enumerate() {
        let mut lines = Vec::with_capacity(rings.len());
        let mut skip_part = false;
        for (ri, ring) in rings.into_iter().enumerate() {
            let mut coords: Vec<geo::Coord<f64>> = Vec::with_capacity(ring.len() + 1);
            for p in &ring {
                let c = geo::coord! { x: p[0], y: p[1] };
                if coords.last() == Some(&c) {
                    note(repairs, Repair::DuplicatePointsRemoved);
                } else {
                    coords.push(c);
                }
            }
            let distinct = if coords.len() > 1 && coords.first() == coords.last() {
                coords.len() - 1
            } else {
                coords.len()
            };
            if distinct < 3 {
                // A hole, or one part of several, that encloses nothing can go; an exterior
                // ring on its own cannot.
                let spare_part = ri == 0 && rings_total_parts > 1;
                if ri > 0 || spare_part {
                    note(repairs, Repair::DegenerateRingRemoved);
                    if ri == 0 {
                        skip_part = true;
                        break;
                    }
                    continue;
                }
                return Err(reject(
                    "ring_too_short",
                    format!(
                        "部分 {part} のリング {ri} は異なる点が {distinct} 個しかありません（3点以上・閉じて4座標以上が必要） / part {part}, ring {ri} has {distinct} distinct position(s); a ring needs at least 3 (4 positions closed)"
                    ),
                ));
            }
            if coords.first() != coords.last() {
                coords.push(coords[0]);
                note(repairs, Repair::RingClosed);
            }
            lines.push(LineString::new(coords));
        }
        if skip_part {
            continue;
        }
        if lines.is_empty() {
            return Err(reject(
                "empty",
                format!("部分 {part} にリングがありません / part {part} has no ring"),
            ));
        }
        let exterior = lines.remove(0);
        polygons.push(Polygon::new(exterior, lines));
    }
    if polygons.is_empty() {
        return Err(reject(
            "ring_too_short",
            "どの部分にも3点以上のリングがありません / no part has a ring of at least 3 distinct positions",
        ));
    }
    let mp = MultiPolygon::new(polygons);
    let oriented_ok =
        mp.0.iter()
            .all(|p| p.exterior().is_ccw() && p.interiors().iter().all(|r| r.is_cw()));
    let mut mp = if oriented_ok {
        mp
    } else {
        note(repairs, Repair::Reoriented);
        mp.orient(Direction::Default)
    };
    let crossing = mp.0.iter().enumerate().find_map(|(part, p)| {
        std::iter::once(p.exterior())
            .chain(p.interiors())
            .position(ring_self_intersects)
            .map(|ring| (part, ring))
    });
    if let Some((part, ring)) = crossing {
        let empty = MultiPolygon::<f64>::new(vec![]);
        let even_odd = mp.boolean_op_with_fill_rule(&empty, OpType::Union, FillRule::EvenOdd);
        let non_zero = mp.boolean_op_with_fill_rule(&empty, OpType::Union, FillRule::NonZero);
        let (a, b) = (even_odd.unsigned_area(), non_zero.unsigned_area());
        if a > 0.0 && (a - b).abs() <= 1e-9 * a.max(b) {
            note(repairs, Repair::SelfIntersectionResolved);
            mp = even_odd.orient(Direction::Default);
        } else {
            return Err(reject(
                "self_intersection",
                format!(
                    "部分 {part} のリング {ring} が自己交差しており、修復方法が一意に決まりません。元データを修正してください / part {part}, ring {ring} intersects itself and the repair is ambiguous (its overlapping loops read differently under even-odd and non-zero rules); fix it in the source"
                ),
            ));
        }
    }
    Ok(if mp.0.len() == 1 {
        Geometry::Polygon(mp.0.remove(0))
    } else {
        Geometry::MultiPolygon(mp)
    })
}

/// A hint for a file whose coordinates are not in Japan once transformed: what the raw
/// coordinates look like and which CRS would fit them.
pub fn suggest_crs(raw: [f64; 4], declared: &str) -> String {
    let [min_x, min_y, max_x, max_y] = raw;
    let within = |lo: f64, hi: f64, a: f64, b: f64| a >= lo && b <= hi;
    if within(20.0, 46.0, min_x, max_x) && within(122.0, 154.0, min_y, max_y) {
        "緯度と経度が入れ替わっているようです（x に緯度）。経度・緯度の順にするか、軸順を正しく扱う CRS を指定してください / the coordinates look like lat/lon in swapped order (x holds latitudes): write them lon,lat".into()
    } else if within(122.0, 154.0, min_x, max_x) && within(20.0, 46.0, min_y, max_y) {
        format!("座標は既に経緯度です。--crs EPSG:6668 を指定してください / the coordinates are already lon/lat, so the stated CRS ({declared}) is wrong: use --crs EPSG:6668")
    } else if within(-2e6, 2e6, min_x, max_x)
        && within(-2e6, 2e6, min_y, max_y)
        && (max_x.abs() > 1000.0 || max_y.abs() > 1000.0)
    {
        "座標はメートル単位の平面直角座標系のようです: --crs EPSG:6669〜6687（JGD2011 I〜XIX系）または EPSG:2443〜2461（JGD2000）を指定してください / the coordinates look like metres in a plane rectangular zone: give --crs EPSG:6669–6687 (JGD2011 zones I–XIX) or EPSG:2443–2461 (JGD2000)".into()
    } else if within(1e5, 9e5, min_x, max_x) && within(2e6, 5.3e6, min_y, max_y) {
        "座標は UTM のようです: --crs EPSG:6688〜6692（JGD2011 UTM 51〜55N）を指定してください / the coordinates look like UTM: give --crs EPSG:6688–6692 (JGD2011 UTM zones 51N–55N)".into()
    } else if within(1.3e7, 1.75e7, min_x, max_x) && within(2.2e6, 5.9e6, min_y, max_y) {
        "座標はウェブメルカトルのようです: --crs EPSG:3857 / the coordinates look like Web Mercator: give --crs EPSG:3857".into()
    } else {
        format!("記載の座標系（{declared}）では日本に入りません。正しい座標系を --crs で指定してください / with the stated CRS ({declared}) the data is not in Japan: give the right one with --crs")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn geom(v: serde_json::Value) -> Option<Result<geojson::Geometry, String>> {
        Some(Ok(serde_json::from_value(v).unwrap()))
    }

    #[test]
    fn repairs_open_rings_duplicates_and_orientation() {
        // Clockwise, open, with a repeated vertex.
        let c = check(
            LayerKind::Flood,
            geom(json!({"type":"Polygon","coordinates":[[[141.0,38.0],[141.0,38.01],[141.0,38.01],[141.01,38.01],[141.01,38.0]]]})),
            None,
        )
        .unwrap();
        assert_eq!(
            c.repairs,
            [Repair::DuplicatePointsRemoved, Repair::RingClosed, Repair::Reoriented]
        );
        let Geometry::Polygon(p) = c.geometry else { panic!() };
        assert!(p.exterior().is_ccw());
        assert_eq!(p.exterior().0.len(), 5);
    }

    #[test]
    fn bow_tie_becomes_two_lobes_and_ambiguous_loops_are_rejected() {
        let c = check(
            LayerKind::Flood,
            geom(json!({"type":"Polygon","coordinates":[[[141.0,38.0],[141.01,38.01],[141.01,38.0],[141.0,38.01],[141.0,38.0]]]})),
            None,
        )
        .unwrap();
        assert!(c.repairs.contains(&Repair::SelfIntersectionResolved));
        let Geometry::MultiPolygon(mp) = c.geometry else {
            panic!("{:?}", c.geometry)
        };
        assert_eq!(mp.0.len(), 2);
        // A ring that winds twice around the same square: even-odd reads a hole, non-zero does not.
        let twice = json!({"type":"Polygon","coordinates":[[
            [141.0,38.0],[141.02,38.0],[141.02,38.02],[141.0,38.02],[141.0,38.001],
            [141.005,38.005],[141.015,38.005],[141.015,38.015],[141.005,38.015],[141.005,38.005],[141.0,38.0]]]});
        let r = check(LayerKind::Flood, geom(twice), None).unwrap_err();
        assert_eq!(r.code, "self_intersection", "{r:?}");
        assert!(r.message.contains("the repair is ambiguous"), "{r:?}");
    }

    #[test]
    fn rejects_each_bad_class_with_its_reason() {
        let r = |kind, v| check(kind, geom(v), None).unwrap_err();
        let e = r(
            LayerKind::Zoning,
            json!({"type":"LineString","coordinates":[[141.0,38.0],[141.1,38.1]]}),
        );
        assert_eq!(e.code, "wrong_geometry_type");
        assert!(e
            .message
            .contains("layer zoning needs Polygon or MultiPolygon features, found LineString"));
        let e = r(
            LayerKind::Facility,
            json!({"type":"Polygon","coordinates":[[[141.0,38.0],[141.1,38.1],[141.1,38.0],[141.0,38.0]]]}),
        );
        assert!(
            e.message.contains("layer facility needs Point features, found Polygon"),
            "{e:?}"
        );
        let e = r(
            LayerKind::Flood,
            json!({"type":"Polygon","coordinates":[[[141.0,38.0],[141.1,38.1],[141.0,38.0]]]}),
        );
        assert_eq!(e.code, "ring_too_short");
        assert!(e.message.contains("ring 0 has 2 distinct position(s)"), "{e:?}");
        let e = r(LayerKind::Facility, json!({"type":"Point","coordinates":[0.0,0.0]}));
        assert_eq!(e.code, "outside_japan");
        assert!(
            e.message.contains("coordinate (0.000000, 0.000000) is outside Japan"),
            "{e:?}"
        );
        let e = check(LayerKind::Facility, None, None).unwrap_err();
        assert_eq!(e.code, "empty");
        let nan = geojson::Geometry::new(GeometryValue::Point {
            coordinates: Position::from([f64::NAN, 38.0]),
        });
        let e = check(LayerKind::Facility, Some(Ok(nan)), None).unwrap_err();
        assert_eq!(e.code, "not_finite");
        assert!(e.message.contains("not a finite number"));
    }

    #[test]
    fn suggests_the_likely_crs() {
        assert!(suggest_crs([35.9, 138.1, 36.0, 138.2], "EPSG:6668").contains("swapped"));
        assert!(suggest_crs([-33617.0, -2900.0, -27234.0, 3458.0], "EPSG:6668").contains("EPSG:6669–6687"));
        assert!(suggest_crs([138.1, 35.9, 138.2, 36.0], "EPSG:2450").contains("already lon/lat"));
        assert!(suggest_crs([1.53e7, 4.2e6, 1.54e7, 4.3e6], "EPSG:6668").contains("EPSG:3857"));
    }
}
