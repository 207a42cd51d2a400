//! SPEC §2 (daily-life area) and §3 (existing facilities), with their Readings.

mod support;

use geo::Point;
use serde_json::json;
use support::*;
use tekichi::engine::assess::AssessOptions;
use tekichi::engine::catalog::{Catalog, LayerKind, RawFeature};
use tekichi::engine::geom;
use tekichi::engine::report::Facilities;
use tekichi::engine::rubric::{Rubric, DEFAULT_RUBRIC_TOML};

fn area(id: u64, code: &str, name: &str, poly: impl Into<geo::Geometry<f64>>) -> RawFeature {
    feature(id, poly, json!({ "A32_003": code, "A32_004": name }))
}

fn facility(id: u64, x: f64, y: f64, props: serde_json::Value) -> RawFeature {
    feature(id, pt(x, y), props)
}

/// Areas "C2" (west, x 0..10) and "C1" (east, x 10..20) sharing the edge x = 10, and an
/// area "C3" made of two parts (x 30..32 and an island x 40..42).
fn areas() -> Vec<RawFeature> {
    vec![
        area(0, "C2", "西中学校", rect(0.0, 0.0, 10.0, 10.0)),
        area(1, "C1", "東中学校", rect(10.0, 0.0, 20.0, 10.0)),
        area(
            2,
            "C3",
            "島中学校",
            multi(vec![rect(30.0, 0.0, 32.0, 2.0), rect(40.0, 0.0, 42.0, 2.0)]),
        ),
    ]
}

fn fixture(facilities: Vec<RawFeature>) -> Catalog {
    catalog(vec![
        layer(LayerKind::DailyLifeArea, areas()),
        layer(LayerKind::Facility, facilities),
    ])
}

#[test]
fn open_for_application_counts_only_the_target_type() {
    let c = fixture(vec![
        facility(
            0,
            5.0,
            5.0,
            json!({"name": "西の家", "type": "small_multi", "capacity": "２９"}),
        ),
        facility(1, 6.0, 5.0, json!({"name": "型なしの家"})), // no type: small_multi
        facility(
            2,
            7.0,
            5.0,
            json!({"name": "西の看多機", "type": "nursing_small_multi", "capacity": 29}),
        ),
        facility(
            3,
            15.0,
            5.0,
            json!({"name": "東の看多機", "type": "nursing_small_multi"}),
        ),
        facility(4, 16.0, 5.0, json!({"name": "東のGH", "type": "group_home"})),
    ]);
    let west = assess(&c, point(2.0, 2.0)).daily_life_area.unwrap();
    assert_eq!(west.id.as_deref(), Some("C2"));
    assert_eq!(west.name.as_deref(), Some("西中学校"));
    let t = west.target_facilities.unwrap();
    assert_eq!((t.count, t.capacity, t.capacity_unknown), (2, 29, 1));
    assert_eq!(
        t.names.iter().map(|n| &**n).collect::<Vec<_>>(),
        ["西の家", "型なしの家"]
    );
    assert_eq!(west.open_for_application, Some(false));
    let east = assess(&c, point(12.0, 2.0)).daily_life_area.unwrap();
    assert_eq!(east.id.as_deref(), Some("C1"));
    assert_eq!(
        east.target_facilities.unwrap().count,
        0,
        "看護小規模多機能 is a different type"
    );
    assert_eq!(east.open_for_application, Some(true));
}

#[test]
fn point_on_area_boundary_goes_to_the_lowest_area_id_and_lists_both() {
    let c = fixture(vec![]);
    let a = assess(&c, point(10.0, 5.0)).daily_life_area.unwrap();
    assert_eq!(a.id.as_deref(), Some("C1"), "C1 < C2 although C2 is feature 0");
    let ids: Vec<&str> = a.areas.iter().map(|x| &*x.id).collect();
    assert_eq!(ids, vec!["C1", "C2"]);
}

#[test]
fn parcel_goes_to_the_area_covering_its_largest_share() {
    let c = fixture(vec![]);
    let a = assess(&c, parcel(7.0, 2.0, 12.0, 3.0)).daily_life_area.unwrap();
    assert_eq!(a.id.as_deref(), Some("C2"));
    assert!((a.share.unwrap() - 0.6).abs() < 0.002);
    assert_eq!(a.areas.len(), 2);
    assert!((a.areas[1].share.unwrap() - 0.4).abs() < 0.002);
}

