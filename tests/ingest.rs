//! Layer ingest: the real Chino shapefiles (JGD2000 zone VIII, Shift_JIS), a round trip
//! per format and CRS family, one test per bad-input class with its message, the store's
//! versions/rollback/audit, and a crash (kill -9) in the middle of an import.

use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use tekichi::engine::assess::{AssessOptions, Assessor};
use tekichi::engine::catalog::{Catalog, LayerKind};
use tekichi::engine::rubric::Rubric;
use tekichi::io::crs::Crs;
use tekichi::io::ingest::read::parse_encoding;
use tekichi::io::ingest::source::{read_paths, ImportLimits, SourceFile};
use tekichi::io::ingest::store::{Store, PAUSE_BEFORE_COMMIT_ENV};
use tekichi::io::ingest::{prepare, ImportOptions, Prepared};
use tekichi::io::sites::point_site;

fn chino() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/chino-20214")
}

fn import(kind: LayerKind, files: Vec<SourceFile>) -> Result<Prepared, String> {
    prepare(files, &ImportOptions::new(kind)).map_err(|e| e.to_string())
}

fn file(name: &str, text: &str) -> SourceFile {
    SourceFile {
        name: name.into(),
        bytes: text.as_bytes().to_vec(),
    }
}

const SQUARE: &str = r#"{"type":"FeatureCollection","features":[
  {"type":"Feature","properties":{"A29_004":10,"名称":"準工業"},"geometry":{"type":"Polygon","coordinates":[[[141.0,38.0],[141.01,38.0],[141.01,38.01],[141.0,38.01],[141.0,38.0]]]}}]}"#;

/// Writes `SQUARE` in another format with ogr2ogr (GDAL's own writer), returns the bytes.
fn ogr2ogr(dir: &Path, out: &str, args: &[&str]) -> Vec<u8> {
    let src = dir.join("square.geojson");
    std::fs::write(&src, SQUARE).unwrap();
    let dst = dir.join(out);
    let status = Command::new("ogr2ogr").args(args).arg(&dst).arg(&src).status().unwrap();
    assert!(status.success());
    std::fs::read(dst).unwrap()
}

fn zoning_corner(p: &Prepared) -> (f64, f64) {
    let geo::Geometry::Polygon(poly) = &p.raw.features[0].geometry else {
        panic!("{:?}", p.raw.features[0].geometry)
    };
    let c = poly
        .exterior()
        .0
        .iter()
        .fold((f64::MAX, f64::MAX), |a, c| (a.0.min(c.x), a.1.min(c.y)));
    (c.0, c.1)
}

#[test]
fn chino_shapefiles_import_with_known_answers() {
    let shp = |layer: &str| chino().join(layer).join(format!("{layer}.shp"));
    let mut layers = Vec::new();
    for (kind, layer) in [
        (LayerKind::Zoning, "use_districts"),
        (LayerKind::AreaDivision, "city_planning"),
        (LayerKind::Farmland, "agricultural_land"),
        (LayerKind::Flood, "flood_assumption"),
    ] {
        let p = import(kind, read_paths(&[shp(layer)]).unwrap()).unwrap();
        let d = &p.report.datasets[0];
        assert!(d.crs.starts_with("EPSG:2450"), "{}", d.crs);
        assert!(d.encoding.starts_with("Shift_JIS"), "{}", d.encoding);
        layers.push(p.raw);
    }
    // Names decoded from Shift_JIS, never mojibake.
    let names: std::collections::BTreeSet<String> = layers[0]
        .features
        .iter()
        .filter_map(|f| f.properties["youto"].as_str().map(String::from))
        .collect();
    assert!(names.contains("準工業地域"), "{names:?}");
    assert!(names.iter().all(|n| !n.contains('\u{fffd}')));
    assert_eq!(layers[0].features.len(), 518);

    let catalog = Catalog::build(layers).unwrap();
    let rubric = Rubric::default_rubric();
    let assessor = Assessor {
        catalog: &catalog,
        rubric: &rubric,
    };
    let report = |lon, lat| {
        serde_json::to_value(assessor.assess(&point_site(lon, lat, None), &AssessOptions::default())).unwrap()
    };
    // アイリス茅野: 準工業地域, inside the planning area, outside the flood area.
    let iris = report(138.1558744, 35.9863355);
    assert_eq!(iris["buildability"]["governing_district"]["name"], "準工業地域");
    assert_eq!(iris["buildability"]["verdict"], "conditional");
    assert_eq!(iris["hazard"]["categories"]["flood"]["points"], 5);
    // 虹の森: 準工業地域 and inside the flood area (in/out data: worst class, flagged).
    let niji = report(138.15018, 35.9934956);
    assert_eq!(niji["buildability"]["governing_district"]["name"], "準工業地域");
    assert_eq!(niji["hazard"]["categories"]["flood"]["zones"][0]["worst_case"], true);
}

