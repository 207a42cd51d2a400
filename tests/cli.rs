//! The `tekichi` binary: inputs, formats, ranking, exit codes (0 ok, 2 bad input) and
//! error messages, on the bundled sample city.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample-city");

fn tekichi() -> Command {
    let mut cmd = Command::cargo_bin("tekichi").unwrap();
    cmd.env_remove("TEKICHI_DATA").env_remove("TEKICHI_RUBRIC");
    cmd
}

fn assess(args: &[&str]) -> assert_cmd::assert::Assert {
    tekichi().args(["assess", "--data", DATA]).args(args).assert()
}

fn stdout_json(a: &assert_cmd::assert::Assert) -> Value {
    serde_json::from_slice(&a.get_output().stdout).expect("stdout is JSON")
}

fn stderr(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

#[test]
fn one_point_gives_one_report_object() {
    // probe zone_01_low_rise_1 of the sample city
    let a = assess(&["--lon", "141.0185", "--lat", "38.2925"]).success();
    let v = stdout_json(&a);
    assert_eq!(v["site"]["kind"], "point");
    assert!(v["buildability"]["verdict"].is_string());
    assert_eq!(v["rubric"]["id"], "tagajo-2023");
    assert_eq!(v["provenance"]["layers"].as_array().unwrap().len(), 9);
}

#[test]
fn one_parcel_file_and_a_ranked_batch_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let site = write(
        dir.path(),
        "parcel.geojson",
        r#"{"type":"Feature","properties":{"site_id":"P1"},"geometry":{"type":"Polygon","coordinates":[[[141.03,38.285],[141.0304,38.285],[141.0304,38.2853],[141.03,38.2853],[141.03,38.285]]]}}"#,
    );
    let v = stdout_json(&assess(&["--site", &site]).success());
    assert_eq!(v["site"]["id"], "P1");
    assert_eq!(v["site"]["kind"], "parcel");
    assert!(v["site"]["area_m2"].as_f64().unwrap() > 1000.0);

    let batch = format!("{DATA}/candidates.geojson");
    let v = stdout_json(&assess(&["--sites", &batch, "--rank"]).success());
    let reports = v.as_array().unwrap();
    assert_eq!(reports.len(), 30);
    let order = ["buildable", "conditional", "unknown", "not_buildable"];
    let ranks: Vec<usize> = reports
        .iter()
        .map(|r| order.iter().position(|o| *o == r["buildability"]["verdict"]).unwrap())
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "ranked by verdict: {ranks:?}");

    let a = assess(&["--sites", &batch, "--format", "ndjson"]).success();
    let lines: Vec<Value> = String::from_utf8_lossy(&a.get_output().stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 30);

    let v = stdout_json(&assess(&["--sites", &batch, "--format", "geojson"]).success());
    assert_eq!(v["type"], "FeatureCollection");
    assert_eq!(v["features"].as_array().unwrap().len(), 30);

    let a = assess(&[
        "--sites",
        &format!("{DATA}/candidates.csv"),
        "--format",
        "csv",
        "--rank",
    ])
    .success();
    let out = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    let mut rows = csv::Reader::from_reader(out.trim_start_matches('\u{feff}').as_bytes());
    let header = rows.headers().unwrap().clone();
    assert_eq!(&header[0], "rank");
    assert!(header.iter().any(|h| h == "hazard_total"));
    assert_eq!(rows.records().count(), 30);
}

#[test]
fn plane_rectangular_input_is_transformed_to_lon_lat() {
    // JGD2011 zone X (EPSG:6678) coordinates of 141.03°E 38.285°N, computed with PROJ here.
    let proj = proj::Proj::new_known_crs("EPSG:6668", "EPSG:6678", None).unwrap();
    let (x, y) = proj.convert((141.03, 38.285)).unwrap();
    let v = stdout_json(&assess(&["--crs", "EPSG:6678", "--lon", &x.to_string(), "--lat", &y.to_string()]).success());
    let anchor = v["site"]["anchor"].as_array().unwrap();
    assert!((anchor[0].as_f64().unwrap() - 141.03).abs() < 1e-8);
    assert!((anchor[1].as_f64().unwrap() - 38.285).abs() < 1e-8);
}

