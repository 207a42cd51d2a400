//! Writing reports: JSON, NDJSON, CSV or GeoJSON, streamed one report at a time so a
//! batch of 10⁵ sites never has to be held as one document.
//!
//! CSV and GeoJSON share one flat row per report ([`csv_header`] names its columns):
//! the CSV row is that row; a GeoJSON feature's properties are that row plus the full
//! report under `"report"`.

use crate::engine::report::{HazardCategories, HazardCategory, HazardStatus, Report};
use serde::Serialize;
use serde_json::Value;
use std::io::{self, Write};

/// An output format for reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One pretty-printed JSON object for a single site, else a JSON array of reports.
    #[value(help = "報告の JSON（1地点なら1件、複数なら配列） / JSON: one report for one site, else an array")]
    Json,
    /// Newline-delimited JSON: one compact report per line.
    #[value(help = "報告を1行に1件ずつ並べた JSON / Newline-delimited JSON, one report per line")]
    Ndjson,
    /// One row per report (columns of [`csv_header`]), UTF-8 with a byte-order mark so
    /// that Japanese Excel opens it without mojibake (Excel reads BOM-less CSV as CP932).
    #[value(
        help = "報告を1行に1件ずつ並べた表（BOM 付き UTF-8、Excel でそのまま開ける） / One row per report, UTF-8 with a BOM so Excel opens it as is"
    )]
    Csv,
    /// A FeatureCollection: one Feature per report, geometry = the assessed site
    /// (null when rejected), `id` = site id, properties = the CSV row plus `"report"`.
    #[value(
        help = "候補地の形状に CSV と同じ列と報告全体を付けた GeoJSON / GeoJSON: each site's geometry with the CSV columns and the whole report"
    )]
    Geojson,
}

/// The UTF-8 byte-order mark written at the start of CSV output.
const UTF8_BOM: char = '\u{feff}';

/// Columns of the flat row, in order. Shares are rounded to 4 decimals, distances and
/// areas to 0.1; list columns join codes with `;` (`reasons_ja` with ` / `).
const COLUMNS: &[&str] = &[
    "rank",
    "site_id",
    "name",
    "kind",
    "area_m2",
    "lon",
    "lat",
    "error_code",
    "error_message",
    "verdict",
    "verdict_ja",
    "reasons",
    "reasons_ja",
    "governing_code",
    "governing_name",
    "governing_share",
    "uncovered_share",
    "control_area_share",
    "farmland_share",
    "area_id",
    "area_name",
    "open_for_application",
    "target_facility_count",
    "nearest_name",
    "nearest_distance_m",
    "too_close",
    "within_radius",
    "hazard_total",
    "hazard_max",
    "hazard_status",
    "hazard_missing",
    "flood_points",
    "river_erosion_points",
    "landslide_points",
    "tsunami_points",
    "rubric_id",
];

/// The CSV header: the stable English snake_case names of the flat row's columns
/// (also the flat properties of each GeoJSON feature).
pub fn csv_header() -> &'static [&'static str] {
    COLUMNS
}

/// `x` rounded to 0.1; none when it is not finite (a JSON number cannot be).
fn round1(x: f64) -> Option<f64> {
    finite((x * 10.0).round() / 10.0)
}

/// `x` rounded to 4 decimals; none when it is not finite.
fn round4(x: f64) -> Option<f64> {
    finite((x * 10_000.0).round() / 10_000.0)
}

fn finite(x: f64) -> Option<f64> {
    Some(x).filter(|x| x.is_finite())
}

