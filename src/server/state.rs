//! What the server answers from: one [`Loaded`] snapshot (catalog, rubrics, the layers'
//! features for OGC API – Features, dataset info) behind an [`ArcSwap`]. Requests take a
//! snapshot at their start, so a new version can be swapped in atomically while queries
//! keep running on the old one.

use crate::engine::attrs::Properties;
use crate::engine::catalog::{Catalog, CatalogError, LayerKind, RawFeature, RawLayer};
use crate::engine::index::FeatureId;
use crate::engine::rubric::Rubric;
use crate::io::ingest::store::Store;
use crate::io::ingest::IngestError;
use crate::io::layers::{load_layer, read_manifest, LoadError, LoadReport};
use crate::server::admin::Admin;
use crate::server::config::Settings;
use crate::server::error::ApiError;
use arc_swap::ArcSwap;
use geo::{BoundingRect, Geometry, Rect};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};
use serde_json::value::RawValue;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// Shared by every handler; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The active snapshot; replace it with `loaded.store(Arc::new(new))`.
    pub loaded: Arc<ArcSwap<Loaded>>,
    pub settings: Arc<Settings>,
    /// Set when shutdown begins: `/readyz` answers 503 so load balancers stop sending.
    pub draining: Arc<AtomicBool>,
    /// The layer store (when serving from one), write tokens, upload reports.
    pub admin: Arc<Admin>,
}

impl AppState {
    /// The data directory's candidate sites (`candidates.geojson`, else `candidates.csv`), if any:
    /// the sites the what-if page starts from and the layer upload re-assesses.
    pub fn candidate_file(&self) -> Option<std::path::PathBuf> {
        ["candidates.geojson", "candidates.csv"]
            .into_iter()
            .map(|n| self.settings.data.join(n))
            .find(|p| p.is_file())
    }
}

/// One consistent snapshot of everything a request reads.
#[derive(Debug)]
pub struct Loaded {
    pub dataset: DatasetInfo,
    pub catalog: Catalog,
    pub rubrics: Rubrics,
    /// Every loaded layer's features as read, for OGC API – Features.
    pub collections: BTreeMap<LayerKind, Collection>,
}

/// The dataset as a whole.
#[derive(Debug, Clone)]
pub struct DatasetInfo {
    /// Manifest name (or the directory name).
    pub name: String,
    pub description: String,
    /// When this snapshot was loaded (RFC 3339, UTC).
    pub loaded_at: String,
    /// Features kept despite invalid topology, and CSV rows skipped, as reported by the loader.
    pub warnings: Vec<String>,
}

/// The rubrics on offer, by id.
#[derive(Debug, Clone)]
pub struct Rubrics {
    pub default_id: String,
    pub by_id: BTreeMap<String, RubricEntry>,
}

/// One rubric and where it came from.
#[derive(Debug, Clone)]
pub struct RubricEntry {
    pub rubric: Arc<Rubric>,
    /// `built-in` or the file name.
    pub origin: String,
}

impl Rubrics {
    /// The rubric a request names, or the default one.
    pub fn get(&self, id: Option<&str>) -> Result<Arc<Rubric>, ApiError> {
        let id = id.unwrap_or(&self.default_id);
        self.by_id.get(id).map(|e| e.rubric.clone()).ok_or_else(|| {
            let available = self.by_id.keys().cloned().collect::<Vec<_>>().join(", ");
            ApiError::new(
                "unknown_rubric",
                format!(
                    "評価基準「{id}」はありません。使えるもの: {available} / No rubric `{id}`; available: {available}."
                ),
            )
            .with_error(crate::server::error::FieldError {
                field: Some("rubric".into()),
                message: format!("available: {available}"),
                ..Default::default()
            })
        })
    }
}

/// A layer's features for OGC API – Features: ids and original properties (plus manifest
/// defaults), with a bounding-box index for `bbox` queries. The geometries are not copied:
/// they are served from the catalog built from the same features
/// ([`Catalog::feature_geometry`], same order).
#[derive(Debug)]
pub struct Collection {
    pub kind: LayerKind,
    pub features: Vec<CollectionFeature>,
    /// Feature id (as in URLs) → index into `features`.
    by_id: HashMap<String, usize>,
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
}

/// One feature of a collection.
#[derive(Debug)]
pub struct CollectionFeature {
    /// The id served: the feature id; prefixed with the file index (`1-17`) when a layer
    /// merges several files whose ids collide.
    pub id: FeatureId,
    /// The properties as a JSON object, kept as text: a parsed map per feature costs
    /// several times more memory, and they are mostly written out as they are (parsed back
    /// only for the map layer and an upload's diff).
    pub properties: Box<RawValue>,
    /// Read as a Polygon (served as one), not a MultiPolygon.
    pub polygon: bool,
}

