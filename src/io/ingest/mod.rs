//! Layer ingest for city GIS staff: read a delivered file through GDAL (GeoJSON,
//! Shapefile loose or zipped, GeoPackage, KML, FlatGeobuf, CSV), transform it once to
//! JGD2011 lon/lat, decode its attributes without mojibake, apply the attribute profile,
//! check and repair every feature, and hand the result to the engine's catalog as a
//! [`RawLayer`] — the same type the data-directory loader builds — together with a full
//! [`ImportReport`]. [`store::Store`] keeps every imported version.

pub mod diff;
pub mod profile;
pub mod read;
pub mod source;
pub mod store;
pub mod validate;

use crate::engine::catalog::{Catalog, LayerKind, LayerMeta, RawFeature, RawLayer};
use crate::engine::index::FeatureId;
use crate::io::crs::Reprojector;
use crate::io::layers::sha256_hex;
use profile::{FieldMap, Profile};
use read::{crs_name, ReadOptions};
use serde::{Deserialize, Serialize};
use source::{extension, ImportLimits, Mounted, SourceFile, DATASET_EXTENSIONS};

/// Why an import failed. Nothing is stored or activated when it does.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The files or options are wrong; the message says what and how to fix it.
    #[error("{0}")]
    Input(String),
    /// A size, feature or vertex limit was exceeded.
    #[error("{0}")]
    Limit(String),
    /// The store refused (unknown version, nothing to roll back to…).
    #[error("{0}")]
    Store(String),
    #[error("内部エラー / internal error: {0}")]
    Internal(String),
}

impl From<rusqlite::Error> for IngestError {
    fn from(e: rusqlite::Error) -> Self {
        IngestError::Internal(format!("store: {e}"))
    }
}

/// Provenance stated by the importer.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Provenance {
    pub source: String,
    pub publisher: String,
    pub date: String,
    pub licence: String,
}

/// Everything that decides how files become a layer.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub kind: LayerKind,
    pub read: ReadOptions,
    /// Forces a profile; detected per file when `None`.
    pub profile: Option<Profile>,
    pub fields: Vec<FieldMap>,
    pub limits: ImportLimits,
    pub provenance: Provenance,
}

impl ImportOptions {
    pub fn new(kind: LayerKind) -> ImportOptions {
        ImportOptions {
            kind,
            read: ReadOptions::default(),
            profile: None,
            fields: Vec::new(),
            limits: ImportLimits::default(),
            provenance: Provenance::default(),
        }
    }
}

/// One uploaded file and its hash.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct UploadedFile {
    pub name: String,
    pub sha256: String,
    pub bytes: u64,
}

/// How one dataset file was read.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct DatasetReport {
    pub name: String,
    pub driver: String,
    pub layer: String,
    pub layers: Vec<String>,
    pub crs: String,
    pub encoding: String,
    pub profile: String,
    pub fields: Vec<String>,
    pub features: usize,
}

/// Counts over the whole import.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct Counts {
    pub read: usize,
    pub accepted: usize,
    pub repaired: usize,
    pub rejected: usize,
    /// Features kept with an unrecognised or missing attribute value.
    pub flagged: usize,
    pub vertices: usize,
}

/// One finding about one feature.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[schema(as = ImportProblem)]
pub struct Problem {
    pub file: String,
    /// 0-based index of the feature in its file (its feature id once imported).
    pub feature: usize,
    /// `repaired`, `rejected` or `flagged` (kept, attribute not understood).
    pub status: String,
    pub code: String,
    pub message: String,
}

/// The validation report of one import: what was read, counts, and every problem.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct ImportReport {
    pub kind: LayerKind,
    pub uploaded: Vec<UploadedFile>,
    pub datasets: Vec<DatasetReport>,
    pub counts: Counts,
    pub problems: Vec<Problem>,
}

impl ImportReport {
    /// A human summary with the first `n` problems, Japanese first.
    pub fn summary(&self, n: usize) -> String {
        let c = &self.counts;
        let mut out = format!(
            "{kind}: 読込 {} 件・採用 {} 件（修復 {}）・除外 {} 件・属性要確認 {} 件 / read {}, accepted {} ({} repaired), rejected {}, flagged {}\n",
            c.read, c.accepted, c.repaired, c.rejected, c.flagged, c.read, c.accepted, c.repaired, c.rejected, c.flagged,
            kind = self.kind
        );
        for d in &self.datasets {
            out += &format!(
                "  {} [{}] layer {} · CRS {} · 文字コード/encoding {} · profile {}\n",
                d.name, d.driver, d.layer, d.crs, d.encoding, d.profile
            );
        }
        for p in self.problems.iter().take(n) {
            out += &format!(
                "  - {} feature {} [{} {}]: {}\n",
                p.file, p.feature, p.status, p.code, p.message
            );
        }
        if self.problems.len() > n {
            out += &format!(
                "  … ほか {} 件 / {} more\n",
                self.problems.len() - n,
                self.problems.len() - n
            );
        }
        out
    }
}