/// One report as the flat row of [`COLUMNS`] (same names, same order), borrowing from
/// the report. `None` is null in GeoJSON and an empty CSV cell: a value the report does
/// not have (a rejected site, a point's shares, a missing layer).
#[derive(Serialize)]
struct FlatRow<'a> {
    /// The 1-based position in output order.
    rank: usize,
    site_id: &'a Value,
    name: Option<&'a str>,
    kind: Option<&'static str>,
    area_m2: Option<f64>,
    lon: Option<f64>,
    lat: Option<f64>,
    error_code: Option<&'a str>,
    error_message: Option<&'a str>,
    verdict: Option<&'static str>,
    verdict_ja: Option<&'static str>,
    reasons: Option<String>,
    reasons_ja: Option<String>,
    governing_code: Option<u8>,
    governing_name: Option<&'a str>,
    governing_share: Option<f64>,
    uncovered_share: Option<f64>,
    control_area_share: Option<f64>,
    farmland_share: Option<f64>,
    area_id: Option<&'a str>,
    area_name: Option<&'a str>,
    open_for_application: Option<bool>,
    target_facility_count: Option<usize>,
    nearest_name: Option<&'a str>,
    nearest_distance_m: Option<f64>,
    too_close: Option<bool>,
    within_radius: Option<usize>,
    hazard_total: Option<u32>,
    hazard_max: Option<u32>,
    hazard_status: Option<HazardStatus>,
    hazard_missing: Option<String>,
    flood_points: Option<u32>,
    river_erosion_points: Option<u32>,
    landslide_points: Option<u32>,
    tsunami_points: Option<u32>,
    rubric_id: &'a str,
}

impl<'a> FlatRow<'a> {
    /// The flat row of `report` at 1-based output position `rank`.
    fn new(rank: usize, report: &'a Report) -> Self {
        let site = &report.site;
        let error = report.error.as_ref();
        let b = report.buildability.as_ref();
        let governing = b.and_then(|b| b.governing_district.as_ref());
        let area = report.daily_life_area.as_ref();
        let f = report.facilities.as_ref();
        let nearest_target = f.and_then(|f| f.nearest.iter().find(|n| n.facility_type == f.target_type));
        let h = report.hazard.as_ref();
        let points = |pick: fn(&HazardCategories) -> &HazardCategory| h.and_then(|h| pick(&h.categories).points);
        FlatRow {
            rank,
            site_id: &site.id,
            name: site.name.as_deref(),
            kind: site.kind,
            area_m2: site.area_m2.and_then(round1),
            lon: site.anchor.and_then(|a| finite(a[0])),
            lat: site.anchor.and_then(|a| finite(a[1])),
            error_code: error.map(|e| e.code.as_str()),
            error_message: error.map(|e| e.message.as_str()),
            verdict: b.map(|b| b.verdict.as_str()),
            verdict_ja: b.map(|b| b.verdict.label_ja()),
            reasons: b.map(|b| b.reasons.iter().map(|r| r.code).collect::<Vec<_>>().join(";")),
            reasons_ja: b.map(|b| b.reasons.iter().map(|r| r.ja.as_str()).collect::<Vec<_>>().join(" / ")),
            governing_code: governing.and_then(|d| d.code),
            governing_name: governing.map(|d| d.name.as_str()),
            governing_share: governing.and_then(|d| d.share).and_then(round4),
            uncovered_share: b.and_then(|b| b.uncovered_share).and_then(round4),
            control_area_share: b.and_then(|b| b.control_area_share).and_then(round4),
            farmland_share: b.and_then(|b| b.farmland_share).and_then(round4),
            area_id: area.and_then(|a| a.id.as_deref()),
            area_name: area.and_then(|a| a.name.as_deref()),
            open_for_application: area.and_then(|a| a.open_for_application),
            target_facility_count: area.and_then(|a| a.target_facilities.as_ref()).map(|t| t.count),
            nearest_name: nearest_target.and_then(|n| n.name.as_deref()),
            nearest_distance_m: f.and_then(|f| f.nearest_distance_m).and_then(round1),
            too_close: f.and_then(|f| f.too_close),
            within_radius: f.and_then(|f| f.within_radius),
            hazard_total: h.map(|h| h.total),
            hazard_max: h.map(|h| h.max),
            hazard_status: h.map(|h| h.status),
            hazard_missing: h.map(|h| h.missing.iter().map(|k| k.key()).collect::<Vec<_>>().join(";")),
            flood_points: points(|c| &c.flood),
            river_erosion_points: points(|c| &c.river_erosion),
            landslide_points: points(|c| &c.landslide),
            tsunami_points: points(|c| &c.tsunami),
            rubric_id: &report.rubric.id,
        }
    }
}

