//! The HTTP service, end to end: the real server on 127.0.0.1:0 with the sample city,
//! called over HTTP. Answers are compared with the engine run in-process (byte for byte
//! for batches); every JSON body is validated against the OpenAPI document (see
//! `http/helpers.rs`); GDAL's OGC API – Features client reads the layers.

#[path = "http/admin.rs"]
mod admin;
#[path = "http/helpers.rs"]
mod helpers;

use helpers::{data_dir, root, TestApp, DOC};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::atomic::Ordering;
use std::sync::LazyLock;
use tekichi::engine::assess::{rank_order, AssessOptions, Assessor, SiteInput};
use tekichi::engine::catalog::{Catalog, LayerKind};
use tekichi::engine::report::Report;
use tekichi::engine::rubric::Rubric;
use tekichi::io::crs::Crs;
use tekichi::io::layers::load_dir;
use tekichi::io::output::{csv_header, Format, ReportWriter};
use tekichi::io::sites::{parse_csv_sites, parse_geojson_sites, point_site};

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| load_dir(&data_dir()).expect("sample city loads").0);

fn read(name: &str) -> String {
    std::fs::read_to_string(data_dir().join(name)).unwrap()
}

fn strict_rubric() -> Rubric {
    let path = root().join("data/rubrics/strict-all-sediment.toml");
    Rubric::from_toml_str(&std::fs::read_to_string(&path).unwrap(), "strict").unwrap()
}

fn in_process(inputs: &[SiteInput], rubric: &Rubric, options: &AssessOptions) -> Vec<Report> {
    let assessor = Assessor {
        catalog: &CATALOG,
        rubric,
    };
    inputs.iter().map(|i| assessor.assess(i, options)).collect()
}

fn written(reports: &[Report], format: Format) -> Vec<u8> {
    let mut w = ReportWriter::new(Vec::new(), format, false);
    for r in reports {
        w.write(r).unwrap();
    }
    w.finish().unwrap()
}