#[test]
fn zipped_shapefile_reads_like_the_loose_one() {
    let loose = read_paths(&[chino().join("use_districts/use_districts.shp")]).unwrap();
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut w = zip::ZipWriter::new(&mut buf);
    for f in &loose {
        w.start_file(
            format!("use_districts/{}", f.name),
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        w.write_all(&f.bytes).unwrap();
    }
    w.finish().unwrap();
    let zipped = SourceFile {
        name: "use_districts.zip".into(),
        bytes: buf.into_inner(),
    };
    let a = import(LayerKind::Zoning, loose).unwrap();
    let b = import(LayerKind::Zoning, vec![zipped]).unwrap();
    assert_eq!(a.raw.features.len(), b.raw.features.len());
    assert_eq!(a.raw.features[17].geometry, b.raw.features[17].geometry);
}

#[test]
fn every_format_round_trips_to_the_same_coordinates() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("square.gpkg", vec!["-f", "GPKG"]),
        ("square.kml", vec!["-f", "KML"]),
        ("square.fgb", vec!["-f", "FlatGeobuf"]),
        ("square.csv", vec!["-f", "CSV", "-lco", "GEOMETRY=AS_WKT"]),
    ];
    for (name, args) in cases {
        let bytes = ogr2ogr(dir.path(), name, &args);
        let p = import(
            LayerKind::Zoning,
            vec![SourceFile {
                name: name.into(),
                bytes,
            }],
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let (x, y) = zoning_corner(&p);
        assert!((x - 141.0).abs() < 1e-9 && (y - 38.0).abs() < 1e-9, "{name}: {x} {y}");
    }
    // GeoJSON with a KSJ-style `crs` member in a JGD2011 plane rectangular zone (X, EPSG:6678).
    let plane = json!({"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::6678"}},
        "features":[{"type":"Feature","properties":{"A29_004":1},"geometry":{"type":"Polygon","coordinates":[[[0.0,0.0],[100.0,0.0],[100.0,100.0],[0.0,100.0],[0.0,0.0]]]}}]});
    let p = import(LayerKind::Zoning, vec![file("plane.geojson", &plane.to_string())]).unwrap();
    let (x, y) = zoning_corner(&p);
    assert!(
        (x - (140.0 + 50.0 / 60.0)).abs() < 1e-7 && (y - 40.0).abs() < 1e-7,
        "{x} {y}"
    );
    assert!(
        p.report.datasets[0].crs.starts_with("EPSG:6678"),
        "{}",
        p.report.datasets[0].crs
    );
    // Tokyo datum geographic (EPSG:4301) is shifted to JGD2011 by PROJ: hundreds of metres.
    let mut options = ImportOptions::new(LayerKind::Zoning);
    options.read.crs = Some(Crs::parse("EPSG:4301").unwrap());
    let p = prepare(vec![file("tokyo.geojson", SQUARE)], &options).unwrap();
    let (x, y) = zoning_corner(&p);
    assert!(
        (x - 141.0).abs() > 1e-3 && (x - 141.0).abs() < 1e-2 && (y - 38.0).abs() < 1e-2,
        "{x} {y}"
    );
}

#[test]
fn a_multi_layer_file_needs_a_layer_choice() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("two.gpkg");
    std::fs::write(dir.path().join("a.geojson"), SQUARE).unwrap();
    for (layer, update) in [("first", false), ("second", true)] {
        let mut cmd = Command::new("ogr2ogr");
        if update {
            cmd.arg("-update");
        }
        assert!(cmd
            .args(["-f", "GPKG", "-nln", layer])
            .arg(&src)
            .arg(dir.path().join("a.geojson"))
            .status()
            .unwrap()
            .success());
    }
    let bytes = std::fs::read(&src).unwrap();
    let gpkg = || {
        vec![SourceFile {
            name: "two.gpkg".into(),
            bytes: bytes.clone(),
        }]
    };
    let err = import(LayerKind::Zoning, gpkg()).unwrap_err();
    assert!(
        err.contains("the file has 2 layers (first, second); choose one with --layer NAME"),
        "{err}"
    );
    let mut options = ImportOptions::new(LayerKind::Zoning);
    options.read.layer = Some("third".into());
    let err = prepare(gpkg(), &options).unwrap_err().to_string();
    assert!(err.contains("no layer `third`; the file has: first, second"), "{err}");
    options.read.layer = Some("second".into());
    assert_eq!(prepare(gpkg(), &options).unwrap().report.datasets[0].layer, "second");
}

