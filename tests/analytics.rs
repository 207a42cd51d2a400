//! Planner analytics (issue 7) on the sample city: area coverage checked against numbers
//! computed here from the layer files themselves; the suitability grid against one-site
//! assessments; what-if against a re-assessment with a modified rubric file; change
//! impact against a modified copy of the layers; and the HTTP endpoints end to end.

#[path = "http/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use helpers::{data_dir, TestApp};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;
use tekichi::engine::analytics::coverage::{area_coverage, coverage_totals};
use tekichi::engine::analytics::grid::{
    best_places, suitability_grid, suitability_of_sites, GridError, GridExtent, GridSpec,
};
use tekichi::engine::analytics::impact::{area_changes, change_impact, AreaField};
use tekichi::engine::analytics::whatif::{
    compare_assessments, failures, nearest_passing, ChangedField, PassCriteria, RubricOverrides,
};
use tekichi::engine::assess::{summary_order, AssessOptions, Assessor, SiteInput};
use tekichi::engine::catalog::Catalog;
use tekichi::engine::report::{Summary, Verdict};
use tekichi::engine::rubric::{Rubric, DEFAULT_RUBRIC_TOML};
use tekichi::engine::site::Site;
use tekichi::io::layers::load_dir;
use tekichi::io::sites::{parse_geojson_sites, point_site, read_sites};

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| load_dir(&data_dir()).expect("sample city loads").0);

fn candidates() -> Vec<SiteInput> {
    read_sites(&data_dir().join("candidates.geojson"), None).unwrap()
}

fn geojson_file(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(data_dir().join(name)).unwrap()).unwrap()
}

// ------------------------------------------------------- an independent point-in-polygon

/// Even-odd ray casting on one ring; a point on an edge counts as inside.
fn in_ring(p: (f64, f64), ring: &[Value]) -> bool {
    let pts: Vec<(f64, f64)> = ring
        .iter()
        .map(|c| (c[0].as_f64().unwrap(), c[1].as_f64().unwrap()))
        .collect();
    let mut inside = false;
    for w in pts.windows(2) {
        let ((x1, y1), (x2, y2)) = (w[0], w[1]);
        let cross = (x2 - x1) * (p.1 - y1) - (y2 - y1) * (p.0 - x1);
        if cross == 0.0 && p.0 >= x1.min(x2) && p.0 <= x1.max(x2) && p.1 >= y1.min(y2) && p.1 <= y1.max(y2) {
            return true;
        }
        if (y1 > p.1) != (y2 > p.1) && p.0 < x1 + (p.1 - y1) * (x2 - x1) / (y2 - y1) {
            inside = !inside;
        }
    }
    inside
}

fn in_geometry(p: (f64, f64), g: &Value) -> bool {
    let polygons: Vec<&Value> = match g["type"].as_str().unwrap() {
        "Polygon" => vec![&g["coordinates"]],
        "MultiPolygon" => g["coordinates"].as_array().unwrap().iter().collect(),
        other => panic!("unexpected {other}"),
    };
    polygons.into_iter().any(|rings| {
        let rings = rings.as_array().unwrap();
        in_ring(p, rings[0].as_array().unwrap()) && !rings[1..].iter().any(|h| in_ring(p, h.as_array().unwrap()))
    })
}

/// Full-width digits as ASCII (the sample has a capacity written `２９`).
fn half_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap(),
            c => c,
        })
        .collect()
}

#[derive(Debug, Default, Clone, PartialEq)]
struct Expected {
    count: usize,
    capacity: u32,
    unknown: usize,
    demand: Option<f64>,
}

