//! Loading a data directory into a [`Catalog`].
//!
//! A directory either has a `manifest.toml` naming, per layer kind, its files and
//! provenance, or holds files named after the kinds (`zoning.geojson`, `flood.geojson`,
//! …) and loads without one. GeoJSON is read in two steps: the top level (type, the
//! non-standard `crs` member that 国土数値情報 writes, the features as slices of the
//! text), then the features with the `geojson` crate, a chunk at a time in parallel;
//! problems name the feature's index and line. Other CRSs are transformed once here. Facility points may also come from CSV (緯度/経度 or lon/lat columns), such as
//! the national 介護サービス情報公表 open data, whose unusable rows are reported by line.

use crate::engine::catalog::{Catalog, CatalogError, LayerKind, LayerMeta, RawFeature, RawLayer};
use crate::engine::geom;
use crate::engine::index::FeatureId;
use crate::engine::site::{LAT_RANGE, LON_RANGE};
use crate::io::crs::{Crs, CrsError, Reprojector};
use crate::io::GEOMETRY_TYPES;
use geo::Geometry;
use geojson::{feature::Id, Feature, GeometryValue, Position};
use rayon::prelude::*;
use serde::Deserialize;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The manifest file name inside a data directory.
pub const MANIFEST: &str = "manifest.toml";

/// How many problems a load error lists before it stops counting them out.
const MAX_LISTED: usize = 20;

/// One layer entry of `manifest.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestLayer {
    /// Files merged into this layer, relative to the directory.
    pub files: Vec<String>,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub publisher: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub licence: String,
    /// Version label; default `sha256:<first 12 hex digits>`.
    pub version: Option<String>,
    /// CRS of the files when they do not say (e.g. `EPSG:6678`).
    pub crs: Option<String>,
    /// Property values used where a feature lacks them (e.g. `division = "非線引き"`).
    #[serde(default)]
    pub defaults: serde_json::Map<String, serde_json::Value>,
}

/// `manifest.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Display name of the dataset.
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub layers: BTreeMap<String, ManifestLayer>,
}

/// A problem with one feature or row.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureProblem {
    pub file: String,
    /// "feature 12 (line 40)" (0-based index, 1-based line where the feature begins) or
    /// "line 7" (1-based CSV line).
    pub at: String,
    pub reason: String,
}

impl std::fmt::Display for FeatureProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}, {}: {}", self.file, self.at, self.reason)
    }
}

/// Why a data directory could not be loaded. Nothing is loaded when any layer fails.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path} を読み込めません / cannot read {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: マニフェストの誤り: {message} / invalid manifest: {message}")]
    Manifest { path: PathBuf, message: String },
    #[error("{path}: レイヤファイルが見つかりません（manifest.toml を置くか、zoning.geojson などレイヤ種別名のファイルを置いてください） / no layer files found: add a manifest.toml or files named after the layer kinds (zoning.geojson, flood.geojson, …)")]
    Empty { path: PathBuf },
    #[error("{path}: 不明なレイヤ種別です / unknown layer kind `{kind}` (expected one of: {expected})")]
    UnknownKind {
        path: PathBuf,
        kind: String,
        expected: String,
    },
    #[error("{path}: GeoJSON として読めません / not valid GeoJSON: {message}")]
    GeoJson { path: PathBuf, message: String },
    #[error("{path}: {source}")]
    Crs { path: PathBuf, source: CrsError },
    #[error("レイヤ {kind} に不正な地物が {count} 件あります（何も読み込んでいません） / {count} invalid feature(s) in layer {kind}; nothing was loaded:\n{listing}")]
    Features {
        kind: LayerKind,
        count: usize,
        listing: String,
    },
    #[error(transparent)]
    Catalog(#[from] CatalogError),
}

