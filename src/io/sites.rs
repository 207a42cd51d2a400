//! Reading candidate sites (候補地) from GeoJSON or CSV, once, at the edge.
//!
//! Each input site becomes a [`SiteInput`]. A site whose geometry cannot be used is
//! kept as a rejected input (`site: Err`) so that the rest of a batch is still
//! assessed (SPEC "Invalid sites"); only a file that cannot be read at all is a
//! [`SitesError`].
//!
//! Coordinates in another CRS are transformed to JGD2011 lon/lat with
//! [`Reprojector`] *before* [`Site::from_geojson`], so every check (ring closure,
//! self-intersection, Japan's extent) runs on lon/lat, whatever the input format.
//!
//! Codes of rejected sites, beside those of [`SiteError::code`]:
//! - `crs_transform_failed` — PROJ could not transform the site's coordinates;
//! - `invalid_geometry` — a GeoJSON geometry object that cannot be read;
//! - `invalid_feature` — a member of `features` that is not a GeoJSON Feature;
//! - `malformed_row` — a CSV row with a missing or unreadable coordinate, bad WKT or
//!   the wrong number of fields (the message names the 1-based line and the column).

use crate::engine::assess::SiteInput;
use crate::engine::attrs::normalize_text;
use crate::engine::report::SiteErrorReport;
use crate::engine::site::{Site, SiteError};
use crate::io::crs::{Crs, CrsError, Reprojector};
use crate::io::GEOMETRY_TYPES;
use geojson::{Geometry, GeometryValue, Position};
use serde::Deserialize;
use serde_json::Value;
use std::borrow::Cow;
use std::path::{Path, PathBuf};
use wkt::Wkt;

/// Accepted names of a CSV longitude (or projected x) column, matched after NFKC, trim
/// and lower-casing.
const LON_NAMES: &[&str] = &["lon", "lng", "long", "longitude", "x", "経度"];
/// Accepted names of a CSV latitude (or projected y) column.
const LAT_NAMES: &[&str] = &["lat", "latitude", "y", "緯度"];
/// Accepted names of a CSV column holding a WKT geometry.
const WKT_NAMES: &[&str] = &["wkt", "geometry", "geom", "the_geom", "ジオメトリ"];
/// Accepted names of a CSV site-id column.
const ID_NAMES: &[&str] = &["site_id", "id", "候補地id", "候補地番号"];
/// Accepted names of a CSV site-name column.
const NAME_NAMES: &[&str] = &["name", "名称", "候補地名"];

/// A batch file that cannot be read at all (→ CLI exit code 2). Each message says
/// what to fix, in English and Japanese.
#[derive(Debug, thiserror::Error)]
pub enum SitesError {
    /// The file could not be opened or read.
    #[error("{path}: ファイルを読めません: {error} / cannot read the file: {error}")]
    Read { path: PathBuf, error: std::io::Error },
    /// The content of the file at `path` is unusable (see `error`).
    #[error("{path}: {error}")]
    InFile { path: PathBuf, error: Box<SitesError> },
    /// Malformed JSON, with the 1-based position of the first error.
    #[error("JSON の構文エラーです（{line}行 {column}文字目）: {reason} / invalid JSON at line {line}, column {column}: {reason}")]
    Json { line: usize, column: usize, reason: String },
    /// Valid JSON, but not a FeatureCollection, a Feature or a geometry.
    #[error("GeoJSON ではありません（FeatureCollection・Feature・ジオメトリのいずれかを指定してください。実際は {found}） / not GeoJSON: expected a FeatureCollection, a Feature or a geometry, found {found}")]
    NotGeoJson { found: String },
    /// GeoJSON text that is not UTF-8 (RFC 7946 requires UTF-8).
    #[error("GeoJSON が UTF-8 ではありません（{offset} バイト目）。UTF-8 で保存してください / the GeoJSON is not valid UTF-8 (byte {offset}): save it as UTF-8")]
    NotUtf8 { offset: usize },
    /// A CSV that decodes neither as UTF-8 nor as Shift_JIS (CP932).
    #[error("CSV の文字コードが UTF-8 でも Shift_JIS（CP932）でもありません。UTF-8 で保存してください / the CSV is neither UTF-8 nor Shift_JIS (CP932): save it as UTF-8")]
    UnknownEncoding,
    /// The file's CRS (its `crs` member, or the one given) cannot be used.
    #[error(transparent)]
    Crs(#[from] CrsError),
    /// A CSV header with neither lon/lat columns nor a WKT column.
    #[error(
        "座標の列がありません（見つかった列: {found}）。経度・緯度の列（{lon} / {lat}）または WKT の列（{wkt}）を用意してください / no coordinate columns: found [{found}]; give lon and lat columns ({lon} / {lat}) or a WKT column ({wkt})",
        lon = LON_NAMES.join(", "),
        lat = LAT_NAMES.join(", "),
        wkt = WKT_NAMES.join(", ")
    )]
    NoCoordinateColumns { found: String },
    /// The CSV structure itself cannot be read.
    #[error("CSV を読めません: {reason} / cannot read the CSV: {reason}")]
    Csv { reason: String },
    /// The file holds no site at all (an empty FeatureCollection, a CSV without data rows).
    #[error("候補地が1件もありません（地物またはデータ行を1件以上入れてください） / the file holds no sites: give at least one feature or data row")]
    NoSites,
}

