//! The bundled sample city (架空市 潮見市): every probe point's designed answers, computed
//! independently by the generator with exact rational arithmetic, must match the engine;
//! and the candidate sites' full reports are kept as golden snapshots.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use tekichi::engine::assess::{rank, AssessOptions, Assessor};
use tekichi::engine::catalog::Catalog;
use tekichi::engine::report::Report;
use tekichi::engine::rubric::Rubric;
use tekichi::io::layers::load_dir;
use tekichi::io::sites::read_sites;

fn dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample-city"))
}

fn catalog() -> &'static Catalog {
    static CATALOG: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
    CATALOG.get_or_init(|| load_dir(dir()).expect("sample city loads").0)
}

fn ids(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.to_string().trim_matches('"').to_string())
        .collect()
}

fn zone_ids(report: &Value, category: &str) -> BTreeSet<String> {
    ids(&Value::Array(
        report["hazard"]["categories"][category]["zones"]
            .as_array()
            .unwrap()
            .iter()
            .map(|z| z["feature_id"].clone())
            .collect(),
    ))
}

#[test]
fn every_probe_matches_its_designed_answer() {
    let rubric = Rubric::default_rubric();
    let assessor = Assessor {
        catalog: catalog(),
        rubric: &rubric,
    };
    let probes = read_sites(&dir().join("probes.geojson"), None).unwrap();
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(dir().join("probes.geojson")).unwrap()).unwrap();
    let mut failures = Vec::new();
    for (input, feature) in probes.iter().zip(doc["features"].as_array().unwrap()) {
        let p = &feature["properties"];
        let name = p["probe"].as_str().unwrap();
        let r = serde_json::to_value(assessor.assess(input, &AssessOptions::default())).unwrap();
        let mut check = |what: &str, got: Value, want: Value| {
            if got != want {
                failures.push(format!("{name}: {what}: got {got}, want {want}"));
            }
        };
        let b = &r["buildability"];
        check(
            "zoning ids",
            serde_json::json!(ids(&Value::Array(
                b["districts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|d| d["feature_id"].clone())
                    .collect()
            ))),
            serde_json::json!(ids(&p["zoning_ids"])),
        );
        check(
            "governing id",
            b["governing_district"]["feature_id"].clone(),
            p["governing_zoning_id"].clone(),
        );
        check("verdict", b["verdict"].clone(), p["verdict"].clone());
        check(
            "straddles",
            b["straddles_districts"].clone(),
            p["straddles_districts"].clone(),
        );
        let area_ids: BTreeSet<String> = r["daily_life_area"]["areas"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_string())
            .collect();
        check(
            "area ids",
            serde_json::json!(area_ids),
            serde_json::json!(ids(&p["area_ids"])),
        );
        let lowest = ids(&p["area_ids"]).into_iter().next();
        check("area", r["daily_life_area"]["id"].clone(), serde_json::json!(lowest));
        for (category, key) in [
            ("flood", "flood_ids"),
            ("river_erosion", "erosion_ids"),
            ("landslide", "landslide_ids"),
            ("tsunami", "tsunami_ids"),
        ] {
            check(
                &format!("{category} zones"),
                serde_json::json!(zone_ids(&r, category)),
                serde_json::json!(ids(&p[key])),
            );
            check(
                &format!("{category} points"),
                r["hazard"]["categories"][category]["points"].clone(),
                p["hazard_points"][category].clone(),
            );
        }
        check(
            "hazard total",
            r["hazard"]["total"].clone(),
            p["hazard_points"]["total"].clone(),
        );
        check(
            "too close",
            r["facilities"]["too_close"].clone(),
            p["too_close"].clone(),
        );
        let nearest = r["facilities"]["nearest"]
            .as_array()
            .unwrap()
            .first()
            .cloned()
            .unwrap_or(Value::Null);
        check(
            "nearest name",
            nearest["name"].clone(),
            p["nearest_small_multi"].clone(),
        );
        if let (Some(got), Some(want)) = (nearest["distance_m"].as_f64(), p["nearest_small_multi_m"].as_f64()) {
            if (got - want).abs() > 0.1 {
                failures.push(format!("{name}: nearest distance {got:.2} m, designed {want:.1} m"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(probes.len() >= 40);
}

/// Rounds every float so snapshots do not depend on the last bits of a platform's libm.
fn rounded(v: Value) -> Value {
    match v {
        Value::Number(n) if n.is_f64() => {
            let x = n.as_f64().unwrap();
            serde_json::json!((x * 1000.0).round() / 1000.0)
        }
        Value::Array(a) => Value::Array(a.into_iter().map(rounded).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, rounded(v))).collect()),
        other => other,
    }
}

#[test]
fn candidate_reports_match_the_golden_files() {
    let rubric = Rubric::default_rubric();
    let assessor = Assessor {
        catalog: catalog(),
        rubric: &rubric,
    };
    let inputs = read_sites(&dir().join("candidates.geojson"), None).unwrap();
    let mut reports: Vec<Report> = inputs
        .iter()
        .map(|i| assessor.assess(i, &AssessOptions::default()))
        .collect();
    rank(&mut reports);
    for r in &reports {
        let id = r.site.id.as_str().expect("candidates have text ids");
        insta::assert_json_snapshot!(format!("candidate_{id}"), rounded(serde_json::to_value(r).unwrap()));
    }
    let order: Vec<(String, &str)> = reports
        .iter()
        .map(|r| {
            (
                r.site.id.as_str().unwrap_or_default().to_string(),
                r.summary.as_ref().map_or("error", |s| s.verdict.as_str()),
            )
        })
        .collect();
    insta::assert_json_snapshot!("candidate_ranking", order);
}