/// Coverage per area id computed from the files alone: facilities of type small_multi (a
/// missing type means small_multi), placed by ray casting, a point in several areas going
/// to the lowest area id; demand 50 per 10,000 residents (資料5).
fn expected_coverage() -> BTreeMap<String, Expected> {
    let areas = geojson_file("daily_life_area.geojson");
    let facilities = geojson_file("facility.geojson");
    let mut out: BTreeMap<String, Expected> = BTreeMap::new();
    for a in areas["features"].as_array().unwrap() {
        let id = a["properties"]["A32_003"].as_str().unwrap().to_string();
        let demand = a["properties"]["population"].as_f64().map(|p| p * 50.0 / 10_000.0);
        out.insert(
            id,
            Expected {
                demand,
                ..Default::default()
            },
        );
    }
    for f in facilities["features"].as_array().unwrap() {
        let props = &f["properties"];
        if props["type"].as_str().unwrap_or("small_multi") != "small_multi" {
            continue;
        }
        let c = &f["geometry"]["coordinates"];
        let p = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
        let Some(area) = areas["features"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| in_geometry(p, &a["geometry"]))
            .map(|a| a["properties"]["A32_003"].as_str().unwrap().to_string())
            .min()
        else {
            continue;
        };
        let e = out.get_mut(&area).unwrap();
        e.count += 1;
        let capacity = match &props["capacity"] {
            Value::Number(n) => n.as_u64().map(|n| n as u32),
            Value::String(s) => half_width(s).trim().parse().ok(),
            _ => None,
        };
        match capacity {
            Some(c) => e.capacity += c,
            None => e.unknown += 1,
        }
    }
    out
}

#[test]
fn coverage_matches_numbers_computed_from_the_files() {
    let expected = expected_coverage();
    let rubric = Rubric::default_rubric();
    let got = area_coverage(&CATALOG, &rubric);
    assert_eq!(got.len(), expected.len());
    for a in &got {
        let e = &expected[&a.id];
        let t = a.target_facilities.as_ref().unwrap();
        assert_eq!(
            (t.count, t.capacity, t.capacity_unknown),
            (e.count, e.capacity, e.unknown),
            "{}",
            a.id
        );
        assert_eq!(a.open_for_application, Some(e.count == 0), "{}", a.id);
        let demand = a.demand.unwrap().users;
        assert!(
            (demand - e.demand.unwrap()).abs() < 1e-9,
            "{}: {demand} vs {:?}",
            a.id,
            e.demand
        );
        let gap = a.gap.unwrap();
        assert!((gap - (e.demand.unwrap() - f64::from(e.capacity))).abs() < 1e-9);
        assert_eq!(a.gap_is_upper_bound, e.unknown > 0);
        assert_eq!(a.facilities_needed, Some((gap.max(0.0) / 29.0).ceil() as u32));
    }
    // The sample city: 8 small_multi facilities (two untyped, one with a full-width
    // capacity, one without capacity), one open area, 5 areas.
    let totals = coverage_totals(&got);
    assert_eq!(totals.facilities, expected.values().map(|e| e.count).sum::<usize>());
    assert_eq!((totals.facilities, totals.capacity_unknown, totals.areas), (8, 1, 5));
    assert_eq!(totals.open_areas, expected.values().filter(|e| e.count == 0).count());
    assert!(totals.open_areas >= 1 && totals.open_areas < 5);

    // An area open under the coverage is open in a site report inside it, and vice versa.
    let assessor = Assessor {
        catalog: &CATALOG,
        rubric: &rubric,
    };
    for input in candidates() {
        let r = assessor.assess(&input, &AssessOptions::default());
        let Some(area) = r.daily_life_area.as_ref().and_then(|a| a.id.clone()) else {
            continue;
        };
        let cov = got.iter().find(|a| *a.id == *area).unwrap();
        assert_eq!(cov.open_for_application, r.summary.unwrap().open_area);
    }

    // The 65+ basis: 50 per 2,300 aged 65+.
    let by65 = RubricOverrides {
        demand_basis: Some(tekichi::engine::rubric::DemandBasis::Population65plus),
        ..Default::default()
    }
    .apply(&rubric)
    .unwrap();
    let areas = geojson_file("daily_life_area.geojson");
    for (a, f) in area_coverage(&CATALOG, &by65)
        .iter()
        .zip(areas["features"].as_array().unwrap())
    {
        let p65 = f["properties"]["population_65plus"].as_f64().unwrap();
        assert!((a.demand.unwrap().users - p65 * 50.0 / 2300.0).abs() < 1e-9);
    }
}

fn same_outcome(a: &Summary, b: &Summary) -> bool {
    serde_json::to_value(a).unwrap() == serde_json::to_value(b).unwrap()
}