fn points_of(geojson: &str) -> Vec<(f64, f64)> {
    let v: Value = serde_json::from_str(geojson).unwrap();
    v["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["geometry"]["type"] == "Point")
        .map(|f| {
            let c = &f["geometry"]["coordinates"];
            (c[0].as_f64().unwrap(), c[1].as_f64().unwrap())
        })
        .collect()
}

// ---------------------------------------------------------------- assessment

#[tokio::test]
async fn point_get_matches_the_engine_in_process() {
    let app = TestApp::spawn().await;
    let rubric = Rubric::default_rubric();
    let probes = points_of(&read("probes.geojson"));
    assert_eq!(probes.len(), 60);
    for (lon, lat) in probes {
        let reply = app
            .get("/api/assess", &format!("/api/assess?lon={lon}&lat={lat}"))
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        assert_eq!(reply.content_type(), "application/json");
        let expected = &in_process(&[point_site(lon, lat, None)], &rubric, &AssessOptions::default())[0];
        assert_eq!(reply.json(), serde_json::to_value(expected).unwrap(), "at {lon},{lat}");
    }
}

#[tokio::test]
async fn point_get_options_rubric_and_crs() {
    let app = TestApp::spawn().await;
    let (lon, lat) = (141.0185, 38.2925);
    let reply = app
        .get(
            "/api/assess",
            &format!("/api/assess?lon={lon}&lat={lat}&rubric=strict-all-sediment&k=2&types=small_multi,group_home"),
        )
        .await;
    let options = AssessOptions {
        k: Some(2),
        types: Some(vec!["small_multi".into(), "group_home".into()]),
    };
    let expected = &in_process(&[point_site(lon, lat, None)], &strict_rubric(), &options)[0];
    let got = reply.json();
    assert_eq!(got, serde_json::to_value(expected).unwrap());
    assert_eq!(got["rubric"]["id"], "strict-all-sediment");
    assert!(got["facilities"]["nearest"].as_array().unwrap().len() <= 2);

    // Plane rectangular zone X (EPSG:6678) x/y, transformed by PROJ on the server.
    let (x, y) = (-2000.0, -77000.0);
    let reply = app
        .get("/api/assess", &format!("/api/assess?lon={x}&lat={y}&crs=EPSG:6678"))
        .await;
    let crs = Some(Crs::parse("EPSG:6678").unwrap());
    let expected = &in_process(
        &[point_site(x, y, crs)],
        &Rubric::default_rubric(),
        &AssessOptions::default(),
    )[0];
    if expected.error.is_some() {
        reply.problem(422, "coordinates_outside_japan");
    } else {
        assert_eq!(reply.json(), serde_json::to_value(expected).unwrap());
    }
}

#[tokio::test]
async fn parcel_post_matches_the_engine_for_every_candidate() {
    let app = TestApp::spawn().await;
    let collection: Value = serde_json::from_str(&read("candidates.geojson")).unwrap();
    let rubric = Rubric::default_rubric();
    for (i, feature) in collection["features"].as_array().unwrap().iter().enumerate() {
        let text = feature.to_string();
        let media = if i % 2 == 0 {
            "application/geo+json"
        } else {
            "application/json"
        };
        let reply = app.post("/api/assess", "/api/assess", media, text.clone()).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        let inputs = parse_geojson_sites(&text, None).unwrap();
        let expected = &in_process(&inputs, &rubric, &AssessOptions::default())[0];
        assert_eq!(reply.json(), serde_json::to_value(expected).unwrap(), "candidate {i}");
    }

    // A bare geometry: id 0; kind parcel with an area.
    let geometry = collection["features"][0]["geometry"].to_string();
    let v = app
        .post("/api/assess", "/api/assess", "application/geo+json", geometry)
        .await
        .json();
    assert_eq!(v["site"]["id"], 0);
    assert_eq!(v["site"]["kind"], "parcel");
    assert!(v["site"]["area_m2"].as_f64().unwrap() > 100.0);

    // A `crs` member (plane rectangular X): a 10 m square is 100 m².
    let square = json!({
        "type": "Feature",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::6678"}},
        "properties": {"site_id": "sq"},
        "geometry": {"type": "Polygon", "coordinates": [[[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0], [0.0, 0.0]]]}
    });
    let v = app
        .post("/api/assess", "/api/assess", "application/geo+json", square.to_string())
        .await
        .json();
    assert_eq!(v["site"]["id"], "sq");
    assert!(
        (v["site"]["area_m2"].as_f64().unwrap() - 100.0).abs() < 0.5,
        "{}",
        v["site"]
    );
    // The query `crs` overrides: the same square read as lon/lat is outside Japan.
    let reply = app
        .post(
            "/api/assess",
            "/api/assess?crs=EPSG:6668",
            "application/geo+json",
            square.to_string(),
        )
        .await;
    reply.problem(422, "coordinates_outside_japan");
}

#[tokio::test]
async fn batch_streams_every_format_byte_for_byte_as_the_cli_writer() {
    let app = TestApp::spawn().await;
    let text = read("candidates.geojson");
    let inputs = parse_geojson_sites(&text, None).unwrap();
    let reports = in_process(&inputs, &Rubric::default_rubric(), &AssessOptions::default());
    for (accept, format, media) in [
        (None, Format::Ndjson, "application/x-ndjson"),
        (Some("application/x-ndjson"), Format::Ndjson, "application/x-ndjson"),
        (Some("application/geo+json"), Format::Geojson, "application/geo+json"),
        (Some("text/csv"), Format::Csv, "text/csv"),
        (Some("application/json"), Format::Json, "application/json"),
        (Some("text/html;q=0.9, text/*;q=0.5"), Format::Csv, "text/csv"),
    ] {
        let mut req = app
            .request(Method::POST, "/api/assess/batch")
            .header("content-type", "application/geo+json")
            .body(text.clone());
        if let Some(a) = accept {
            req = req.header("accept", a);
        }
        let reply = app.send(Method::POST, "/api/assess/batch", req).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        assert!(
            reply.content_type().starts_with(media),
            "{accept:?} → {}",
            reply.content_type()
        );
        assert_eq!(reply.header("x-tekichi-sites"), Some("30"));
        assert_eq!(reply.header("x-tekichi-rejected"), Some("0"));
        assert!(
            reply.header("content-length").is_none(),
            "a batch is streamed (chunked)"
        );
        assert_eq!(
            reply.body,
            written(&reports, format),
            "{accept:?}: the body differs from the CLI writer's"
        );
    }
}

#[tokio::test]
async fn batch_ranked_and_csv_input() {
    let app = TestApp::spawn().await;
    let text = read("candidates.geojson");
    let inputs = parse_geojson_sites(&text, None).unwrap();
    let mut reports = in_process(&inputs, &Rubric::default_rubric(), &AssessOptions::default());
    reports.sort_by(rank_order);
    let reply = app
        .post(
            "/api/assess/batch",
            "/api/assess/batch?rank=true",
            "application/geo+json",
            text,
        )
        .await;
    assert_eq!(reply.body, written(&reports, Format::Ndjson));
    let first: Value = serde_json::from_str(reply.text().lines().next().unwrap()).unwrap();
    assert_eq!(first["site"]["id"], reports[0].site.id);

    // CSV in (UTF-8), CSV out, ranked, with a rubric and options.
    let csv = read("candidates.csv");
    let inputs = parse_csv_sites(csv.as_bytes(), None).unwrap();
    let options = AssessOptions {
        k: Some(3),
        types: None,
    };
    let mut reports = in_process(&inputs, &strict_rubric(), &options);
    reports.sort_by(rank_order);
    let req = app
        .request(
            Method::POST,
            "/api/assess/batch?rank=true&rubric=strict-all-sediment&k=3",
        )
        .header("content-type", "text/csv; charset=utf-8")
        .header("accept", "text/csv")
        .body(csv);
    let reply = app.send(Method::POST, "/api/assess/batch", req).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, written(&reports, Format::Csv));
    let header = reply
        .text()
        .lines()
        .next()
        .unwrap()
        .trim_start_matches('\u{feff}')
        .to_string();
    assert_eq!(header, csv_header().join(","));

    // Rejected rows are reported in place; the others are still assessed.
    let csv = "site_id,lon,lat\nok,141.0185,38.2925\nswapped,38.2925,141.0185\nbad,east,38\n";
    let reply = app
        .post("/api/assess/batch", "/api/assess/batch", "text/csv", csv)
        .await;
    assert_eq!(reply.header("x-tekichi-rejected"), Some("2"));
    let lines: Vec<Value> = reply.text().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0]["error"].is_null());
    assert_eq!(lines[1]["error"]["code"], "coordinates_outside_japan");
    assert_eq!(lines[2]["error"]["code"], "malformed_row");
}

#[tokio::test]
async fn a_large_batch_streams_and_survives_graceful_shutdown() {
    let mut app = TestApp::spawn().await;
    let mut csv = String::from("site_id,lon,lat\n");
    let n = 20_000;
    for i in 0..n {
        // Deterministic points over the sample city.
        let lon = 141.0 + (i as f64 * 0.618_033_988_7).fract() * 0.06;
        let lat = 38.27 + (i as f64 * 0.414_213_562_3).fract() * 0.04;
        csv.push_str(&format!("P{i},{lon:.6},{lat:.6}\n"));
    }
    let response = app
        .request(Method::POST, "/api/assess/batch")
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    // Shut down while the body is still streaming: the request in flight completes.
    let server = app.begin_stop();
    let body = response.text().await.expect("the whole body arrives");
    assert_eq!(body.lines().count(), n);
    let last: Value = serde_json::from_str(body.lines().last().unwrap()).unwrap();
    assert_eq!(last["site"]["id"], format!("P{}", n - 1));
    server.await.unwrap().unwrap();
}

// ---------------------------------------------------------------- errors

fn bow_tie() -> Value {
    json!({"type":"Polygon","coordinates":[[[141.02,38.28],[141.021,38.281],[141.021,38.28],[141.02,38.281],[141.02,38.28]]]})
}

