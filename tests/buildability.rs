//! SPEC §1 and its Readings: one named fixture per rule.

mod support;

use serde_json::json;
use support::*;
use tekichi::engine::catalog::LayerKind;
use tekichi::engine::report::Verdict;

/// Two districts side by side sharing the edge x = 10: residential (id 0) west, `east_code` (id 1) east.
fn two_districts(east_code: u32) -> Vec<tekichi::engine::catalog::RawLayer> {
    vec![
        layer(
            LayerKind::Zoning,
            vec![
                zoning(0, 1, rect(0.0, 0.0, 10.0, 10.0)),
                zoning(1, east_code, rect(10.0, 0.0, 20.0, 10.0)),
            ],
        ),
        layer(
            LayerKind::AreaDivision,
            vec![division(0, "市街化区域", rect(0.0, 0.0, 20.0, 10.0))],
        ),
    ]
}

fn verdict(c: &tekichi::engine::catalog::Catalog, site: tekichi::engine::site::Site) -> Verdict {
    assess(c, site).buildability.unwrap().verdict
}

#[test]
fn each_use_district_class_gives_its_verdict() {
    for (code, expected, reason) in [
        (1, Verdict::Buildable, "residential"),
        (7, Verdict::Buildable, "residential"),
        (21, Verdict::Buildable, "residential"),
        (13, Verdict::Buildable, "residential"), // 13 is read as 田園住居
        (8, Verdict::Conditional, "non_residential_zone"),
        (9, Verdict::Conditional, "non_residential_zone"),
        (10, Verdict::Conditional, "non_residential_zone"),
        (11, Verdict::Conditional, "non_residential_zone"),
        (12, Verdict::NotBuildable, "exclusive_industrial"),
        (99, Verdict::Unknown, "unrecognised_use_district"),
    ] {
        let c = catalog(two_districts(code));
        let r = assess(&c, point(15.0, 5.0));
        let b = r.buildability.as_ref().unwrap();
        assert_eq!(b.verdict, expected, "code {code}");
        assert_eq!(reason_codes(&r), vec![reason], "code {code}");
        assert!(
            b.reasons[0].ja.chars().any(|ch| ch > '\u{3000}'),
            "Japanese text for {reason}"
        );
        assert!(!b.reasons[0].en.is_empty());
    }
}

#[test]
fn point_on_shared_edge_takes_the_worst_district_and_flags_straddling() {
    let c = catalog(two_districts(12));
    let r = assess(&c, point(10.0, 5.0));
    let b = r.buildability.unwrap();
    assert_eq!(b.districts.len(), 2, "a boundary point is in both districts");
    assert_eq!(b.verdict, Verdict::NotBuildable);
    assert_eq!(b.governing_district.unwrap().code, Some(12));
    assert!(b.straddles_districts);
}

#[test]
fn point_on_edge_between_equal_verdicts_goes_to_lowest_feature_id_without_straddling() {
    let c = catalog(vec![
        layer(
            LayerKind::Zoning,
            vec![
                zoning(5, 1, rect(0.0, 0.0, 10.0, 10.0)),
                zoning(2, 2, rect(10.0, 0.0, 20.0, 10.0)),
            ],
        ),
        layer(
            LayerKind::AreaDivision,
            vec![division(0, "市街化区域", rect(0.0, 0.0, 20.0, 10.0))],
        ),
    ]);
    let b = assess(&c, point(10.0, 5.0)).buildability.unwrap();
    assert_eq!(
        b.governing_district.unwrap().feature_id,
        tekichi::engine::index::FeatureId::Number(2)
    );
    assert!(!b.straddles_districts);
    assert_eq!(b.verdict, Verdict::Buildable);
}

#[test]
fn parcel_straddling_districts_follows_the_larger_part() {
    let c = catalog(two_districts(9));
    // 60 % residential, 40 % commercial
    let r = assess(&c, parcel(7.0, 4.0, 12.0, 5.0));
    let b = r.buildability.as_ref().unwrap();
    assert_eq!(b.verdict, Verdict::Buildable);
    let gov = b.governing_district.as_ref().unwrap();
    assert_eq!(gov.code, Some(1));
    assert!((gov.share.unwrap() - 0.6).abs() < 0.002, "{:?}", gov.share);
    assert!(b.straddles_districts);
    assert!(reason_codes(&r).contains(&"straddles_districts"));
    // 40 % residential, 60 % commercial
    let b = assess(&c, parcel(8.0, 4.0, 13.0, 5.0)).buildability.unwrap();
    assert_eq!(b.verdict, Verdict::Conditional);
    assert_eq!(b.districts.len(), 2);
    assert!((b.uncovered_share.unwrap()).abs() < 1e-9);
}