/// What a successful load read, for the operator.
#[derive(Debug, Clone, Default)]
pub struct LoadReport {
    /// Dataset name from the manifest (or the directory name).
    pub name: String,
    /// CSV rows that could not be used as features (kept out of the layer, listed here).
    pub skipped_rows: Vec<FeatureProblem>,
    /// Features kept despite invalid topology (self-intersecting ring, overlapping parts):
    /// answers near the defect may be off, so they are listed for the GIS staff to fix.
    pub geometry_warnings: Vec<FeatureProblem>,
}

/// Lowercase hex SHA-256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Reads the manifest, or infers one from files named after the kinds.
pub fn read_manifest(dir: &Path) -> Result<Manifest, LoadError> {
    let path = dir.join(MANIFEST);
    if path.exists() {
        let text = std::fs::read_to_string(&path).map_err(|source| LoadError::Io {
            path: path.clone(),
            source,
        })?;
        let manifest: Manifest = toml::from_str(&text).map_err(|e| LoadError::Manifest {
            path: path.clone(),
            message: e.to_string(),
        })?;
        if let Some(bad) = manifest.layers.keys().find(|k| LayerKind::from_key(k).is_none()) {
            return Err(LoadError::UnknownKind {
                path,
                kind: bad.clone(),
                expected: kind_list(),
            });
        }
        return Ok(manifest);
    }
    let mut layers = BTreeMap::new();
    for kind in LayerKind::ALL {
        for ext in ["geojson", "json", "csv"] {
            let name = format!("{}.{ext}", kind.key());
            if dir.join(&name).is_file() {
                layers.insert(
                    kind.key().to_string(),
                    ManifestLayer {
                        files: vec![name],
                        ..Default::default()
                    },
                );
                break;
            }
        }
    }
    if layers.is_empty() {
        return Err(LoadError::Empty {
            path: dir.to_path_buf(),
        });
    }
    Ok(Manifest {
        name: dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        description: String::new(),
        layers,
    })
}

fn kind_list() -> String {
    LayerKind::ALL.map(|k| k.key()).join(", ")
}

/// Loads every layer of a data directory and builds the catalog. All or nothing.
///
/// Layers are read one after another (each file's features are converted in parallel): a
/// parsed GeoJSON tree takes several times its file's size, and reading layers side by
/// side would hold two or more of those trees at once.
pub fn load_dir(dir: &Path) -> Result<(Catalog, LoadReport), LoadError> {
    let manifest = read_manifest(dir)?;
    let loaded: Vec<(RawLayer, LoadReport)> = manifest
        .layers
        .iter()
        .map(|(key, entry)| {
            // Invariant: read_manifest rejected unknown keys.
            let kind = LayerKind::from_key(key).expect("kind checked by read_manifest");
            load_layer(dir, kind, entry)
        })
        .collect::<Result<_, _>>()?;
    let mut report = LoadReport {
        name: manifest.name.clone(),
        ..Default::default()
    };
    let mut raws = Vec::with_capacity(loaded.len());
    for (raw, layer_report) in loaded {
        report.skipped_rows.extend(layer_report.skipped_rows);
        report.geometry_warnings.extend(layer_report.geometry_warnings);
        raws.push(raw);
    }
    Ok((Catalog::build(raws)?, report))
}