#[test]
fn multipolygon_island_belongs_to_its_area_and_outside_gets_a_reason() {
    let c = fixture(vec![]);
    assert_eq!(
        assess(&c, point(41.0, 1.0)).daily_life_area.unwrap().id.as_deref(),
        Some("C3")
    );
    let outside = assess(&c, point(35.0, 1.0)).daily_life_area.unwrap();
    assert!(outside.id.is_none());
    assert_eq!(outside.reason.unwrap().code, "outside_daily_life_areas");
    let v = json_of(&assess(&c, point(35.0, 1.0)));
    assert!(v["daily_life_area"]["id"].is_null());
    assert!(v["daily_life_area"]["reason"]["ja"].is_string());
}

/// A rubric with the given spacing and radius.
fn rubric_with(min_spacing_m: f64, radius_m: f64) -> Rubric {
    let text = DEFAULT_RUBRIC_TOML
        .replace("min_spacing_m = 500", &format!("min_spacing_m = {min_spacing_m:?}"))
        .replace("radius_m = 2000", &format!("radius_m = {radius_m:?}"));
    Rubric::from_toml_str(&text, "test").unwrap()
}

#[test]
fn too_close_is_strict_and_the_radius_count_is_inclusive() {
    let c = fixture(vec![
        facility(0, 5.0, 5.0, json!({"name": "A"})),
        facility(1, 5.0, 9.0, json!({"name": "B"})),
    ]);
    let site = point(5.0, 2.0);
    let d0 = geom::distance_m(pt(5.0, 2.0), pt(5.0, 5.0));
    let d1 = geom::distance_m(pt(5.0, 2.0), pt(5.0, 9.0));
    let opts = AssessOptions::default();
    let exactly = assess_with(&c, &rubric_with(d0, d1), site.clone(), &opts)
        .facilities
        .unwrap();
    assert_eq!(
        exactly.too_close,
        Some(false),
        "distance == min_spacing is not too close"
    );
    assert_eq!(exactly.within_radius, Some(2), "distance == radius is within");
    let beyond = assess_with(&c, &rubric_with(d0 + 0.01, d1 - 0.01), site, &opts)
        .facilities
        .unwrap();
    assert_eq!(beyond.too_close, Some(true));
    assert_eq!(beyond.within_radius, Some(1));
    assert!((beyond.nearest_distance_m.unwrap() - d0).abs() < 1e-9);
}

/// §3 for the point (5, 5) under the default rubric, with `k` and `types` asked for.
fn facilities_at_centre(c: &Catalog, k: usize, types: Option<Vec<std::sync::Arc<str>>>) -> Facilities {
    let options = AssessOptions { k: Some(k), types };
    assess_with(c, &Rubric::default_rubric(), point(5.0, 5.0), &options)
        .facilities
        .unwrap()
}

#[test]
fn nearest_lists_k_of_the_requested_types_with_geodesic_distance_and_bearing() {
    let c = fixture(vec![
        facility(0, 5.0, 8.0, json!({"name": "北", "type": "small_multi"})),
        facility(1, 8.0, 5.0, json!({"name": "東", "type": "small_multi"})),
        facility(
            2,
            2.0,
            5.0,
            json!({"name": "西の看多機", "type": "nursing_small_multi"}),
        ),
        facility(3, 5.0, 1.0, json!({"name": "南", "type": "small_multi"})),
    ]);
    let f = facilities_at_centre(&c, 2, None);
    let names: Vec<&str> = f.nearest.iter().map(|n| n.name.as_deref().unwrap()).collect();
    assert_eq!(
        names,
        vec!["東", "北"],
        "2 nearest small_multi; 東 is 263 m, 北 333 m away"
    );
    assert!((f.nearest[0].distance_m - geom::distance_m(pt(5.0, 5.0), pt(8.0, 5.0))).abs() < 1e-9);
    assert!((f.nearest[0].bearing_deg - 90.0).abs() < 0.1);
    assert!(f.nearest[1].bearing_deg.abs() < 1e-6);
    assert_eq!(f.nearest[0].area_id.as_deref(), Some("C2"));
    let f = facilities_at_centre(&c, 5, Some(vec!["nursing_small_multi".into()]));
    assert_eq!(f.nearest.len(), 1);
    assert_eq!(&*f.nearest[0].facility_type, "nursing_small_multi");
    assert_eq!(f.within_radius, Some(1));
    // too_close always looks at the target type, whatever `types` lists.
    assert!((f.nearest_distance_m.unwrap() - geom::distance_m(pt(5.0, 5.0), pt(8.0, 5.0))).abs() < 1e-9);
}

