//! Layer administration behind the write endpoints (`/api/layers/{kind}…`): the layer
//! store the server answers from, the named write tokens, the reports of recent uploads,
//! and the one place where a new snapshot is built and swapped in.
//!
//! **Swapping.** Activation and rollback run with the store locked: the new snapshot is
//! built first (the store's active versions with the kind replaced), then the change is
//! committed, then the snapshot is swapped in with one atomic store into the `ArcSwap`.
//! A request holds the snapshot it loaded at its start, so requests in flight finish on
//! the old one and every answer comes wholly from one version; a build failure leaves
//! both the store and the served data as they were.

use crate::engine::catalog::{Catalog, LayerKind, RawLayer};
use crate::io::ingest::store::Store;
use crate::io::ingest::{ImportReport, IngestError};
use crate::server::config::{Role, Settings, TokenConfig};
use crate::server::state::{store_dataset, Loaded, StartupError};
use arc_swap::ArcSwap;
use sha2::{Digest, Sha256};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use subtle::{ConditionallySelectable, ConstantTimeEq};

/// How many upload reports are kept in memory for `GET /api/layers/{kind}/reports/{id}`
/// (stored versions keep theirs in the store).
const KEPT_REPORTS: usize = 32;

/// SHA-256 of a token as 64 lower-case hex digits: what `[[tokens]] sha256` holds.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Who a valid token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub name: String,
    pub role: Role,
}

/// The configured write tokens, by hash.
#[derive(Debug, Default)]
pub struct Tokens {
    entries: Vec<(Caller, [u8; 32])>,
}

impl Tokens {
    /// Checks the configured entries: names present and unique, hashes of 64 hex digits.
    pub fn from_config(config: &[TokenConfig]) -> Result<Tokens, String> {
        let mut entries: Vec<(Caller, [u8; 32])> = Vec::with_capacity(config.len());
        for (i, t) in config.iter().enumerate() {
            let name = t.name.trim();
            if name.is_empty() {
                return Err(format!(
                    "トークン {1} の name が空です / [[tokens]] entry {0}: `name` is empty",
                    i + 1,
                    i + 1
                ));
            }
            if entries.iter().any(|(c, _)| c.name == name) {
                return Err(format!(
                    "トークン名「{name}」が重複しています / [[tokens]] name `{name}` appears twice; names identify who acted in the audit log"
                ));
            }
            let digest = hex::decode(t.sha256.trim())
                .ok()
                .and_then(|d| <[u8; 32]>::try_from(d).ok())
                .ok_or_else(|| {
                    format!(
                        "トークン「{name}」の sha256 は64桁の16進数（tekichi token hash で作成）にしてください / [[tokens]] `{name}`: sha256 must be the token's SHA-256 as 64 hex digits (make it with `tekichi token hash`), not the token itself"
                    )
                })?;
            entries.push((
                Caller {
                    name: name.to_string(),
                    role: t.role,
                },
                digest,
            ));
        }
        Ok(Tokens { entries })
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The holder of `presented`. The presented token is hashed and compared with every
    /// configured hash in constant time, without stopping at a match, so the time taken
    /// says nothing about which entry (or how much of one) matched.
    pub fn check(&self, presented: &str) -> Option<&Caller> {
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        let mut found = 0u32;
        let mut any = subtle::Choice::from(0);
        for (i, (_, hash)) in self.entries.iter().enumerate() {
            let hit = digest.ct_eq(hash);
            found.conditional_assign(&(i as u32), hit);
            any |= hit;
        }
        bool::from(any).then(|| &self.entries[found as usize].0)
    }
}

/// The store, the tokens and recent upload reports; shared by the admin handlers.
pub struct Admin {
    pub tokens: Tokens,
    store: Option<Mutex<Store>>,
    reports: Mutex<VecDeque<(String, Arc<ImportReport>)>>,
    /// Uploads read and checked at once (each holds its files and features in memory).
    pub imports: tokio::sync::Semaphore,
}

impl std::fmt::Debug for Admin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Admin")
            .field("tokens", &self.tokens.entries.len())
            .field("store", &self.store.is_some())
            .finish()
    }
}

/// Why an admin operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// The server does not serve from a layer store.
    #[error("no layer store")]
    NoStore,
    #[error(transparent)]
    Ingest(#[from] IngestError),
    #[error("{0}")]
    Internal(String),
}

impl Admin {
    /// Opens the store named by `settings` (created when missing) and checks the tokens.
    pub fn open(settings: &Settings) -> Result<Admin, StartupError> {
        let tokens = Tokens::from_config(&settings.tokens).map_err(StartupError::Config)?;
        let store = match &settings.store {
            Some(path) => {
                if !path.exists() {
                    tracing::warn!(store = %path.display(), "no layer store here: creating an empty one");
                }
                Some(Mutex::new(Store::open(path)?))
            }
            None => None,
        };
        if store.is_some() && tokens.is_empty() {
            tracing::warn!("serving a layer store without [[tokens]]: uploads and activation over HTTP are refused");
        }
        Ok(Admin {
            tokens,
            store,
            reports: Mutex::new(VecDeque::new()),
            imports: tokio::sync::Semaphore::new(2),
        })
    }

    /// An admin with no store and no tokens (every write refused).
    pub fn none() -> Admin {
        Admin {
            tokens: Tokens::default(),
            store: None,
            reports: Mutex::new(VecDeque::new()),
            imports: tokio::sync::Semaphore::new(2),
        }
    }

    pub fn has_store(&self) -> bool {
        self.store.is_some()
    }