/// Reads a batch of sites from a file. The extension decides the format: `.csv`,
/// `.txt` → CSV (delimiter sniffed), `.tsv` → tab-separated CSV, `.geojson`, `.json`
/// → GeoJSON; any other extension is sniffed from the content (a JSON object → GeoJSON,
/// else CSV). `crs`, when given, overrides the CRS the file declares.
pub fn read_sites(path: &Path, crs: Option<Crs>) -> Result<Vec<SiteInput>, SitesError> {
    let bytes = std::fs::read(path).map_err(|error| SitesError::Read {
        path: path.to_path_buf(),
        error,
    })?;
    let extension = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let parsed = match extension.as_deref() {
        Some("csv" | "txt") => parse_delimited(&bytes, crs, None),
        Some("tsv") => parse_delimited(&bytes, crs, Some(b'\t')),
        Some("geojson" | "json") => parse_geojson_bytes(&bytes, crs),
        _ if strip_bom(&bytes).trim_ascii_start().starts_with(b"{") => parse_geojson_bytes(&bytes, crs),
        _ => parse_delimited(&bytes, crs, None),
    };
    parsed.map_err(|error| SitesError::InFile {
        path: path.to_path_buf(),
        error: Box::new(error),
    })
}

/// Parses GeoJSON sites: a FeatureCollection (each feature one site), a single Feature
/// or a bare geometry.
///
/// - id: `properties.site_id`, else the feature's `id`, else its 0-based index (a JSON
///   number); name: `properties.name`, else `properties.名称`; `source_ref`: "feature N".
/// - CRS: `crs` when given, else the file's non-standard `crs` member, else lon/lat.
/// - A feature whose geometry is null, invalid or untransformable becomes a rejected
///   [`SiteInput`]; the other features are still read.
pub fn parse_geojson_sites(text: &str, crs: Option<Crs>) -> Result<Vec<SiteInput>, SitesError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let root: Value = serde_json::from_str(text).map_err(|e| {
        let (line, column) = (e.line(), e.column());
        let full = e.to_string();
        let reason = full
            .strip_suffix(&format!(" at line {line} column {column}"))
            .unwrap_or(&full);
        SitesError::Json {
            line,
            column,
            reason: reason.to_string(),
        }
    })?;
    let Value::Object(object) = &root else {
        return Err(SitesError::NotGeoJson {
            found: json_kind(&root).to_string(),
        });
    };
    let crs = match (crs, object.get("crs")) {
        (Some(given), _) => given,
        (None, Some(member)) if !member.is_null() => Crs::from_geojson_member(member)?,
        (None, _) => Crs::LonLat,
    };
    let reprojector = Reprojector::to_lon_lat(crs)?;
    let reprojector = reprojector.as_ref();
    match object.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => {
            let Some(features) = object.get("features").and_then(Value::as_array) else {
                return Err(SitesError::NotGeoJson {
                    found: "a FeatureCollection without a features array".into(),
                });
            };
            if features.is_empty() {
                return Err(SitesError::NoSites);
            }
            Ok(features
                .iter()
                .enumerate()
                .map(|(i, f)| feature_site(i, f, reprojector))
                .collect())
        }
        Some("Feature") => Ok(vec![feature_site(0, &root, reprojector)]),
        Some(t) if GEOMETRY_TYPES.contains(&t) => Ok(vec![SiteInput {
            id: Value::from(0),
            name: None,
            source_ref: None,
            site: geometry_site(Some(&root), reprojector),
        }]),
        Some(t) => Err(SitesError::NotGeoJson {
            found: format!("an object of type \"{t}\""),
        }),
        None => Err(SitesError::NotGeoJson {
            found: "an object without \"type\"".into(),
        }),
    }
}

/// Parses CSV sites (one per data row) from UTF-8 (with or without BOM) or Shift_JIS
/// (CP932) bytes; the delimiter is `,`, or a tab when the header has tabs and no commas.
///
/// Columns are found by name (NFKC, trimmed, case-insensitive): lon ∈ {lon, lng, long,
/// longitude, x, 経度} with lat ∈ {lat, latitude, y, 緯度}, and/or a WKT column ∈ {wkt,
/// geometry, geom, the_geom, ジオメトリ} (POINT, POLYGON or MULTIPOLYGON; it wins over
/// lon/lat in rows where it is not empty); id ∈ {site_id, id, 候補地id, 候補地番号}
/// (else the 0-based row index); name ∈ {name, 名称, 候補地名}. Numbers may be written
/// in full-width digits. Rows whose every field is empty are skipped. `crs`, when given,
/// is the CRS of the coordinates (x/y for a projected one); else lon/lat.
///
/// A row with a missing or unreadable coordinate, bad WKT or the wrong number of fields
/// becomes a rejected [`SiteInput`] with code `malformed_row`; `source_ref` is "line N".
pub fn parse_csv_sites(bytes: &[u8], crs: Option<Crs>) -> Result<Vec<SiteInput>, SitesError> {
    parse_delimited(bytes, crs, None)
}