#[tokio::test]
async fn every_error_is_a_problem_with_the_right_status() {
    let app = TestApp::spawn_with(|s| {
        s.limits.body_bytes = 16 * 1024;
        s.limits.batch_max_sites = 40;
        s.limits.batch_body_bytes = 64 * 1024;
    })
    .await;
    let get = |path: &'static str| app.get("/api/assess", path);

    // Query parameters.
    let p = get("/api/assess?lat=38.29").await.problem(400, "bad_query");
    assert_eq!(p["errors"][0]["field"], "lon");
    let p = get("/api/assess?lon=east&lat=38.29").await.problem(400, "bad_query");
    assert_eq!(p["errors"][0]["field"], "lon");
    let p = get("/api/assess?lon=141.02&lat=38.29&zoom=3")
        .await
        .problem(400, "bad_query");
    assert_eq!(p["errors"][0]["field"], "zoom");
    let p = get("/api/assess?lon=141.02&lat=38.29&k=1000")
        .await
        .problem(400, "bad_query");
    assert_eq!(p["errors"][0]["field"], "k");
    let p = get("/api/assess?lon=141.02&lat=38.29&rubric=nope")
        .await
        .problem(400, "unknown_rubric");
    assert!(p["detail"].as_str().unwrap().contains("tagajo-2023"));
    let p = get("/api/assess?lon=141.02&lat=38.29&crs=EPSG:zone9")
        .await
        .problem(400, "unknown_crs");
    assert_eq!(p["errors"][0]["field"], "crs");

    // Outside Japan: 422 with the engine's bilingual message, Japanese title first.
    let p = get("/api/assess?lon=38.29&lat=141.02")
        .await
        .problem(422, "coordinates_outside_japan");
    assert!(p["title"].as_str().unwrap().starts_with("座標が日本の範囲外"));
    assert!(p["detail"].as_str().unwrap().contains("日本の範囲外"), "{p}");
    assert!(p["detail"].as_str().unwrap().contains("swapped"), "{p}");
    assert_eq!(p["errors"][0]["field"], "lon/lat");
    get("/api/assess?lon=2.35&lat=48.85")
        .await
        .problem(422, "coordinates_outside_japan");

    // Bodies.
    let post = |body: String, media: &'static str| app.post("/api/assess", "/api/assess", media, body);
    let p = post(
        "{\"type\": \"Point\",\n \"coordinates\": [141.0, 38.3".into(),
        "application/json",
    )
    .await
    .problem(400, "malformed_json");
    assert_eq!(p["errors"][0]["line"], 2);
    assert!(p["errors"][0]["column"].as_u64().unwrap() > 0);
    post("{}".into(), "text/plain")
        .await
        .problem(415, "unsupported_media_type");
    let reply = app
        .send(
            Method::POST,
            "/api/assess",
            app.request(Method::POST, "/api/assess").body("{}"),
        )
        .await;
    reply.problem(415, "unsupported_media_type");
    let p = post(
        json!({"type":"LineString","coordinates":[[141.0,38.3],[141.1,38.3]]}).to_string(),
        "application/geo+json",
    )
    .await
    .problem(422, "invalid_site");
    assert_eq!(p["errors"][0]["field"], "geometry");
    assert_eq!(p["errors"][0]["code"], "unsupported_geometry_type");
    let p = post(bow_tie().to_string(), "application/geo+json")
        .await
        .problem(422, "invalid_site");
    assert!(p["detail"].as_str().unwrap().contains("自己交差"), "{p}");
    post(
        json!({"type":"FeatureCollection","features":[]}).to_string(),
        "application/json",
    )
    .await
    .problem(422, "not_geojson");
    post(json!({"kind":"Point"}).to_string(), "application/json")
        .await
        .problem(422, "not_geojson");
    post("\"141,38\"".into(), "application/json")
        .await
        .problem(422, "not_geojson");
    let big = format!(
        "{{\"type\":\"Point\",\"coordinates\":[141.0,38.3],\"pad\":\"{}\"}}",
        "x".repeat(20 * 1024)
    );
    let p = post(big, "application/geo+json").await.problem(413, "body_too_large");
    assert!(p["detail"].as_str().unwrap().contains("16384"), "{p}");

    // Batches.
    let batch = |body: String, media: &'static str, accept: &'static str| {
        let req = app
            .request(Method::POST, "/api/assess/batch")
            .header("content-type", media)
            .header("accept", accept)
            .body(body);
        app.send(Method::POST, "/api/assess/batch", req)
    };
    let fc = read("candidates.geojson");
    batch(fc.clone(), "application/geo+json", "text/html")
        .await
        .problem(406, "not_acceptable");
    batch(fc.clone(), "application/xml", "*/*")
        .await
        .problem(415, "unsupported_media_type");
    batch(
        json!({"type":"FeatureCollection","features":[]}).to_string(),
        "application/geo+json",
        "*/*",
    )
    .await
    .problem(422, "no_sites");
    batch("name,address\nA,1-2-3\n".into(), "text/csv", "*/*")
        .await
        .problem(422, "no_coordinate_columns");
    // Neither UTF-8 nor Shift_JIS.
    let req = app
        .request(Method::POST, "/api/assess/batch")
        .header("content-type", "text/csv")
        .body(b"lon,lat\n\xff\xfd\xfe,38\n".to_vec());
    app.send(Method::POST, "/api/assess/batch", req)
        .await
        .problem(400, "malformed_body");
    batch(
        "{\"type\":\"FeatureCollection\",\"features\":[".into(),
        "application/geo+json",
        "*/*",
    )
    .await
    .problem(400, "malformed_json");
    let mut many = String::from("lon,lat\n");
    for _ in 0..41 {
        many.push_str("141.02,38.29\n");
    }
    let p = batch(many, "text/csv", "*/*").await.problem(413, "too_many_sites");
    assert!(p["detail"].as_str().unwrap().contains("40"), "{p}");
    let padded = format!("{}{}", fc.trim_end(), " ".repeat(70 * 1024));
    batch(padded, "application/geo+json", "*/*")
        .await
        .problem(413, "body_too_large");

    // Routing.
    app.get("", "/no/such/path").await.problem(404, "not_found");
    let reply = app
        .send(
            Method::DELETE,
            "/api/layers",
            app.request(Method::DELETE, "/api/layers"),
        )
        .await;
    reply.problem(405, "method_not_allowed");
    assert!(reply.header("allow").unwrap().contains("GET"));
}