#[test]
fn grid_cells_agree_with_single_site_assessments() {
    let rubric = Rubric::default_rubric();
    let assessor = Assessor {
        catalog: &CATALOG,
        rubric: &rubric,
    };
    let spec = GridSpec {
        cell_m: 100.0,
        extent: GridExtent::Auto,
        max_cells: 100_000,
    };
    let map = suitability_grid(&assessor, &spec).unwrap();
    assert!(
        map.places.len() > 500 && map.places.len() <= map.considered,
        "{}",
        map.places.len()
    );
    let areas = geojson_file("daily_life_area.geojson");
    for place in map.places.iter().step_by(17) {
        let (lon, lat) = (place.anchor.x(), place.anchor.y());
        let single = assessor.assess(&point_site(lon, lat, None), &AssessOptions::default());
        assert!(
            same_outcome(place.summary.as_ref().unwrap(), single.summary.as_ref().unwrap()),
            "{}",
            place.id
        );
        // Every kept cell's centre is in some daily-life area (independent test).
        assert!(areas["features"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| in_geometry((lon, lat), &a["geometry"])));
    }
    let mix: BTreeSet<&str> = map
        .places
        .iter()
        .map(|p| p.summary.as_ref().unwrap().verdict.as_str())
        .collect();
    assert!(mix.len() >= 3, "the city has several verdicts: {mix:?}");

    // Best places: open areas only, never not_buildable, spaced, best first, and nothing
    // eligible ranks better than the first.
    let best = best_places(&map.places, 10, rubric.min_spacing_m);
    assert!(!best.is_empty());
    let s = |i: usize| map.places[i].summary.as_ref().unwrap();
    for (n, &i) in best.iter().enumerate() {
        assert_eq!(s(i).open_area, Some(true));
        assert_ne!(s(i).verdict, Verdict::NotBuildable);
        for &j in &best[..n] {
            assert!(summary_order(s(j), s(i)).is_le());
            assert!(tekichi::engine::geom::distance_m(map.places[i].anchor, map.places[j].anchor) >= 500.0);
        }
    }
    let top = s(best[0]);
    for p in &map.places {
        let x = p.summary.as_ref().unwrap();
        if x.open_area == Some(true) && x.verdict != Verdict::NotBuildable {
            assert!(
                summary_order(top, x).is_le(),
                "{} ranks better than the first listed",
                p.id
            );
        }
    }

    // A bounded grid: an absurd request is refused before any work, naming the limit.
    let err = suitability_grid(
        &assessor,
        &GridSpec {
            cell_m: 5.0,
            extent: GridExtent::Auto,
            max_cells: 10_000,
        },
    )
    .unwrap_err();
    assert!(matches!(err, GridError::TooManyCells { max: 10_000, .. }), "{err}");
    assert!(err.to_string().contains("10000"), "{err}");
}

#[test]
fn parcel_map_equals_the_batch_assessment() {
    let rubric = Rubric::default_rubric();
    let assessor = Assessor {
        catalog: &CATALOG,
        rubric: &rubric,
    };
    let inputs = candidates();
    let map = suitability_of_sites(&assessor, &inputs);
    assert_eq!(map.places.len(), inputs.len());
    for (place, input) in map.places.iter().zip(&inputs) {
        let r = assessor.assess(input, &AssessOptions::default());
        assert_eq!(place.id, input.id);
        match (&place.summary, &r.summary) {
            (Some(a), Some(b)) => assert!(same_outcome(a, b), "{}", place.id),
            (None, None) => assert_eq!(place.error.as_ref().unwrap().code, r.error.unwrap().code),
            _ => panic!("{}: one assessed, one not", place.id),
        }
    }
}

/// A rubric file written by hand: the default with the same changes as the overrides below.
fn modified_rubric_file() -> Rubric {
    let text = DEFAULT_RUBRIC_TOML
        .replacen("min_spacing_m = 500", "min_spacing_m = 1200", 1)
        .replacen(
            "phenomena = [\"steep_slope\"]",
            "phenomena = [\"steep_slope\", \"debris_flow\", \"landslide\"]",
            1,
        )
        .replacen("yellow_points = 1", "yellow_points = 2", 1)
        .replacen(
            "  { from_m = 0.0, to_m = 0.5, points = 2 },\n  { from_m = 0.5, to_m = 3.0, points = 1 },\n  { from_m = 3.0, points = 0 },",
            "  { from_m = 0.0, to_m = 1.0, points = 3 },\n  { from_m = 1.0, points = 0 },",
            1,
        );
    assert_ne!(text, DEFAULT_RUBRIC_TOML);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("modified.toml");
    std::fs::write(&path, &text).unwrap();
    Rubric::from_toml_str(&std::fs::read_to_string(&path).unwrap(), "modified.toml").unwrap()
}