/// Reads one layer's files into raw features with provenance, and what was skipped or
/// kept with a warning.
pub fn load_layer(dir: &Path, kind: LayerKind, entry: &ManifestLayer) -> Result<(RawLayer, LoadReport), LoadError> {
    let explicit_crs = match &entry.crs {
        Some(name) => Some(Crs::parse(name).map_err(|source| LoadError::Crs {
            path: dir.join(MANIFEST),
            source,
        })?),
        None => None,
    };
    let mut features = Vec::new();
    let mut problems = Vec::new();
    let mut report = LoadReport::default();
    let mut hashes = Vec::new();
    for (file_index, name) in entry.files.iter().enumerate() {
        let path = dir.join(name);
        let bytes = std::fs::read(&path).map_err(|source| LoadError::Io {
            path: path.clone(),
            source,
        })?;
        hashes.push(sha256_hex(&bytes));
        let file = FileCtx {
            kind,
            name,
            index: file_index as u32,
            defaults: &entry.defaults,
        };
        if name.to_ascii_lowercase().ends_with(".csv") {
            let (mut f, s) = read_point_csv(&path, &bytes, &file)?;
            features.append(&mut f);
            report.skipped_rows.extend(s);
        } else {
            let mut sink = Sink {
                features: &mut features,
                problems: &mut problems,
                warnings: &mut report.geometry_warnings,
            };
            read_geojson(&path, &bytes, explicit_crs, &file, &mut sink)?;
        }
    }
    if !problems.is_empty() {
        let count = problems.len();
        let mut listing: Vec<String> = problems.iter().take(MAX_LISTED).map(|p| format!("  - {p}")).collect();
        if count > MAX_LISTED {
            listing.push(format!(
                "  … ほか {1} 件 / and {0} more",
                count - MAX_LISTED,
                count - MAX_LISTED
            ));
        }
        return Err(LoadError::Features {
            kind,
            count,
            listing: listing.join("\n"),
        });
    }
    let sha256 = match hashes.as_slice() {
        [one] => one.clone(),
        many => sha256_hex(many.concat().as_bytes()),
    };
    let meta = LayerMeta {
        version: entry
            .version
            .clone()
            .unwrap_or_else(|| format!("sha256:{}", &sha256[..12])),
        source: entry.source.clone(),
        publisher: entry.publisher.clone(),
        date: entry.date.clone(),
        licence: entry.licence.clone(),
        files: entry.files.clone(),
        sha256,
    };
    Ok((RawLayer { kind, meta, features }, report))
}

/// Where the features of one file go: kept, refused, or kept with a warning.
struct Sink<'a> {
    features: &'a mut Vec<RawFeature>,
    problems: &'a mut Vec<FeatureProblem>,
    warnings: &'a mut Vec<FeatureProblem>,
}

/// The file being read and what to stamp on its features.
struct FileCtx<'a> {
    kind: LayerKind,
    name: &'a str,
    index: u32,
    defaults: &'a serde_json::Map<String, serde_json::Value>,
}

impl FileCtx<'_> {
    fn problem(&self, at: String, reason: impl Into<String>) -> FeatureProblem {
        FeatureProblem {
            file: self.name.to_string(),
            at,
            reason: reason.into(),
        }
    }

    fn properties(
        &self,
        mut props: serde_json::Map<String, serde_json::Value>,
    ) -> serde_json::Map<String, serde_json::Value> {
        for (k, v) in self.defaults {
            let present = props.iter().any(|(pk, pv)| pk.eq_ignore_ascii_case(k) && !pv.is_null());
            if !present {
                props.insert(k.clone(), v.clone());
            }
        }
        props
    }
}

fn feature_id(id: Option<&Id>, index: usize) -> FeatureId {
    match id {
        Some(Id::Number(n)) => n
            .as_u64()
            .map_or_else(|| FeatureId::Text(n.to_string()), FeatureId::Number),
        Some(Id::String(s)) => FeatureId::Text(s.clone()),
        None => FeatureId::Number(index as u64),
    }
}

