//! SPEC §4 (hazard score) and its Readings, and the rubric as data.

mod support;

use serde_json::json;
use support::*;
use tekichi::engine::assess::AssessOptions;
use tekichi::engine::catalog::{LayerKind, RawFeature};
use tekichi::engine::report::{HazardCategory, HazardStatus};
use tekichi::engine::rubric::Rubric;

fn zone(id: u64, x0: f64, x1: f64, props: serde_json::Value) -> RawFeature {
    feature(id, rect(x0, 0.0, x1, 10.0), props)
}

fn flood_at(props: serde_json::Value) -> HazardCategory {
    let c = catalog(vec![layer(LayerKind::Flood, vec![zone(0, 0.0, 10.0, props)])]);
    assess(&c, point(5.0, 5.0)).hazard.unwrap().categories.flood
}

#[test]
fn depth_classes_and_their_boundaries() {
    for (props, points) in [
        (json!({"depth_m": 0.49}), 2),
        (json!({"depth_m": 0.5}), 1),
        (json!({"depth_m": 2.99}), 1),
        (json!({"depth_m": 3.0}), 0),
        (json!({"depth": "0m以上0.5m未満"}), 2), // inundated, even if shallow
        (json!({"depth": "0.5m以上3.0m未満"}), 1),
        (json!({"depth": "０．５ｍ～３．０ｍ"}), 1),
        (json!({"depth": "0.5〜3.0m"}), 1),
        (json!({"depth": "3m以上"}), 0),
        (json!({"A31a_205": 1}), 2),
        (json!({"A31a_205": "2"}), 1),
        (json!({"A31_201": 3}), 0),
    ] {
        let cat = flood_at(props.clone());
        assert_eq!(cat.points, Some(points), "{props}");
        assert_eq!(cat.zones.len(), 1);
        assert!(!cat.zones[0].worst_case, "{props}");
    }
}

#[test]
fn a_range_straddling_a_boundary_uses_its_worst_case_and_says_so() {
    let cat = flood_at(json!({"depth": "2.0m以上5.0m未満"}));
    assert_eq!(cat.points, Some(0));
    assert!(cat.zones[0].worst_case);
    let cat = flood_at(json!({"depth": "0.3m以上1.0m未満"}));
    assert_eq!(cat.points, Some(1));
    assert!(cat.zones[0].worst_case);
}

#[test]
fn an_unrecognised_value_scores_the_worst_class_and_is_flagged() {
    let cat = flood_at(json!({"depth": "調査中"}));
    assert_eq!(cat.points, Some(0));
    assert!(cat.zones[0].unrecognised);
    assert!(cat.zones[0].class.contains("調査中"));
    let c = catalog(vec![layer(
        LayerKind::Flood,
        vec![zone(0, 0.0, 10.0, json!({"depth": "調査中"}))],
    )]);
    assert_eq!(c.issues().count(), 1, "the importer reports it");
}

#[test]
fn overlapping_zones_the_lowest_score_applies() {
    let c = catalog(vec![layer(
        LayerKind::Flood,
        vec![
            zone(0, 0.0, 10.0, json!({"A31a_205": 1})),
            zone(1, 4.0, 6.0, json!({"A31a_205": 3})),
        ],
    )]);
    let cat = assess(&c, point(5.0, 5.0)).hazard.unwrap().categories.flood;
    assert_eq!(cat.points, Some(0));
    assert_eq!(cat.zones.len(), 2);
    assert_eq!(cat.zones[0].points, 0, "deciding zone first");
    let cat = assess(&c, point(2.0, 5.0)).hazard.unwrap().categories.flood;
    assert_eq!(cat.points, Some(2));
}

#[test]
fn parcel_zones_carry_their_share_and_slivers_do_not_count() {
    let c = catalog(vec![layer(
        LayerKind::Flood,
        vec![zone(0, 10.0, 20.0, json!({"A31a_205": 2}))],
    )]);
    let cat = assess(&c, parcel(8.0, 2.0, 12.0, 3.0)).hazard.unwrap().categories.flood;
    assert_eq!(cat.points, Some(1));
    assert!((cat.zones[0].share.unwrap() - 0.5).abs() < 0.002);
    let cat = assess(&c, parcel(6.0, 2.0, 10.0, 3.0)).hazard.unwrap().categories.flood;
    assert_eq!(cat.points, Some(5), "a shared edge is not inside");
    let cat = assess(&c, parcel(6.0, 2.0, 10.00001, 3.0))
        .hazard
        .unwrap()
        .categories
        .flood;
    assert_eq!(cat.points, Some(5), "a 0.1 m² sliver is digitising noise");
}

#[test]
fn hole_in_a_flood_zone_is_dry() {
    let c = catalog(vec![layer(
        LayerKind::Flood,
        vec![feature(
            0,
            rect_with_hole((0.0, 0.0, 10.0, 10.0), (4.0, 4.0, 6.0, 6.0)),
            json!({"A31a_205": 2}),
        )],
    )]);
    assert_eq!(
        assess(&c, point(5.0, 5.0)).hazard.unwrap().categories.flood.points,
        Some(5)
    );
    assert_eq!(
        assess(&c, point(4.0, 5.0)).hazard.unwrap().categories.flood.points,
        Some(1),
        "hole edge is boundary"
    );
}