#[test]
fn bad_input_exits_2_with_a_message_that_says_what_to_fix() {
    let a = assess(&["--lon", "38.285", "--lat", "141.03"]).code(2);
    let v = stdout_json(&a);
    assert_eq!(v["error"]["code"], "coordinates_outside_japan");
    assert!(v["error"]["message"].as_str().unwrap().contains("swapped"));

    let a = assess(&["--sites", "/nonexistent/sites.csv"]).code(2);
    assert!(stderr(&a).contains("/nonexistent/sites.csv"), "{}", stderr(&a));

    let a = assess(&["--crs", "JGD2011", "--lon", "0", "--lat", "0"]).code(2);
    assert!(stderr(&a).contains("unknown CRS"), "{}", stderr(&a));

    let dir = tempfile::tempdir().unwrap();
    let rubric = write(
        dir.path(),
        "bad.toml",
        &tekichi::engine::rubric::DEFAULT_RUBRIC_TOML.replace("radius_m = 2000", "radius_m = -1"),
    );
    let a = assess(&["--rubric", &rubric, "--lon", "141.03", "--lat", "38.285"]).code(2);
    assert!(stderr(&a).contains("radius_m"), "{}", stderr(&a));
    assert!(stderr(&a).contains("line"), "{}", stderr(&a));

    let a = tekichi().args(["layers", "--data", "/nonexistent"]).assert().code(2);
    assert!(stderr(&a).contains("no layer files found"), "{}", stderr(&a));

    let a = assess(&[
        "--lon",
        "141.03",
        "--lat",
        "38.285",
        "--output",
        "/nonexistent/out.json",
    ])
    .code(2);
    assert!(
        stderr(&a).contains("出力ファイル /nonexistent/out.json を作成できません"),
        "{}",
        stderr(&a)
    );
    assert!(stderr(&a).contains("cannot create the output file"), "{}", stderr(&a));
    let a = tekichi()
        .args(["areas", "--data", DATA, "--output", "/nonexistent/areas.json"])
        .assert()
        .code(2);
    assert!(stderr(&a).contains("cannot create the output file"), "{}", stderr(&a));
}

#[test]
fn output_dash_is_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    let a = tekichi()
        .current_dir(dir.path())
        .args([
            "assess", "--data", DATA, "--lon", "141.03", "--lat", "38.285", "--output", "-",
        ])
        .assert()
        .success();
    assert_eq!(stdout_json(&a)["site"]["kind"], "point");
    assert!(!dir.path().join("-").exists(), "no file named '-'");
}

#[test]
fn a_bad_site_in_a_batch_is_reported_and_the_rest_are_assessed() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "sites.csv",
        "site_id,lon,lat\nA,141.03,38.285\nB,abc,38.285\nC,141.02,38.29\n",
    );
    let a = assess(&["--sites", &csv, "--format", "ndjson"]).success();
    let lines: Vec<Value> = String::from_utf8_lossy(&a.get_output().stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[1]["error"]["code"], "malformed_row");
    assert!(lines[1]["error"]["message"].as_str().unwrap().contains("line 3"));
    assert!(lines[1]["buildability"].is_null());
    assert!(lines[0]["error"].is_null() && lines[2]["error"].is_null());
    assert!(stderr(&a).contains("1 of 3"), "{}", stderr(&a));

    let all_bad = write(dir.path(), "bad.csv", "site_id,lon,lat\nA,abc,38\n");
    assess(&["--sites", &all_bad]).code(2);
}

#[test]
fn another_rubric_file_changes_the_answer_without_a_rebuild() {
    // probe landslide_debris_flow: a 土石流 zone, not scored by 多賀城市, scored by the strict file.
    let probes: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{DATA}/probes.geojson")).unwrap()).unwrap();
    let probe = probes["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["probe"] == "landslide_debris_flow")
        .unwrap();
    let (lon, lat) = (
        probe["geometry"]["coordinates"][0].to_string(),
        probe["geometry"]["coordinates"][1].to_string(),
    );
    let default = stdout_json(&assess(&["--lon", &lon, "--lat", &lat]).success());
    let strict_path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/rubrics/strict-all-sediment.toml");
    let strict = stdout_json(&assess(&["--rubric", strict_path, "--lon", &lon, "--lat", &lat]).success());
    assert_eq!(default["hazard"]["categories"]["landslide"]["points"], 4);
    assert!(strict["hazard"]["categories"]["landslide"]["points"].as_u64().unwrap() < 4);
    assert_eq!(strict["rubric"]["id"], "strict-all-sediment");
}

#[test]
fn layers_lists_every_kind_with_counts_and_unrecognised_values() {
    let a = tekichi().args(["layers", "--data", DATA]).assert().success();
    let out = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    for kind in tekichi::engine::catalog::LayerKind::ALL.map(|k| k.key()) {
        assert!(out.contains(kind), "{kind} missing in:\n{out}");
    }
    assert!(out.contains("A29_004 = \"99\""), "{out}");
    let a = tekichi()
        .args(["layers", "--data", DATA, "--format", "json"])
        .assert()
        .success();
    let v = stdout_json(&a);
    assert_eq!(v["layers"].as_array().unwrap().len(), 9);
    assert!(v["layers"][0]["sha256"].as_str().unwrap().len() == 64);
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    // 2,000 reports (about 10 MB of ndjson): far more than a pipe holds, so tekichi is
    // still writing when the reader goes away.
    let dir = tempfile::tempdir().unwrap();
    let rows: String = (0..2000)
        .map(|i| format!("S{i},{:.5},38.2925\n", 141.0 + f64::from(i % 100) * 1e-4))
        .collect();
    let sites = write(dir.path(), "sites.csv", &format!("site_id,lon,lat\n{rows}"));
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("tekichi"))
        .args(["assess", "--data", DATA, "--sites", &sites, "--format", "ndjson"])
        .env_remove("TEKICHI_DATA")
        .env_remove("TEKICHI_RUBRIC")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 100];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The read end is dropped here, like `| head -c 100`.
    let out = child.wait_with_output().unwrap();
    assert!(first.starts_with(b"{"));
    assert!(out.status.success(), "{:?}", out.status);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("error"), "{stderr}");
}