/// Checks raw positions of points and polygons: finite, in Japan's range, rings of ≥ 4
/// positions and closed.
fn check_positions(value: &GeometryValue) -> Result<(), String> {
    let in_japan = |p: &Position| -> Result<(), String> {
        let s = p.as_slice();
        if s.len() < 2 || !s[0].is_finite() || !s[1].is_finite() {
            return Err("座標が数値ではありません / a coordinate is not a finite number".into());
        }
        let ok = (LON_RANGE.0..=LON_RANGE.1).contains(&s[0]) && (LAT_RANGE.0..=LAT_RANGE.1).contains(&s[1]);
        if ok {
            Ok(())
        } else {
            Err(format!(
                "座標 ({2}, {3}) が日本の範囲外です（座標系の指定違いや緯度経度の入れ違いの可能性） / coordinate ({0}, {1}) is outside Japan (wrong CRS or swapped lon/lat?)",
                s[0], s[1], s[0], s[1]
            ))
        }
    };
    let ring = |r: &Vec<Position>| -> Result<(), String> {
        if r.len() < 4 {
            return Err(format!(
                "リングの座標数が {1} です（4点以上必要） / a ring has {0} positions; at least 4 are needed",
                r.len(),
                r.len()
            ));
        }
        if r.first() != r.last() {
            return Err("リングが閉じていません / a ring is not closed".into());
        }
        r.iter().try_for_each(in_japan)
    };
    match value {
        GeometryValue::Point { coordinates } => in_japan(coordinates),
        GeometryValue::Polygon { coordinates } if coordinates.is_empty() => {
            Err("空のポリゴンです / empty polygon".into())
        }
        GeometryValue::Polygon { coordinates } => coordinates.iter().try_for_each(ring),
        GeometryValue::MultiPolygon { coordinates } if coordinates.is_empty() => {
            Err("空のマルチポリゴンです / empty multipolygon".into())
        }
        GeometryValue::MultiPolygon { coordinates } => coordinates.iter().flatten().try_for_each(ring),
        // Other types are refused by `check_kind` with the layer's expectation.
        _ => Ok(()),
    }
}

/// The top level of a layer file, read without building its features: a
/// FeatureCollection's features stay slices of the text until each is parsed on its own
/// (in parallel), so the whole file never exists as one parse tree.
#[derive(Deserialize)]
struct TopLevel<'a> {
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(borrow)]
    features: Option<Vec<&'a RawValue>>,
    crs: Option<serde_json::Value>,
}

fn read_geojson(
    path: &Path,
    bytes: &[u8],
    explicit_crs: Option<Crs>,
    file: &FileCtx,
    sink: &mut Sink,
) -> Result<(), LoadError> {
    let fail = |message: String| LoadError::GeoJson {
        path: path.to_path_buf(),
        message,
    };
    let text = std::str::from_utf8(bytes).map_err(|e| {
        fail(format!(
            "UTF-8 ではありません（GeoJSON は UTF-8 で保存してください） / not UTF-8 ({e}); GeoJSON must be UTF-8"
        ))
    })?;
    let top: TopLevel =
        serde_json::from_str(text).map_err(|e| fail(format!("JSON として読めません / not valid JSON: {e}")))?;
    let list = match (top.kind.as_deref(), top.features) {
        (Some("FeatureCollection"), Some(features)) => features,
        (Some("FeatureCollection"), None) => return Err(fail(NO_FEATURES.into())),
        (Some("Feature"), _) => vec![serde_json::from_str::<&RawValue>(text).map_err(|e| fail(e.to_string()))?],
        (Some(other), _) if GEOMETRY_TYPES.contains(&other) => return Err(fail(BARE_GEOMETRY.into())),
        (other, _) => {
            let found = other.map_or_else(|| "missing".to_string(), |t| format!("`{t}`"));
            return Err(fail(format!("{NOT_GEOJSON} (type: {found})")));
        }
    };
    let crs = match (explicit_crs, top.crs) {
        (Some(c), _) => c,
        (None, Some(member)) => Crs::from_geojson_member(&member).map_err(|source| LoadError::Crs {
            path: path.to_path_buf(),
            source,
        })?,
        (None, None) => Crs::LonLat,
    };
    let reprojector = Reprojector::to_lon_lat(crs).map_err(|source| LoadError::Crs {
        path: path.to_path_buf(),
        source,
    })?;
    let convert = |proj: &mut Option<Reprojector>, i: usize, f: serde_json::Result<Feature>| {
        let f = f.map_err(|e| format!("GeoJSON の Feature ではありません / not a GeoJSON Feature: {e}"))?;
        let Some(mut geometry) = f.geometry else {
            return Err("ジオメトリがありません / geometry is null".to_string());
        };
        if let Some(p) = proj.as_ref() {
            p.geometry(&mut geometry).map_err(|e| e.to_string())?;
        }
        check_positions(&geometry.value)?;
        let geometry = Geometry::<f64>::try_from(geometry).map_err(|e| e.to_string())?;
        check_kind(file.kind, &geometry)?;
        let warning = topology_problem(&geometry);
        let feature = RawFeature {
            id: feature_id(f.id.as_ref(), i),
            file: file.index,
            geometry,
            properties: file.properties(f.properties.unwrap_or_default()),
        };
        Ok((feature, warning))
    };
    // A chunk of features is parsed, then converted, both in parallel. Parsing and
    // converting each feature in one go instead left 25 % more resident on large-1e6:
    // the allocator's pages held short-lived parse trees and lasting geometries side by side.
    let mut parsed: Vec<Result<(RawFeature, Option<String>), String>> = Vec::with_capacity(list.len());
    for (c, chunk) in list.chunks(PARSE_CHUNK).enumerate() {
        let trees: Vec<serde_json::Result<Feature>> =
            chunk.par_iter().map(|raw| serde_json::from_str(raw.get())).collect();
        parsed.par_extend(trees.into_par_iter().enumerate().map_init(
            || Reprojector::to_lon_lat(crs).ok().flatten(),
            |proj, (j, f)| convert(proj, c * PARSE_CHUNK + j, f),
        ));
    }
    drop(reprojector);
    let mut lines = LineCounter::new(text);
    for (i, (r, raw)) in parsed.into_iter().zip(&list).enumerate() {
        let mut at = || format!("feature {i} (line {})", lines.line_of(raw.get()));
        match r {
            Ok((f, warning)) => {
                sink.features.push(f);
                sink.warnings.extend(warning.map(|w| file.problem(at(), w)));
            }
            Err(reason) => sink.problems.push(file.problem(at(), reason)),
        }
    }
    Ok(())
}