fn landslide_fixture() -> tekichi::engine::catalog::Catalog {
    catalog(vec![layer(
        LayerKind::Landslide,
        vec![
            zone(0, 0.0, 10.0, json!({"A33_001": 1, "A33_002": 1})),
            zone(1, 4.0, 6.0, json!({"A33_001": 1, "A33_002": 2})),
            zone(2, 20.0, 30.0, json!({"A33_001": 2, "A33_002": 2})),
            zone(3, 40.0, 50.0, json!({"A33_001": "1", "A33_002": 3})),
            zone(4, 60.0, 70.0, json!({"A33_001": 1, "A33_002": 4})),
        ],
    )])
}

#[test]
fn landslide_red_inside_yellow_and_pre_designation_codes() {
    let c = landslide_fixture();
    let points = |x: f64| assess(&c, point(x, 5.0)).hazard.unwrap().categories.landslide.points;
    assert_eq!(points(2.0), Some(1), "yellow");
    assert_eq!(points(5.0), Some(0), "red inside yellow: lowest applies");
    assert_eq!(points(45.0), Some(1), "code 3 reads as yellow");
    assert_eq!(points(65.0), Some(0), "code 4 reads as red");
    assert_eq!(points(80.0), Some(4), "outside");
}

#[test]
fn debris_flow_is_listed_but_not_scored_under_the_default_rubric_and_a_rubric_file_can_count_it() {
    let c = landslide_fixture();
    let cat = assess(&c, point(25.0, 5.0)).hazard.unwrap().categories.landslide;
    assert_eq!(cat.points, Some(4));
    assert_eq!(cat.zones.len(), 1);
    assert!(!cat.zones[0].scored);
    assert_eq!(cat.zones[0].points, 0, "what it would score if counted");
    assert!(cat.zones[0].class.contains("土石流") && cat.zones[0].class.contains("配点対象外"));

    // The second rubric file, read at run time: counts every phenomenon, 800 m spacing.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/rubrics/strict-all-sediment.toml");
    let strict = Rubric::from_toml_str(&std::fs::read_to_string(path).unwrap(), path).unwrap();
    let r = assess_with(&c, &strict, point(25.0, 5.0), &AssessOptions::default());
    let cat = r.hazard.unwrap().categories.landslide;
    assert_eq!(cat.points, Some(0));
    assert!(cat.zones[0].scored);
    assert_eq!(&*r.rubric.id, "strict-all-sediment");
    assert_eq!(r.facilities.unwrap().min_spacing_m, 800.0);
}

#[test]
fn river_erosion_inside_scores_zero() {
    let c = catalog(vec![layer(
        LayerKind::RiverErosion,
        vec![
            zone(0, 0.0, 10.0, json!({"type": "河岸侵食"})),
            zone(1, 20.0, 30.0, json!({"type": "氾濫流"})),
        ],
    )]);
    let cat = |x: f64| assess(&c, point(x, 5.0)).hazard.unwrap().categories.river_erosion;
    assert_eq!(cat(5.0).points, Some(0));
    assert_eq!(cat(25.0).points, Some(0), "both types count by default");
    assert_eq!(cat(15.0).points, Some(2));
}

#[test]
fn tsunami_uses_its_own_table() {
    let c = catalog(vec![layer(
        LayerKind::Tsunami,
        vec![
            zone(0, 0.0, 10.0, json!({"A40_003": "0.3m以上0.5m未満"})),
            zone(1, 20.0, 30.0, json!({"A40_003": "5.0m以上10.0m未満"})),
        ],
    )]);
    let p = |x: f64| assess(&c, point(x, 5.0)).hazard.unwrap().categories.tsunami.points;
    assert_eq!(p(5.0), Some(2));
    assert_eq!(p(25.0), Some(0));
    assert_eq!(p(15.0), Some(4));
}

#[test]
fn totals_and_a_missing_layer_is_partial_never_safe() {
    let c = catalog(vec![layer(
        LayerKind::Flood,
        vec![zone(0, 0.0, 10.0, json!({"A31a_205": 2}))],
    )]);
    let h = assess(&c, point(5.0, 5.0)).hazard.unwrap();
    assert_eq!((h.total, h.max, h.status), (1 + 2 + 4 + 4, 15, HazardStatus::Complete));
    let outside = assess(&c, point(50.0, 5.0)).hazard.unwrap();
    assert_eq!(outside.total, 15);

    let c = catalog_only(vec![
        layer(LayerKind::Flood, vec![]),
        layer(LayerKind::Landslide, vec![]),
    ]);
    let r = assess(&c, point(5.0, 5.0));
    let h = r.hazard.as_ref().unwrap();
    assert_eq!(h.status, HazardStatus::Partial);
    assert_eq!(h.missing, vec![LayerKind::RiverErosion, LayerKind::Tsunami]);
    assert_eq!(h.categories.tsunami.points, None);
    assert_eq!(h.total, 9);
    assert_eq!(h.known_max, 9);
    let v = json_of(&r);
    assert_eq!(v["hazard"]["status"], "partial");
    assert!(v["hazard"]["categories"]["tsunami"]["points"].is_null());
}