#[test]
fn uncovered_part_competes_in_the_largest_share_rule() {
    let layers = |with_planning_area: bool| {
        let mut l = vec![layer(
            LayerKind::Zoning,
            vec![
                zoning(0, 1, rect(0.0, 0.0, 3.0, 10.0)),
                zoning(1, 9, rect(3.0, 0.0, 6.0, 10.0)),
            ],
        )];
        let planning = if with_planning_area {
            vec![division(0, "非線引き", rect(0.0, 0.0, 20.0, 10.0))]
        } else {
            vec![]
        };
        l.push(layer(LayerKind::AreaDivision, planning));
        l
    };
    // parcel x 0..10: 30 % residential, 30 % commercial, 40 % outside every district
    let r = assess(&catalog(layers(true)), parcel(0.0, 4.0, 10.0, 5.0));
    let b = r.buildability.as_ref().unwrap();
    assert!(b.governing_district.is_none());
    assert!((b.uncovered_share.unwrap() - 0.4).abs() < 0.002);
    assert_eq!(b.verdict, Verdict::Conditional);
    assert!(reason_codes(&r).contains(&"no_use_district"));
    let r = assess(&catalog(layers(false)), parcel(0.0, 4.0, 10.0, 5.0));
    assert_eq!(r.buildability.as_ref().unwrap().verdict, Verdict::Unknown);
    assert!(reason_codes(&r).contains(&"no_zoning_data"));
    // parcel x -2..4: 50 % residential governs against 33 % uncovered and 17 % commercial
    let b = assess(&catalog(layers(true)), parcel(-2.0, 4.0, 4.0, 5.0))
        .buildability
        .unwrap();
    assert!((b.uncovered_share.unwrap() - 1.0 / 3.0).abs() < 0.002);
    assert_eq!(b.governing_district.unwrap().code, Some(1));
}

#[test]
fn white_land_inside_a_planning_area_is_conditional_outside_is_unknown() {
    let c = catalog(vec![
        layer(LayerKind::Zoning, vec![zoning(0, 1, rect(0.0, 0.0, 5.0, 5.0))]),
        layer(
            LayerKind::AreaDivision,
            vec![division(0, "非線引き", rect(0.0, 0.0, 10.0, 10.0))],
        ),
    ]);
    let r = assess(&c, point(7.0, 7.0));
    assert_eq!(r.buildability.as_ref().unwrap().verdict, Verdict::Conditional);
    assert_eq!(reason_codes(&r), vec!["no_use_district"]);
    let r = assess(&c, point(15.0, 15.0));
    assert_eq!(r.buildability.as_ref().unwrap().verdict, Verdict::Unknown);
    assert_eq!(reason_codes(&r), vec!["no_zoning_data"]);
}

fn control_fixture() -> tekichi::engine::catalog::Catalog {
    catalog(vec![
        layer(LayerKind::Zoning, vec![zoning(0, 1, rect(0.0, 0.0, 20.0, 10.0))]),
        layer(
            LayerKind::AreaDivision,
            vec![
                division(0, "市街化区域", rect(0.0, 0.0, 10.0, 10.0)),
                division(1, "市街化調整区域", rect(10.0, 0.0, 20.0, 10.0)),
            ],
        ),
    ])
}

#[test]
fn control_area_larger_part_means_more_than_half() {
    let c = control_fixture();
    for (x0, x1, expected, share) in [
        (8.0, 12.0, Verdict::Conditional, 0.5), // exactly half
        (7.0, 12.0, Verdict::Conditional, 0.4),
        (8.0, 13.0, Verdict::NotBuildable, 0.6),
        (2.0, 8.0, Verdict::Buildable, 0.0),
    ] {
        let r = assess(&c, parcel(x0, 2.0, x1, 3.0));
        let b = r.buildability.as_ref().unwrap();
        assert_eq!(b.verdict, expected, "parcel {x0}..{x1}");
        assert!(
            (b.control_area_share.unwrap() - share).abs() < 0.002,
            "{:?}",
            b.control_area_share
        );
        if share > 0.0 {
            assert!(reason_codes(&r).contains(&"urbanization_control_area"));
        }
    }
}

#[test]
fn point_inside_or_on_a_control_area_is_not_buildable() {
    let c = control_fixture();
    assert_eq!(verdict(&c, point(15.0, 5.0)), Verdict::NotBuildable);
    assert_eq!(verdict(&c, point(10.0, 5.0)), Verdict::NotBuildable, "on the boundary");
    assert_eq!(verdict(&c, point(5.0, 5.0)), Verdict::Buildable);
    assert!(
        assess(&c, point(5.0, 5.0))
            .buildability
            .unwrap()
            .control_area_share
            .is_none(),
        "null for a point"
    );
}