impl CollectionFeature {
    /// The properties parsed again into a map.
    pub fn properties_map(&self) -> Properties {
        serde_json::from_str(self.properties.get()).expect("the text was written from a JSON map")
    }
}

impl Collection {
    fn new(kind: LayerKind, raw: &[RawFeature]) -> Collection {
        let mut seen = std::collections::HashSet::with_capacity(raw.len());
        let unique = raw.iter().all(|f| seen.insert(&f.id));
        let features: Vec<CollectionFeature> = raw
            .iter()
            .map(|f| CollectionFeature {
                id: if unique {
                    f.id.clone()
                } else {
                    FeatureId::Text(format!("{}-{}", f.file, f.id))
                },
                properties: serde_json::value::to_raw_value(&f.properties).expect("a JSON map serialises"),
                polygon: matches!(f.geometry, Geometry::Polygon(_)),
            })
            .collect();
        let by_id = features
            .iter()
            .enumerate()
            .map(|(i, f)| (f.id.to_string(), i))
            .collect();
        let boxes = raw
            .iter()
            .enumerate()
            .filter_map(|(i, f)| {
                let r = f.geometry.bounding_rect()?;
                Some(GeomWithData::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    i,
                ))
            })
            .collect();
        Collection {
            kind,
            features,
            by_id,
            tree: RTree::bulk_load(boxes),
        }
    }

    /// The index of the feature with this URL id.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// Indexes of the features whose geometry (in `catalog`, the one built with this
    /// collection) intersects `bbox` (boundary included), in file order; every feature
    /// when `bbox` is `None`.
    pub fn matching(&self, catalog: &Catalog, bbox: Option<Rect<f64>>) -> Vec<usize> {
        let Some(bbox) = bbox else {
            return (0..self.features.len()).collect();
        };
        let envelope = AABB::from_corners([bbox.min().x, bbox.min().y], [bbox.max().x, bbox.max().y]);
        let mut hits: Vec<usize> = self
            .tree
            .locate_in_envelope_intersecting(&envelope)
            .map(|g| g.data)
            .filter(|&i| {
                catalog
                    .feature_geometry(self.kind, i)
                    .is_some_and(|g| g.intersects(&bbox))
            })
            .collect();
        hits.sort_unstable();
        hits
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error("{path}: {message}")]
    Rubric { path: PathBuf, message: String },
    #[error("{addr} で待ち受けできません / cannot bind {addr}: {source}")]
    Bind { addr: String, source: std::io::Error },
    /// The layer store cannot be opened or read.
    #[error(transparent)]
    Store(#[from] IngestError),
    /// Settings that cannot be used (e.g. a token hash that is not 64 hex digits).
    #[error("{0}")]
    Config(String),
}

/// The current time as RFC 3339 (UTC, whole seconds).
pub(crate) fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil-from-days (Howard Hinnant), valid for the Gregorian calendar from 1970.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

impl Loaded {
    /// Loads the data directory and the rubrics named by `settings`. CPU- and IO-bound:
    /// call it off the async workers.
    pub fn load(settings: &Settings) -> Result<Loaded, StartupError> {
        let rubrics = load_rubrics(settings)?;
        let dir = &settings.data;
        let manifest = read_manifest(dir)?;
        let loaded: Vec<(RawLayer, LoadReport)> = manifest
            .layers
            .par_iter()
            .map(|(key, entry)| {
                // Invariant: read_manifest rejects unknown kinds.
                let kind = LayerKind::from_key(key).expect("kind checked by read_manifest");
                load_layer(dir, kind, entry)
            })
            .collect::<Result<_, _>>()?;
        let mut warnings = Vec::new();
        let mut raws = Vec::with_capacity(loaded.len());
        for (raw, report) in loaded {
            for p in report.skipped_rows.iter().chain(&report.geometry_warnings) {
                tracing::warn!(layer = %raw.kind, "{p}");
                warnings.push(p.to_string());
            }
            raws.push(raw);
        }
        let name = if manifest.name.is_empty() {
            dir_name(dir)
        } else {
            manifest.name
        };
        let dataset = DatasetInfo {
            name,
            description: manifest.description,
            loaded_at: now_rfc3339(),
            warnings,
        };
        Ok(Loaded::from_layers(dataset, raws, rubrics)?)
    }

    /// Loads the active version of every kind in the layer `store`, with the rubrics
    /// named by `settings`. CPU- and IO-bound: call it off the async workers.
    pub fn from_store(settings: &Settings, store: &Store) -> Result<Loaded, StartupError> {
        let rubrics = load_rubrics(settings)?;
        let raws = store.active_layers()?;
        Ok(Loaded::from_layers(store_dataset(store.path()), raws, rubrics)?)
    }