/// A single point site from `--lon`/`--lat` (x/y when `crs` is projected), with id 0.
/// An invalid or untransformable point is returned as a rejected [`SiteInput`].
pub fn point_site(lon: f64, lat: f64, crs: Option<Crs>) -> SiteInput {
    let site = Reprojector::to_lon_lat(crs.unwrap_or(Crs::LonLat))
        .map_err(crs_failure)
        .and_then(|r| to_site(Geometry::new_point([lon, lat]), r.as_ref()));
    SiteInput {
        id: Value::from(0),
        name: None,
        source_ref: None,
        site,
    }
}

fn parse_geojson_bytes(bytes: &[u8], crs: Option<Crs>) -> Result<Vec<SiteInput>, SitesError> {
    let text = std::str::from_utf8(bytes).map_err(|e| SitesError::NotUtf8 {
        offset: e.valid_up_to(),
    })?;
    parse_geojson_sites(text, crs)
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A rejected site with a code of this module.
fn rejection(code: &str, message: String) -> SiteErrorReport {
    SiteErrorReport {
        code: code.to_string(),
        message,
    }
}

fn crs_failure(e: CrsError) -> SiteErrorReport {
    rejection("crs_transform_failed", e.to_string())
}

/// The shared path of every input format: transform to lon/lat, then validate.
fn to_site(mut geometry: Geometry, reprojector: Option<&Reprojector>) -> Result<Site, SiteErrorReport> {
    if let Some(r) = reprojector {
        r.geometry(&mut geometry).map_err(crs_failure)?;
    }
    Ok(Site::from_geojson(&geometry)?)
}

fn feature_site(index: usize, feature: &Value, reprojector: Option<&Reprojector>) -> SiteInput {
    let source_ref = Some(format!("feature {index}"));
    let object = feature
        .as_object()
        .filter(|o| o.get("type").and_then(Value::as_str) == Some("Feature"));
    let Some(object) = object else {
        return SiteInput {
            id: Value::from(index),
            name: None,
            source_ref,
            site: Err(rejection(
                "invalid_feature",
                format!("地物 {index} が GeoJSON の Feature ではありません / feature {index} is not a GeoJSON Feature"),
            )),
        };
    };
    let properties = object.get("properties").and_then(Value::as_object);
    // A null or blank property counts as absent.
    let property = |key: &str| {
        properties
            .and_then(|p| p.get(key))
            .filter(|v| !v.is_null() && v.as_str().is_none_or(|s| !s.trim().is_empty()))
    };
    let id = property("site_id")
        .or_else(|| object.get("id").filter(|v| v.is_string() || v.is_number()))
        .cloned()
        .unwrap_or_else(|| Value::from(index));
    let name = property("name").or_else(|| property("名称")).and_then(|v| match v {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    });
    SiteInput {
        id,
        name,
        source_ref,
        site: geometry_site(object.get("geometry"), reprojector),
    }
}

fn geometry_site(geometry: Option<&Value>, reprojector: Option<&Reprojector>) -> Result<Site, SiteErrorReport> {
    let geometry = match geometry {
        None | Some(Value::Null) => return Err(SiteError::Empty.into()),
        Some(g) => g,
    };
    match geometry.get("type").and_then(Value::as_str) {
        Some(t) if !GEOMETRY_TYPES.contains(&t) => return Err(SiteError::UnsupportedType(t.to_string()).into()),
        _ => {}
    }
    let parsed = Geometry::deserialize(geometry).map_err(|e| {
        rejection(
            "invalid_geometry",
            format!("ジオメトリを GeoJSON として読めません: {e} / the geometry cannot be read as GeoJSON: {e}"),
        )
    })?;
    to_site(parsed, reprojector)
}

/// Decodes CSV bytes: UTF-8 (a BOM is dropped) when valid, else Shift_JIS (CP932);
/// bytes that are neither are refused rather than turned into mojibake.
fn decode_text(bytes: &[u8]) -> Result<Cow<'_, str>, SitesError> {
    let bytes = strip_bom(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Cow::Borrowed(text)),
        Err(_) => encoding_rs::SHIFT_JIS
            .decode_without_bom_handling_and_without_replacement(bytes)
            .ok_or(SitesError::UnknownEncoding),
    }
}

fn parse_delimited(bytes: &[u8], crs: Option<Crs>, delimiter: Option<u8>) -> Result<Vec<SiteInput>, SitesError> {
    let text = decode_text(bytes)?;
    if text.trim().is_empty() {
        return Err(SitesError::NoSites);
    }
    let delimiter = delimiter.unwrap_or_else(|| {
        let header = text.lines().next().unwrap_or_default();
        if header.contains('\t') && !header.contains(',') {
            b'\t'
        } else {
            b','
        }
    });
    let csv_error = |e: csv::Error| SitesError::Csv { reason: e.to_string() };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader.headers().map_err(csv_error)?.clone();
    let columns = Columns::find(&headers)?;
    let reprojector = Reprojector::to_lon_lat(crs.unwrap_or(Crs::LonLat))?;
    let mut lines = LineCounter {
        text: text.as_bytes(),
        offset: 0,
        line: 1,
    };
    let mut sites = Vec::new();
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        if record.iter().all(|field| field.trim().is_empty()) {
            continue;
        }
        let line = lines.line_at(record.position().map_or(0, |p| p.byte()));
        let index = sites.len();
        sites.push(columns.site(&record, line, index, reprojector.as_ref()));
    }
    if sites.is_empty() {
        return Err(SitesError::NoSites);
    }
    Ok(sites)
}