fn overrides() -> RubricOverrides {
    RubricOverrides::from_pairs([
        ("min_spacing_m", "1200"),
        ("landslide_phenomena", "steep_slope,debris_flow,landslide"),
        ("landslide_yellow_points", "2"),
        ("flood_bands", "0-1:3,1-:0"),
    ])
    .unwrap()
}

#[test]
fn what_if_equals_reassessment_with_a_modified_rubric_file() {
    let base = Rubric::default_rubric();
    let changed = overrides().apply(&base).unwrap();
    let file = modified_rubric_file();
    assert_eq!(&*changed.id, "tagajo-2023+what-if");
    let before = Assessor {
        catalog: &CATALOG,
        rubric: &base,
    };
    let after = Assessor {
        catalog: &CATALOG,
        rubric: &changed,
    };
    let from_file = Assessor {
        catalog: &CATALOG,
        rubric: &file,
    };
    let inputs = candidates();
    let options = AssessOptions::default();
    let comparisons = compare_assessments(&before, &after, &inputs, &options);
    assert_eq!(comparisons.len(), inputs.len());
    let mut kinds = BTreeSet::new();
    for (c, input) in comparisons.iter().zip(&inputs) {
        let old = before.assess(input, &options);
        let new = from_file.assess(input, &options);
        // The whole hazard and facility sections equal those under the file rubric.
        let what_if = after.assess(input, &options);
        let section = |r: &tekichi::engine::report::Report| {
            serde_json::to_value((&r.summary, &r.hazard, &r.facilities, &r.buildability)).unwrap()
        };
        assert_eq!(section(&what_if), section(&new), "{}", input.id);
        match (&c.after, &new.summary) {
            (Some(a), Some(b)) => assert!(same_outcome(a, b)),
            (None, None) => {}
            _ => panic!("{}", input.id),
        }
        let differs = serde_json::to_value(&old.summary).unwrap() != serde_json::to_value(&new.summary).unwrap();
        assert_eq!(!c.changed.is_empty(), differs, "{}: {:?}", input.id, c.changed);
        kinds.extend(c.changed.iter().copied());
    }
    assert!(kinds.contains(&ChangedField::TooClose), "{kinds:?}");
    assert!(kinds.contains(&ChangedField::HazardTotal), "{kinds:?}");
}

#[test]
fn nearest_passing_place_passes_and_says_why_the_original_failed() {
    let rubric = Rubric::default_rubric();
    let assessor = Assessor {
        catalog: &CATALOG,
        rubric: &rubric,
    };
    let options = AssessOptions::default();
    let criteria = PassCriteria::default();
    // 44 m from an existing facility.
    let input = point_site(141.0316, 38.2785, None);
    let found = nearest_passing(&assessor, &input, &options, &criteria, 1500.0, 25.0).unwrap();
    assert_eq!(found.failed.iter().map(|r| r.code).collect::<Vec<_>>(), ["too_close"]);
    let place = found.found.expect("a passing place within 1.5 km");
    assert!(
        place.distance_m > 400.0 && place.distance_m <= 1500.0,
        "{}",
        place.distance_m
    );
    let again = assessor.assess(&point_site(place.location[0], place.location[1], None), &options);
    assert!(failures(&again, &criteria).is_empty());
    assert!(same_outcome(&place.summary, again.summary.as_ref().unwrap()));
    let moved = tekichi::engine::geom::distance_m(
        input.site.as_ref().unwrap().anchor(),
        geo::Point::new(place.location[0], place.location[1]),
    );
    assert!((moved - place.distance_m).abs() < 1e-6);

    // A parcel moves as a whole: same area, and the moved parcel passes.
    let parcel = parse_geojson_sites(
        r#"{"type":"Polygon","coordinates":[[[141.0314,38.2783],[141.0318,38.2783],[141.0318,38.2787],[141.0314,38.2787],[141.0314,38.2783]]]}"#,
        None,
    )
    .unwrap()
    .pop()
    .unwrap();
    let found = nearest_passing(&assessor, &parcel, &options, &criteria, 1500.0, 50.0).unwrap();
    let place = found.found.expect("a passing place for the parcel");
    let geometry = place.geometry.clone();
    let moved = Site::from_geojson(&geometry).unwrap();
    let (Site::Parcel(a), Ok(Site::Parcel(b))) = (&moved, &parcel.site) else {
        panic!("parcels expected");
    };
    assert!((a.area_m2 - b.area_m2).abs() / b.area_m2 < 1e-3);
    let moved_input = SiteInput {
        id: "moved".into(),
        name: None,
        source_ref: None,
        site: Ok(moved),
    };
    assert!(failures(&assessor.assess(&moved_input, &options), &criteria).is_empty());

    // A passing site is its own answer.
    let ok = nearest_passing(
        &assessor,
        &point_site(place.location[0], place.location[1], None),
        &options,
        &criteria,
        500.0,
        25.0,
    )
    .unwrap();
    assert!(ok.failed.is_empty() && ok.found.unwrap().distance_m == 0.0 && ok.tried == 1);
}

