//! Small named fixtures for engine tests: layers built in memory on a lon/lat grid near
//! 141.0°E 38.0°N, where one grid unit `U` is 0.001° (about 88 m east–west, 111 m north–south).
#![allow(dead_code)]

use geo::{polygon, Geometry, MultiPolygon, Point, Polygon};
use serde_json::{json, Value};
use tekichi::engine::assess::{AssessOptions, Assessor, SiteInput};
use tekichi::engine::catalog::{Catalog, LayerKind, LayerMeta, RawFeature, RawLayer};
use tekichi::engine::index::FeatureId;
use tekichi::engine::report::Report;
use tekichi::engine::rubric::Rubric;
use tekichi::engine::site::Site;

pub const X0: f64 = 141.0;
pub const Y0: f64 = 38.0;
pub const U: f64 = 0.001;

/// Grid coordinates → lon/lat.
pub fn at(x: f64, y: f64) -> (f64, f64) {
    (X0 + x * U, Y0 + y * U)
}

/// An axis-aligned rectangle from grid (x0, y0) to (x1, y1).
pub fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Polygon<f64> {
    let (a, b) = at(x0, y0);
    let (c, d) = at(x1, y1);
    polygon![(x: a, y: b), (x: c, y: b), (x: c, y: d), (x: a, y: d), (x: a, y: b)]
}

/// A rectangle with a rectangular hole.
pub fn rect_with_hole(outer: (f64, f64, f64, f64), hole: (f64, f64, f64, f64)) -> Polygon<f64> {
    let o = rect(outer.0, outer.1, outer.2, outer.3);
    let h = rect(hole.0, hole.1, hole.2, hole.3);
    Polygon::new(o.exterior().clone(), vec![h.exterior().clone()])
}

/// One feature with an explicit numeric id.
pub fn feature(id: u64, geometry: impl Into<Geometry<f64>>, props: Value) -> RawFeature {
    RawFeature {
        id: FeatureId::Number(id),
        file: 0,
        geometry: geometry.into(),
        properties: props.as_object().cloned().unwrap_or_default(),
    }
}

pub fn multi(parts: Vec<Polygon<f64>>) -> Geometry<f64> {
    Geometry::MultiPolygon(MultiPolygon(parts))
}

pub fn layer(kind: LayerKind, features: Vec<RawFeature>) -> RawLayer {
    RawLayer {
        kind,
        meta: LayerMeta {
            version: format!("test-{}", kind.key()),
            source: "fixture".into(),
            ..Default::default()
        },
        features,
    }
}

/// Every layer kind present but empty: nothing is missing, nothing touches the site.
pub fn empty_layers() -> Vec<RawLayer> {
    LayerKind::ALL.iter().map(|k| layer(*k, vec![])).collect()
}

/// A catalog of all nine kinds, with the given layers replacing the empty ones.
pub fn catalog(layers: Vec<RawLayer>) -> Catalog {
    let mut all = empty_layers();
    all.extend(layers);
    Catalog::build(all).expect("fixture catalog builds")
}

/// A catalog with only the given layers (the others are missing).
pub fn catalog_only(layers: Vec<RawLayer>) -> Catalog {
    Catalog::build(layers).expect("fixture catalog builds")
}

pub fn zoning(id: u64, code: u32, poly: impl Into<Geometry<f64>>) -> RawFeature {
    feature(id, poly, json!({ "A29_004": code }))
}

/// A planning area (区域区分) polygon with a Japanese division name.
pub fn division(id: u64, name: &str, poly: impl Into<Geometry<f64>>) -> RawFeature {
    feature(id, poly, json!({ "division": name }))
}

pub fn point(x: f64, y: f64) -> Site {
    let (lon, lat) = at(x, y);
    Site::point(lon, lat).expect("fixture point is valid")
}

pub fn parcel(x0: f64, y0: f64, x1: f64, y1: f64) -> Site {
    Site::from_polygons(vec![rect(x0, y0, x1, y1)]).expect("fixture parcel is valid")
}

pub fn pt(x: f64, y: f64) -> Point<f64> {
    let (lon, lat) = at(x, y);
    Point::new(lon, lat)
}

pub fn assess_with(catalog: &Catalog, rubric: &Rubric, site: Site, options: &AssessOptions) -> Report {
    let assessor = Assessor { catalog, rubric };
    let input = SiteInput {
        id: json!(0),
        name: None,
        source_ref: None,
        site: Ok(site),
    };
    assessor.assess(&input, options)
}

pub fn assess(catalog: &Catalog, site: Site) -> Report {
    assess_with(catalog, &Rubric::default_rubric(), site, &AssessOptions::default())
}

/// The report as JSON, for path-based assertions on the SPEC §5 field names.
pub fn json_of(report: &Report) -> Value {
    serde_json::to_value(report).expect("report serialises")
}

pub fn reason_codes(report: &Report) -> Vec<&'static str> {
    report
        .buildability
        .as_ref()
        .unwrap()
        .reasons
        .iter()
        .map(|r| r.code)
        .collect()
}