/// Features parsed before they are converted (and their parse trees dropped).
const PARSE_CHUNK: usize = 4096;

const NO_FEATURES: &str =
    "FeatureCollection に features 配列がありません / a FeatureCollection without a `features` array";
const BARE_GEOMETRY: &str =
    "レイヤは FeatureCollection にしてください / a layer file must be a FeatureCollection, not a bare geometry";
const NOT_GEOJSON: &str =
    "GeoJSON ではありません（最上位の type が FeatureCollection ではありません） / not GeoJSON: the top-level `type` must be FeatureCollection";

/// 1-based line numbers of slices of one text, asked for in ascending order (each
/// question counts only the newlines since the one before).
struct LineCounter<'a> {
    text: &'a str,
    offset: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            offset: 0,
            line: 1,
        }
    }

    /// The line on which `part`, a slice of the text at or after the last one asked
    /// about, begins.
    fn line_of(&mut self, part: &str) -> usize {
        let at = (part.as_ptr() as usize - self.text.as_ptr() as usize).min(self.text.len());
        if at > self.offset {
            self.line += self.text.as_bytes()[self.offset..at]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            self.offset = at;
        }
        self.line
    }
}

/// Geometry type for the kind.
fn check_kind(kind: LayerKind, g: &Geometry<f64>) -> Result<(), String> {
    match (kind.is_point_kind(), g) {
        (true, Geometry::Point(_)) | (false, Geometry::Polygon(_) | Geometry::MultiPolygon(_)) => Ok(()),
        (true, _) => Err(format!(
            "{0} には点が必要です / layer {kind} needs Point features",
            kind.name_ja()
        )),
        (false, _) => Err(format!(
            "{0} にはポリゴンが必要です / layer {kind} needs Polygon or MultiPolygon features",
            kind.name_ja()
        )),
    }
}

