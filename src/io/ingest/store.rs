//! The versioned layer store: one SQLite file (rusqlite, SQLite bundled) holding every
//! imported version of every kind with its provenance, features (GeoJSON geometry in
//! JGD2011 lon/lat, properties as read) and validation report; which version is active
//! per kind; and an append-only audit log (triggers refuse UPDATE and DELETE).
//!
//! A version is written in one transaction (WAL journal, `synchronous = FULL`): a crash
//! mid-import leaves no trace of it. Activation is a separate step that appends to the
//! `activations` log; the active version of a kind is its latest activation. Rollback
//! re-activates the version that was active before the current one.

use crate::engine::catalog::{LayerKind, LayerMeta, RawFeature, RawLayer};
use crate::engine::index::FeatureId;
use crate::io::ingest::{IngestError, Prepared, UploadedFile};
use crate::server::state::now_rfc3339;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use std::path::{Path, PathBuf};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS versions (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    importer TEXT NOT NULL,
    source TEXT NOT NULL,
    publisher TEXT NOT NULL,
    date TEXT NOT NULL,
    licence TEXT NOT NULL,
    files TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    profile TEXT NOT NULL,
    crs TEXT NOT NULL,
    encoding TEXT NOT NULL,
    feature_count INTEGER NOT NULL,
    repaired_count INTEGER NOT NULL,
    rejected_count INTEGER NOT NULL,
    flagged_count INTEGER NOT NULL,
    report TEXT NOT NULL,
    UNIQUE (kind, version)
);
CREATE TABLE IF NOT EXISTS features (
    version_id INTEGER NOT NULL REFERENCES versions(id),
    idx INTEGER NOT NULL,
    fid INTEGER NOT NULL,
    file INTEGER NOT NULL,
    geometry TEXT NOT NULL,
    properties TEXT NOT NULL,
    PRIMARY KEY (version_id, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS activations (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    version_id INTEGER NOT NULL REFERENCES versions(id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    kind TEXT,
    version INTEGER,
    detail TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_append_only_u BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_append_only_d BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS activations_append_only_u BEFORE UPDATE ON activations
    BEGIN SELECT RAISE(ABORT, 'the activation log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS activations_append_only_d BEFORE DELETE ON activations
    BEGIN SELECT RAISE(ABORT, 'the activation log is append-only'); END;
";

/// Test hook for crash tests: milliseconds to sleep inside the import transaction,
/// before it commits.
pub const PAUSE_BEFORE_COMMIT_ENV: &str = "TEKICHI_FAULT_PAUSE_BEFORE_COMMIT_MS";

/// One stored version, as listed.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct VersionInfo {
    pub kind: LayerKind,
    pub version: u32,
    pub active: bool,
    pub created_at: String,
    pub importer: String,
    pub source: String,
    pub publisher: String,
    pub date: String,
    pub licence: String,
    pub files: Vec<UploadedFile>,
    pub sha256: String,
    pub profile: String,
    pub crs: String,
    pub encoding: String,
    pub feature_count: usize,
    pub repaired_count: usize,
    pub rejected_count: usize,
    pub flagged_count: usize,
}

/// One audit log entry.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub kind: Option<String>,
    pub version: Option<u32>,
    pub detail: String,
}

/// An open store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({})", self.path.display())
    }
}

fn kind_of(key: &str) -> Result<LayerKind, IngestError> {
    LayerKind::from_key(key).ok_or_else(|| IngestError::Internal(format!("store holds unknown kind `{key}`")))
}

impl Store {
    /// Opens (creating when missing) the store at `path`.
    pub fn open(path: &Path) -> Result<Store, IngestError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                IngestError::Input(format!(
                    "{0}: ストアのディレクトリを作れません / cannot create: {e}",
                    dir.display()
                ))
            })?;
        }
        let conn = Connection::open(path).map_err(|e| {
            IngestError::Input(format!(
                "{0}: レイヤストアを開けません / cannot open the layer store: {e}",
                path.display()
            ))
        })?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.execute_batch(SCHEMA)?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// SQLite's `PRAGMA integrity_check` plus the foreign-key check: `ok` when sound.
    pub fn integrity_check(&self) -> Result<String, IngestError> {
        let result: String = self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        let fk: Option<String> = self
            .conn
            .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
            .optional()?;
        Ok(match fk {
            Some(table) => format!("foreign key violation in {table}"),
            None => result,
        })
    }

    fn append_audit(
        tx: &Connection,
        actor: &str,
        action: &str,
        kind: Option<LayerKind>,
        version: Option<u32>,
        detail: &str,
    ) -> Result<(), IngestError> {
        tx.execute(
            "INSERT INTO audit (at, actor, action, kind, version, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![now_rfc3339(), actor, action, kind.map(|k| k.key()), version, detail],
        )?;
        Ok(())
    }

    /// Records an action that changes no layer (a dry run) in the audit log.
    pub fn audit_only(&self, actor: &str, action: &str, kind: LayerKind, detail: &str) -> Result<(), IngestError> {
        Self::append_audit(&self.conn, actor, action, Some(kind), None, detail)
    }

    /// Writes a prepared import as the next version of its kind, in one transaction.
    /// Returns the new version number. Nothing is activated.
    pub fn add_version(&mut self, prepared: &Prepared, importer: &str) -> Result<u32, IngestError> {
        let report = &prepared.report;
        let raw = &prepared.raw;
        let kind = raw.kind;
        let join =
            |f: &dyn Fn(&super::DatasetReport) -> String| report.datasets.iter().map(f).collect::<Vec<_>>().join("; ");
        let tx = self.conn.transaction()?;
        let version: u32 = tx.query_row(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM versions WHERE kind = ?1",
            [kind.key()],
            |r| r.get(0),
        )?;
        let files = serde_json::to_string(&report.uploaded).map_err(|e| IngestError::Internal(e.to_string()))?;
        let report_json = serde_json::to_string(report).map_err(|e| IngestError::Internal(e.to_string()))?;
        tx.execute(
            "INSERT INTO versions (kind, version, created_at, importer, source, publisher, date, licence, files, sha256,
                profile, crs, encoding, feature_count, repaired_count, rejected_count, flagged_count, report)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
            params![
                kind.key(),
                version,
                now_rfc3339(),
                importer,
                raw.meta.source,
                raw.meta.publisher,
                raw.meta.date,
                raw.meta.licence,
                files,
                raw.meta.sha256,
                join(&|d| d.profile.clone()),
                join(&|d| d.crs.clone()),
                join(&|d| d.encoding.clone()),
                raw.features.len(),
                report.counts.repaired,
                report.counts.rejected,
                report.counts.flagged,
                report_json,
            ],
        )?;
        let version_id = tx.last_insert_rowid();
        {
            let mut insert = tx.prepare(
                "INSERT INTO features (version_id, idx, fid, file, geometry, properties) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for (idx, f) in raw.features.iter().enumerate() {
                let fid = match f.id {
                    FeatureId::Number(n) => n as i64,
                    // Invariant: the importer numbers features by their index.
                    FeatureId::Text(_) => idx as i64,
                };
                let geometry = serde_json::to_string(&geojson::Geometry::from(&f.geometry))
                    .map_err(|e| IngestError::Internal(e.to_string()))?;
                let properties =
                    serde_json::to_string(&f.properties).map_err(|e| IngestError::Internal(e.to_string()))?;
                insert.execute(params![version_id, idx as i64, fid, f.file, geometry, properties])?;
            }
        }
        let files_list: Vec<&str> = report.uploaded.iter().map(|u| u.name.as_str()).collect();
        Self::append_audit(
            &tx,
            importer,
            "import",
            Some(kind),
            Some(version),
            &format!(
                "{} features ({} repaired, {} rejected, {} flagged) from {}",
                raw.features.len(),
                report.counts.repaired,
                report.counts.rejected,
                report.counts.flagged,
                files_list.join(", ")
            ),
        )?;
        if let Some(ms) = std::env::var(PAUSE_BEFORE_COMMIT_ENV)
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
        {
            eprintln!("fault hook: pausing {ms} ms before commit");
            std::thread::sleep(std::time::Duration::from_millis(ms));
        }
        tx.commit()?;
        Ok(version)
    }

    fn version_id(&self, kind: LayerKind, version: u32) -> Result<i64, IngestError> {
        self.conn
            .query_row(
                "SELECT id FROM versions WHERE kind = ?1 AND version = ?2",
                params![kind.key(), version],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| {
                IngestError::Store(format!(
                    "レイヤ {kind} にバージョン {version} はありません / layer {kind} has no version {version}; see `tekichi layers versions {kind}`"
                ))
            })
    }

    /// The active version number of a kind.
    pub fn active_version(&self, kind: LayerKind) -> Result<Option<u32>, IngestError> {
        Ok(self
            .conn
            .query_row(
                "SELECT v.version FROM activations a JOIN versions v ON v.id = a.version_id
                 WHERE a.kind = ?1 ORDER BY a.id DESC LIMIT 1",
                [kind.key()],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn activate_as(&mut self, kind: LayerKind, version: u32, actor: &str, action: &str) -> Result<(), IngestError> {
        let id = self.version_id(kind, version)?;
        let before = self.active_version(kind)?;
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO activations (kind, version_id, at, actor, action) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![kind.key(), id, now_rfc3339(), actor, action],
        )?;
        let detail = match before {
            Some(b) => format!("version {b} → {version}"),
            None => format!("none → {version}"),
        };
        Self::append_audit(&tx, actor, action, Some(kind), Some(version), &detail)?;
        tx.commit()?;
        Ok(())
    }

    /// Makes `version` the active version of `kind`.
    pub fn activate(&mut self, kind: LayerKind, version: u32, actor: &str) -> Result<(), IngestError> {
        self.activate_as(kind, version, actor, "activate")
    }

    /// Re-activates the version that was active before the current one; returns it.
    pub fn rollback(&mut self, kind: LayerKind, actor: &str) -> Result<u32, IngestError> {
        let previous = self.rollback_target(kind)?;
        self.activate_as(kind, previous, actor, "rollback")?;
        Ok(previous)
    }

    /// Re-activates `version`, which must be [`Store::rollback_target`]: for a caller
    /// (the server) that prepares its new snapshot before the change is committed.
    pub fn rollback_to(&mut self, kind: LayerKind, version: u32, actor: &str) -> Result<(), IngestError> {
        let target = self.rollback_target(kind)?;
        if target != version {
            return Err(IngestError::Store(format!(
                "ロールバック先はバージョン {target} です / layer {kind}: the rollback target is version {target}, not {version}"
            )));
        }
        self.activate_as(kind, version, actor, "rollback")
    }

    /// The version a rollback would re-activate: the one active before the current one.
    pub fn rollback_target(&self, kind: LayerKind) -> Result<u32, IngestError> {
        let current = self.active_version(kind)?.ok_or_else(|| {
            IngestError::Store(format!(
                "レイヤ {kind} に有効なバージョンがありません / layer {kind} has no active version to roll back"
            ))
        })?;
        let previous: Option<u32> = self
            .conn
            .query_row(
                "SELECT v.version FROM activations a JOIN versions v ON v.id = a.version_id
                 WHERE a.kind = ?1 AND v.version != ?2
                   AND a.id < (SELECT MAX(id) FROM activations WHERE kind = ?1)
                 ORDER BY a.id DESC LIMIT 1",
                params![kind.key(), current],
                |r| r.get(0),
            )
            .optional()?;
        let previous = previous.ok_or_else(|| {
            IngestError::Store(format!(
                "レイヤ {kind} はこれ以前に有効だったバージョンがありません / layer {kind}: version {current} is the first one activated; nothing to roll back to"
            ))
        })?;
        Ok(previous)
    }

    /// Every version of a kind, newest first.
    pub fn versions(&self, kind: LayerKind) -> Result<Vec<VersionInfo>, IngestError> {
        let active = self.active_version(kind)?;
        let mut stmt = self.conn.prepare(
            "SELECT kind, version, created_at, importer, source, publisher, date, licence, files, sha256, profile, crs,
                    encoding, feature_count, repaired_count, rejected_count, flagged_count
             FROM versions WHERE kind = ?1 ORDER BY version DESC",
        )?;
        let rows = stmt.query_map([kind.key()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, u32>(1)?,
                [
                    r.get::<_, String>(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                    r.get(10)?,
                    r.get(11)?,
                    r.get(12)?,
                ],
                [r.get::<_, i64>(13)?, r.get(14)?, r.get(15)?, r.get(16)?],
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (
                k,
                version,
                [created_at, importer, source, publisher, date, licence, files, sha256, profile, crs, encoding],
                [n, rep, rej, fl],
            ) = row?;
            out.push(VersionInfo {
                kind: kind_of(&k)?,
                version,
                active: active == Some(version),
                created_at,
                importer,
                source,
                publisher,
                date,
                licence,
                files: serde_json::from_str(&files).map_err(|e| IngestError::Internal(e.to_string()))?,
                sha256,
                profile,
                crs,
                encoding,
                feature_count: n as usize,
                repaired_count: rep as usize,
                rejected_count: rej as usize,
                flagged_count: fl as usize,
            });
        }
        Ok(out)
    }

    /// The stored validation report of a version (JSON).
    pub fn report(&self, kind: LayerKind, version: u32) -> Result<serde_json::Value, IngestError> {
        let id = self.version_id(kind, version)?;
        let text: String = self
            .conn
            .query_row("SELECT report FROM versions WHERE id = ?1", [id], |r| r.get(0))?;
        serde_json::from_str(&text).map_err(|e| IngestError::Internal(e.to_string()))
    }

    /// One stored version as a raw layer for the catalog.
    pub fn layer(&self, kind: LayerKind, version: u32) -> Result<RawLayer, IngestError> {
        let id = self.version_id(kind, version)?;
        let (source, publisher, date, licence, files, sha256): (String, String, String, String, String, String) =
            self.conn.query_row(
                "SELECT source, publisher, date, licence, files, sha256 FROM versions WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
            )?;
        let files: Vec<UploadedFile> =
            serde_json::from_str(&files).map_err(|e| IngestError::Internal(e.to_string()))?;
        let mut stmt = self
            .conn
            .prepare("SELECT fid, file, geometry, properties FROM features WHERE version_id = ?1 ORDER BY idx")?;
        let rows = stmt.query_map([id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, u32>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        let mut features = Vec::new();
        for row in rows {
            let (fid, file, geometry, properties) = row?;
            let g: geojson::Geometry =
                serde_json::from_str(&geometry).map_err(|e| IngestError::Internal(format!("stored geometry: {e}")))?;
            features.push(RawFeature {
                id: FeatureId::Number(fid as u64),
                file,
                geometry: geo::Geometry::try_from(g).map_err(|e| IngestError::Internal(e.to_string()))?,
                properties: serde_json::from_str(&properties).map_err(|e| IngestError::Internal(e.to_string()))?,
            });
        }
        Ok(RawLayer {
            kind,
            meta: LayerMeta {
                version: format!("v{version}"),
                source,
                publisher,
                date,
                licence,
                files: files.into_iter().map(|f| f.name).collect(),
                sha256,
            },
            features,
        })
    }

    /// The active version of every kind that has one.
    pub fn active_layers(&self) -> Result<Vec<RawLayer>, IngestError> {
        let mut out = Vec::new();
        for kind in LayerKind::ALL {
            if let Some(v) = self.active_version(kind)? {
                out.push(self.layer(kind, v)?);
            }
        }
        Ok(out)
    }

    /// The audit log, oldest first, optionally for one kind.
    pub fn audit(&self, kind: Option<LayerKind>) -> Result<Vec<AuditEntry>, IngestError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, at, actor, action, kind, version, detail FROM audit
             WHERE ?1 IS NULL OR kind = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([kind.map(|k| k.key())], |r| {
            Ok(AuditEntry {
                id: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                action: r.get(3)?,
                kind: r.get(4)?,
                version: r.get(5)?,
                detail: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

impl Store {
    /// Writes the active version of every kind as a data directory the loader reads:
    /// `KIND.geojson` (RFC 7946, lon/lat) and a `manifest.toml` with each layer's
    /// provenance. Returns the kinds written.
    pub fn export_active(&self, dir: &Path, name: &str, description: &str) -> Result<Vec<LayerKind>, IngestError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| IngestError::Input(format!("{0}: 作成できません / cannot create: {e}", dir.display())))?;
        let mut manifest = toml::Table::new();
        manifest.insert("name".into(), name.into());
        manifest.insert("description".into(), description.into());
        let mut layers = toml::Table::new();
        let mut kinds = Vec::new();
        for raw in self.active_layers()? {
            let file = format!("{}.geojson", raw.kind.key());
            let features: Vec<geojson::Feature> = raw
                .features
                .iter()
                .map(|f| geojson::Feature {
                    bbox: None,
                    geometry: Some(geojson::Geometry::from(&f.geometry)),
                    id: match &f.id {
                        FeatureId::Number(n) => Some(geojson::feature::Id::Number((*n).into())),
                        FeatureId::Text(t) => Some(geojson::feature::Id::String(t.clone())),
                    },
                    properties: Some(f.properties.clone()),
                    foreign_members: None,
                })
                .collect();
            let fc = geojson::FeatureCollection {
                bbox: None,
                features,
                foreign_members: None,
            };
            let text = serde_json::to_string(&fc).map_err(|e| IngestError::Internal(e.to_string()))?;
            std::fs::write(dir.join(&file), text + "\n").map_err(|e| {
                IngestError::Input(format!(
                    "{}: 書き出せません / cannot write: {e}",
                    dir.join(&file).display()
                ))
            })?;
            let m = &raw.meta;
            let mut entry = toml::Table::new();
            entry.insert("files".into(), toml::Value::Array(vec![file.into()]));
            entry.insert("source".into(), m.source.clone().into());
            entry.insert("publisher".into(), m.publisher.clone().into());
            entry.insert("date".into(), m.date.clone().into());
            entry.insert("licence".into(), m.licence.clone().into());
            entry.insert(
                "version".into(),
                format!("{}+sha256:{}", m.version, &m.sha256[..12.min(m.sha256.len())]).into(),
            );
            layers.insert(raw.kind.key().into(), entry.into());
            kinds.push(raw.kind);
        }
        manifest.insert("layers".into(), layers.into());
        let text = toml::to_string(&manifest).map_err(|e| IngestError::Internal(e.to_string()))?;
        std::fs::write(dir.join(crate::io::layers::MANIFEST), text).map_err(|e| {
            IngestError::Input(format!(
                "{}: マニフェストを書き出せません / cannot write the manifest: {e}",
                dir.display()
            ))
        })?;
        Ok(kinds)
    }
}