#[test]
fn bad_inputs_say_what_is_wrong() {
    // Plane coordinates with no CRS: refused with the likely CRS.
    let plane = json!({"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[-30000.0,1200.0]}}]});
    let err = import(LayerKind::Facility, vec![file("f.geojson", &plane.to_string())]).unwrap_err();
    assert!(err.contains("1 of 1 features fall outside Japan"), "{err}");
    assert!(err.contains("EPSG:6669–6687"), "{err}");
    // Swapped lat/lon.
    let swapped = json!({"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[35.98,138.15]}}]});
    let err = import(LayerKind::Facility, vec![file("s.geojson", &swapped.to_string())]).unwrap_err();
    assert!(err.contains("swapped order"), "{err}");
    // A .cpg that says UTF-8 over Shift_JIS attributes: refused, not mojibake.
    let mut files = read_paths(&[chino().join("use_districts/use_districts.shp")]).unwrap();
    files.iter_mut().find(|f| f.name.ends_with(".cpg")).unwrap().bytes = b"UTF-8".to_vec();
    let err = import(LayerKind::Zoning, files).unwrap_err();
    assert!(
        err.contains("not valid UTF-8 (stated by UTF-8 (use_districts.cpg))"),
        "{err}"
    );
    // No .cpg: detected as Shift_JIS.
    let files: Vec<SourceFile> = read_paths(&[chino().join("use_districts/use_districts.shp")])
        .unwrap()
        .into_iter()
        .filter(|f| !f.name.ends_with(".cpg"))
        .collect();
    let p = import(LayerKind::Zoning, files).unwrap();
    assert_eq!(p.report.datasets[0].encoding, "Shift_JIS (判別 / detected)");
    // Unknown encoding name.
    assert!(parse_encoding("klingon").is_none());
    // Wrong geometry type, too-short ring and an unrecognised code in one file: per-feature report.
    let mixed = json!({"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"A29_004":1},"geometry":{"type":"LineString","coordinates":[[141.0,38.0],[141.1,38.1]]}},
        {"type":"Feature","properties":{"A29_004":1},"geometry":{"type":"Polygon","coordinates":[[[141.0,38.0],[141.1,38.1],[141.0,38.0]]]}},
        {"type":"Feature","properties":{"A29_004":77},"geometry":{"type":"Polygon","coordinates":[[[141.0,38.0],[141.01,38.0],[141.01,38.01],[141.0,38.0]]]}},
        {"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[141.0,38.0],[141.01,38.0],[141.01,38.01],[141.0,38.0]]]}}]});
    let p = import(LayerKind::Zoning, vec![file("m.geojson", &mixed.to_string())]).unwrap();
    let codes: Vec<(usize, &str, &str)> = p
        .report
        .problems
        .iter()
        .map(|q| (q.feature, q.status.as_str(), q.code.as_str()))
        .collect();
    assert!(codes.contains(&(0, "rejected", "wrong_geometry_type")), "{codes:?}");
    assert!(codes.contains(&(1, "rejected", "ring_too_short")), "{codes:?}");
    assert!(codes.contains(&(2, "flagged", "unrecognised_value")), "{codes:?}");
    assert!(codes.contains(&(3, "flagged", "missing_attribute")), "{codes:?}");
    assert_eq!(
        (
            p.report.counts.accepted,
            p.report.counts.rejected,
            p.report.counts.flagged
        ),
        (2, 2, 2)
    );
    // Nothing usable.
    let err = import(
        LayerKind::Facility,
        vec![file(
            "e.geojson",
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":null}]}"#,
        )],
    )
    .unwrap_err();
    assert!(err.contains("no usable feature"), "{err}");
    // Not a dataset.
    let err = import(LayerKind::Zoning, vec![file("notes.txt", "hello")]).unwrap_err();
    assert!(err.contains("no dataset file among: notes.txt"), "{err}");
    // Feature and vertex limits.
    let mut options = ImportOptions::new(LayerKind::Zoning);
    options.limits = ImportLimits {
        vertices: 4,
        ..ImportLimits::default()
    };
    let err = prepare(vec![file("sq.geojson", SQUARE)], &options)
        .unwrap_err()
        .to_string();
    assert!(err.contains("more than 4 coordinates"), "{err}");
    options.limits = ImportLimits {
        upload_bytes: 10,
        ..ImportLimits::default()
    };
    let err = prepare(vec![file("sq.geojson", SQUARE)], &options)
        .unwrap_err()
        .to_string();
    assert!(err.contains("the limit is 10"), "{err}");
}

#[test]
fn store_versions_activation_rollback_and_append_only_audit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("layers.sqlite");
    let mut store = Store::open(&path).unwrap();
    let v1 = store
        .add_version(
            &import(LayerKind::Zoning, vec![file("a.geojson", SQUARE)]).unwrap(),
            "alice",
        )
        .unwrap();
    let v2 = store
        .add_version(
            &import(
                LayerKind::Zoning,
                vec![file("b.geojson", &SQUARE.replace("141.01", "141.02"))],
            )
            .unwrap(),
            "bob",
        )
        .unwrap();
    assert_eq!((v1, v2), (1, 2));
    assert!(store.active_layers().unwrap().is_empty(), "import does not activate");
    assert!(store
        .rollback(LayerKind::Zoning, "x")
        .unwrap_err()
        .to_string()
        .contains("no active version"));
    store.activate(LayerKind::Zoning, 1, "alice").unwrap();
    store.activate(LayerKind::Zoning, 2, "bob").unwrap();
    assert_eq!(store.active_layers().unwrap()[0].meta.version, "v2");
    assert_eq!(store.rollback(LayerKind::Zoning, "carol").unwrap(), 1);
    assert_eq!(store.active_version(LayerKind::Zoning).unwrap(), Some(1));
    let err = store.activate(LayerKind::Zoning, 9, "x").unwrap_err().to_string();
    assert!(err.contains("layer zoning has no version 9"), "{err}");
    let versions = store.versions(LayerKind::Zoning).unwrap();
    assert_eq!(versions.len(), 2);
    assert!(versions[1].active && versions[1].files[0].name == "a.geojson" && versions[1].importer == "alice");
    let actions: Vec<String> = store
        .audit(None)
        .unwrap()
        .into_iter()
        .map(|a| format!("{} {}", a.actor, a.action))
        .collect();
    assert_eq!(
        actions,
        [
            "alice import",
            "bob import",
            "alice activate",
            "bob activate",
            "carol rollback"
        ]
    );
    // The stored layer is what was imported, bit for bit.
    let layer = store.layer(LayerKind::Zoning, 1).unwrap();
    assert_eq!(
        layer.features[0].geometry,
        import(LayerKind::Zoning, vec![file("a.geojson", SQUARE)])
            .unwrap()
            .raw
            .features[0]
            .geometry
    );
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let err = conn
        .execute("UPDATE audit SET actor = 'mallory'", [])
        .unwrap_err()
        .to_string();
    assert!(err.contains("append-only"), "{err}");
    assert!(conn
        .execute("DELETE FROM audit", [])
        .unwrap_err()
        .to_string()
        .contains("append-only"));
    assert_eq!(Store::open(&path).unwrap().integrity_check().unwrap(), "ok");
}

#[test]
fn kill_during_import_leaves_the_previous_version_active() {
    let dir = tempfile::tempdir().unwrap();
    let store_path = dir.path().join("layers.sqlite");
    let layer = dir.path().join("zoning.geojson");
    std::fs::write(&layer, SQUARE).unwrap();
    let bin = env!("CARGO_BIN_EXE_tekichi");
    let ok = Command::new(bin)
        .args(["import", "zoning"])
        .arg(&layer)
        .arg("--store")
        .arg(&store_path)
        .arg("--activate")
        .output()
        .unwrap();
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let mut child = Command::new(bin)
        .args(["import", "zoning"])
        .arg(&layer)
        .arg("--store")
        .arg(&store_path)
        .arg("--activate")
        .env(PAUSE_BEFORE_COMMIT_ENV, "60000")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the import is inside its transaction (the hook says so), then kill -9.
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            std::io::BufRead::read_line(&mut stderr, &mut line).unwrap() > 0,
            "import ended early"
        );
        if line.contains("fault hook: pausing") {
            break;
        }
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let store = Store::open(&store_path).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    assert_eq!(store.active_version(LayerKind::Zoning).unwrap(), Some(1));
    assert_eq!(
        store.versions(LayerKind::Zoning).unwrap().len(),
        1,
        "the killed import left nothing"
    );
    assert_eq!(
        store.audit(None).unwrap().len(),
        2,
        "import + activate of version 1 only"
    );
    let out = Command::new(bin)
        .args(["assess", "--lon", "141.005", "--lat", "38.005", "--store"])
        .arg(&store_path)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["buildability"]["governing_district"]["name"], "準工業地域");
    assert_eq!(report["provenance"]["layers"][0]["version"], "v1");
}