/// A self-intersecting ring in a polygon feature, which the loader keeps but reports;
/// repair is the importer's job.
fn topology_problem(g: &Geometry<f64>) -> Option<String> {
    let parts: &[geo::Polygon<f64>] = match g {
        Geometry::Polygon(p) => std::slice::from_ref(p),
        Geometry::MultiPolygon(mp) => &mp.0,
        _ => return None,
    };
    parts.iter().enumerate().find_map(|(part, p)| {
        let ring = std::iter::once(p.exterior()).chain(p.interiors()).position(geom::ring_self_intersects)?;
        Some(format!(
            "自己交差するリングがあります（部分 {part}・リング {ring}）。そのまま読み込みました。修正を推奨します / part {part}, ring {ring} intersects itself; kept as is, please repair"
        ))
    })
}

/// Reads point features from CSV (UTF-8, with or without BOM, or Shift_JIS).
/// Rows without usable coordinates are returned as problems, not features.
fn read_point_csv(
    path: &Path,
    bytes: &[u8],
    file: &FileCtx,
) -> Result<(Vec<RawFeature>, Vec<FeatureProblem>), LoadError> {
    let bad = |message: String| LoadError::GeoJson {
        path: path.to_path_buf(),
        message,
    };
    if !file.kind.is_point_kind() {
        return Err(bad(format!(
            "CSV は点のレイヤにのみ使えます / CSV can only hold point layers, not {0}",
            file.kind
        )));
    }
    let text =
        decode_text(bytes).ok_or_else(|| bad("文字コードを判別できません / neither UTF-8 nor Shift_JIS".into()))?;
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| bad(e.to_string()))?
        .iter()
        .map(crate::engine::attrs::normalize_text)
        .collect();
    let find = |names: &[&str]| {
        headers
            .iter()
            .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
    };
    let (Some(lon_col), Some(lat_col)) = (
        find(&["lon", "lng", "longitude", "経度"]),
        find(&["lat", "latitude", "緯度"]),
    ) else {
        return Err(bad(format!(
            "no coordinate columns (found: {}); name them lon/lat or 経度/緯度 / 座標の列がありません",
            headers.join(", ")
        )));
    };
    let mut features = Vec::new();
    let mut skipped = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let at = format!("line {line}");
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                skipped.push(file.problem(at, e.to_string()));
                continue;
            }
        };
        let number = |col: usize| {
            record
                .get(col)
                .map(crate::engine::attrs::normalize_text)
                .and_then(|t| t.parse::<f64>().ok())
        };
        let point = match (number(lon_col), number(lat_col)) {
            (Some(lon), Some(lat))
                if (LON_RANGE.0..=LON_RANGE.1).contains(&lon) && (LAT_RANGE.0..=LAT_RANGE.1).contains(&lat) =>
            {
                geo::Point::new(lon, lat)
            }
            (Some(lon), Some(lat)) => {
                skipped.push(file.problem(
                    at,
                    format!("座標が日本の範囲外のため除外 / coordinates ({lon}, {lat}) are outside Japan; row skipped"),
                ));
                continue;
            }
            _ => {
                skipped.push(file.problem(
                    at,
                    "座標が数値でないため除外 / missing or non-numeric coordinates; row skipped",
                ));
                continue;
            }
        };
        let properties = headers
            .iter()
            .zip(record.iter())
            .map(|(h, v)| (h.clone(), serde_json::Value::String(v.to_string())))
            .collect();
        features.push(RawFeature {
            id: FeatureId::Number(i as u64),
            file: file.index,
            geometry: Geometry::Point(point),
            properties: file.properties(properties),
        });
    }
    Ok((features, skipped))
}