/// Copies the sample city, deepening every flood zone to rank 4 (5–10 m) and removing
/// one facility (うみかぜ, capacity `２９`, over 1 km from any other target facility).
fn modified_city() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(data_dir()).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    let mut flood = geojson_file("flood.geojson");
    for f in flood["features"].as_array_mut().unwrap() {
        f["properties"]["A31a_205"] = Value::from(4);
    }
    std::fs::write(dir.path().join("flood.geojson"), flood.to_string()).unwrap();
    let mut facility = geojson_file("facility.geojson");
    let list = facility["features"].as_array_mut().unwrap();
    let before = list.len();
    list.retain(|f| {
        !f["properties"]["name"]
            .as_str()
            .unwrap_or_default()
            .contains("うみかぜ")
    });
    assert_eq!(list.len(), before - 1);
    std::fs::write(dir.path().join("facility.geojson"), facility.to_string()).unwrap();
    dir
}

#[test]
fn change_impact_lists_exactly_the_sites_and_areas_a_new_version_changes() {
    let rubric = Rubric::default_rubric();
    let options = AssessOptions::default();
    let mut inputs = candidates();
    // 100 m from うみかぜ: too close before, not after.
    inputs.push(point_site(141.0541, 38.2931, None));
    assert!(change_impact(&CATALOG, &CATALOG, &inputs, &rubric, &options).is_empty());
    assert!(area_changes(&CATALOG, &CATALOG, &rubric).is_empty());

    let dir = modified_city();
    let (new, _) = load_dir(dir.path()).unwrap();
    let changes = change_impact(&CATALOG, &new, &inputs, &rubric, &options);
    // The oracle: each site assessed against both catalogs, compared on the outcome
    // (verdict, hazard total and status, spacing, area and its status) — not on the
    // nearest distance alone, which moves whenever any facility does.
    let outcome = |s: &Option<Summary>| {
        s.as_ref().map(|s| {
            (
                s.verdict,
                s.hazard_total,
                s.hazard_status,
                s.too_close,
                s.open_area,
                s.area_id.clone(),
            )
        })
    };
    let old_a = Assessor {
        catalog: &CATALOG,
        rubric: &rubric,
    };
    let new_a = Assessor {
        catalog: &new,
        rubric: &rubric,
    };
    let expected: Vec<String> = inputs
        .iter()
        .filter(|i| {
            let (a, b) = (old_a.assess(i, &options), new_a.assess(i, &options));
            outcome(&a.summary) != outcome(&b.summary)
        })
        .map(|i| i.id.to_string())
        .collect();
    let got: Vec<String> = changes.iter().map(|c| c.site_id.to_string()).collect();
    assert_eq!(got, expected);
    // Deeper floods lower hazard totals; the removed facility frees spacing.
    assert!(changes.iter().any(|c| c.changed.contains(&ChangedField::HazardTotal)));
    assert!(
        changes.iter().any(|c| c.changed.contains(&ChangedField::TooClose)),
        "{changes:#?}"
    );
    for c in changes
        .iter()
        .filter(|c| c.changed.contains(&ChangedField::HazardTotal))
    {
        assert!(c.after.as_ref().unwrap().hazard_total < c.before.as_ref().unwrap().hazard_total);
    }

    // The area that held うみかぜ loses one facility and 29 places.
    let areas = area_changes(&CATALOG, &new, &rubric);
    assert_eq!(areas.len(), 1, "{areas:?}");
    let a = &areas[0];
    assert!(a.changed.contains(&AreaField::FacilityCount) && a.changed.contains(&AreaField::Capacity));
    let (b, n) = (
        a.before.as_ref().unwrap().target_facilities.as_ref().unwrap(),
        a.after.as_ref().unwrap().target_facilities.as_ref().unwrap(),
    );
    assert_eq!((b.count - n.count, b.capacity - n.capacity), (1, 29));
}