/// 1-based line numbers of CSV records, counted from their byte offsets. The csv
/// crate's own `Position::line` is wrong after blank lines and with CRLF line ends
/// (rust-csv issues #208 and #395), and its byte offset may point at the line break
/// before the record, which is skipped here.
struct LineCounter<'t> {
    text: &'t [u8],
    /// Where counting has reached; offsets are asked for in increasing order.
    offset: usize,
    /// The line at `offset`.
    line: u64,
}

impl LineCounter<'_> {
    fn line_at(&mut self, byte: u64) -> u64 {
        let mut start = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .clamp(self.offset, self.text.len());
        while matches!(self.text.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        self.line += self.text[self.offset..start].iter().filter(|&&b| b == b'\n').count() as u64;
        self.offset = start;
        self.line
    }
}

/// Which columns give a row's geometry.
enum Coordinates {
    LonLat {
        lon: usize,
        lat: usize,
    },
    /// A WKT column, with lon/lat columns to fall back on in rows where it is empty.
    Wkt {
        wkt: usize,
        lon_lat: Option<(usize, usize)>,
    },
}

/// Where the CSV's columns are, with their names as written in the header.
struct Columns {
    names: Vec<String>,
    coordinates: Coordinates,
    id: Option<usize>,
    name: Option<usize>,
}

impl Columns {
    fn find(headers: &csv::StringRecord) -> Result<Columns, SitesError> {
        let normalised: Vec<String> = headers.iter().map(|h| normalize_text(h).to_lowercase()).collect();
        let find = |accepted: &[&str]| normalised.iter().position(|h| accepted.contains(&h.as_str()));
        let names: Vec<String> = headers.iter().map(|h| h.trim().to_string()).collect();
        let lon_lat = find(LON_NAMES).zip(find(LAT_NAMES));
        let coordinates = match (find(WKT_NAMES), lon_lat) {
            (Some(wkt), lon_lat) => Coordinates::Wkt { wkt, lon_lat },
            (None, Some((lon, lat))) => Coordinates::LonLat { lon, lat },
            (None, None) => {
                return Err(SitesError::NoCoordinateColumns {
                    found: names.join(", "),
                })
            }
        };
        Ok(Columns {
            names,
            coordinates,
            id: find(ID_NAMES),
            name: find(NAME_NAMES),
        })
    }

    /// The trimmed, non-empty text of column `c` in this record.
    fn cell(record: &csv::StringRecord, c: usize) -> Option<&str> {
        record.get(c).map(str::trim).filter(|s| !s.is_empty())
    }

    fn site(
        &self,
        record: &csv::StringRecord,
        line: u64,
        index: usize,
        reprojector: Option<&Reprojector>,
    ) -> SiteInput {
        let id = self
            .id
            .and_then(|c| Columns::cell(record, c))
            .map_or_else(|| Value::from(index), Value::from);
        let name = self.name.and_then(|c| Columns::cell(record, c)).map(str::to_string);
        let site = if record.len() != self.names.len() {
            Err(rejection(
                "malformed_row",
                format!(
                    "{line}行目の列数が {2} です（ヘッダーは {3} 列） / line {line}: expected {0} fields as in the header, found {1}",
                    self.names.len(),
                    record.len(),
                    record.len(),
                    self.names.len()
                ),
            ))
        } else {
            self.geometry(record, line).and_then(|g| to_site(g, reprojector))
        };
        SiteInput {
            id,
            name,
            source_ref: Some(format!("line {line}")),
            site,
        }
    }

    /// A row's geometry: its WKT when that column exists and is filled, else lon/lat.
    fn geometry(&self, record: &csv::StringRecord, line: u64) -> Result<Geometry, SiteErrorReport> {
        let malformed = |column: usize, en: String, ja: String| {
            let column = &self.names[column];
            rejection(
                "malformed_row",
                format!("{line}行目の {column} 列{ja} / line {line}, column {column}: {en}"),
            )
        };
        let (lon, lat) = match self.coordinates {
            Coordinates::LonLat { lon, lat } => (lon, lat),
            Coordinates::Wkt { wkt, lon_lat } => match (Columns::cell(record, wkt), lon_lat) {
                (Some(text), _) => {
                    let parsed: Wkt<f64> = normalize_text(text).parse().map_err(|e: &str| {
                        malformed(
                            wkt,
                            format!("cannot read WKT ({e})"),
                            format!("の WKT を読めません（{e}）"),
                        )
                    })?;
                    return Ok(wkt_to_geojson(&parsed)?);
                }
                (None, Some(pair)) => pair,
                (None, None) => return Err(malformed(wkt, "empty".into(), "が空です".into())),
            },
        };
        let number = |c: usize| {
            let Some(raw) = Columns::cell(record, c) else {
                return Err(malformed(c, "empty".into(), "が空です".into()));
            };
            let value = normalize_text(raw).parse::<f64>().ok().filter(|v| v.is_finite());
            value.ok_or_else(|| {
                malformed(
                    c,
                    format!("\"{raw}\" is not a number"),
                    format!("「{raw}」が数値ではありません"),
                )
            })
        };
        Ok(Geometry::new_point([number(lon)?, number(lat)?]))
    }
}