/// Decodes UTF-8 (BOM stripped) or, failing that, Shift_JIS without replacement characters.
pub fn decode_text(bytes: &[u8]) -> Option<String> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(body) {
        return Some(s.to_string());
    }
    let (text, _, had_errors) = encoding_rs::SHIFT_JIS.decode(body);
    (!had_errors).then(|| text.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        std::fs::write(dir.join(name), text).unwrap();
    }

    /// A square of about 1 km at 141°E, 38°N, as a GeoJSON geometry.
    const SQUARE: &str =
        r#"{"type":"Polygon","coordinates":[[[141.0,38.0],[141.01,38.0],[141.01,38.01],[141.0,38.01],[141.0,38.0]]]}"#;

    /// A FeatureCollection of one Feature of `SQUARE` with these properties (JSON object text).
    fn one_square(properties: &str) -> String {
        format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{properties},"geometry":{SQUARE}}}]}}"#
        )
    }

    #[test]
    fn loads_a_manifest_less_directory_and_reports_feature_errors() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "zoning.geojson", &one_square(r#"{"A29_004":1}"#));
        let (catalog, _) = load_dir(dir.path()).unwrap();
        assert!(catalog.has(LayerKind::Zoning));
        assert!(!catalog.has(LayerKind::Flood));
        let meta = &catalog.info(LayerKind::Zoning).unwrap().meta;
        assert_eq!(meta.sha256.len(), 64);
        assert!(meta.version.starts_with("sha256:"));

        write(
            dir.path(),
            "flood.geojson",
            r#"{"type":"FeatureCollection","features":[
              {"type":"Feature","properties":{"depth_m":1},"geometry":{"type":"Polygon","coordinates":[[[141.0,38.0],[141.01,38.01],[141.01,38.0],[141.0,38.01],[141.0,38.0]]]}},
              {"type":"Feature","properties":{"depth_m":1},"geometry":{"type":"LineString","coordinates":[[141.0,38.0],[141.01,38.01]]}},
              {"type":"Feature","properties":{"depth_m":1},"geometry":{"type":"Polygon","coordinates":[[[38.0,141.0],[38.0,141.01],[38.01,141.01],[38.0,141.0]]]}}]}"#,
        );
        let err = load_dir(dir.path()).unwrap_err().to_string();
        assert!(err.starts_with("レイヤ flood に不正な地物が 2 件あります"), "{err}");
        assert!(err.contains("2 invalid feature(s) in layer flood"), "{err}");
        assert!(
            err.contains("feature 1 (line 3): 洪水浸水想定区域（想定最大規模） にはポリゴンが必要です / layer flood needs Polygon"),
            "{err}"
        );
        assert!(
            err.contains("feature 2 (line 4): 座標 (38, 141) が日本の範囲外です"),
            "{err}"
        );
        assert!(!err.contains("feature 0"), "a bow-tie is kept with a warning: {err}");

        // Only the bow-tie left: it loads, with a warning naming it.
        write(
            dir.path(),
            "flood.geojson",
            r#"{"type":"FeatureCollection","features":[
              {"type":"Feature","properties":{"depth_m":1},"geometry":{"type":"Polygon","coordinates":[[[141.0,38.0],[141.01,38.01],[141.01,38.0],[141.0,38.01],[141.0,38.0]]]}}]}"#,
        );
        let (_, report) = load_dir(dir.path()).unwrap();
        assert_eq!(report.geometry_warnings.len(), 1);
        assert!(report.geometry_warnings[0]
            .to_string()
            .contains("flood.geojson, feature 0 (line 2): 自己交差するリングがあります（部分 0・リング 0）"));
    }

    /// A square of 1 km around a point of plane zone X (EPSG:6678), with a `crs` member
    /// placed before or after the features.
    fn plane_flood(crs_first: bool) -> String {
        let crs = r#""crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::6678"}}"#;
        let features = r#""features":[{"type":"Feature","properties":{"depth_m":1},"geometry":{"type":"Polygon","coordinates":[[[0,-100000],[1000,-100000],[1000,-99000],[0,-99000],[0,-100000]]]}}]"#;
        if crs_first {
            format!(r#"{{"type":"FeatureCollection",{crs},{features}}}"#)
        } else {
            format!(r#"{{"type":"FeatureCollection",{features},{crs}}}"#)
        }
    }

    #[test]
    fn the_crs_member_counts_wherever_it_stands() {
        let mut corners = Vec::new();
        for crs_first in [true, false] {
            let dir = tempfile::tempdir().unwrap();
            write(dir.path(), "flood.geojson", &plane_flood(crs_first));
            let (catalog, _) = load_dir(dir.path()).unwrap();
            let zone = catalog.flood.as_ref().unwrap().index.zone(0);
            let first = zone.geometry.0[0].exterior().0[0];
            // Zone X's origin is 140°50′E, 40°N; 100 km south is about 39.1°N.
            assert!(
                (first.x - 140.833).abs() < 0.01 && (first.y - 39.099).abs() < 0.01,
                "{first:?}"
            );
            corners.push(first);
        }
        assert_eq!(corners[0], corners[1]);
    }

    #[test]
    fn unreadable_files_and_features_are_named_with_their_place() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            ("{\"type\":\"FeatureCollection\",\n\"features\":[}", "line 2 column"),
            (r#"{"type":"Polygon","coordinates":[]}"#, "not a bare geometry"),
            (
                r#"{"type":"Topology","objects":{}}"#,
                "`type` must be FeatureCollection (type: `Topology`)",
            ),
            (r#"{"features":[]}"#, "(type: missing)"),
            (r#"{"type":"FeatureCollection"}"#, "without a `features` array"),
        ];
        for (text, expected) in cases {
            write(dir.path(), "flood.geojson", text);
            let err = load_dir(dir.path()).unwrap_err().to_string();
            assert!(err.contains("flood.geojson") && err.contains(expected), "{text}: {err}");
        }
        // A member of `features` that is not a Feature is listed with its index and line.
        write(
            dir.path(),
            "flood.geojson",
            "{\"type\":\"FeatureCollection\",\"features\":[\n{\"type\":\"Feature\",\"properties\":{},\"geometry\":null},\n\n{\"type\":\"Point\",\"coordinates\":[141,38]}]}",
        );
        let err = load_dir(dir.path()).unwrap_err().to_string();
        assert!(err.contains("2 invalid feature(s) in layer flood"), "{err}");
        assert!(
            err.contains("feature 0 (line 2): ジオメトリがありません / geometry is null"),
            "{err}"
        );
        assert!(
            err.contains("feature 1 (line 4): GeoJSON の Feature ではありません / not a GeoJSON Feature"),
            "{err}"
        );
    }

    #[test]
    fn a_file_of_one_feature_is_a_layer_of_one() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "flood.geojson",
            &format!(r#"{{"type":"Feature","id":"F1","properties":{{"depth_m":2}},"geometry":{SQUARE}}}"#),
        );
        let (catalog, _) = load_dir(dir.path()).unwrap();
        let index = &catalog.flood.as_ref().unwrap().index;
        assert_eq!(index.zones().len(), 1);
        assert_eq!(index.zone(0).id, FeatureId::Text("F1".into()));
    }

    #[test]
    fn manifest_defaults_and_unknown_kinds() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "planning.geojson", &one_square("{}"));
        write(
            dir.path(),
            MANIFEST,
            "name = \"t\"\n[layers.area_division]\nfiles = [\"planning.geojson\"]\nsource = \"s\"\ndefaults = { division = \"非線引き\" }\n",
        );
        let (catalog, report) = load_dir(dir.path()).unwrap();
        assert_eq!(report.name, "t");
        let layer = catalog.area_division.as_ref().unwrap();
        assert!(layer.info.issues.is_empty(), "the default fills the missing division");
        write(
            dir.path(),
            MANIFEST,
            "[layers.zonning]\nfiles = [\"planning.geojson\"]\n",
        );
        let err = load_dir(dir.path()).unwrap_err().to_string();
        assert!(err.contains("unknown layer kind `zonning`"), "{err}");
    }

    #[test]
    fn decodes_shift_jis_and_refuses_garbage() {
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("経度,緯度,名称\n141.0,38.0,潮見の家\n");
        assert!(decode_text(&sjis).unwrap().contains("潮見の家"));
        assert_eq!(decode_text(b"\xEF\xBB\xBFa,b").unwrap(), "a,b");
        assert!(decode_text(&[0x82, 0xff, 0xff]).is_none());
    }
}