// ------------------------------------------------------------------ HTTP

fn sample_feature_collection() -> String {
    std::fs::read_to_string(data_dir().join("candidates.geojson")).unwrap()
}

#[tokio::test]
async fn areas_endpoint_reports_coverage_and_takes_demand_overrides() {
    let app = TestApp::spawn().await;
    let body = app.get("/api/areas", "/api/areas").await.json();
    let engine = area_coverage(&CATALOG, &Rubric::default_rubric());
    assert_eq!(body["areas"], serde_json::to_value(&engine).unwrap());
    assert_eq!(body["totals"], serde_json::to_value(coverage_totals(&engine)).unwrap());
    assert_eq!(body["demand"]["per_10000_population"], 50.0);

    let doubled = app
        .get("/api/areas", "/api/areas?demand_per_10000_population=100")
        .await
        .json();
    assert_eq!(doubled["rubric"], "tagajo-2023+what-if");
    for (a, b) in body["areas"]
        .as_array()
        .unwrap()
        .iter()
        .zip(doubled["areas"].as_array().unwrap())
    {
        let (x, y) = (
            a["demand"]["users"].as_f64().unwrap(),
            b["demand"]["users"].as_f64().unwrap(),
        );
        assert!((2.0 * x - y).abs() < 1e-9);
    }
    let p = app
        .get("/api/areas", "/api/areas?zoom=3")
        .await
        .problem(400, "bad_override");
    assert_eq!(p["errors"][0]["field"], "zoom");
    app.get("/api/areas", "/api/areas?demand_per_10000_population=-1")
        .await
        .problem(400, "bad_override");
}

#[tokio::test]
async fn suitability_map_is_cached_bounded_and_matches_the_engine() {
    let app = TestApp::spawn().await;
    let path = "/api/suitability?cell=150&best=5";
    let first = app.get("/api/suitability", path).await;
    assert_eq!(first.status, 200, "{}", first.text());
    assert_eq!(first.content_type(), "application/geo+json");
    let second = app.get("/api/suitability", path).await;
    assert_eq!(second.header("x-tekichi-cache"), Some("hit"));
    assert_eq!(first.body, second.body);
    let doc = first.json();
    let rubric = Rubric::default_rubric();
    let assessor = Assessor {
        catalog: &CATALOG,
        rubric: &rubric,
    };
    let spec = GridSpec {
        cell_m: 150.0,
        extent: GridExtent::Auto,
        max_cells: 250_000,
    };
    let map = suitability_grid(&assessor, &spec).unwrap();
    let features = doc["features"].as_array().unwrap();
    assert_eq!(features.len(), map.places.len());
    assert_eq!(doc["cells"], map.places.len());
    let best = best_places(&map.places, 5, rubric.min_spacing_m);
    let best_ids: Vec<&Value> = doc["best"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["properties"]["id"])
        .collect();
    assert_eq!(best_ids, best.iter().map(|&i| &map.places[i].id).collect::<Vec<_>>());
    for (n, f) in doc["best"].as_array().unwrap().iter().enumerate() {
        assert_eq!(f["properties"]["best_rank"], n + 1);
        assert_eq!(f["properties"]["open_area"], true);
    }
    for f in features.iter().step_by(23) {
        let p = &f["properties"];
        let single = assessor.assess(
            &point_site(p["lon"].as_f64().unwrap(), p["lat"].as_f64().unwrap(), None),
            &AssessOptions::default(),
        );
        let s = single.summary.unwrap();
        assert_eq!(p["verdict"], s.verdict.as_str());
        assert_eq!(p["hazard_total"], s.hazard_total);
        assert_eq!(p["area_id"], serde_json::to_value(&s.area_id).unwrap());
        assert_eq!(p["too_close"], serde_json::to_value(s.too_close).unwrap());
    }
    let versions = doc["layer_versions"].as_array().unwrap();
    assert_eq!(versions.len(), 9);

    // A what-if map is another cache entry, under the modified rubric.
    let wider = app
        .get(
            "/api/suitability",
            "/api/suitability?cell=150&best=5&min_spacing_m=1500",
        )
        .await;
    assert_eq!(wider.header("x-tekichi-cache"), Some("miss"));
    assert_eq!(wider.json()["rubric"], "tagajo-2023+what-if");

    let p = app
        .get("/api/suitability", "/api/suitability?cell=5")
        .await
        .problem(422, "too_many_cells");
    assert!(p["detail"].as_str().unwrap().contains("250000"), "{p}");
    app.get("/api/suitability", "/api/suitability?cell=1")
        .await
        .problem(400, "bad_query");
    app.get("/api/suitability", "/api/suitability?cell=50&bbox=1,2,3")
        .await
        .problem(400, "bad_query");
}