#[test]
fn spacing_is_judged_even_when_no_facility_is_listed() {
    let c = fixture(vec![facility(0, 5.0, 5.001, json!({"name": "すぐ隣"}))]);
    let f = facilities_at_centre(&c, 0, None);
    assert!(f.nearest.is_empty(), "k = 0 lists none");
    let d = geom::distance_m(pt(5.0, 5.0), pt(5.0, 5.001));
    assert!(
        (f.nearest_distance_m.unwrap() - d).abs() < 1e-9,
        "{:?}",
        f.nearest_distance_m
    );
    assert_eq!(
        f.too_close,
        Some(true),
        "a facility {d:.0} m away is too close, listed or not"
    );
    assert_eq!(f.within_radius, Some(1));
}

#[test]
fn parcel_distance_is_zero_inside_and_from_the_boundary_outside() {
    let c = fixture(vec![
        facility(0, 5.0, 5.0, json!({"name": "中"})),
        facility(1, 9.0, 5.0, json!({"name": "外"})),
    ]);
    let f = assess(&c, parcel(4.0, 4.0, 6.0, 6.0)).facilities.unwrap();
    assert_eq!(f.nearest[0].distance_m, 0.0);
    let expected = geom::distance_m(pt(9.0, 5.0), pt(6.0, 5.0));
    assert!(
        (f.nearest[1].distance_m - expected).abs() < 0.01,
        "{} vs {expected}",
        f.nearest[1].distance_m
    );
    assert_eq!(f.too_close, Some(true));
    // Bearing from the parcel's centroid.
    assert!((f.nearest[1].bearing_deg - 90.0).abs() < 0.1);
    // On the boundary counts as inside.
    let f = assess(&c, parcel(5.0, 4.0, 7.0, 6.0)).facilities.unwrap();
    assert_eq!(f.nearest[0].distance_m, 0.0);
}

#[test]
fn missing_facility_layer_leaves_spacing_unknown_not_clear() {
    let c = catalog_only(vec![layer(LayerKind::DailyLifeArea, areas())]);
    let r = assess(&c, point(2.0, 2.0));
    let f = r.facilities.unwrap();
    assert_eq!(f.too_close, None);
    assert_eq!(f.within_radius, None);
    assert_eq!(f.missing_layers, vec![LayerKind::Facility]);
    let a = r.daily_life_area.unwrap();
    assert_eq!(a.open_for_application, None, "no facility data: not claimed open");
    assert_eq!(a.reason.unwrap().code, "missing_layer");
}

#[test]
fn facility_on_an_area_boundary_belongs_to_the_lowest_area_id() {
    let c = fixture(vec![facility(0, 10.0, 5.0, json!({"name": "境界の家"}))]);
    let east = assess(&c, point(12.0, 2.0)).daily_life_area.unwrap();
    assert_eq!(east.target_facilities.unwrap().count, 1, "C1 < C2 takes it");
    let west = assess(&c, point(2.0, 2.0)).daily_life_area.unwrap();
    assert_eq!(west.open_for_application, Some(true));
}

#[test]
fn distances_are_geodesic_not_degrees() {
    // 0.01° of longitude at 38°N is ~877 m, of latitude ~1,110 m.
    let east = geom::distance_m(Point::new(141.0, 38.0), Point::new(141.01, 38.0));
    let north = geom::distance_m(Point::new(141.0, 38.0), Point::new(141.0, 38.01));
    assert!((east - 877.6).abs() < 1.0, "{east}");
    assert!((north - 1109.9).abs() < 1.0, "{north}");
}