#[test]
fn farmland_uses_the_same_larger_part_rule() {
    let c = catalog(vec![
        layer(LayerKind::Zoning, vec![zoning(0, 1, rect(0.0, 0.0, 20.0, 10.0))]),
        layer(
            LayerKind::AreaDivision,
            vec![division(0, "非線引き", rect(0.0, 0.0, 20.0, 10.0))],
        ),
        layer(
            LayerKind::Farmland,
            vec![feature(0, rect(10.0, 0.0, 20.0, 10.0), json!({}))],
        ),
    ]);
    let b = assess(&c, parcel(8.0, 2.0, 12.0, 3.0)).buildability.unwrap();
    assert_eq!(b.verdict, Verdict::Conditional);
    assert!((b.farmland_share.unwrap() - 0.5).abs() < 0.002);
    assert_eq!(verdict(&c, parcel(8.0, 2.0, 13.0, 3.0)), Verdict::NotBuildable);
    assert_eq!(verdict(&c, point(12.0, 5.0)), Verdict::NotBuildable);
    assert_eq!(verdict(&c, point(10.0, 5.0)), Verdict::NotBuildable, "on the boundary");
}

#[test]
fn sliver_tolerance_and_shared_edges_do_not_count() {
    let c = control_fixture();
    // Shares only the edge x = 10 with the control area.
    let b = assess(&c, parcel(6.0, 2.0, 10.0, 3.0)).buildability.unwrap();
    assert_eq!(b.control_area_share, Some(0.0));
    assert_eq!(b.verdict, Verdict::Buildable);
    // Overlaps it by a 0.000005° strip (~0.44 m × 111 m ≈ 49 m²): counts.
    let b = assess(&c, parcel(6.0, 2.0, 10.005, 3.0)).buildability.unwrap();
    assert_eq!(b.verdict, Verdict::Conditional);
    // By 0.00000001° (~0.0009 m × 111 m ≈ 0.1 m²): below 1 m², digitising noise.
    let b = assess(&c, parcel(6.0, 2.0, 10.00001, 3.0)).buildability.unwrap();
    assert_eq!(b.control_area_share, Some(0.0));
    assert_eq!(b.verdict, Verdict::Buildable);
}

#[test]
fn missing_area_division_is_not_assumed_clear() {
    let c = catalog_only(vec![
        layer(LayerKind::Zoning, vec![zoning(0, 1, rect(0.0, 0.0, 10.0, 10.0))]),
        layer(LayerKind::Farmland, vec![]),
    ]);
    let r = assess(&c, point(5.0, 5.0));
    let b = r.buildability.as_ref().unwrap();
    assert_eq!(b.verdict, Verdict::Unknown);
    assert_eq!(b.missing_layers, vec![LayerKind::AreaDivision]);
    assert!(reason_codes(&r).contains(&"missing_layer"));
    assert!(reason_codes(&r).contains(&"residential"));
}

#[test]
fn missing_zoning_layer_is_unknown_no_zoning_data() {
    let c = catalog_only(vec![
        layer(LayerKind::AreaDivision, vec![]),
        layer(LayerKind::Farmland, vec![]),
    ]);
    let r = assess(&c, point(5.0, 5.0));
    assert_eq!(r.buildability.as_ref().unwrap().verdict, Verdict::Unknown);
    assert_eq!(r.buildability.as_ref().unwrap().missing_layers, vec![LayerKind::Zoning]);
    assert_eq!(reason_codes(&r), vec!["no_zoning_data"]);
}

#[test]
fn verdict_order_unknown_beats_conditional_and_not_buildable_beats_unknown() {
    // Unrecognised district (unknown) + 40 % farmland (conditional) → unknown.
    let c = catalog(vec![
        layer(LayerKind::Zoning, vec![zoning(0, 99, rect(0.0, 0.0, 20.0, 10.0))]),
        layer(
            LayerKind::AreaDivision,
            vec![division(0, "非線引き", rect(0.0, 0.0, 20.0, 10.0))],
        ),
        layer(
            LayerKind::Farmland,
            vec![feature(0, rect(10.0, 0.0, 20.0, 10.0), json!({}))],
        ),
    ]);
    let r = assess(&c, parcel(7.0, 2.0, 12.0, 3.0));
    assert_eq!(r.buildability.as_ref().unwrap().verdict, Verdict::Unknown);
    let codes = reason_codes(&r);
    assert!(
        codes.contains(&"agricultural_promotion_area") && codes.contains(&"unrecognised_use_district"),
        "{codes:?}"
    );
    // 60 % farmland (not_buildable) wins over unknown.
    assert_eq!(verdict(&c, parcel(8.0, 2.0, 13.0, 3.0)), Verdict::NotBuildable);
    assert!(
        Verdict::NotBuildable > Verdict::Unknown
            && Verdict::Unknown > Verdict::Conditional
            && Verdict::Conditional > Verdict::Buildable
    );
}