#[tokio::test]
async fn what_if_endpoint_equals_the_engine_comparison() {
    let app = TestApp::spawn().await;
    let reply = app
        .post(
            "/api/whatif",
            "/api/whatif?min_spacing_m=1200&landslide_phenomena=steep_slope,debris_flow,landslide&landslide_yellow_points=2&flood_bands=0-1:3,1-:0",
            "application/geo+json",
            sample_feature_collection(),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let body = reply.json();
    let base = Rubric::default_rubric();
    let changed = overrides().apply(&base).unwrap();
    let inputs = candidates();
    let engine = compare_assessments(
        &Assessor {
            catalog: &CATALOG,
            rubric: &base,
        },
        &Assessor {
            catalog: &CATALOG,
            rubric: &changed,
        },
        &inputs,
        &AssessOptions::default(),
    );
    assert_eq!(body["comparisons"], serde_json::to_value(&engine).unwrap());
    assert_eq!(body["changed"], engine.iter().filter(|c| !c.changed.is_empty()).count());
    assert_eq!(body["overrides"]["min_spacing_m"], 1200.0);

    let only = app
        .post(
            "/api/whatif",
            "/api/whatif?min_spacing_m=1200&changed_only=true",
            "application/geo+json",
            sample_feature_collection(),
        )
        .await
        .json();
    assert!(only["comparisons"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| !c["changed"].as_array().unwrap().is_empty()));
    let p = app
        .post(
            "/api/whatif",
            "/api/whatif?flood_bands=0-1:3",
            "application/geo+json",
            sample_feature_collection(),
        )
        .await
        .problem(400, "bad_override");
    assert!(p["detail"].as_str().unwrap().contains("categories.flood.bands"), "{p}");
}

#[tokio::test]
async fn nearest_endpoint_finds_a_passing_place() {
    let app = TestApp::spawn().await;
    let body = app
        .get(
            "/api/whatif/nearest",
            "/api/whatif/nearest?lon=141.0316&lat=38.2785&search_radius_m=1500",
        )
        .await
        .json();
    assert_eq!(body["failed"][0]["code"], "too_close");
    let found = &body["found"];
    assert_eq!(found["summary"]["too_close"], false);
    assert!(found["distance_m"].as_f64().unwrap() <= 1500.0);

    let parcel = r#"{"type":"Polygon","coordinates":[[[141.0314,38.2783],[141.0318,38.2783],[141.0318,38.2787],[141.0314,38.2787],[141.0314,38.2783]]]}"#;
    let reply = app
        .post(
            "/api/whatif/nearest",
            "/api/whatif/nearest?step_m=50&search_radius_m=1500",
            "application/geo+json",
            parcel,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["found"]["geometry"]["type"], "MultiPolygon");

    app.get(
        "/api/whatif/nearest",
        "/api/whatif/nearest?lon=141.03&lat=38.28&search_radius_m=99999",
    )
    .await
    .problem(400, "bad_query");
    app.get(
        "/api/whatif/nearest",
        "/api/whatif/nearest?lon=141.03&lat=38.28&search_radius_m=5000&step_m=5",
    )
    .await
    .problem(422, "search_too_large");
    app.get("/api/whatif/nearest", "/api/whatif/nearest?lon=41.03&lat=38.28")
        .await
        .problem(422, "coordinates_outside_japan");
}