    /// A snapshot of these layers: the catalog the engine reads and the collections the
    /// OGC API serves, built from the same features.
    pub fn from_layers(dataset: DatasetInfo, raws: Vec<RawLayer>, rubrics: Rubrics) -> Result<Loaded, CatalogError> {
        let collections = raws
            .par_iter()
            .map(|raw| (raw.kind, Collection::new(raw.kind, &raw.features)))
            .collect();
        let catalog = Catalog::build(raws)?;
        Ok(Loaded {
            dataset,
            catalog,
            rubrics,
            collections,
        })
    }
}

/// Hands the memory freed while building a snapshot (parse trees several times the files'
/// size, and the snapshot it replaced) back to the OS at once instead of after mimalloc's
/// purge delay. `serve` on large-1e5 holds 295–340 MiB for its first seconds without it
/// after the startup load, 250 MiB with it; after a layer switch, 351–369 MiB for more than
/// 6 s without it, 219–236 MiB with it (BENCHMARKS.md, `scripts/bench-switch.sh`).
pub fn return_freed_memory() {
    // SAFETY: `mi_collect` has no preconditions; it releases only memory mimalloc already
    // holds as free. Under another global allocator it finds an empty heap.
    let collect = || unsafe { libmimalloc_sys::mi_collect(true) };
    // The layers were parsed on rayon's workers too, each with its own heap.
    rayon::broadcast(|_| collect());
    collect();
}

/// The dataset info of a snapshot read from the layer store at `path` (now).
pub fn store_dataset(path: &Path) -> DatasetInfo {
    let file = path
        .file_name()
        .map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    DatasetInfo {
        name: format!("レイヤストア {file} / layer store {file}"),
        description: format!(
            "レイヤストアの有効なバージョン / The active versions of the layer store {}",
            path.display()
        ),
        loaded_at: now_rfc3339(),
        warnings: Vec::new(),
    }
}

fn dir_name(dir: &Path) -> String {
    dir.canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default()
}

fn read_rubric(path: &Path) -> Result<Rubric, StartupError> {
    let fail = |message: String| StartupError::Rubric {
        path: path.to_path_buf(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| fail(format!("読めません / cannot read: {e}")))?;
    Rubric::from_toml_str(&text, &path.display().to_string()).map_err(|e| fail(e.to_string()))
}

/// The built-in rubric, every `*.toml` of the rubric directory (sorted by name; a file
/// may replace the built-in one of the same id, two files may not share one), then the
/// configured default file, which becomes the default.
fn load_rubrics(settings: &Settings) -> Result<Rubrics, StartupError> {
    let builtin = Rubric::default_rubric();
    let mut default_id = builtin.id.to_string();
    let mut by_id = BTreeMap::new();
    by_id.insert(
        builtin.id.to_string(),
        RubricEntry {
            rubric: Arc::new(builtin),
            origin: "built-in".into(),
        },
    );
    if let Some(dir) = &settings.rubric_dir {
        let entries = std::fs::read_dir(dir).map_err(|e| StartupError::Rubric {
            path: dir.clone(),
            message: format!("評価基準ディレクトリを読めません / cannot read the rubric directory: {e}"),
        })?;
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        let mut from_files: BTreeMap<String, PathBuf> = BTreeMap::new();
        for path in files {
            let rubric = read_rubric(&path)?;
            if let Some(other) = from_files.insert(rubric.id.to_string(), path.clone()) {
                return Err(StartupError::Rubric {
                    path,
                    message: format!(
                        "評価基準 id が重複しています / rubric id `{0}` is also used by {1}",
                        rubric.id,
                        other.display()
                    ),
                });
            }
            by_id.insert(rubric.id.to_string(), entry(rubric, &path));
        }
    }
    if let Some(path) = &settings.rubric {
        let rubric = read_rubric(path)?;
        default_id = rubric.id.to_string();
        by_id.insert(rubric.id.to_string(), entry(rubric, path));
    }
    Ok(Rubrics { default_id, by_id })
}

fn entry(rubric: Rubric, path: &Path) -> RubricEntry {
    RubricEntry {
        rubric: Arc::new(rubric),
        origin: path
            .file_name()
            .map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_clock_is_well_formed() {
        let t = now_rfc3339();
        assert_eq!(t.len(), 20, "{t}");
        assert!(t.starts_with("20") && t.ends_with('Z'), "{t}");
    }

    #[test]
    fn rubric_directory_offers_every_file_by_id() {
        let settings = Settings {
            rubric_dir: Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/rubrics")),
            ..Settings::default()
        };
        let rubrics = load_rubrics(&settings).unwrap();
        assert_eq!(rubrics.default_id, "tagajo-2023");
        assert!(rubrics.by_id.contains_key("strict-all-sediment"));
        assert_eq!(rubrics.get(Some("nope")).unwrap_err().status, 400);
    }
}