/// One GeoJSON feature of the `geojson` format, serialised without copying the report.
#[derive(Serialize)]
struct FeatureOut<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    /// The site id, when it is a string or a number (the only ids GeoJSON allows).
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a Value>,
    geometry: &'a Option<geojson::Geometry>,
    properties: PropertiesOut<'a>,
}

#[derive(Serialize)]
struct PropertiesOut<'a> {
    #[serde(flatten)]
    row: FlatRow<'a>,
    report: &'a Report,
}

/// One report encoded as its record in `format`, without the document's framing (array
/// brackets, separators, the FeatureCollection header, the CSV BOM and header row): a
/// pretty object (`json`), a compact line with its `\n` (`ndjson`), a Feature
/// (`geojson`), or a CSV row with its line end (`csv`). `rank` is the 1-based position in
/// output order. Records can be encoded in parallel and written in order through
/// [`ReportWriter::write_encoded`].
pub fn encode_record(format: Format, rank: usize, report: &Report) -> io::Result<Vec<u8>> {
    // One allocation, no regrowth: a point's report is about 6 kB, a CSV row under 1 kB.
    let mut out = Vec::with_capacity(if format == Format::Csv { 1024 } else { 8 * 1024 });
    match format {
        // Through a `Value`, so that the shared provenance (pre-encoded compact JSON,
        // which the serialiser would copy verbatim) is indented like the rest.
        Format::Json => serde_json::to_writer_pretty(&mut out, &serde_json::to_value(report)?)?,
        Format::Ndjson => {
            serde_json::to_writer(&mut out, report)?;
            out.push(b'\n');
        }
        Format::Geojson => {
            let feature = FeatureOut {
                kind: "Feature",
                id: Some(&report.site.id).filter(|id| id.is_string() || id.is_number()),
                geometry: &report.site.geometry,
                properties: PropertiesOut {
                    row: FlatRow::new(rank, report),
                    report,
                },
            };
            serde_json::to_writer(&mut out, &feature)?;
        }
        Format::Csv => {
            // A row fits the writer's buffer; the default one (8 KiB, zeroed) would cost
            // more than the row itself.
            let mut w = csv::WriterBuilder::new()
                .has_headers(false)
                .buffer_capacity(1024)
                .from_writer(&mut out);
            w.serialize(FlatRow::new(rank, report))?;
            w.flush()?;
        }
    }
    Ok(out)
}

/// Streams reports in one format: create it with [`ReportWriter::new`], call
/// [`ReportWriter::write`] (or [`ReportWriter::write_encoded`] with records from
/// [`encode_record`]) once per report in output order, then [`ReportWriter::finish`] to
/// close the document (the opening — `[`, the FeatureCollection header, the CSV BOM and
/// header row — is written with the first report, or by `finish` when there was none).
pub struct ReportWriter<W: Write> {
    out: W,
    format: Format,
    /// Single-object JSON instead of an array.
    single: bool,
    written: usize,
}

impl<W: Write> ReportWriter<W> {
    /// A writer of `format` into `out`. `single = true` with [`Format::Json`] writes one
    /// pretty-printed object (exactly one report must then be written) instead of an
    /// array; the other formats ignore `single`.
    pub fn new(out: W, format: Format, single: bool) -> Self {
        ReportWriter {
            out,
            format,
            single: single && format == Format::Json,
            written: 0,
        }
    }