#[tokio::test]
async fn a_request_over_time_is_a_503_problem() {
    let app = TestApp::spawn_with(|s| s.limits.request_timeout_ms = 1).await;
    let mut csv = String::from("lon,lat\n");
    for i in 0..50_000 {
        csv.push_str(&format!("{:.6},38.29\n", 141.0 + i as f64 * 1e-6));
    }
    let p = app
        .post("/api/assess/batch", "/api/assess/batch", "text/csv", csv)
        .await
        .problem(503, "unavailable");
    assert!(p["detail"].as_str().unwrap().contains("時間"));
}

// ---------------------------------------------------------------- OGC API – Features

fn link<'a>(doc: &'a Value, rel: &str) -> Option<&'a str> {
    doc["links"]
        .as_array()?
        .iter()
        .find(|l| l["rel"] == rel)
        .and_then(|l| l["href"].as_str())
}

/// The path and query of an absolute link to this server.
fn local(app: &TestApp, href: &str) -> String {
    href.strip_prefix(&app.base)
        .unwrap_or_else(|| panic!("{href} is not on {}", app.base))
        .to_string()
}

#[tokio::test]
async fn landing_conformance_and_collections() {
    let app = TestApp::spawn().await;
    let landing = app.get("/", "/").await.json();
    for rel in ["self", "service-desc", "service-doc", "conformance", "data"] {
        let href = link(&landing, rel).unwrap_or_else(|| panic!("no {rel} link"));
        assert!(href.starts_with(&app.base), "{href}");
    }
    assert_eq!(app.get("/", "/?f=json").await.status, 200);
    app.get("/", "/?f=html").await.problem(400, "bad_query");

    let conformance = app.get("/conformance", "/conformance").await.json();
    let classes: Vec<&str> = conformance["conformsTo"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(classes.contains(&"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"));
    assert!(classes.contains(&"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"));

    let collections = app.get("/collections", "/collections").await.json();
    let list = collections["collections"].as_array().unwrap();
    assert_eq!(list.len(), 9);
    for c in list {
        let id = c["id"].as_str().unwrap();
        let one = app
            .get("/collections/{collectionId}", &format!("/collections/{id}"))
            .await
            .json();
        assert_eq!(&one, c);
        let info = CATALOG
            .info(tekichi::engine::catalog::LayerKind::from_key(id).unwrap())
            .unwrap();
        assert_eq!(one["title"], info.kind.name_ja());
        assert_eq!(one["feature_count"], info.feature_count);
        assert_eq!(one["version"], info.meta.version.as_str());
        assert_eq!(one["source"], info.meta.source.as_str());
        let b = info.bbox.unwrap();
        assert_eq!(
            one["extent"]["spatial"]["bbox"][0],
            json!([b.min().x, b.min().y, b.max().x, b.max().y])
        );
        assert_eq!(
            one["extent"]["spatial"]["crs"],
            "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
        );
        assert!(link(&one, "items")
            .unwrap()
            .ends_with(&format!("/collections/{id}/items")));
    }
    app.get("/collections/{collectionId}", "/collections/roads")
        .await
        .problem(404, "not_found");
}

/// The layer file's features: (served id, geometry, properties), ids as the server gives them.
fn layer_file(kind: &str) -> Vec<(String, geo::Geometry<f64>, Value)> {
    let fc: geojson::FeatureCollection = read(&format!("{kind}.geojson")).parse().unwrap();
    fc.features
        .into_iter()
        .enumerate()
        .map(|(i, f)| {
            let id = match &f.id {
                Some(geojson::feature::Id::Number(n)) => n.to_string(),
                Some(geojson::feature::Id::String(s)) => s.clone(),
                None => i.to_string(),
            };
            let geometry: geo::Geometry<f64> = f.geometry.clone().unwrap().try_into().unwrap();
            (id, geometry, Value::Object(f.properties.clone().unwrap_or_default()))
        })
        .collect()
}

fn id_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[tokio::test]
async fn items_paging_follows_next_links_over_every_feature() {
    let app = TestApp::spawn().await;
    for kind in ["zoning", "flood", "facility", "daily_life_area"] {
        let expected: Vec<String> = layer_file(kind).into_iter().map(|(id, _, _)| id).collect();
        let mut seen = Vec::new();
        let mut next = Some(format!("/collections/{kind}/items?limit=4"));
        let mut pages = 0;
        while let Some(path) = next {
            let reply = app.get("/collections/{collectionId}/items", &path).await;
            assert_eq!(reply.content_type(), "application/geo+json");
            let page = reply.json();
            assert_eq!(page["type"], "FeatureCollection");
            assert_eq!(page["numberMatched"], expected.len());
            let features = page["features"].as_array().unwrap();
            assert_eq!(page["numberReturned"], features.len());
            assert!(features.len() <= 4);
            assert_eq!(link(&page, "prev").is_some(), pages > 0, "{path}");
            seen.extend(features.iter().map(|f| id_text(&f["id"])));
            next = link(&page, "next").map(|h| local(&app, h));
            pages += 1;
        }
        assert_eq!(seen, expected, "{kind}: every feature once, in file order");
        assert_eq!(pages, expected.len().div_ceil(4));
    }
    // Default and clamped limits; bad ones.
    let page = app
        .get("/collections/{collectionId}/items", "/collections/zoning/items")
        .await
        .json();
    assert_eq!(page["numberReturned"], 22);
    let page = app
        .get(
            "/collections/{collectionId}/items",
            "/collections/zoning/items?limit=1000000",
        )
        .await
        .json();
    assert_eq!(page["numberReturned"], 22);
    let page = app
        .get(
            "/collections/{collectionId}/items",
            "/collections/zoning/items?offset=100",
        )
        .await
        .json();
    assert_eq!(page["numberReturned"], 0);
    assert!(link(&page, "prev").is_some());
    for bad in [
        "limit=0",
        "limit=-1",
        "offset=x",
        "bbox=1,2,3",
        "bbox-crs=EPSG:6677",
        "f=xml",
        "color=red",
    ] {
        app.get(
            "/collections/{collectionId}/items",
            &format!("/collections/zoning/items?{bad}"),
        )
        .await
        .problem(400, "bad_query");
    }
}

/// A deterministic stream of numbers in [0, 1).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[tokio::test]
async fn bbox_filter_matches_a_brute_force_scan() {
    use geo::Intersects;
    let app = TestApp::spawn().await;
    let mut rng = Lcg(20_261_123);
    for kind in ["zoning", "flood", "facility", "landslide", "daily_life_area"] {
        let features = layer_file(kind);
        let info = CATALOG
            .info(tekichi::engine::catalog::LayerKind::from_key(kind).unwrap())
            .unwrap();
        let b = info.bbox.unwrap();
        let (w, h) = (b.width(), b.height());
        let mut nonempty = 0;
        for _ in 0..25 {
            let x0 = b.min().x - 0.1 * w + rng.next() * 1.2 * w;
            let y0 = b.min().y - 0.1 * h + rng.next() * 1.2 * h;
            let (x1, y1) = (x0 + rng.next() * 0.4 * w, y0 + rng.next() * 0.4 * h);
            let rect = geo::Rect::new(geo::coord! {x: x0, y: y0}, geo::coord! {x: x1, y: y1});
            let expected: Vec<String> = features
                .iter()
                .filter(|(_, g, _)| g.intersects(&rect))
                .map(|(id, _, _)| id.clone())
                .collect();
            let page = app
                .get(
                    "/collections/{collectionId}/items",
                    &format!("/collections/{kind}/items?bbox={x0},{y0},{x1},{y1}&limit=10000"),
                )
                .await
                .json();
            let got: Vec<String> = page["features"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| id_text(&f["id"]))
                .collect();
            assert_eq!(page["numberMatched"], expected.len(), "{kind} bbox {x0},{y0},{x1},{y1}");
            assert_eq!(got, expected, "{kind} bbox {x0},{y0},{x1},{y1}");
            nonempty += usize::from(!expected.is_empty());
        }
        assert!(
            nonempty >= 5,
            "{kind}: the random boxes hit too few features to prove much"
        );
    }
}

#[tokio::test]
async fn single_items_carry_the_original_geometry_and_properties() {
    let app = TestApp::spawn().await;
    // Every kind, so Polygons and MultiPolygons (zoning, flood, …) and points come back
    // as the type they were read as.
    for kind in LayerKind::ALL.map(LayerKind::key) {
        for (id, geometry, properties) in layer_file(kind) {
            let reply = app
                .get(
                    "/collections/{collectionId}/items/{featureId}",
                    &format!("/collections/{kind}/items/{id}"),
                )
                .await;
            assert_eq!(reply.content_type(), "application/geo+json");
            let f = reply.json();
            assert_eq!(f["type"], "Feature");
            assert_eq!(id_text(&f["id"]), id);
            assert_eq!(f["properties"], properties, "{kind} {id}");
            let served: geojson::Geometry = serde_json::from_value(f["geometry"].clone()).unwrap();
            let served: geo::Geometry<f64> = served.try_into().unwrap();
            assert_eq!(served, geometry, "{kind} {id}: geometry as in the file");
            assert!(link(&f, "self").unwrap().ends_with(&format!("/items/{id}")));
        }
    }
    app.get(
        "/collections/{collectionId}/items/{featureId}",
        "/collections/flood/items/9999",
    )
    .await
    .problem(404, "not_found");
}

#[tokio::test]
async fn gdal_ogrinfo_reads_every_collection() {
    let app = TestApp::spawn().await;
    let url = format!("OAPIF:http://127.0.0.1:{}", app.port);
    let ogrinfo = |args: Vec<String>| {
        tokio::task::spawn_blocking(move || {
            let out = std::process::Command::new("ogrinfo")
                .args(&args)
                .env("GDAL_HTTP_TIMEOUT", "30")
                .output()
                .expect("ogrinfo runs (install gdal-bin: scripts/deps.sh)");
            assert!(
                out.status.success(),
                "ogrinfo {args:?} failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout).into_owned()
        })
    };
    let listing = ogrinfo(vec!["-ro".into(), "-so".into(), url.clone()]).await.unwrap();
    for kind in tekichi::engine::catalog::LayerKind::ALL {
        assert!(
            listing.contains(&format!(": {} (title: {})", kind.key(), kind.name_ja())),
            "{kind} missing from:\n{listing}"
        );
    }
    for kind in ["flood", "facility"] {
        let expected = layer_file(kind);
        let dump = ogrinfo(vec!["-ro".into(), url.clone(), kind.into()]).await.unwrap();
        assert!(dump.contains(&format!("Feature Count: {}", expected.len())), "{dump}");
        let read = dump.matches(&format!("OGRFeature({kind}):")).count();
        assert_eq!(read, expected.len(), "GDAL read every {kind} feature");
        let geometry = if kind == "flood" { "POLYGON ((" } else { "POINT (" };
        assert!(dump.matches(geometry).count() >= expected.len() / 2, "{dump}");
    }
}

// ---------------------------------------------------------------- info, docs, health

#[tokio::test]
async fn layers_areas_and_rubrics() {
    let app = TestApp::spawn().await;
    let layers = app.get("/api/layers", "/api/layers").await.json();
    assert_eq!(layers["dataset"], "潮見市（架空）サンプル");
    assert_eq!(layers["layers"].as_array().unwrap().len(), 9);
    assert_eq!(layers["missing"], json!([]));
    let expected = serde_json::to_value(CATALOG.summaries()).unwrap();
    for (got, want) in layers["layers"]
        .as_array()
        .unwrap()
        .iter()
        .zip(expected.as_array().unwrap())
    {
        for key in [
            "kind",
            "feature_count",
            "version",
            "source",
            "sha256",
            "unrecognised",
            "files",
        ] {
            assert_eq!(got[key], want[key], "{key}");
        }
    }

    let areas = app.get("/api/areas", "/api/areas").await.json();
    assert_eq!(areas["target_type"], "small_multi");
    let list = areas["areas"].as_array().unwrap();
    let layer = CATALOG.daily_life_area.as_ref().unwrap();
    assert_eq!(list.len(), layer.info.feature_count);
    let mut open = 0;
    for (i, a) in list.iter().enumerate() {
        let t = tekichi::engine::assess::target_facilities(&CATALOG, i, &"small_multi".into()).unwrap();
        assert_eq!(a["target_facilities"], serde_json::to_value(&t).unwrap());
        assert_eq!(a["open_for_application"], t.count == 0);
        open += usize::from(t.count == 0);
    }
    assert!(
        open > 0 && open < list.len(),
        "the sample city has open and served areas"
    );
    // The same areas are what a point assessment reports.
    let report = app
        .get("/api/assess", "/api/assess?lon=141.0185&lat=38.2925")
        .await
        .json();
    let area = list
        .iter()
        .find(|a| a["id"] == report["daily_life_area"]["id"])
        .unwrap();
    assert_eq!(
        area["open_for_application"],
        report["daily_life_area"]["open_for_application"]
    );
    app.get("/api/areas", "/api/areas?rubric=nope")
        .await
        .problem(400, "unknown_rubric");

    let rubrics = app.get("/api/rubrics", "/api/rubrics").await.json();
    assert_eq!(rubrics["default"], "tagajo-2023");
    let ids: BTreeSet<&str> = rubrics["rubrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, BTreeSet::from(["tagajo-2023", "strict-all-sediment"]));
    let tagajo = &rubrics["rubrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "tagajo-2023")
        .unwrap();
    assert_eq!(tagajo["max_total"], 15);
    assert_eq!(tagajo["min_spacing_m"], 500.0);
}

#[tokio::test]
async fn the_candidate_file_is_served_as_sites_ready_to_post() {
    let app = TestApp::spawn().await;
    let reply = app.get("/api/candidates", "/api/candidates").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.content_type(), "application/geo+json");
    assert_eq!(reply.header("x-tekichi-rejected"), Some("0"));
    let served = reply.json();
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string(data_dir().join("candidates.geojson")).unwrap()).unwrap();
    let served_features = served["features"].as_array().unwrap();
    let file_features = file["features"].as_array().unwrap();
    assert_eq!(served_features.len(), file_features.len());
    for (s, f) in served_features.iter().zip(file_features) {
        assert_eq!(s["id"], f["properties"]["site_id"]);
        assert_eq!(s["properties"]["name"], f["properties"]["name"]);
        assert_eq!(s["geometry"]["type"], f["geometry"]["type"]);
        assert_eq!(s["geometry"]["coordinates"], f["geometry"]["coordinates"]);
    }
    // Posted back as a batch, it is assessed exactly as the file is by the CLI.
    let batch = app
        .post(
            "/api/assess/batch",
            "/api/assess/batch",
            "application/geo+json",
            reply.body.clone(),
        )
        .await;
    assert_eq!(batch.status, 200, "{}", batch.text());
    let sites = parse_geojson_sites(&file.to_string(), None).unwrap();
    let expected = in_process(&sites, &Rubric::default_rubric(), &AssessOptions::default());
    let got: Vec<Value> = batch.text().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(got.len(), expected.len());
    for (g, e) in got.iter().zip(&expected) {
        assert_eq!(
            g["summary"],
            serde_json::to_value(&e.summary).unwrap(),
            "{}",
            g["site"]["id"]
        );
    }

    // A dataset without a candidate file says so.
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(data_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() && path.file_stem().is_none_or(|s| s != "candidates") {
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    let data = dir.path().to_path_buf();
    let bare = TestApp::spawn_with(|s| s.data = data.clone()).await;
    let missing = bare
        .get("/api/candidates", "/api/candidates")
        .await
        .problem(404, "not_found");
    assert!(missing["detail"].as_str().unwrap().contains("candidates.geojson"));
}

#[tokio::test]
async fn the_openapi_document_lists_every_route_and_the_report() {
    let app = TestApp::spawn().await;
    let reply = app.get("/api/openapi.json", "/api/openapi.json").await;
    let doc = reply.json();
    assert_eq!(reply.body, tekichi::server::openapi::document().as_bytes());
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let routes = [
        ("get", "/"),
        ("get", "/conformance"),
        ("get", "/collections"),
        ("get", "/collections/{collectionId}"),
        ("get", "/collections/{collectionId}/items"),
        ("get", "/collections/{collectionId}/items/{featureId}"),
        ("get", "/api/assess"),
        ("post", "/api/assess"),
        ("post", "/api/assess/batch"),
        ("get", "/api/layers"),
        ("get", "/api/areas"),
        ("get", "/api/rubrics"),
        ("get", "/api/candidates"),
        ("get", "/api/openapi.json"),
        ("get", "/api/docs"),
        ("get", "/healthz"),
        ("get", "/readyz"),
        ("get", "/api/suitability"),
        ("post", "/api/whatif"),
        ("get", "/api/whatif/nearest"),
        ("post", "/api/whatif/nearest"),
        ("get", "/api/ui-config"),
        ("get", "/api/map/{kind}"),
        ("post", "/api/results"),
        ("get", "/api/results/{id}"),
        ("post", "/api/layers/{kind}"),
        ("post", "/api/layers/{kind}/activate"),
        ("post", "/api/layers/{kind}/rollback"),
        ("get", "/api/layers/{kind}/versions"),
        ("get", "/api/layers/{kind}/reports/{report_id}"),
        ("get", "/api/audit"),
    ];
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| item.as_object().unwrap().keys().map(move |m| (m.clone(), path.clone())))
        .collect();
    let expected: BTreeSet<(String, String)> = routes.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
    assert_eq!(documented, expected);
    // The report schema carries the SPEC §5 paths.
    let report = &doc["components"]["schemas"]["Report"];
    for key in [
        "site",
        "error",
        "buildability",
        "daily_life_area",
        "facilities",
        "hazard",
        "provenance",
        "rubric",
    ] {
        assert!(report["properties"].get(key).is_some(), "Report.{key}");
    }
    for (schema, key) in [
        ("Buildability", "governing_district"),
        ("Facilities", "too_close"),
        ("Hazard", "categories"),
        ("HazardZone", "worst_case"),
        ("DailyLifeArea", "open_for_application"),
    ] {
        assert!(
            doc["components"]["schemas"][schema]["properties"].get(key).is_some(),
            "{schema}.{key}"
        );
    }
    // Every documented operation answers (GET ones without parameters at least).
    for (method, path) in routes {
        if method == "get" && !path.contains('{') {
            let reply = app.get(path, path).await;
            assert!(reply.status < 500, "{path}");
        }
    }
    let docs = app.get("/api/docs", "/api/docs").await;
    assert!(docs.content_type().starts_with("text/html"));
    let html = docs.text();
    for (_, path) in routes {
        assert!(
            html.contains(&format!("<code>{path}</code>")),
            "{path} missing from /api/docs"
        );
    }
    assert!(html.contains("id=\"problem-coordinates_outside_japan\""));
    assert!(
        !html.contains("<script") && !html.contains("src=\"http"),
        "no scripts, no external assets"
    );
    // The strict copy of the document compiles (every response check relies on it).
    assert!(DOC["components"]["schemas"]["Report"]["additionalProperties"] == json!(false));
}

#[tokio::test]
async fn health_readiness_and_draining() {
    let app = TestApp::spawn().await;
    let h = app.get("/healthz", "/healthz").await.json();
    assert_eq!(h["status"], "ok");
    let r = app.get("/readyz", "/readyz").await.json();
    assert_eq!(r["status"], "ready");
    assert_eq!(r["layers"], 9);
    assert_eq!(r["rubrics"], 2);
    app.state.draining.store(true, Ordering::Relaxed);
    app.get("/readyz", "/readyz").await.problem(503, "shutting_down");
    assert_eq!(app.get("/healthz", "/healthz").await.status, 200);
}

#[tokio::test]
async fn request_ids_compression_and_cors() {
    let app = TestApp::spawn_with(|s| s.cors.allow_origins = vec!["https://map.example".into()]).await;
    // A generated id, or the caller's own echoed back.
    let first = app.get("/healthz", "/healthz").await;
    let second = app.get("/healthz", "/healthz").await;
    let (a, b) = (
        first.header("x-request-id").unwrap(),
        second.header("x-request-id").unwrap(),
    );
    assert!(!a.is_empty() && a != b, "{a} {b}");
    let req = app
        .request(Method::GET, "/healthz")
        .header("x-request-id", "trace-me-42");
    let reply = app.send(Method::GET, "/healthz", req).await;
    assert_eq!(reply.header("x-request-id"), Some("trace-me-42"));

    for (encoding, magic) in [("gzip", &[0x1f_u8, 0x8b][..]), ("br", &[][..])] {
        let req = app
            .request(Method::GET, "/collections/zoning/items")
            .header("accept-encoding", encoding);
        let reply = req.send().await.unwrap();
        assert_eq!(reply.headers()["content-encoding"], encoding);
        let body = reply.bytes().await.unwrap();
        assert!(body.starts_with(magic));
        let plain = app
            .get("/collections/{collectionId}/items", "/collections/zoning/items")
            .await;
        assert!(body.len() * 3 < plain.body.len(), "{encoding} compresses");
    }

    let req = app
        .request(Method::GET, "/api/layers")
        .header("origin", "https://map.example");
    let reply = app.send(Method::GET, "/api/layers", req).await;
    assert_eq!(reply.header("access-control-allow-origin"), Some("https://map.example"));
    let req = app
        .request(Method::GET, "/api/layers")
        .header("origin", "https://evil.example");
    let reply = app.send(Method::GET, "/api/layers", req).await;
    assert_eq!(reply.header("access-control-allow-origin"), None);
    let preflight = app
        .request(Method::OPTIONS, "/api/assess/batch")
        .header("origin", "https://map.example")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success());
    assert_eq!(
        preflight.headers()["access-control-allow-origin"],
        "https://map.example"
    );
}

#[tokio::test]
async fn the_schema_check_rejects_undocumented_or_missing_fields() {
    let app = TestApp::spawn().await;
    let report = app
        .get("/api/assess", "/api/assess?lon=141.0185&lat=38.2925")
        .await
        .json();
    let schema = json!({"$ref": "#/components/schemas/Report"});
    assert!(helpers::validator(&schema).is_valid(&report));
    let mut extra = report.clone();
    extra["buildability"]["surprise"] = json!(1);
    assert!(
        !helpers::validator(&schema).is_valid(&extra),
        "an undocumented member fails"
    );
    let mut missing = report.clone();
    missing["facilities"].as_object_mut().unwrap().remove("too_close");
    assert!(
        !helpers::validator(&schema).is_valid(&missing),
        "a missing member fails"
    );
    let mut wrong = report;
    wrong["summary"]["verdict"] = json!("maybe");
    assert!(
        !helpers::validator(&schema).is_valid(&wrong),
        "a value outside the enum fails"
    );
}

// ---------------------------------------------------------------- map UI and stored results

#[tokio::test]
async fn browsers_get_the_map_and_clients_the_landing_page() {
    let app = TestApp::spawn().await;
    let browser = app
        .request(Method::GET, "/")
        .header(
            "accept",
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        )
        .send()
        .await
        .unwrap();
    // Redirected (303) to the map page.
    assert_eq!(browser.url().path(), "/map/");
    assert!(browser.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    // GDAL, QGIS and curl: JSON (no Accept, */*, or application/json).
    for accept in [None, Some("*/*"), Some("application/json")] {
        let mut req = app.request(Method::GET, "/");
        if let Some(a) = accept {
            req = req.header("accept", a);
        }
        let reply = req.send().await.unwrap();
        assert_eq!(reply.status(), 200, "{accept:?}");
        let body: Value = serde_json::from_str(&reply.text().await.unwrap()).unwrap();
        assert!(body["links"].is_array(), "{accept:?}");
    }
    let page = app.request(Method::GET, "/map/").send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["cache-control"], "no-cache");
    assert!(page.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let modified = page.headers()["last-modified"].clone();
    let again = app
        .request(Method::GET, "/map/")
        .header("if-modified-since", modified)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304, "the page is revalidated, not downloaded again");
    let lib = app
        .request(Method::GET, "/map/lib/maplibre-gl/maplibre-gl.mjs")
        .send()
        .await
        .unwrap();
    assert_eq!(lib.status(), 200, "run `npm ci` in web/ first");
    assert_eq!(lib.headers()["cache-control"], "public, max-age=86400");
    // Only the listed libraries are published, not node_modules as a whole.
    let other = app
        .request(Method::GET, "/map/lib/playwright-core/package.json")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 404);
}

#[tokio::test]
async fn map_layers_carry_the_engines_display_classes() {
    let app = TestApp::spawn().await;
    let flood = app.get("/api/map/{kind}", "/api/map/flood").await;
    assert_eq!(flood.status, 200);
    let flood = flood.json();
    let classes: BTreeSet<&str> = flood["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["class"].as_str().unwrap())
        .collect();
    assert!(
        classes
            .iter()
            .all(|c| ["d1", "d2", "d3", "d4", "d5", "d6", "unknown"].contains(c)),
        "{classes:?}"
    );
    assert!(
        classes.len() >= 3,
        "the sample city has several depth classes: {classes:?}"
    );
    // Daily-life areas: open exactly where /api/areas says so.
    let areas = app.get("/api/areas", "/api/areas").await.json();
    let map = app.get("/api/map/{kind}", "/api/map/daily_life_area").await.json();
    for a in areas["areas"].as_array().unwrap() {
        let f = map["features"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["properties"]["value"] == a["id"])
            .unwrap();
        let expected = if a["open_for_application"] == json!(true) {
            "open"
        } else {
            "served"
        };
        assert_eq!(f["properties"]["class"], expected, "{}", a["id"]);
    }
    let missing = app.get("/api/map/{kind}", "/api/map/roads").await;
    missing.problem(404, "not_found");
}

#[tokio::test]
async fn map_layers_draw_every_feature_with_its_geometry_as_read() {
    let app = TestApp::spawn().await;
    for kind in LayerKind::ALL.map(LayerKind::key) {
        let map = app.get("/api/map/{kind}", &format!("/api/map/{kind}")).await.json();
        let served: Vec<(String, geo::Geometry<f64>)> = map["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let g: geojson::Geometry = serde_json::from_value(f["geometry"].clone()).unwrap();
                (f["id"].as_str().unwrap().to_string(), g.try_into().unwrap())
            })
            .collect();
        let expected: Vec<(String, geo::Geometry<f64>)> =
            layer_file(kind).into_iter().map(|(id, g, _)| (id, g)).collect();
        assert_eq!(served, expected, "{kind}");
    }
}

#[tokio::test]
async fn a_stored_result_reads_back_unchanged_and_flags_new_data() {
    let dir = tempfile::tempdir().unwrap();
    let state_dir = dir.path().to_path_buf();
    let app = TestApp::spawn_with(|s| s.state_dir = state_dir.clone()).await;
    let body = json!({"site": {"type": "Feature", "properties": {"name": "候補"},
        "geometry": {"type": "Point", "coordinates": [141.03, 38.285]}}});
    let stored = app
        .post("/api/results", "/api/results", "application/json", body.to_string())
        .await;
    assert_eq!(stored.status, 201, "{}", stored.text());
    let stored = stored.json();
    let id = stored["id"].as_str().unwrap().to_string();
    assert_eq!(stored["url"], format!("/r/{id}"));
    let expected = &in_process(
        &[point_site(141.03, 38.285, None)],
        &Rubric::default_rubric(),
        &AssessOptions::default(),
    )[0];
    assert_eq!(
        stored["report"]["summary"],
        serde_json::to_value(&expected.summary).unwrap()
    );
    // The same request on the same data gives the same id.
    let again = app
        .post("/api/results", "/api/results", "application/json", body.to_string())
        .await
        .json();
    assert_eq!(again["id"], id);
    let read = app.get("/api/results/{id}", &format!("/api/results/{id}")).await;
    assert_eq!(read.status, 200);
    let read = read.json();
    assert_eq!(read["report"], stored["report"]);
    assert_eq!(read["current"]["same_data"], true);
    assert_eq!(read["current"]["changed"], false);
    // Edit the stored file as if the data had been different then: the check notices.
    let path = dir.path().join(format!("results/{id}.json"));
    let mut file: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    file["report"]["summary"]["hazard_total"] = json!(0);
    file["report"]["provenance"]["layers"][0]["sha256"] = json!("0".repeat(64));
    std::fs::write(&path, file.to_string()).unwrap();
    let read = app.get("/api/results/{id}", &format!("/api/results/{id}")).await.json();
    assert_eq!(
        read["report"]["summary"]["hazard_total"], 0,
        "the stored answer is shown as stored"
    );
    assert_eq!(read["current"]["changed"], true);
    assert_eq!(read["current"]["same_data"], false);
    assert_eq!(
        read["current"]["changed_layers"],
        json!([file["report"]["provenance"]["layers"][0]["kind"]])
    );
    // Unknown ids and bad sites.
    app.get("/api/results/{id}", "/api/results/0123456789ab")
        .await
        .problem(404, "not_found");
    app.get("/api/results/{id}", "/api/results/..%2F..%2Fetc")
        .await
        .problem(404, "not_found");
    let outside = json!({"site": {"type": "Point", "coordinates": [2.35, 48.85]}});
    app.post("/api/results", "/api/results", "application/json", outside.to_string())
        .await
        .problem(422, "coordinates_outside_japan");
    app.post("/api/results", "/api/results", "application/json", "{\"site\":")
        .await
        .problem(400, "malformed_json");
    let page = app.request(Method::GET, &format!("/r/{id}")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("report-page.js"));
}

#[tokio::test]
async fn without_the_ui_installed_the_map_says_how_to_install_it() {
    let dir = tempfile::tempdir().unwrap();
    let web = dir.path().to_path_buf();
    let app = TestApp::spawn_with(|s| s.web.dir = web.clone()).await;
    for path in ["/map/", "/map", "/map/js/app.js", "/r/0123456789ab"] {
        let reply = app.request(Method::GET, path).send().await.unwrap();
        assert_eq!(reply.status(), 503, "{path}");
        let p: Value = serde_json::from_str(&reply.text().await.unwrap()).unwrap();
        assert_eq!(p["code"], "ui_not_installed", "{path}");
        assert!(p["detail"].as_str().unwrap().contains("npm ci"), "{path}");
    }
    // The API itself is unaffected.
    let api = app.get("/api/layers", "/api/layers").await;
    assert_eq!(api.status, 200);
}
