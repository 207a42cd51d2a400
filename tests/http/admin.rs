//! The layer store over HTTP: `tekichi serve --store` with the sample city imported into a
//! store, tokens, uploads (dry run, stored, refused, too large), activation and rollback
//! seen by `/api/assess` and `/api/layers`, the audit log, and queries running while
//! versions are switched.

use crate::helpers::{data_dir, Reply, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tekichi::engine::catalog::LayerKind;
use tekichi::io::ingest::diff::area_m2;
use tekichi::io::ingest::source::read_paths;
use tekichi::io::ingest::store::Store;
use tekichi::io::ingest::{prepare, ImportOptions};
use tekichi::server::admin::hash_token;
use tekichi::server::config::{Role, TokenConfig};
use tekichi::server::Settings;

const ADMIN: &str = "admin-secret-token-0001";
const UPLOADER: &str = "upload-secret-token-0002";

/// A store holding the sample city's nine layer files as version 1 of each kind, active.
fn sample_store(dir: &Path) -> PathBuf {
    let path = dir.join("layers.sqlite");
    let mut store = Store::open(&path).unwrap();
    for kind in LayerKind::ALL {
        let files = read_paths(&[data_dir().join(format!("{}.geojson", kind.key()))]).unwrap();
        let mut options = ImportOptions::new(kind);
        options.provenance.source = "sample city".into();
        let prepared = prepare(files, &options).unwrap();
        let v = store.add_version(&prepared, "setup").unwrap();
        store.activate(kind, v, "setup").unwrap();
    }
    path
}

struct Admin {
    app: TestApp,
    _dir: tempfile::TempDir,
}

async fn spawn(edit: impl FnOnce(&mut Settings)) -> Admin {
    let dir = tempfile::tempdir().unwrap();
    let store = sample_store(dir.path());
    let app = TestApp::spawn_with(|s| {
        s.store = Some(store);
        s.tokens = vec![
            TokenConfig {
                name: "gis-admin".into(),
                sha256: hash_token(ADMIN),
                role: Role::Admin,
            },
            TokenConfig {
                name: "gis-upload".into(),
                sha256: hash_token(UPLOADER),
                role: Role::Uploader,
            },
        ];
        edit(s);
    })
    .await;
    Admin { app, _dir: dir }
}

/// A multipart/form-data body: (field name, file name, bytes) parts.
fn form(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "tekichi-test-boundary-7d1f";
    let mut body = Vec::new();
    for (name, file, bytes) in parts {
        write!(body, "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"").unwrap();
        if let Some(f) = file {
            write!(body, "; filename=\"{f}\"\r\nContent-Type: application/octet-stream").unwrap();
        }
        body.extend_from_slice(b"\r\n\r\n");
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    write!(body, "--{boundary}--\r\n").unwrap();
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl Admin {
    async fn upload(
        &self,
        kind: &str,
        query: &str,
        token: Option<&str>,
        parts: &[(&str, Option<&str>, &[u8])],
    ) -> Reply {
        let (content_type, body) = form(parts);
        let mut req = self
            .app
            .request(Method::POST, &format!("/api/layers/{kind}{query}"))
            .header("content-type", content_type)
            .body(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        self.app.send(Method::POST, "/api/layers/{kind}", req).await
    }

    async fn switch(&self, kind: &str, action: &str, token: Option<&str>, body: Option<Value>) -> Reply {
        let mut req = self.app.request(Method::POST, &format!("/api/layers/{kind}/{action}"));
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b.to_string());
        }
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        self.app
            .send(Method::POST, &format!("/api/layers/{{kind}}/{action}"), req)
            .await
    }

    async fn versions(&self, kind: &str) -> Value {
        let r = self
            .app
            .get("/api/layers/{kind}/versions", &format!("/api/layers/{kind}/versions"))
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        r.json()
    }

    /// The served layer entry of `kind` in `/api/layers`.
    async fn served(&self, kind: &str) -> Value {
        let layers = self.app.get("/api/layers", "/api/layers").await.json();
        layers["layers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["kind"] == kind)
            .cloned()
            .unwrap_or(Value::Null)
    }

    async fn audit(&self) -> Vec<Value> {
        let r = self.app.get("/api/audit", "/api/audit").await;
        assert_eq!(r.status, 200, "{}", r.text());
        r.json()["entries"].as_array().unwrap().clone()
    }
}

fn flood() -> Value {
    serde_json::from_str(&std::fs::read_to_string(data_dir().join("flood.geojson")).unwrap()).unwrap()
}

/// The sample flood layer without its first feature, every other feature 25 m deep
/// (scored 0 points: the hazard total of a site in any flood zone drops).
fn deeper_flood() -> Value {
    let mut fc = flood();
    let features = fc["features"].as_array_mut().unwrap();
    features.remove(0);
    for f in features.iter_mut() {
        f["properties"] = json!({"depth_m": 25.0, "river": "潮見川（架空）"});
    }
    fc
}

fn geometry_area(v: &Value) -> f64 {
    let g: geojson::Geometry = serde_json::from_value(v.clone()).unwrap();
    area_m2(&geo::Geometry::try_from(g).unwrap())
}

/// The candidate points of `candidates.csv` (id, lon, lat).
fn candidate_points() -> Vec<(String, f64, f64)> {
    let text = std::fs::read_to_string(data_dir().join("candidates.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (c[0].to_string(), c[2].parse().unwrap(), c[3].parse().unwrap())
        })
        .collect()
}

/// The summary of each candidate of `candidates.geojson` (the file the upload's impact
/// check reads: parcels and points), assessed over HTTP.
async fn assess_candidates(app: &TestApp) -> BTreeMap<String, Value> {
    let fc: Value =
        serde_json::from_str(&std::fs::read_to_string(data_dir().join("candidates.geojson")).unwrap()).unwrap();
    let mut out = BTreeMap::new();
    for f in fc["features"].as_array().unwrap() {
        let r = app
            .post("/api/assess", "/api/assess", "application/geo+json", f.to_string())
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        out.insert(
            f["properties"]["site_id"].as_str().unwrap().to_string(),
            r.json()["summary"].clone(),
        );
    }
    out
}

/// (flood sha256, hazard total) of each candidate point, assessed over HTTP.
async fn point_totals(app: &TestApp) -> BTreeMap<String, (String, Value)> {
    let mut out = BTreeMap::new();
    for (id, lon, lat) in candidate_points() {
        let r = app
            .get("/api/assess", &format!("/api/assess?lon={lon}&lat={lat}"))
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        let report = r.json();
        out.insert(id, (flood_sha(&report), report["summary"]["hazard_total"].clone()));
    }
    out
}

fn flood_sha(report: &Value) -> String {
    report["provenance"]["layers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kind"] == "flood")
        .map(|l| l["sha256"].as_str().unwrap().to_string())
        .expect("flood in the provenance")
}

#[tokio::test]
async fn writes_need_a_valid_token_and_activation_the_admin_role() {
    let a = spawn(|_| {}).await;
    let file = serde_json::to_vec(&flood()).unwrap();
    let parts = [("file", Some("flood.geojson"), file.as_slice())];

    let r = a.upload("flood", "", None, &parts).await;
    let p = r.problem(401, "unauthorized");
    assert_eq!(r.header("www-authenticate"), Some("Bearer realm=\"tekichi\""));
    assert!(p["detail"].as_str().unwrap().contains("Authorization: Bearer"), "{p}");

    let r = a.upload("flood", "", Some("not-the-token"), &parts).await;
    r.problem(401, "unauthorized");
    assert!(r.header("www-authenticate").unwrap().contains("invalid_token"));
    // The hash in the config file is not a token.
    let r = a.upload("flood", "", Some(&hash_token(ADMIN)), &parts).await;
    r.problem(401, "unauthorized");

    for action in ["activate", "rollback"] {
        let body = (action == "activate").then(|| json!({"version": 1}));
        let r = a.switch("flood", action, None, body.clone()).await;
        r.problem(401, "unauthorized");
        assert!(r.header("www-authenticate").is_some());
        // An uploader may not switch versions.
        let p = a
            .switch("flood", action, Some(UPLOADER), body)
            .await
            .problem(403, "forbidden");
        assert!(p["detail"].as_str().unwrap().contains("admin"), "{p}");
    }
    // An uploader may validate.
    let r = a.upload("flood", "", Some(UPLOADER), &parts).await;
    assert_eq!(r.status, 200, "{}", r.text());
    // Reads stay open; refused writes left no trace but the uploader's dry run.
    let audit = a.audit().await;
    let by_tokens: Vec<(&str, &str)> = audit
        .iter()
        .filter(|e| e["actor"] != "setup")
        .map(|e| (e["actor"].as_str().unwrap(), e["action"].as_str().unwrap()))
        .collect();
    assert_eq!(by_tokens, [("gis-upload", "validate")]);
    assert_eq!(a.versions("flood").await["active_version"], 1);
}

#[tokio::test]
async fn bad_files_are_reported_by_feature_and_change_nothing() {
    let a = spawn(|_| {}).await;
    let before = a.served("flood").await;
    // One good polygon, one LineString (not an area), one ring of three positions.
    let mut fc = flood();
    let good = fc["features"][0].clone();
    fc["features"] = json!([
        good,
        {"type": "Feature", "properties": {"depth_m": 1.0}, "geometry": {"type": "LineString", "coordinates": [[141.0, 38.28], [141.01, 38.29]]}},
        {"type": "Feature", "properties": {"depth_m": 1.0}, "geometry": {"type": "Polygon", "coordinates": [[[141.0, 38.28], [141.01, 38.29], [141.0, 38.28]]]}},
    ]);
    let bytes = serde_json::to_vec(&fc).unwrap();
    let r = a
        .upload("flood", "", Some(ADMIN), &[("file", Some("mixed.geojson"), &bytes)])
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let body = r.json();
    assert_eq!(body["dry_run"], true);
    assert_eq!(body["version"], Value::Null);
    assert_eq!(body["report"]["counts"]["read"], 3);
    assert_eq!(body["report"]["counts"]["rejected"], 2);
    let rejected: Vec<(u64, &str)> = body["report"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["status"] == "rejected")
        .map(|p| (p["feature"].as_u64().unwrap(), p["code"].as_str().unwrap()))
        .collect();
    assert_eq!(rejected, [(1, "wrong_geometry_type"), (2, "ring_too_short")]);
    // The full report behind the link says the same.
    let url = body["report_url"].as_str().unwrap();
    let full = a.app.get("/api/layers/{kind}/reports/{report_id}", url).await;
    assert_eq!(full.status, 200);
    assert_eq!(full.json()["problems"], body["report"]["problems"]);

    // Files that cannot be imported at all: 422 with what to fix, even with dry_run=false.
    let outside = br#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"depth_m":1},"geometry":{"type":"Polygon","coordinates":[[[38.28,141.0],[38.29,141.0],[38.29,141.01],[38.28,141.0]]]}}]}"#;
    let p = a
        .upload(
            "flood",
            "?dry_run=false",
            Some(ADMIN),
            &[("file", Some("swapped.geojson"), outside)],
        )
        .await
        .problem(422, "import_refused");
    assert!(p["detail"].as_str().unwrap().contains("outside Japan"), "{p}");
    assert!(p["detail"].as_str().unwrap().contains("swapped"), "{p}");
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("../../evil.geojson", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(&bytes).unwrap();
    let zipped = zip.finish().unwrap().into_inner();
    let p = a
        .upload(
            "flood",
            "?dry_run=false",
            Some(ADMIN),
            &[("file", Some("flood.zip"), &zipped)],
        )
        .await
        .problem(422, "import_refused");
    assert!(p["detail"].as_str().unwrap().contains("path traversal"), "{p}");
    let p = a
        .upload("flood", "", Some(ADMIN), &[("file", Some("notes.txt"), b"hello")])
        .await
        .problem(422, "import_refused");
    assert!(p["detail"].as_str().unwrap().contains(".geojson"), "{p}");
    // Form mistakes name the field.
    let p = a
        .upload(
            "flood",
            "",
            Some(ADMIN),
            &[("file", Some("flood.geojson"), &bytes), ("crs", None, b"not-a-crs")],
        )
        .await
        .problem(400, "bad_upload");
    assert_eq!(p["errors"][0]["field"], "crs");
    // A well-formed code PROJ does not know is a form mistake too, not a refusal of the file.
    let p = a
        .upload(
            "flood",
            "",
            Some(ADMIN),
            &[("file", Some("flood.geojson"), &bytes), ("crs", None, b"EPSG:99999")],
        )
        .await
        .problem(400, "bad_upload");
    assert_eq!(p["errors"][0]["field"], "crs");
    assert!(
        p["errors"][0]["message"].as_str().unwrap().contains("EPSG:99999"),
        "{p}"
    );
    a.upload("flood", "", Some(ADMIN), &[("source", None, b"x")])
        .await
        .problem(400, "bad_upload");
    a.upload("floods", "", Some(ADMIN), &[("file", Some("flood.geojson"), &bytes)])
        .await
        .problem(404, "not_found");

    // Nothing stored, nothing switched; the refusals are in the audit log.
    let versions = a.versions("flood").await;
    assert_eq!(versions["versions"].as_array().unwrap().len(), 1);
    assert_eq!(versions["active_version"], 1);
    assert_eq!(a.served("flood").await, before);
    let refused = a
        .audit()
        .await
        .iter()
        .filter(|e| e["action"] == "refused" && e["actor"] == "gis-admin")
        .count();
    assert_eq!(refused, 3);
}

#[tokio::test]
async fn dry_run_then_store_activate_and_roll_back() {
    let a = spawn(|_| {}).await;
    let original = assess_candidates(&a.app).await;
    let v1 = a.served("flood").await;
    assert_eq!(v1["version"], "v1");
    let upload = serde_json::to_vec(&deeper_flood()).unwrap();
    let parts = [
        ("file", Some("flood-2027.geojson"), upload.as_slice()),
        ("source", None, "潮見市 2027 年改定".as_bytes()),
        ("date", None, b"2027-04-01".as_slice()),
    ];

    // Dry run: the report, the difference and the impact; nothing stored.
    let r = a.upload("flood", "", Some(UPLOADER), &parts).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let dry = r.json();
    let diff = &dry["diff"];
    let n = flood()["features"].as_array().unwrap().len();
    assert_eq!(diff["active_version"], "v1");
    assert_eq!(diff["features_before"], n);
    assert_eq!(diff["features_after"], n - 1);
    assert_eq!(diff["unchanged"], 0);
    assert_eq!(diff["added"], n - 1);
    assert_eq!(diff["removed"], n);
    assert_eq!(diff["attributes_changed"], n - 1, "same geometries, new depths");
    let removed_area = geometry_area(&flood()["features"][0]["geometry"]);
    let change = diff["area_change_m2"].as_f64().unwrap();
    assert!(
        (change + removed_area).abs() < 1e-6 * diff["area_before_m2"].as_f64().unwrap(),
        "area change {change} vs the dropped feature's {removed_area}"
    );
    let impact = &dry["impact"];
    assert_eq!(impact["candidates"], 30);
    assert!(impact["candidates_source"]
        .as_str()
        .unwrap()
        .ends_with("candidates.geojson"));
    let predicted: Vec<String> = impact["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["site_id"].as_str().unwrap().to_string())
        .collect();
    assert!(!predicted.is_empty(), "a deeper flood must lower some hazard total");
    assert_eq!(impact["hazard_total_changed"], predicted.len());
    assert_eq!(a.versions("flood").await["versions"].as_array().unwrap().len(), 1);
    assert_eq!(a.served("flood").await, v1);

    // Stored, not active.
    let r = a.upload("flood", "?dry_run=false", Some(UPLOADER), &parts).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let stored = r.json();
    assert_eq!(stored["version"], 2);
    assert_eq!(stored["dry_run"], false);
    assert_eq!(stored["diff"], dry["diff"]);
    let full = a
        .app
        .get(
            "/api/layers/{kind}/reports/{report_id}",
            stored["report_url"].as_str().unwrap(),
        )
        .await;
    assert_eq!(full.json()["counts"], stored["report"]["counts"]);
    let versions = a.versions("flood").await;
    assert_eq!(versions["active_version"], 1);
    assert_eq!(versions["versions"][0]["version"], 2);
    assert_eq!(versions["versions"][0]["importer"], "gis-upload");
    assert_eq!(versions["versions"][0]["source"], "潮見市 2027 年改定");
    assert_eq!(a.served("flood").await, v1);
    assert_eq!(assess_candidates(&a.app).await, original);

    // Activated: /api/layers and every answer switch, exactly the predicted sites change.
    let r = a
        .switch("flood", "activate", Some(ADMIN), Some(json!({"version": 2})))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let switched = r.json();
    assert_eq!(
        (switched["version"].clone(), switched["previous_version"].clone()),
        (json!(2), json!(1))
    );
    let v2 = a.served("flood").await;
    assert_eq!(v2["version"], "v2");
    assert_eq!(v2["feature_count"], n - 1);
    assert_eq!(v2["sha256"], stored["report"]["uploaded"][0]["sha256"]);
    assert_eq!(v2["sha256"], switched["sha256"]);
    let after = assess_candidates(&a.app).await;
    let mut changed: Vec<String> = after
        .iter()
        .filter(|(id, s)| original[*id] != **s)
        .map(|(id, _)| id.clone())
        .collect();
    let mut predicted_sorted = predicted.clone();
    predicted_sorted.sort();
    changed.sort();
    assert_eq!(
        changed, predicted_sorted,
        "the dry run predicted the sites that changed"
    );
    for id in &changed {
        assert_ne!(after[id]["hazard_total"], original[id]["hazard_total"], "{id}");
    }

    // Rolled back: version 1 and the original answers again.
    let r = a.switch("flood", "rollback", Some(ADMIN), None).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["version"], 1);
    assert_eq!(a.served("flood").await["version"], "v1");
    assert_eq!(assess_candidates(&a.app).await, original);
    // Unknown version: 404, nothing switched.
    a.switch("flood", "activate", Some(ADMIN), Some(json!({"version": 9})))
        .await
        .problem(404, "unknown_version");
    a.switch("flood", "activate", Some(ADMIN), Some(json!({"v": 2})))
        .await
        .problem(400, "bad_request");
    assert_eq!(a.served("flood").await["version"], "v1");

    // The audit log names the tokens, newest first.
    let log: Vec<(String, String, Value)> = a
        .audit()
        .await
        .iter()
        .filter(|e| e["actor"] != "setup")
        .map(|e| {
            (
                e["actor"].as_str().unwrap().into(),
                e["action"].as_str().unwrap().into(),
                e["version"].clone(),
            )
        })
        .collect();
    let expected = [
        ("gis-admin", "rollback", json!(1)),
        ("gis-admin", "activate", json!(2)),
        ("gis-upload", "import", json!(2)),
        ("gis-upload", "validate", Value::Null),
    ];
    let expected: Vec<(String, String, Value)> = expected
        .into_iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c))
        .collect();
    assert_eq!(log, expected);
}

#[tokio::test]
async fn the_served_file_uploaded_again_is_unchanged_feature_by_feature() {
    // The active version is compared as the server holds it (geometries from the
    // catalog, properties kept as JSON text): nothing may differ from the file itself.
    let a = spawn(|_| {}).await;
    let mut reordered = flood();
    reordered["features"].as_array_mut().unwrap().reverse();
    for file in [flood(), reordered] {
        let upload = serde_json::to_vec(&file).unwrap();
        let parts = [("file", Some("flood.geojson"), upload.as_slice())];
        let r = a.upload("flood", "", Some(UPLOADER), &parts).await;
        assert_eq!(r.status, 200, "{}", r.text());
        let diff = &r.json()["diff"];
        let n = flood()["features"].as_array().unwrap().len();
        assert_eq!(diff["unchanged"], n, "{diff}");
        assert_eq!((diff["added"].as_u64(), diff["removed"].as_u64()), (Some(0), Some(0)));
        assert_eq!(diff["area_change_m2"], 0.0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn queries_running_through_activations_each_come_from_one_version() {
    let a = spawn(|_| {}).await;
    let upload = serde_json::to_vec(&deeper_flood()).unwrap();
    let r = a
        .upload(
            "flood",
            "?dry_run=false",
            Some(ADMIN),
            &[("file", Some("flood-deep.geojson"), &upload)],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let stored = r.json();
    let v1_sha = a.served("flood").await["sha256"].as_str().unwrap().to_string();
    let v2_sha = stored["report"]["uploaded"][0]["sha256"].as_str().unwrap().to_string();
    assert_ne!(v1_sha, v2_sha);
    // A candidate point whose hazard total differs between the versions, read at rest.
    let at_v1 = point_totals(&a.app).await;
    let r = a
        .switch("flood", "activate", Some(ADMIN), Some(json!({"version": 2})))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let at_v2 = point_totals(&a.app).await;
    let r = a.switch("flood", "rollback", Some(ADMIN), None).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let probe = at_v1
        .keys()
        .find(|id| at_v1[*id].1 != at_v2[*id].1)
        .expect("a candidate point whose hazard total changes")
        .clone();
    assert_eq!((&at_v1[&probe].0, &at_v2[&probe].0), (&v1_sha, &v2_sha));
    let expected: BTreeMap<String, Value> = [
        (v1_sha.clone(), at_v1[&probe].1.clone()),
        (v2_sha.clone(), at_v2[&probe].1.clone()),
    ]
    .into();
    let (_, lon, lat) = candidate_points().into_iter().find(|(id, _, _)| *id == probe).unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let url = format!("{}/api/assess?lon={lon}&lat={lat}", a.app.base);
    let mut workers = Vec::new();
    for _ in 0..4 {
        let (stop, url, client) = (stop.clone(), url.clone(), a.app.client.clone());
        workers.push(tokio::spawn(async move {
            let mut seen: Vec<(String, Value)> = Vec::new();
            let mut failures = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                match client.get(&url).send().await {
                    Ok(r) if r.status() == 200 => {
                        let report: Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
                        seen.push((flood_sha(&report), report["summary"]["hazard_total"].clone()));
                    }
                    Ok(r) => failures.push(format!("{} {}", r.status(), r.text().await.unwrap_or_default())),
                    Err(e) => failures.push(e.to_string()),
                }
            }
            (seen, failures)
        }));
    }
    let started = std::time::Instant::now();
    for i in 0..10 {
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
        let r = if i % 2 == 0 {
            a.switch("flood", "activate", Some(ADMIN), Some(json!({"version": 2})))
                .await
        } else {
            a.switch("flood", "rollback", Some(ADMIN), None).await
        };
        assert_eq!(r.status, 200, "{}", r.text());
    }
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    stop.store(true, Ordering::Relaxed);
    let mut answers = 0;
    let mut per_version: BTreeMap<String, usize> = BTreeMap::new();
    for w in workers {
        let (seen, failures) = w.await.unwrap();
        assert!(failures.is_empty(), "queries failed during activation: {failures:?}");
        for (sha, total) in seen {
            assert_eq!(
                Some(&total),
                expected.get(&sha),
                "an answer mixed versions: flood {sha} with hazard total {total}"
            );
            *per_version.entry(sha).or_default() += 1;
            answers += 1;
        }
    }
    eprintln!(
        "{answers} answers in {:?} across 10 switches: {per_version:?}",
        started.elapsed()
    );
    assert_eq!(per_version.len(), 2, "answers from both versions: {per_version:?}");
    // Ten switches from v1 end on v1.
    assert_eq!(a.served("flood").await["sha256"], v1_sha.as_str());
}

#[tokio::test]
async fn uploads_over_the_limits_are_refused_with_413() {
    let a = spawn(|s| {
        s.import.upload_bytes = 60_000;
        s.import.features = 10;
    })
    .await;
    let big = vec![b' '; 100_000];
    let p = a
        .upload("flood", "", Some(ADMIN), &[("file", Some("big.geojson"), &big)])
        .await
        .problem(413, "body_too_large");
    assert!(p["detail"].as_str().unwrap().contains("60000"), "{p}");
    // Within the body limit, over the feature limit (the sample flood has 15).
    let file = serde_json::to_vec(&flood()).unwrap();
    assert!(file.len() < 60_000);
    let p = a
        .upload(
            "flood",
            "?dry_run=false",
            Some(ADMIN),
            &[("file", Some("flood.geojson"), &file)],
        )
        .await
        .problem(413, "import_too_large");
    assert!(p["detail"].as_str().unwrap().contains("10"), "{p}");
    assert_eq!(a.versions("flood").await["versions"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn without_a_store_the_admin_endpoints_say_how_to_start_one() {
    let app = TestApp::spawn().await;
    let p = app
        .get("/api/layers/{kind}/versions", "/api/layers/flood/versions")
        .await
        .problem(409, "no_store");
    assert!(p["detail"].as_str().unwrap().contains("--store"), "{p}");
    // Writes ask for a token first, without a store and without tokens as well.
    let r = app
        .send(
            Method::POST,
            "/api/layers/{kind}/rollback",
            app.request(Method::POST, "/api/layers/flood/rollback"),
        )
        .await;
    r.problem(401, "unauthorized");
}