    /// The format being written.
    pub fn format(&self) -> Format {
        self.format
    }

    /// How many reports have been written so far; the next one's rank is this plus one.
    pub fn written(&self) -> usize {
        self.written
    }

    /// Writes one report; its rank (CSV/GeoJSON `rank`) is its 1-based position among
    /// the reports written. A second report in single-object JSON mode is an
    /// `InvalidInput` error.
    pub fn write(&mut self, report: &Report) -> io::Result<()> {
        let record = encode_record(self.format, self.written + 1, report)?;
        self.write_encoded(&record)
    }

    /// Writes one record made by [`encode_record`] with this writer's format and the rank
    /// `self.written() + 1`, adding the document's framing around it.
    pub fn write_encoded(&mut self, record: &[u8]) -> io::Result<()> {
        let first = self.written == 0;
        match self.format {
            Format::Json if self.single => {
                if !first {
                    return Err(single_mismatch());
                }
                self.out.write_all(record)?;
                self.out.write_all(b"\n")?;
            }
            Format::Json => {
                self.out.write_all(if first { b"[\n" } else { b",\n" })?;
                self.out.write_all(record)?;
            }
            Format::Ndjson => self.out.write_all(record)?,
            Format::Geojson => {
                self.out.write_all(if first { GEOJSON_OPEN } else { b",\n" })?;
                self.out.write_all(record)?;
            }
            Format::Csv => {
                if first {
                    write_csv_header(&mut self.out)?;
                }
                self.out.write_all(record)?;
            }
        }
        self.written += 1;
        Ok(())
    }