/// An import read and checked, not yet stored.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub raw: RawLayer,
    pub report: ImportReport,
}

/// Reads, transforms, decodes, maps and checks the files of one import. All or
/// nothing: an error means no layer, and the message says what to fix.
pub fn prepare(files: Vec<SourceFile>, options: &ImportOptions) -> Result<Prepared, IngestError> {
    let kind = options.kind;
    let uploaded: Vec<UploadedFile> = files
        .iter()
        .map(|f| UploadedFile {
            name: f.name.clone(),
            sha256: sha256_hex(&f.bytes),
            bytes: f.bytes.len() as u64,
        })
        .collect();
    let mut files = source::expand(files, &options.limits)?;
    let csv_encodings = read::decode_csv_files(&mut files, options.read.encoding)?;
    let (datasets, sidecars): (Vec<SourceFile>, Vec<SourceFile>) = files
        .into_iter()
        .partition(|f| DATASET_EXTENSIONS.contains(&extension(&f.name).as_str()));
    if datasets.is_empty() {
        let names: Vec<&str> = sidecars.iter().map(|f| f.name.as_str()).collect();
        return Err(IngestError::Input(format!(
            "読み込めるデータファイルがありません / no dataset file among: {0}; give a .geojson, .shp (with .shx/.dbf/.prj), .zip, .gpkg, .kml, .fgb or .csv",
            names.join(", ")
        )));
    }
    let all: Vec<SourceFile> = datasets.iter().chain(&sidecars).cloned().collect();
    let mounted = Mounted::new(&all)?;
    let mut features = Vec::new();
    let mut problems = Vec::new();
    let mut counts = Counts::default();
    let mut reports = Vec::new();
    for (file_index, file) in datasets.iter().enumerate() {
        let csv = csv_encodings
            .iter()
            .find(|(n, _)| *n == file.name)
            .map(|(_, e)| e.as_str());
        let read = read::read_file(&mounted, file, &sidecars, &options.read, csv)?;
        counts.read += read.features.len();
        if counts.read > options.limits.features {
            return Err(IngestError::Limit(format!(
                "地物数が上限 {2} を超えています / more than {0} features; the limit is {1}",
                options.limits.features, options.limits.features, options.limits.features
            )));
        }
        let profile = options.profile.unwrap_or_else(|| profile::detect(&read.fields));
        let missing = profile::missing_sources(&options.fields, &read.fields);
        if !missing.is_empty() {
            return Err(IngestError::Input(format!(
                "{0}: 指定した列がありません / --field names `{1}`, which the file does not have; its fields: {2}",
                file.name,
                missing.join("`, `"),
                read.fields.join(", ")
            )));
        }
        let reprojector =
            Reprojector::to_lon_lat(read.crs).map_err(|e| IngestError::Input(format!("{}: {e}", file.name)))?;
        let raw_bbox = raw_extent(&read.features);
        let mut outside = 0usize;
        let mut with_geometry = 0usize;
        let mut accepted_here = 0usize;
        for (index, f) in read.features.into_iter().enumerate() {
            with_geometry += usize::from(matches!(f.geometry, Some(Ok(_))));
            match validate::check(kind, f.geometry, reprojector.as_ref()) {
                Ok(checked) => {
                    counts.vertices += checked.vertices;
                    if counts.vertices > options.limits.vertices {
                        return Err(IngestError::Limit(format!(
                            "座標数が上限 {2} を超えています / more than {0} coordinates; the limit is {1}",
                            options.limits.vertices, options.limits.vertices, options.limits.vertices
                        )));
                    }
                    let mut repairs = checked.repairs;
                    // Shapefiles wind exteriors clockwise by definition: turning them is format
                    // conversion, not a repair of the data.
                    if read.driver == "ESRI Shapefile" {
                        repairs.retain(|r| *r != validate::Repair::Reoriented);
                    }
                    if !repairs.is_empty() {
                        counts.repaired += 1;
                    }
                    for r in &repairs {
                        problems.push(Problem {
                            file: file.name.clone(),
                            feature: index,
                            status: "repaired".into(),
                            code: serde_json::to_value(r)
                                .ok()
                                .and_then(|v| v.as_str().map(String::from))
                                .unwrap_or_default(),
                            message: r.message().into(),
                        });
                    }
                    accepted_here += 1;
                    features.push(RawFeature {
                        id: FeatureId::Number(index as u64),
                        file: file_index as u32,
                        geometry: checked.geometry,
                        properties: profile::apply(profile, kind, &options.fields, f.properties),
                    });
                }
                Err(rejection) => {
                    outside += usize::from(rejection.code == "outside_japan");
                    counts.rejected += 1;
                    problems.push(Problem {
                        file: file.name.clone(),
                        feature: index,
                        status: "rejected".into(),
                        code: rejection.code.into(),
                        message: rejection.message,
                    });
                }
            }
        }
        // Most coordinates outside Japan means a wrong CRS, not a few bad features.
        if with_geometry > 0 && outside * 2 > with_geometry {
            let hint = raw_bbox.map_or_else(String::new, |b| validate::suggest_crs(b, &crs_name(read.crs)));
            return Err(IngestError::Input(format!(
                "{0}: 座標変換後、{with_geometry} 件中 {outside} 件が日本の範囲外です / {outside} of {with_geometry} features fall outside Japan after transforming from {1}; {hint}",
                file.name, read.crs_label
            )));
        }
        counts.accepted += accepted_here;
        reports.push(DatasetReport {
            name: read.name,
            driver: read.driver,
            layer: read.layer,
            layers: read.layers,
            crs: read.crs_label,
            encoding: read.encoding,
            profile: profile.key().into(),
            fields: read.fields,
            features: with_geometry.max(accepted_here),
        });
    }
    drop(mounted);
    if features.is_empty() {
        let first: Vec<String> = problems
            .iter()
            .take(5)
            .map(|p| format!("{} feature {}: {}", p.file, p.feature, p.message))
            .collect();
        return Err(IngestError::Input(format!(
            "使える地物がありません（取り込みません） / no usable feature; nothing imported: {0}",
            first.join("; ")
        )));
    }
    let sha256 = match uploaded.as_slice() {
        [one] => one.sha256.clone(),
        many => sha256_hex(many.iter().map(|u| u.sha256.as_str()).collect::<String>().as_bytes()),
    };
    let raw = RawLayer {
        kind,
        meta: LayerMeta {
            version: "draft".into(),
            source: options.provenance.source.clone(),
            publisher: options.provenance.publisher.clone(),
            date: options.provenance.date.clone(),
            licence: options.provenance.licence.clone(),
            files: datasets.iter().map(|f| f.name.clone()).collect(),
            sha256,
        },
        features,
    };
    // The engine's own normaliser decides which attribute values it cannot read.
    let catalog = Catalog::build(vec![raw.clone()]).map_err(|e| IngestError::Internal(e.to_string()))?;
    let mut flagged = std::collections::BTreeSet::new();
    for issue in catalog.issues() {
        let feature = match &issue.feature_id {
            FeatureId::Number(n) => *n as usize,
            FeatureId::Text(_) => 0,
        };
        flagged.insert((issue.file.clone(), feature));
        let (code, message) = if issue.value.raw.is_empty() {
            (
                "missing_attribute",
                format!(
                    "必要な属性「{}」がありません（最も不利な区分として扱います） / required attribute `{}` is missing (scored as the worst class); map it with --field",
                    issue.value.field, issue.value.field
                ),
            )
        } else {
            (
                "unrecognised_value",
                format!(
                    "{} の値「{}」を認識できません（地物は残し、要確認とします） / value `{}` of `{}` is not recognised (feature kept and flagged)",
                    issue.value.field, issue.value.raw, issue.value.raw, issue.value.field
                ),
            )
        };
        problems.push(Problem {
            file: issue.file.clone(),
            feature,
            status: "flagged".into(),
            code: code.into(),
            message,
        });
    }
    counts.flagged = flagged.len();
    Ok(Prepared {
        raw,
        report: ImportReport {
            kind,
            uploaded,
            datasets: reports,
            counts,
            problems,
        },
    })
}

/// [min x, min y, max x, max y] of the raw (untransformed) coordinates.
fn raw_extent(features: &[read::ReadFeature]) -> Option<[f64; 4]> {
    let mut b: Option<[f64; 4]> = None;
    for f in features {
        let Some(Ok(g)) = &f.geometry else { continue };
        for p in validate::positions(&g.value) {
            if p.len() >= 2 && p[0].is_finite() && p[1].is_finite() {
                let e = b.get_or_insert([p[0], p[1], p[0], p[1]]);
                e[0] = e[0].min(p[0]);
                e[1] = e[1].min(p[1]);
                e[2] = e[2].max(p[0]);
                e[3] = e[3].max(p[1]);
            }
        }
    }
    b
}
