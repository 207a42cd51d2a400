//! Stored results: a site report kept with the request that produced it, so that a
//! permalink (`/r/{id}`) shows the same answer later, even after new layer versions are
//! activated.
//!
//! One JSON file per result, `<state_dir>/results/<id>.json`, written to a temporary file,
//! flushed to disk and renamed into place (a crash leaves either no file or the whole
//! file). The id is the first 12 hex digits of the SHA-256 of the stored request and
//! report: the same site assessed on the same data and rubric gets the same id, and
//! nobody can guess the id of a result without knowing it.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use utoipa::ToSchema;

/// Hex digits of an id (48 bits); extended when two different results would share one.
const ID_LEN: usize = 12;

/// What the site was assessed with.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultRequest {
    /// The site: a GeoJSON geometry (Point, Polygon, MultiPolygon) or Feature, lon/lat.
    #[schema(value_type = Object)]
    pub site: serde_json::Value,
    /// Rubric id; default: the server's default rubric.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rubric: Option<String>,
    /// Nearest facilities listed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k: Option<usize>,
    /// Facility types listed and counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub types: Option<Vec<String>>,
}

/// One stored result.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StoredResult {
    /// The permalink id (`/r/{id}`).
    pub id: String,
    /// When it was stored (RFC 3339, UTC).
    pub created_at: String,
    /// The dataset name and the time its snapshot was loaded.
    pub dataset: String,
    pub data_loaded_at: String,
    pub request: ResultRequest,
    /// The site report (`Report` schema) as answered then; `report.provenance` names the
    /// layer versions and file hashes it was computed from.
    #[schema(value_type = Object)]
    pub report: serde_json::Value,
}

/// Why a result could not be stored or read.
#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: not a stored result: {source}")]
    Corrupt { path: PathBuf, source: serde_json::Error },
}

/// The result files of one state directory.
#[derive(Debug, Clone)]
pub struct ResultStore {
    dir: PathBuf,
}

/// Whether `id` has the shape of a result id (so it can name a file safely).
pub fn is_valid_id(id: &str) -> bool {
    (ID_LEN..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl ResultStore {
    /// The store under `state_dir/results` (created on first write).
    pub fn new(state_dir: &Path) -> ResultStore {
        ResultStore {
            dir: state_dir.join("results"),
        }
    }

    fn path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.json"))
    }

    /// Stores a result, giving it its content id; storing the same request and report
    /// again returns the same id without writing.
    pub fn save(
        &self,
        request: ResultRequest,
        report: serde_json::Value,
        dataset: &str,
        data_loaded_at: &str,
        created_at: &str,
    ) -> Result<StoredResult, ResultsError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| ResultsError::Io { path, source }
        };
        std::fs::create_dir_all(&self.dir).map_err(io(&self.dir))?;
        // Invariant: both are JSON values already, which always serialise.
        let canonical = serde_json::to_vec(&(&request, &report)).expect("JSON values serialise");
        let digest = hex::encode(Sha256::digest(&canonical));
        let mut len = ID_LEN;
        loop {
            let id = &digest[..len];
            let path = self.path(id);
            match self.load(id)? {
                Some(existing) if existing.request == request && existing.report == report => return Ok(existing),
                Some(_) if len < digest.len() => {
                    len += 4;
                    continue;
                }
                _ => {}
            }
            let stored = StoredResult {
                id: id.to_string(),
                created_at: created_at.to_string(),
                dataset: dataset.to_string(),
                data_loaded_at: data_loaded_at.to_string(),
                request,
                report,
            };
            let tmp = self.dir.join(format!(".{id}.{}.tmp", std::process::id()));
            let write = || -> std::io::Result<()> {
                let mut f = std::fs::File::create(&tmp)?;
                serde_json::to_writer(&mut f, &stored).map_err(std::io::Error::other)?;
                f.flush()?;
                f.sync_all()?;
                std::fs::rename(&tmp, &path)?;
                // The rename itself is durable once the directory is synced.
                std::fs::File::open(&self.dir)?.sync_all()
            };
            if let Err(e) = write() {
                let _ = std::fs::remove_file(&tmp);
                return Err(io(&path)(e));
            }
            return Ok(stored);
        }
    }

    /// The stored result `id`, or `None` when there is none.
    pub fn load(&self, id: &str) -> Result<Option<StoredResult>, ResultsError> {
        if !is_valid_id(id) {
            return Ok(None);
        }
        let path = self.path(id);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(ResultsError::Io { path, source }),
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|source| ResultsError::Corrupt { path, source })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(lon: f64) -> ResultRequest {
        ResultRequest {
            site: json!({"type": "Point", "coordinates": [lon, 38.28]}),
            rubric: None,
            k: None,
            types: None,
        }
    }

    #[test]
    fn saves_reads_back_and_deduplicates() {
        let dir = tempfile::tempdir().unwrap();
        let store = ResultStore::new(dir.path());
        let a = store
            .save(
                request(141.0),
                json!({"summary": {"verdict": "buildable"}}),
                "city",
                "t0",
                "t1",
            )
            .unwrap();
        assert_eq!(a.id.len(), ID_LEN);
        assert!(is_valid_id(&a.id));
        let again = store
            .save(
                request(141.0),
                json!({"summary": {"verdict": "buildable"}}),
                "city",
                "t0",
                "t9",
            )
            .unwrap();
        assert_eq!(again.id, a.id);
        assert_eq!(again.created_at, "t1", "the first write is kept");
        let b = store
            .save(
                request(141.1),
                json!({"summary": {"verdict": "buildable"}}),
                "city",
                "t0",
                "t2",
            )
            .unwrap();
        assert_ne!(a.id, b.id);
        let read = store.load(&a.id).unwrap().unwrap();
        assert_eq!(read.request, request(141.0));
        assert_eq!(read.report["summary"]["verdict"], "buildable");
        assert!(store.load("0123456789ab").unwrap().is_none());
        // No temporary files are left behind.
        let names: Vec<String> = std::fs::read_dir(dir.path().join("results"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.iter().all(|n| n.ends_with(".json") && !n.starts_with('.')),
            "{names:?}"
        );
    }

    #[test]
    fn ids_cannot_name_other_files() {
        let dir = tempfile::tempdir().unwrap();
        let store = ResultStore::new(dir.path());
        for bad in ["../../etc/passwd", "abc", "0123456789AB", "0123456789ab/x", ""] {
            assert!(!is_valid_id(bad), "{bad}");
            assert!(store.load(bad).unwrap().is_none());
        }
    }

    #[test]
    fn a_corrupt_file_is_an_error_not_a_missing_result() {
        let dir = tempfile::tempdir().unwrap();
        let store = ResultStore::new(dir.path());
        std::fs::create_dir_all(dir.path().join("results")).unwrap();
        std::fs::write(dir.path().join("results/0123456789ab.json"), "{").unwrap();
        assert!(matches!(store.load("0123456789ab"), Err(ResultsError::Corrupt { .. })));
    }
}