    /// The locked store. Blocking: call it off the async workers.
    pub fn store(&self) -> Result<MutexGuard<'_, Store>, AdminError> {
        let store = self.store.as_ref().ok_or(AdminError::NoStore)?;
        // A panic while holding the lock cannot leave SQLite half-written (transactions
        // roll back on drop), so a poisoned lock is still safe to use.
        Ok(store.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Keeps an upload's full report under `id` (the oldest is dropped beyond the limit).
    pub fn keep_report(&self, id: String, report: Arc<ImportReport>) {
        let mut reports = self.reports.lock().unwrap_or_else(|p| p.into_inner());
        reports.retain(|(k, _)| *k != id);
        reports.push_back((id, report));
        while reports.len() > KEPT_REPORTS {
            reports.pop_front();
        }
    }

    /// A kept upload report.
    pub fn report(&self, id: &str) -> Option<Arc<ImportReport>> {
        let reports = self.reports.lock().unwrap_or_else(|p| p.into_inner());
        reports.iter().find(|(k, _)| k == id).map(|(_, r)| r.clone())
    }
}

/// The store's active layers, with `replace` standing in for its kind's.
pub fn layers_with(store: &Store, replace: Option<RawLayer>) -> Result<Vec<RawLayer>, AdminError> {
    let mut layers = store.active_layers()?;
    if let Some(new) = replace {
        layers.retain(|l| l.kind != new.kind);
        layers.push(new);
    }
    Ok(layers)
}

/// The catalog the store's active layers would make with `replace` in place.
pub fn catalog_with(store: &Store, replace: RawLayer) -> Result<Catalog, AdminError> {
    Catalog::build(layers_with(store, Some(replace))?).map_err(|e| AdminError::Internal(e.to_string()))
}

/// What an activation or rollback did.
#[derive(Debug, Clone)]
pub struct Switched {
    pub kind: LayerKind,
    pub version: u32,
    pub previous: Option<u32>,
    pub sha256: String,
    pub feature_count: usize,
    pub loaded_at: String,
}

/// Makes `version` of `kind` active (`rollback`: the version active before the current
/// one, `version` ignored) and swaps the served snapshot. Blocking: run it off the async
/// workers. The store stays locked from reading the version to the swap, so concurrent
/// activations are applied, and served, in commit order.
pub fn switch(
    admin: &Admin,
    loaded: &ArcSwap<Loaded>,
    kind: LayerKind,
    version: Option<u32>,
    actor: &str,
) -> Result<Switched, AdminError> {
    let mut store = admin.store()?;
    let previous = store.active_version(kind)?;
    let target = match version {
        Some(v) => v,
        None => store.rollback_target(kind)?,
    };
    let layer = store.layer(kind, target)?;
    let (sha256, feature_count) = (layer.meta.sha256.clone(), layer.features.len());
    let current = loaded.load_full();
    let next = Loaded::from_layers(
        store_dataset(store.path()),
        layers_with(&store, Some(layer))?,
        current.rubrics.clone(),
    )
    .map_err(|e| AdminError::Internal(e.to_string()))?;
    let loaded_at = next.dataset.loaded_at.clone();
    match version {
        Some(v) => store.activate(kind, v, actor)?,
        None => store.rollback_to(kind, target, actor)?,
    }
    loaded.store(Arc::new(next));
    tracing::info!(%kind, version = target, ?previous, actor, "layer version switched; snapshot swapped");
    Ok(Switched {
        kind,
        version: target,
        previous,
        sha256,
        feature_count,
        loaded_at,
    })
}

/// Reloads the served snapshot when the store's active versions differ from it (another
/// process, e.g. `tekichi layers activate`, changed the store while serving). Blocking.
pub fn resync(admin: &Admin, loaded: &ArcSwap<Loaded>) -> Result<bool, AdminError> {
    let store = admin.store()?;
    let current = loaded.load_full();
    let mut differs = false;
    for kind in LayerKind::ALL {
        let active = store.active_version(kind)?.map(|v| format!("v{v}"));
        let served = current.catalog.info(kind).map(|i| i.meta.version.clone());
        differs |= active != served;
    }
    if differs {
        let next = Loaded::from_layers(
            store_dataset(store.path()),
            store.active_layers()?,
            current.rubrics.clone(),
        )
        .map_err(|e| AdminError::Internal(e.to_string()))?;
        loaded.store(Arc::new(next));
        tracing::warn!("the layer store was changed outside this server: snapshot reloaded");
    }
    Ok(differs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(name: &str, token: &str, role: Role) -> TokenConfig {
        TokenConfig {
            name: name.into(),
            sha256: hash_token(token),
            role,
        }
    }

    #[test]
    fn tokens_are_found_by_hash_and_nothing_else() {
        let tokens = Tokens::from_config(&[
            config("gis", "s3cret-one", Role::Admin),
            config("intern", "s3cret-two", Role::Uploader),
        ])
        .unwrap();
        assert_eq!(tokens.check("s3cret-one").unwrap().name, "gis");
        assert_eq!(tokens.check("s3cret-two").unwrap().role, Role::Uploader);
        assert_eq!(tokens.check("s3cret-on"), None);
        assert_eq!(tokens.check(""), None);
        // The hash itself is not a token.
        assert_eq!(tokens.check(&hash_token("s3cret-one")), None);
        assert_eq!(
            hash_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn bad_token_entries_are_refused_with_what_to_fix() {
        let plain = TokenConfig {
            name: "gis".into(),
            sha256: "my-token".into(),
            role: Role::Admin,
        };
        assert!(Tokens::from_config(&[plain])
            .unwrap_err()
            .contains("tekichi token hash"));
        let twice = [config("a", "x", Role::Admin), config("a", "y", Role::Admin)];
        assert!(Tokens::from_config(&twice).unwrap_err().contains("twice"));
    }
}