#[test]
fn district_hole_and_multipolygon_parts() {
    // District 0 is a ring around a hole filled by district 1 (commercial); district 2 is a
    // MultiPolygon whose second part lies far east.
    let c = catalog(vec![
        layer(
            LayerKind::Zoning,
            vec![
                zoning(0, 1, rect_with_hole((0.0, 0.0, 10.0, 10.0), (4.0, 4.0, 6.0, 6.0))),
                zoning(1, 9, rect(4.0, 4.0, 6.0, 6.0)),
                zoning(
                    2,
                    12,
                    multi(vec![rect(20.0, 0.0, 22.0, 2.0), rect(30.0, 0.0, 32.0, 2.0)]),
                ),
            ],
        ),
        layer(
            LayerKind::AreaDivision,
            vec![division(0, "市街化区域", rect(0.0, 0.0, 40.0, 10.0))],
        ),
    ]);
    assert_eq!(
        verdict(&c, point(5.0, 5.0)),
        Verdict::Conditional,
        "inside the hole: only the commercial district"
    );
    assert_eq!(assess(&c, point(5.0, 5.0)).buildability.unwrap().districts.len(), 1);
    assert_eq!(verdict(&c, point(2.0, 2.0)), Verdict::Buildable);
    assert_eq!(
        verdict(&c, point(31.0, 1.0)),
        Verdict::NotBuildable,
        "second part of the MultiPolygon"
    );
    // A parcel covering the hole (40 %) and part of the ring (60 %): the hole is not ring area.
    let b = assess(&c, parcel(4.0, 4.0, 9.0, 6.0)).buildability.unwrap();
    assert_eq!(b.governing_district.as_ref().unwrap().code, Some(1));
    assert!((b.governing_district.unwrap().share.unwrap() - 0.6).abs() < 0.002);
    // Equal halves: a tie, which the worse verdict (commercial) takes.
    let b = assess(&c, parcel(4.0, 4.0, 8.0, 6.0)).buildability.unwrap();
    assert_eq!(b.governing_district.unwrap().code, Some(9));
}

#[test]
fn report_uses_the_spec_field_paths() {
    let c = catalog(two_districts(9));
    let v = json_of(&assess(&c, parcel(7.0, 4.0, 12.0, 5.0)));
    for path in [
        "/site/id",
        "/site/kind",
        "/site/area_m2",
        "/error",
        "/buildability/verdict",
        "/buildability/reasons/0/code",
        "/buildability/reasons/0/ja",
        "/buildability/reasons/0/en",
        "/buildability/governing_district/feature_id",
        "/buildability/governing_district/code",
        "/buildability/governing_district/name",
        "/buildability/governing_district/share",
        "/buildability/districts/0/share",
        "/buildability/uncovered_share",
        "/buildability/control_area_share",
        "/buildability/farmland_share",
        "/buildability/missing_layers",
        "/daily_life_area/id",
        "/facilities/nearest",
        "/facilities/nearest_distance_m",
        "/facilities/too_close",
        "/facilities/within_radius",
        "/facilities/min_spacing_m",
        "/facilities/radius_m",
        "/hazard/total",
        "/hazard/max",
        "/hazard/status",
        "/hazard/missing",
        "/hazard/categories/flood/points",
        "/hazard/categories/flood/max",
        "/hazard/categories/flood/zones",
        "/hazard/categories/river_erosion",
        "/hazard/categories/landslide",
        "/hazard/categories/tsunami",
        "/provenance/layers/0/kind",
        "/provenance/layers/0/version",
        "/provenance/layers/0/source",
        "/provenance/layers/0/publisher",
        "/provenance/layers/0/date",
        "/provenance/layers/0/sha256",
        "/rubric/id",
    ] {
        assert!(v.pointer(path).is_some(), "missing {path} in {v:#}");
    }
    assert_eq!(v["site"]["kind"], "parcel");
    assert_eq!(v["buildability"]["verdict"], "buildable");
    assert_eq!(v["rubric"]["id"], "tagajo-2023");
    assert!(v["error"].is_null());
}