    /// Closes the document (`]`, the FeatureCollection's end; for no reports at all an
    /// empty array, an empty FeatureCollection or a header-only CSV), flushes, and gives
    /// the output back. Single-object JSON with no report is an `InvalidInput` error.
    pub fn finish(mut self) -> io::Result<W> {
        let empty = self.written == 0;
        match self.format {
            Format::Json if self.single => {
                if empty {
                    return Err(single_mismatch());
                }
            }
            Format::Json => self.out.write_all(if empty { b"[]\n" } else { b"\n]\n" })?,
            Format::Ndjson => {}
            Format::Geojson => {
                if empty {
                    self.out.write_all(GEOJSON_OPEN)?;
                }
                self.out.write_all(b"\n]}\n")?;
            }
            Format::Csv => {
                if empty {
                    write_csv_header(&mut self.out)?;
                }
            }
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

/// The start of a streamed FeatureCollection, up to its first feature.
const GEOJSON_OPEN: &[u8] = b"{\"type\":\"FeatureCollection\",\"features\":[\n";

/// Writes the BOM and the header row. The csv writer has no raw-byte access, so the
/// BOM goes in front of the first header name: the csv writer quotes only fields with
/// delimiters, quotes or line breaks, so the bytes are exactly BOM + header.
fn write_csv_header<W: Write>(out: &mut W) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let first = format!("{UTF8_BOM}{}", COLUMNS[0]);
    w.write_record(std::iter::once(first.as_str()).chain(COLUMNS[1..].iter().copied()))?;
    w.flush()
}

fn single_mismatch() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        "単一地点の JSON 出力にはレポートがちょうど1件必要です / single-site JSON output takes exactly one report",
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::engine::assess::{AssessOptions, Assessor, SiteInput};
    use crate::engine::catalog::{Catalog, LayerKind, LayerMeta, RawFeature, RawLayer};
    use crate::engine::index::FeatureId;
    use crate::engine::rubric::Rubric;
    use crate::engine::site::{Site, SiteError};
    use geo::{LineString, Point, Polygon};
    use serde_json::json;

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Polygon<f64> {
        Polygon::new(
            LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]),
            vec![],
        )
    }

    fn layer(kind: LayerKind, features: Vec<(geo::Geometry<f64>, Value)>) -> RawLayer {
        RawLayer {
            kind,
            meta: LayerMeta {
                version: "test-1".into(),
                files: vec![format!("{kind}.geojson")],
                ..LayerMeta::default()
            },
            features: features
                .into_iter()
                .enumerate()
                .map(|(i, (geometry, properties))| RawFeature {
                    id: FeatureId::Number(i as u64),
                    file: 0,
                    geometry,
                    properties: properties.as_object().cloned().unwrap_or_default(),
                })
                .collect(),
        }
    }

    /// A tiny catalog around (141.0, 38.3): zoning, one daily-life area, one facility and
    /// a flood zone; the other hazard layers missing.
    pub(crate) fn tiny_catalog() -> Catalog {
        Catalog::build(vec![
            layer(
                LayerKind::Zoning,
                vec![(rect(141.0, 38.3, 141.01, 38.31).into(), json!({"use_code": 1}))],
            ),
            layer(
                LayerKind::DailyLifeArea,
                vec![(
                    rect(141.0, 38.3, 141.02, 38.32).into(),
                    json!({"area_id": "A1", "name": "第一中学校区"}),
                )],
            ),
            layer(
                LayerKind::Facility,
                vec![(
                    Point::new(141.015, 38.305).into(),
                    json!({"name": "既存あおば", "type": "small_multi"}),
                )],
            ),
            layer(
                LayerKind::Flood,
                vec![(rect(141.0, 38.3, 141.0025, 38.31).into(), json!({"depth_m": 1.0}))],
            ),
        ])
        .unwrap()
    }

    /// Three reports from [`tiny_catalog`]: a point, a parcel straddling the flood zone,
    /// and a rejected site.
    fn reports() -> Vec<Report> {
        let catalog = tiny_catalog();
        let rubric = Rubric::default_rubric();
        let assessor = Assessor {
            catalog: &catalog,
            rubric: &rubric,
        };
        let parcel = geojson::Geometry::new(geojson::GeometryValue::from(&rect(141.002, 38.302, 141.003, 38.303)));
        let inputs = [
            SiteInput {
                id: json!("P-1"),
                name: Some("駅前, \"北\"".into()),
                source_ref: Some("line 2".into()),
                site: Ok(Site::point(141.001, 38.301).unwrap()),
            },
            SiteInput {
                id: json!(1),
                name: None,
                source_ref: None,
                site: Ok(Site::from_geojson(&parcel).unwrap()),
            },
            SiteInput {
                id: json!(2),
                name: Some("空".into()),
                source_ref: None,
                site: Err(SiteError::Empty.into()),
            },
        ];
        inputs
            .iter()
            .map(|i| assessor.assess(i, &AssessOptions::default()))
            .collect()
    }

    fn write_all(format: Format, single: bool, reports: &[Report]) -> Vec<u8> {
        let mut w = ReportWriter::new(Vec::new(), format, single);
        for r in reports {
            w.write(r).unwrap();
        }
        w.finish().unwrap()
    }

    fn text(bytes: Vec<u8>) -> String {
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn flat_row_has_the_header_columns_in_order() {
        for (rank, report) in reports().iter().enumerate() {
            let row = serde_json::to_value(FlatRow::new(rank + 1, report)).unwrap();
            let names: Vec<_> = row.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(names, csv_header());
        }
    }

    #[test]
    fn single_json_is_one_pretty_object() {
        let reports = reports();
        let out = text(write_all(Format::Json, true, &reports[..1]));
        assert!(out.starts_with("{\n  \"site\""), "{out}");
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["site"]["id"], "P-1");
        assert_eq!(
            v["buildability"]["verdict"],
            reports[0].buildability.as_ref().unwrap().verdict.as_str()
        );
        // The shared, pre-encoded provenance is indented like the rest of the object.
        assert!(
            out.contains("\n  \"provenance\": {\n    \"layers\": [\n      {\n        \"kind\": \"zoning\""),
            "{out}"
        );
        assert_eq!(out, serde_json::to_string_pretty(&v).unwrap() + "\n");
        let mut w = ReportWriter::new(Vec::new(), Format::Json, true);
        w.write(&reports[0]).unwrap();
        assert_eq!(w.write(&reports[1]).unwrap_err().kind(), io::ErrorKind::InvalidInput);
        let err = ReportWriter::new(Vec::new(), Format::Json, true).finish().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("単一地点"), "{err}");
    }

    #[test]
    fn batch_json_is_an_array_in_write_order() {
        let v: Value = serde_json::from_slice(&write_all(Format::Json, false, &reports())).unwrap();
        let ids: Vec<_> = v.as_array().unwrap().iter().map(|r| r["site"]["id"].clone()).collect();
        assert_eq!(ids, [json!("P-1"), json!(1), json!(2)]);
        assert_eq!(v[2]["error"]["code"], "empty_geometry");
        assert!(v[2]["buildability"].is_null());
        assert_eq!(text(write_all(Format::Json, false, &[])), "[]\n");
    }

    #[test]
    fn ndjson_is_one_compact_report_per_line() {
        let out = text(write_all(Format::Ndjson, false, &reports()));
        let lines: Vec<_> = out.lines().collect();
        assert_eq!(lines.len(), 3);
        for (line, id) in lines.iter().zip([json!("P-1"), json!(1), json!(2)]) {
            let v: Value = serde_json::from_str(line).unwrap();
            assert_eq!(v["site"]["id"], id);
            assert_eq!(v["provenance"]["layers"][0]["version"], "test-1");
            // Compact throughout: the pre-encoded provenance adds no whitespace.
            assert_eq!(*line, v.to_string());
        }
        assert!(out.ends_with('\n'));
        assert!(write_all(Format::Ndjson, false, &[]).is_empty());
    }

    #[test]
    fn geojson_is_a_feature_collection_of_rows_and_reports() {
        let reports = reports();
        let v: Value = serde_json::from_slice(&write_all(Format::Geojson, false, &reports)).unwrap();
        assert_eq!(v["type"], "FeatureCollection");
        let features = v["features"].as_array().unwrap();
        assert_eq!(features.len(), 3);
        assert_eq!(features[0]["id"], "P-1");
        assert_eq!(features[0]["geometry"]["type"], "Point");
        assert_eq!(features[1]["geometry"]["type"], "Polygon");
        assert!(features[2]["geometry"].is_null());
        for (rank, (feature, report)) in features.iter().zip(&reports).enumerate() {
            // Parsed back, the feature is valid GeoJSON.
            let parsed: geojson::Feature = serde_json::from_value(feature.clone()).unwrap();
            let properties = parsed.properties.unwrap();
            let keys: Vec<_> = properties.keys().map(String::as_str).collect();
            assert_eq!(&keys[..keys.len() - 1], csv_header());
            assert_eq!(keys.last(), Some(&"report"));
            assert_eq!(properties["rank"], json!(rank + 1));
            // Compared through the same text parser (serde_json's float parsing is not exact).
            let expected: Value = serde_json::from_str(&serde_json::to_string(report).unwrap()).unwrap();
            assert_eq!(properties["report"], expected);
        }
        assert_eq!(features[2]["properties"]["error_code"], "empty_geometry");
        let empty: Value = serde_json::from_slice(&write_all(Format::Geojson, false, &[])).unwrap();
        assert_eq!(empty, json!({"type": "FeatureCollection", "features": []}));
    }

    #[test]
    fn a_number_json_cannot_hold_is_an_empty_cell_and_null() {
        let mut report = reports().swap_remove(1);
        report.site.area_m2 = Some(f64::NAN);
        report.site.anchor = Some([f64::INFINITY, 38.3]);
        let csv = text(encode_record(Format::Csv, 1, &report).unwrap());
        let cells: Vec<&str> = csv.trim_end().split(',').collect();
        let at = |name: &str| csv_header().iter().position(|c| *c == name).unwrap();
        assert_eq!(
            (cells[at("area_m2")], cells[at("lon")], cells[at("lat")]),
            ("", "", "38.3")
        );
        let feature: Value = serde_json::from_slice(&encode_record(Format::Geojson, 1, &report).unwrap()).unwrap();
        let properties = &feature["properties"];
        assert!(
            properties["area_m2"].is_null() && properties["lon"].is_null(),
            "{properties}"
        );
        assert_eq!(properties["lat"], 38.3);
    }

    #[test]
    fn csv_has_bom_header_and_aligned_rows() {
        let reports = reports();
        let bytes = write_all(Format::Csv, false, &reports);
        let body = bytes
            .strip_prefix(b"\xEF\xBB\xBF")
            .expect("CSV starts with a UTF-8 BOM");
        let mut reader = csv::Reader::from_reader(body);
        let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        assert_eq!(header, csv_header());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 3);
        let col = |row: &csv::StringRecord, name: &str| {
            row.get(csv_header().iter().position(|c| *c == name).unwrap())
                .unwrap()
                .to_string()
        };
        for (i, (row, report)) in rows.iter().zip(&reports).enumerate() {
            assert_eq!(row.len(), header.len());
            assert_eq!(col(row, "rank"), (i + 1).to_string());
            assert_eq!(col(row, "rubric_id"), "tagajo-2023");
            let verdict = report.buildability.as_ref().map_or("", |b| b.verdict.as_str());
            assert_eq!(col(row, "verdict"), verdict);
        }
        let (point, parcel, rejected) = (&rows[0], &rows[1], &rows[2]);
        assert_eq!(col(point, "site_id"), "P-1");
        assert_eq!(col(point, "name"), "駅前, \"北\"");
        assert_eq!(col(point, "kind"), "point");
        assert_eq!(col(point, "area_m2"), "");
        assert_eq!(col(point, "area_id"), "A1");
        assert_eq!(col(point, "area_name"), "第一中学校区");
        assert_eq!(col(point, "open_for_application"), "false");
        assert_eq!(col(point, "target_facility_count"), "1");
        assert_eq!(col(point, "nearest_name"), "既存あおば");
        assert_eq!(col(point, "too_close"), "false");
        assert_eq!(col(point, "flood_points"), "1");
        assert_eq!(col(point, "tsunami_points"), "");
        assert_eq!(col(point, "hazard_status"), "partial");
        assert_eq!(col(point, "hazard_missing"), "river_erosion;landslide;tsunami");
        assert_eq!(col(point, "governing_code"), "1");
        // Rounded: areas and distances to 0.1, shares to 4 decimals.
        let decimals = |s: String| s.split_once('.').map_or(0, |(_, d)| d.len());
        let distance = col(point, "nearest_distance_m");
        assert!(
            decimals(distance.clone()) <= 1 && distance.parse::<f64>().unwrap() > 1_000.0,
            "{distance}"
        );
        assert_eq!(col(parcel, "kind"), "parcel");
        assert!(decimals(col(parcel, "area_m2")) <= 1, "{}", col(parcel, "area_m2"));
        assert_eq!(col(parcel, "governing_share"), "1.0");
        assert_eq!(col(parcel, "uncovered_share"), "0.0");
        assert_eq!(col(parcel, "site_id"), "1");
        assert_eq!(col(rejected, "error_code"), "empty_geometry");
        assert!(col(rejected, "error_message").contains("空"));
        assert_eq!(col(rejected, "hazard_total"), "");
        assert_eq!(col(rejected, "kind"), "");
        // No reports: the BOM and the header row only.
        let empty = text(write_all(Format::Csv, false, &[]));
        assert_eq!(empty, format!("\u{feff}{}\n", csv_header().join(",")));
    }
}
