//! The engine on real public data from ../shared/data: 国土数値情報 A32 中学校区 (Nara,
//! GeoJSON with the non-standard `crs` member) and the national 小規模多機能 list (CSV
//! with dirty coordinates). Known answers are from the data's README (checked there with
//! an independent point-in-polygon tool).

mod support;

use serde_json::json;
use std::path::{Path, PathBuf};
use tekichi::engine::assess::{AssessOptions, Assessor, SiteInput};
use tekichi::engine::catalog::{Catalog, LayerKind};
use tekichi::engine::rubric::Rubric;
use tekichi::engine::site::Site;
use tekichi::io::layers::{load_dir, LoadReport};

fn shared_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data")
}

/// The real data, loaded once for all tests of this file.
fn nara_catalog() -> &'static (Catalog, LoadReport) {
    static LOADED: std::sync::OnceLock<(Catalog, LoadReport)> = std::sync::OnceLock::new();
    LOADED.get_or_init(load_nara)
}

/// A data directory whose manifest points at the shared files by absolute path.
fn load_nara() -> (Catalog, LoadReport) {
    let dir = tempfile::tempdir().unwrap();
    let data = shared_data();
    let manifest = format!(
        r#"name = "奈良県 実データ"
[layers.daily_life_area]
files = ["{a32}"]
source = "国土数値情報（中学校区データ）（国土交通省）"
publisher = "国土交通省"
date = "2023"
[layers.facility]
files = ["{kaigo}"]
source = "介護サービス情報公表システム（厚生労働省）"
publisher = "厚生労働省"
"#,
        a32 = data.join("nara-a32/A32-23_29.geojson").display(),
        kaigo = data.join("mhlw-kaigo/jigyosho_730.csv").display(),
    );
    std::fs::write(dir.path().join("manifest.toml"), manifest).unwrap();
    load_dir(dir.path()).expect("real data loads")
}

fn assess_point(catalog: &Catalog, lon: f64, lat: f64) -> tekichi::engine::report::Report {
    let rubric = Rubric::default_rubric();
    let input = SiteInput {
        id: json!("p"),
        name: None,
        source_ref: None,
        site: Ok(Site::point(lon, lat).unwrap()),
    };
    Assessor {
        catalog,
        rubric: &rubric,
    }
    .assess(&input, &AssessOptions::default())
}

#[test]
fn ikoma_facility_lies_in_komyo_junior_high_district() {
    let (catalog, _) = nara_catalog();
    let areas = catalog.info(LayerKind::DailyLifeArea).unwrap();
    assert_eq!(areas.feature_count, 88, "82 Polygon + 6 MultiPolygon districts");
    // 彩・生駒 (奈良県生駒市南田原町), coordinates from the national list.
    let r = assess_point(catalog, 135.70485409099192, 34.72111766859788);
    let area = r.daily_life_area.unwrap();
    assert_eq!(area.name.as_deref(), Some("光明中学校"));
    let target = area.target_facilities.unwrap();
    assert!(target.names.iter().any(|n| &**n == "彩・生駒"), "{:?}", target.names);
    assert_eq!(area.open_for_application, Some(false));
    let f = r.facilities.unwrap();
    assert_eq!(f.nearest[0].name.as_deref(), Some("彩・生駒"));
    assert!(f.nearest[0].distance_m < 0.01);
    assert_eq!(f.too_close, Some(true));
}

#[test]
fn dirty_facility_rows_are_reported_by_line_not_dropped_silently() {
    let (catalog, report) = nara_catalog();
    let facilities = catalog.info(LayerKind::Facility).unwrap();
    assert_eq!(facilities.feature_count + report.skipped_rows.len(), 5451);
    assert!(!report.skipped_rows.is_empty());
    assert!(report
        .skipped_rows
        .iter()
        .all(|p| p.at.starts_with("line ") && p.reason.contains("日本の範囲外") || p.reason.contains("数値でない")));
    // 小規模多機能型居宅介護 → small_multi; 定員 → capacity.
    let layer = catalog.facility.as_ref().unwrap();
    let place = layer
        .index
        .places()
        .iter()
        .find(|p| p.attrs.attrs.name.as_deref() == Some("彩・生駒"))
        .unwrap();
    assert_eq!(&*place.attrs.attrs.facility_type, "small_multi");
    assert_eq!(place.attrs.attrs.capacity, Some(25));
}

#[test]
fn a_vertex_shared_by_two_districts_goes_to_the_lowest_school_code() {
    // Find a vertex that two different district features share, exactly as written.
    let text = std::fs::read_to_string(shared_data().join("nara-a32/A32-23_29.geojson")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut seen: std::collections::HashMap<(u64, u64), (usize, String)> = Default::default();
    let mut shared = None;
    'outer: for (i, f) in doc["features"].as_array().unwrap().iter().enumerate() {
        let code = f["properties"]["A32_003"].as_str().unwrap().to_string();
        let flat: Vec<&serde_json::Value> = match f["geometry"]["type"].as_str().unwrap() {
            "Polygon" => f["geometry"]["coordinates"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|r| r.as_array().unwrap())
                .collect(),
            _ => f["geometry"]["coordinates"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|p| p.as_array().unwrap())
                .flat_map(|r| r.as_array().unwrap())
                .collect(),
        };
        for c in flat {
            let (x, y) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
            match seen.get(&(x.to_bits(), y.to_bits())) {
                Some((j, other)) if *j != i => {
                    shared = Some((x, y, code.clone().min(other.clone())));
                    break 'outer;
                }
                _ => {
                    seen.insert((x.to_bits(), y.to_bits()), (i, code.clone()));
                }
            }
        }
    }
    let (lon, lat, lowest) = shared.expect("neighbouring districts share vertices");
    let (catalog, _) = nara_catalog();
    let area = assess_point(catalog, lon, lat).daily_life_area.unwrap();
    assert!(
        area.areas.len() >= 2,
        "a shared vertex is in both districts: {:?}",
        area.areas
    );
    assert!(area.areas.iter().any(|a| *a.id == *lowest));
    let min = area.areas.iter().map(|a| &*a.id).min();
    assert_eq!(
        area.id.as_deref(),
        min,
        "the lowest school code of all districts listed"
    );
}