/// Converts WKT straight into GeoJSON positions (without geo, which would close open
/// rings silently), so that WKT sites take the same validation as GeoJSON ones.
fn wkt_to_geojson(wkt: &Wkt<f64>) -> Result<Geometry, SiteError> {
    let ring = |ls: &wkt::types::LineString<f64>| -> Vec<Position> {
        ls.coords().iter().map(|c| Position::from([c.x, c.y])).collect()
    };
    let rings = |p: &wkt::types::Polygon<f64>| p.rings().iter().map(ring).collect::<Vec<_>>();
    let value = match wkt {
        Wkt::Point(p) => {
            let c = p.coord().ok_or(SiteError::Empty)?;
            GeometryValue::Point {
                coordinates: Position::from([c.x, c.y]),
            }
        }
        Wkt::Polygon(p) => GeometryValue::Polygon { coordinates: rings(p) },
        Wkt::MultiPolygon(mp) => GeometryValue::MultiPolygon {
            coordinates: mp.polygons().iter().map(rings).collect(),
        },
        Wkt::LineString(_) => return Err(SiteError::UnsupportedType("LineString".into())),
        Wkt::MultiPoint(_) => return Err(SiteError::UnsupportedType("MultiPoint".into())),
        Wkt::MultiLineString(_) => return Err(SiteError::UnsupportedType("MultiLineString".into())),
        Wkt::GeometryCollection(_) => return Err(SiteError::UnsupportedType("GeometryCollection".into())),
    };
    Ok(Geometry::new(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/sites");

    fn fixture(name: &str) -> PathBuf {
        Path::new(FIXTURES).join(name)
    }

    /// The rejection code of a site, or "ok".
    fn code(s: &SiteInput) -> &str {
        match &s.site {
            Ok(_) => "ok",
            Err(e) => &e.code,
        }
    }

    fn message(s: &SiteInput) -> &str {
        &s.site.as_ref().expect_err("site should be rejected").message
    }

    fn lon_lat(s: &SiteInput) -> (f64, f64) {
        let p = s.site.as_ref().expect("site should be valid").anchor();
        (p.x(), p.y())
    }

    fn area_m2(s: &SiteInput) -> f64 {
        match s.site.as_ref().expect("site should be valid") {
            Site::Parcel(p) => p.area_m2,
            Site::Point(_) => panic!("expected a parcel"),
        }
    }

    fn geojson_feature(geometry: &str) -> String {
        format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{}},"geometry":{geometry}}}]}}"#
        )
    }

    fn one(text: &str) -> SiteInput {
        let mut sites = parse_geojson_sites(text, None).unwrap();
        assert_eq!(sites.len(), 1);
        sites.remove(0)
    }

    #[test]
    fn geojson_collection_keeps_valid_sites_beside_rejected_ones() {
        let sites = read_sites(&fixture("candidates.geojson"), None).unwrap();
        let summary: Vec<_> = sites.iter().map(|s| (s.id.clone(), code(s))).collect();
        assert_eq!(
            summary,
            vec![
                (Value::from("A-1"), "ok"),
                (Value::from("f2"), "ok"),
                (Value::from(2), "invalid_polygon"),
                (Value::from(4), "empty_geometry"),
            ]
        );
        assert_eq!(sites[0].name.as_deref(), Some("市役所前の候補地"));
        assert_eq!(sites[1].name.as_deref(), Some("高橋の敷地"));
        assert_eq!(sites[2].source_ref.as_deref(), Some("feature 2"));
        assert!(
            message(&sites[2]).contains("self-intersecting"),
            "{}",
            message(&sites[2])
        );
        assert!((area_m2(&sites[1]) - 1_950.0).abs() < 50.0, "{}", area_m2(&sites[1]));
    }

    #[test]
    fn geojson_each_invalid_geometry_is_rejected_with_its_code() {
        // Each geometry class has its own test in engine::site; here the reader must carry
        // the engine's code through, and add its own for what is not a geometry at all.
        let cases = [
            (r#"{"type":"Polygon","coordinates":[]}"#, "empty_geometry"),
            (
                r#"{"type":"Circle","coordinates":[141.0,38.3]}"#,
                "unsupported_geometry_type",
            ),
            (r#"{"type":"Point","coordinates":"141,38"}"#, "invalid_geometry"),
        ];
        for (geometry, expected) in cases {
            let site = one(&geojson_feature(geometry));
            assert_eq!(code(&site), expected, "{geometry}: {:?}", site.site.as_ref().err());
        }
        let swapped = one(&geojson_feature(r#"{"type":"Point","coordinates":[38.3,141.0]}"#));
        assert!(
            message(&swapped).contains("swapped") && message(&swapped).contains("逆"),
            "{}",
            message(&swapped)
        );
        let not_a_feature = one(r#"{"type":"FeatureCollection","features":[{"type":"Point","coordinates":[141,38]}]}"#);
        assert_eq!(code(&not_a_feature), "invalid_feature");
        assert!(
            message(&not_a_feature).contains("地物 0"),
            "{}",
            message(&not_a_feature)
        );
    }

    #[test]
    fn geojson_single_feature_and_bare_geometry() {
        let feature = one(
            r#"{"type":"Feature","id":7,"properties":{"name":"単独"},"geometry":{"type":"Point","coordinates":[141.0,38.3]}}"#,
        );
        assert_eq!(
            (&feature.id, feature.name.as_deref(), code(&feature)),
            (&Value::from(7), Some("単独"), "ok")
        );
        let bare = one(
            r#"{"type":"MultiPolygon","coordinates":[[[[141.0,38.3],[141.001,38.3],[141.001,38.301],[141.0,38.301],[141.0,38.3]]]]}"#,
        );
        assert_eq!((&bare.id, code(&bare)), (&Value::from(0), "ok"));
    }

    #[test]
    fn unreadable_geojson_files_are_refused_with_position() {
        let err =
            parse_geojson_sites("{\n  \"type\": \"FeatureCollection\",\n  \"features\": [,]\n}", None).unwrap_err();
        match &err {
            SitesError::Json { line, column, .. } => assert_eq!((*line, *column), (3, 16)),
            other => panic!("{other:?}"),
        }
        assert!(err.to_string().contains("3行 16文字目"), "{err}");
        assert!(matches!(
            parse_geojson_sites("[1, 2]", None),
            Err(SitesError::NotGeoJson { .. })
        ));
        assert!(matches!(
            parse_geojson_sites(r#"{"type":"Topology"}"#, None),
            Err(SitesError::NotGeoJson { .. })
        ));
        assert!(matches!(
            parse_geojson_sites(r#"{"type":"FeatureCollection","features":[]}"#, None),
            Err(SitesError::NoSites)
        ));
        let err = parse_geojson_bytes(b"{\"type\":\"Point\",\"x\":\"\xff\"}", None).unwrap_err();
        assert!(matches!(err, SitesError::NotUtf8 { offset: 21 }), "{err:?}");
    }

    #[test]
    fn unknown_crs_refuses_the_file() {
        let text = r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"Tokyo"}},"features":[]}"#;
        let err = parse_geojson_sites(text, None).unwrap_err();
        assert!(matches!(err, SitesError::Crs(CrsError::Unknown(_))), "{err:?}");
        assert!(err.to_string().contains("不明な座標参照系"), "{err}");
        let point = r#"{"type":"Point","coordinates":[141.0,38.3]}"#;
        let err = parse_geojson_sites(point, Some(Crs::Epsg(999_999))).unwrap_err();
        assert!(
            matches!(err, SitesError::Crs(CrsError::Unsupported { code: 999_999, .. })),
            "{err:?}"
        );
    }

    #[test]
    fn plane_rectangular_geojson_is_converted_to_lon_lat() {
        let sites = read_sites(&fixture("candidates_6678.geojson"), None).unwrap();
        // EPSG:6678 (JGD2011 plane rectangular X) has its origin at 40°N 140°50'E.
        let (lon, lat) = lon_lat(&sites[0]);
        assert!(
            (lon - (140.0 + 50.0 / 60.0)).abs() < 1e-9 && (lat - 40.0).abs() < 1e-9,
            "{lon} {lat}"
        );
        // A 10 m × 10 m square in metres is about 100 m² once in lon/lat.
        assert!((area_m2(&sites[1]) - 100.0).abs() < 0.5, "{}", area_m2(&sites[1]));
        // An explicit CRS wins over the file's member: (0, 0) read as lon/lat is outside Japan.
        let forced = read_sites(&fixture("candidates_6678.geojson"), Some(Crs::LonLat)).unwrap();
        assert_eq!(code(&forced[0]), "coordinates_outside_japan");
    }

    #[test]
    fn untransformable_coordinates_reject_only_that_site() {
        // 10⁷ km from the origin of plane rectangular zone X is outside PROJ's domain.
        let text = r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1e10,1e10]}},
            {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[100.0,-200.0]}}]}"#;
        let sites = parse_geojson_sites(text, Some(Crs::Epsg(6678))).unwrap();
        assert_eq!(
            code(&sites[0]),
            "crs_transform_failed",
            "{:?}",
            sites[0].site.as_ref().err()
        );
        assert!(message(&sites[0]).contains("EPSG:6678"), "{}", message(&sites[0]));
        assert_eq!(code(&sites[1]), "ok");
    }

    #[test]
    fn point_site_checks_range_and_transforms() {
        assert_eq!(code(&point_site(141.0, 38.3, None)), "ok");
        assert_eq!(code(&point_site(38.3, 141.0, None)), "coordinates_outside_japan");
        let (lon, lat) = lon_lat(&point_site(0.0, 0.0, Some(Crs::Epsg(6678))));
        assert!(
            (lon - (140.0 + 50.0 / 60.0)).abs() < 1e-9 && (lat - 40.0).abs() < 1e-9,
            "{lon} {lat}"
        );
        assert_eq!(
            code(&point_site(141.0, 38.3, Some(Crs::Epsg(999_999)))),
            "crs_transform_failed"
        );
    }

    #[test]
    fn csv_lon_lat_with_japanese_headers_and_full_width_numbers() {
        let csv = "候補地ID,候補地名,ＬＯＮ,緯度\n1,駅前,141.0045,38.2939\n,全角,１４１．０１,３８．３\n";
        let sites = parse_csv_sites(csv.as_bytes(), None).unwrap();
        assert_eq!(sites.len(), 2);
        assert_eq!(
            (sites[0].id.clone(), sites[0].name.as_deref()),
            (Value::from("1"), Some("駅前"))
        );
        assert_eq!(sites[0].source_ref.as_deref(), Some("line 2"));
        assert_eq!(lon_lat(&sites[1]), (141.01, 38.3));
        // No id cell: the 0-based row index.
        assert_eq!(sites[1].id, Value::from(1));
    }

    #[test]
    fn csv_malformed_rows_name_line_and_column() {
        let csv = "id,lon,lat\n1,141.0,38.3\n2,141.0\n\n3,141.0,\n4,141.0,abc\n,,\n5,38.3,141.0\n";
        let sites = parse_csv_sites(csv.as_bytes(), None).unwrap();
        let codes: Vec<_> = sites.iter().map(code).collect();
        assert_eq!(
            codes,
            [
                "ok",
                "malformed_row",
                "malformed_row",
                "malformed_row",
                "coordinates_outside_japan"
            ]
        );
        assert_eq!(
            message(&sites[1]),
            "3行目の列数が 2 です（ヘッダーは 3 列） / line 3: expected 3 fields as in the header, found 2"
        );
        assert_eq!(message(&sites[2]), "5行目の lat 列が空です / line 5, column lat: empty");
        assert_eq!(
            message(&sites[3]),
            "6行目の lat 列「abc」が数値ではありません / line 6, column lat: \"abc\" is not a number"
        );
        assert_eq!(sites[3].source_ref.as_deref(), Some("line 6"));
        assert!(message(&sites[4]).contains("swapped"), "{}", message(&sites[4]));
    }

    #[test]
    fn csv_wkt_sites_take_the_geojson_validation() {
        let csv = concat!(
            "id,wkt\n",
            "pt,POINT(141.0 38.3)\n",
            "poly,\"POLYGON((141.0 38.3, 141.001 38.3, 141.001 38.301, 141.0 38.301, 141.0 38.3))\"\n",
            "multi,\"MULTIPOLYGON(((141.0 38.3, 141.001 38.3, 141.001 38.301, 141.0 38.3)))\"\n",
            "open,\"POLYGON((141.0 38.3, 141.001 38.3, 141.001 38.301, 141.0 38.301))\"\n",
            "bowtie,\"POLYGON((141.0 38.3, 141.001 38.301, 141.001 38.3, 141.0 38.301, 141.0 38.3))\"\n",
            "line,\"LINESTRING(141.0 38.3, 141.1 38.3)\"\n",
            "empty,POLYGON EMPTY\n",
            "bad,POLYGON((141.0 38.3\n",
            "blank,\n",
        );
        let sites = parse_csv_sites(csv.as_bytes(), None).unwrap();
        let codes: Vec<_> = sites.iter().map(|s| (s.id.as_str().unwrap(), code(s))).collect();
        assert_eq!(
            codes,
            [
                ("pt", "ok"),
                ("poly", "ok"),
                ("multi", "ok"),
                ("open", "ring_not_closed"),
                ("bowtie", "invalid_polygon"),
                ("line", "unsupported_geometry_type"),
                ("empty", "empty_geometry"),
                ("bad", "malformed_row"),
                ("blank", "malformed_row"),
            ]
        );
        assert!(
            message(&sites[7]).starts_with("9行目の wkt 列")
                && message(&sites[7]).contains(" / line 9, column wkt: cannot read WKT"),
            "{}",
            message(&sites[7])
        );
        assert!(
            message(&sites[7]).contains("9行目の wkt 列の WKT を読めません"),
            "{}",
            message(&sites[7])
        );
        assert_eq!(
            message(&sites[8]),
            "10行目の wkt 列が空です / line 10, column wkt: empty"
        );
    }

    #[test]
    fn csv_wkt_column_falls_back_to_lon_lat_when_empty() {
        let csv = "lon,lat,geometry\n141.0,38.3,\n0,0,POINT(141.1 38.4)\n";
        let sites = parse_csv_sites(csv.as_bytes(), None).unwrap();
        assert_eq!(lon_lat(&sites[0]), (141.0, 38.3));
        assert_eq!(lon_lat(&sites[1]), (141.1, 38.4));
    }

    #[test]
    fn csv_without_coordinate_columns_or_rows_is_refused() {
        let err = parse_csv_sites("id,name,address\n1,a,b\n".as_bytes(), None).unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, SitesError::NoCoordinateColumns { .. }));
        assert!(
            text.contains("found [id, name, address]") && text.contains("longitude") && text.contains("緯度"),
            "{text}"
        );
        assert!(
            text.contains("the_geom") && text.contains("座標の列がありません"),
            "{text}"
        );
        // lon without lat is not usable either.
        assert!(matches!(
            parse_csv_sites(b"lon,name\n141,a\n", None),
            Err(SitesError::NoCoordinateColumns { .. })
        ));
        assert!(matches!(parse_csv_sites(b"lon,lat\n", None), Err(SitesError::NoSites)));
        assert!(matches!(
            parse_csv_sites(b"lon,lat\n,\n", None),
            Err(SitesError::NoSites)
        ));
        assert!(matches!(
            parse_csv_sites(b"\xEF\xBB\xBF  \n", None),
            Err(SitesError::NoSites)
        ));
    }

    #[test]
    fn csv_shift_jis_round_trip_keeps_japanese_names() {
        let sites = read_sites(&fixture("candidates_sjis.csv"), None).unwrap();
        let names: Vec<_> = sites.iter().map(|s| s.name.as_deref().unwrap()).collect();
        assert_eq!(names, ["多賀城市役所前", "髙橋の空き地", "不正な行"]);
        assert_eq!(sites[0].id, Value::from("1"));
        assert_eq!(lon_lat(&sites[1]), (141.01, 38.3));
        assert_eq!(
            message(&sites[2]),
            "4行目の 経度 列「abc」が数値ではありません / line 4, column 経度: \"abc\" is not a number"
        );
        // The same text encoded by encoding_rs reads back identically.
        let text = "名称,経度,緯度\n髙橋・﨑山の候補地,141.0,38.3\n";
        let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(text);
        assert!(!unmappable);
        assert!(
            std::str::from_utf8(&bytes).is_err(),
            "the fixture must really be Shift_JIS"
        );
        let sites = parse_csv_sites(&bytes, None).unwrap();
        assert_eq!(sites[0].name.as_deref(), Some("髙橋・﨑山の候補地"));
    }

    #[test]
    fn csv_in_neither_encoding_is_refused_not_garbled() {
        // 0x82 0xFF is not a Shift_JIS character, and not UTF-8.
        let err = parse_csv_sites(b"name,lon,lat\n\x82\xFF,141,38\n", None).unwrap_err();
        assert!(matches!(err, SitesError::UnknownEncoding), "{err:?}");
        assert!(err.to_string().contains("Shift_JIS"), "{err}");
    }

    #[test]
    fn csv_utf8_bom_is_dropped_from_the_first_header() {
        let sites = parse_csv_sites("\u{feff}lon,lat,name\n141.0,38.3,ＢＯＭ付き\n".as_bytes(), None).unwrap();
        assert_eq!(lon_lat(&sites[0]), (141.0, 38.3));
        assert_eq!(sites[0].name.as_deref(), Some("ＢＯＭ付き"));
    }

    #[test]
    fn csv_plane_rectangular_coordinates_are_converted() {
        let sites = parse_csv_sites(b"x,y\n0,0\n", Some(Crs::Epsg(6678))).unwrap();
        let (lon, lat) = lon_lat(&sites[0]);
        assert!(
            (lon - (140.0 + 50.0 / 60.0)).abs() < 1e-9 && (lat - 40.0).abs() < 1e-9,
            "{lon} {lat}"
        );
    }

    #[test]
    fn read_sites_picks_the_format_by_extension_or_content() {
        let tsv = read_sites(&fixture("candidates.tsv"), None).unwrap();
        assert_eq!(tsv.iter().map(code).collect::<Vec<_>>(), ["ok", "ok"]);
        assert_eq!(tsv[0].name.as_deref(), Some("区画ポリゴン"));
        // Tab-separated content in a .txt file is sniffed.
        let dir = tempfile::tempdir().unwrap();
        let txt = dir.path().join("sites.txt");
        std::fs::write(&txt, "lon\tlat\n141.0\t38.3\n").unwrap();
        assert_eq!(code(&read_sites(&txt, None).unwrap()[0]), "ok");
        // No extension: a JSON object is GeoJSON, anything else CSV.
        let plain = dir.path().join("sites");
        std::fs::write(&plain, "\u{feff} {\"type\":\"Point\",\"coordinates\":[141.0,38.3]}").unwrap();
        assert_eq!(code(&read_sites(&plain, None).unwrap()[0]), "ok");
        std::fs::write(&plain, "lon,lat\n141.0,38.3\n").unwrap();
        assert_eq!(code(&read_sites(&plain, None).unwrap()[0]), "ok");
    }

    #[test]
    fn read_sites_errors_name_the_path() {
        let missing = fixture("no-such-file.geojson");
        let err = read_sites(&missing, None).unwrap_err();
        assert!(matches!(err, SitesError::Read { .. }));
        assert!(
            err.to_string().contains("no-such-file.geojson") && err.to_string().contains("読めません"),
            "{err}"
        );
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("bad.geojson");
        std::fs::write(&bad, "{").unwrap();
        let err = read_sites(&bad, None).unwrap_err();
        assert!(matches!(&err, SitesError::InFile { error, .. } if matches!(**error, SitesError::Json { .. })));
        assert!(
            err.to_string()
                .starts_with(&format!("{}: JSON の構文エラーです", bad.display())),
            "{err}"
        );
    }
}
