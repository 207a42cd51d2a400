//! Server settings: built-in defaults, overlaid by a TOML file, overlaid by `TEKICHI_*`
//! environment variables, overlaid by command-line flags (each later source wins).
//!
//! ```toml
//! bind = "127.0.0.1:8080"
//! data = "data/sample-city"
//! rubric = "data/rubrics/tagajo-2023.toml"   # the default rubric (else the built-in one)
//! rubric_dir = "data/rubrics"                # every *.toml here is offered by id
//! public_url = "https://tekichi.city.example" # base of absolute links (else the Host header)
//! state_dir = "target/tekichi-state"         # stored results (/r/{id}); created when missing
//! store = "layers.sqlite"                    # serve the layer store's active versions (else `data`)
//!
//! [limits]
//! body_bytes = 1048576          # single-site requests
//! batch_body_bytes = 67108864   # POST /api/assess/batch
//! batch_max_sites = 200000
//! request_timeout_ms = 30000    # until the response starts (a streamed batch may run longer)
//! items_max_limit = 10000       # OGC API – Features `limit` ceiling
//! max_k = 100                   # nearest facilities per report
//!
//! [cors]
//! allow_origins = ["https://map.city.example"]   # or ["*"]; empty: no CORS headers
//!
//! [web]
//! dir = "web"                                    # the map UI: static/ and node_modules/ (npm ci)
//! basemap_tiles = "https://cyberjapandata.gsi.go.jp/xyz/pale/{z}/{x}/{y}.png"   # "" for none
//! basemap_attribution = "地理院タイル"
//!
//! [import]                      # uploads to POST /api/layers/{kind}
//! upload_bytes = 209715200      # the whole request body (also the files' total)
//! unzipped_bytes = 1073741824   # everything taken out of zip archives
//! zip_entries = 1000
//! features = 1000000
//! vertices = 50000000
//!
//! [[tokens]]                    # write access to the layer store over HTTP
//! name = "gis-tanaka"           # recorded in the audit log
//! sha256 = "…64 hex digits…"    # of the token, never the token: `tekichi token new` / `tekichi token hash`
//! role = "admin"                # admin: upload, store, activate, roll back; uploader (default): upload and store only
//! ```
//!
//! Environment variables: `TEKICHI_CONFIG` (the file), `TEKICHI_BIND`, `TEKICHI_DATA`,
//! `TEKICHI_RUBRIC`, `TEKICHI_RUBRIC_DIR`, `TEKICHI_PUBLIC_URL`, `TEKICHI_BODY_BYTES`,
//! `TEKICHI_BATCH_BODY_BYTES`, `TEKICHI_BATCH_MAX_SITES`, `TEKICHI_REQUEST_TIMEOUT_MS`,
//! `TEKICHI_ITEMS_MAX_LIMIT`, `TEKICHI_MAX_K`, `TEKICHI_CORS_ORIGINS` (comma-separated),
//! `TEKICHI_STATE_DIR`, `TEKICHI_WEB_DIR`, `TEKICHI_BASEMAP_TILES`, `TEKICHI_BASEMAP_ATTRIBUTION`,
//! `TEKICHI_STORE`, `TEKICHI_UPLOAD_BYTES`.
//! `TEKICHI_LOG` sets the log filter (e.g. `info`, `tekichi=debug,tower_http=info`).

use crate::io::ingest::source::ImportLimits;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Everything the server needs to start.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Address to listen on; port 0 picks a free port.
    pub bind: SocketAddr,
    /// The data directory (manifest.toml, or files named after the layer kinds).
    pub data: PathBuf,
    /// Rubric file used when a request names none; default: the built-in 多賀城市 2023.
    pub rubric: Option<PathBuf>,
    /// Directory whose `*.toml` rubrics are offered by id (`?rubric=`).
    pub rubric_dir: Option<PathBuf>,
    /// Public base URL for absolute links (OGC API – Features); default: from the request's Host.
    pub public_url: Option<String>,
    pub limits: Limits,
    pub cors: Cors,
    /// Directory of the server's own state: stored results (`results/`).
    pub state_dir: PathBuf,
    pub web: Web,
    /// The layer store (SQLite): when set, the server answers from its active versions
    /// instead of `data`, and `POST /api/layers/{kind}` can add and activate versions.
    /// `data` then only supplies the candidate sites of an upload's impact check.
    pub store: Option<PathBuf>,
    /// Limits of one upload (`POST /api/layers/{kind}`); `upload_bytes` is also the body limit.
    pub import: ImportLimits,
    /// Named write tokens, stored as SHA-256 hashes.
    pub tokens: Vec<TokenConfig>,
}

/// One named write token (`[[tokens]]`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TokenConfig {
    /// Who holds it; written to the audit log.
    pub name: String,
    /// SHA-256 of the token as 64 hex digits (`tekichi token hash`, or
    /// `printf %s "$TOKEN" | sha256sum`). The token itself is never stored.
    pub sha256: String,
    #[serde(default)]
    pub role: Role,
}

/// What a token may do.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Validate uploads and store them as new versions (not activate).
    #[default]
    Uploader,
    /// Everything an uploader may, plus activate and roll back.
    Admin,
}

/// The map UI.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Web {
    /// The front-end directory: `static/` (pages, scripts, styles) and `node_modules/`
    /// (the libraries, installed by `npm ci`).
    pub dir: PathBuf,
    /// Base-map raster tile URL template (`{z}/{x}/{y}`); empty for no base map.
    pub basemap_tiles: String,
    /// Attribution shown for the base map.
    pub basemap_attribution: String,
}

impl Default for Web {
    fn default() -> Self {
        Web {
            dir: PathBuf::from("web"),
            basemap_tiles: "https://cyberjapandata.gsi.go.jp/xyz/pale/{z}/{x}/{y}.png".into(),
            basemap_attribution: "<a href=\"https://maps.gsi.go.jp/development/ichiran.html\">地理院タイル</a>".into(),
        }
    }
}

/// Request limits.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest body of a single-site request (bytes).
    pub body_bytes: usize,
    /// Largest body of a batch request (bytes).
    pub batch_body_bytes: usize,
    /// Most sites in one batch.
    pub batch_max_sites: usize,
    /// Time (ms) a request may take until its response starts.
    pub request_timeout_ms: u64,
    /// Ceiling of the OGC API – Features `limit` parameter (larger values are clamped).
    pub items_max_limit: usize,
    /// Largest `k` (nearest facilities listed) a request may ask for.
    pub max_k: usize,
}

/// Cross-origin resource sharing.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Cors {
    /// Origins allowed to call the API from a browser; `["*"]` allows any; empty sends no
    /// CORS headers (same-origin use only).
    pub allow_origins: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data: PathBuf::from("data/sample-city"),
            rubric: None,
            rubric_dir: None,
            public_url: None,
            limits: Limits::default(),
            cors: Cors::default(),
            state_dir: PathBuf::from("target/tekichi-state"),
            web: Web::default(),
            store: None,
            import: ImportLimits::default(),
            tokens: Vec::new(),
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            body_bytes: 1 << 20,
            batch_body_bytes: 64 << 20,
            batch_max_sites: 200_000,
            request_timeout_ms: 30_000,
            items_max_limit: 10_000,
            max_k: 100,
        }
    }
}

/// Settings that cannot be used, with what to fix.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("設定ファイル {path} を読めません / cannot read the config file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("設定ファイル {path} の誤り: {message} / config file {path}: {message}")]
    Toml { path: PathBuf, message: String },
    #[error("環境変数 {name} の値が不正です: {message} / environment variable {name}={value}: {message}")]
    Env {
        name: String,
        value: String,
        message: String,
    },
}

impl Settings {
    /// Defaults, overlaid by the TOML file at `file` (when given) and then by the
    /// `TEKICHI_*` variables among `env`.
    pub fn load(file: Option<&Path>, env: impl IntoIterator<Item = (String, String)>) -> Result<Settings, ConfigError> {
        let mut settings = match file {
            Some(path) => Settings::from_file(path)?,
            None => Settings::default(),
        };
        for (name, value) in env {
            settings.apply_env(&name, &value)?;
        }
        Ok(settings)
    }

    /// Defaults overlaid by one TOML file.
    pub fn from_file(path: &Path) -> Result<Settings, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| ConfigError::Toml {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
    }

    /// Applies one environment variable; names other than the settings' are ignored.
    fn apply_env(&mut self, name: &str, value: &str) -> Result<(), ConfigError> {
        let bad = |message: String| ConfigError::Env {
            name: name.to_string(),
            value: value.to_string(),
            message,
        };
        let number = |v: &str| {
            v.trim()
                .parse::<u64>()
                .map_err(|e| bad(format!("expected a whole number: {e}")))
        };
        let path = |v: &str| Some(PathBuf::from(v));
        match name {
            "TEKICHI_BIND" => {
                self.bind = value
                    .trim()
                    .parse()
                    .map_err(|e| bad(format!("expected host:port, e.g. 127.0.0.1:8080: {e}")))?
            }
            "TEKICHI_DATA" => self.data = PathBuf::from(value),
            "TEKICHI_RUBRIC" => self.rubric = path(value),
            "TEKICHI_RUBRIC_DIR" => self.rubric_dir = path(value),
            "TEKICHI_PUBLIC_URL" => self.public_url = Some(value.trim().to_string()),
            "TEKICHI_BODY_BYTES" => self.limits.body_bytes = number(value)? as usize,
            "TEKICHI_BATCH_BODY_BYTES" => self.limits.batch_body_bytes = number(value)? as usize,
            "TEKICHI_BATCH_MAX_SITES" => self.limits.batch_max_sites = number(value)? as usize,
            "TEKICHI_REQUEST_TIMEOUT_MS" => self.limits.request_timeout_ms = number(value)?,
            "TEKICHI_ITEMS_MAX_LIMIT" => self.limits.items_max_limit = number(value)? as usize,
            "TEKICHI_MAX_K" => self.limits.max_k = number(value)? as usize,
            "TEKICHI_CORS_ORIGINS" => {
                self.cors.allow_origins = value
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect()
            }
            "TEKICHI_STATE_DIR" => self.state_dir = PathBuf::from(value),
            "TEKICHI_WEB_DIR" => self.web.dir = PathBuf::from(value),
            "TEKICHI_BASEMAP_TILES" => self.web.basemap_tiles = value.trim().to_string(),
            "TEKICHI_BASEMAP_ATTRIBUTION" => self.web.basemap_attribution = value.to_string(),
            "TEKICHI_STORE" => self.store = path(value),
            "TEKICHI_UPLOAD_BYTES" => self.import.upload_bytes = number(value)?,
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn defaults_then_file_then_environment() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("tekichi.toml");
        std::fs::write(
            &file,
            "bind = \"0.0.0.0:9000\"\ndata = \"/srv/city\"\n[limits]\nbody_bytes = 10\nmax_k = 7\n[cors]\nallow_origins = [\"*\"]\n",
        )
        .unwrap();
        let s = Settings::load(
            Some(&file),
            env(&[
                ("TEKICHI_BIND", "127.0.0.1:0"),
                ("TEKICHI_MAX_K", "9"),
                ("TEKICHI_CORS_ORIGINS", "https://a.example, https://b.example"),
                ("TEKICHI_LOG", "debug"),
                ("PATH", "/bin"),
            ]),
        )
        .unwrap();
        assert_eq!(s.bind, "127.0.0.1:0".parse().unwrap());
        assert_eq!(s.data, PathBuf::from("/srv/city"));
        assert_eq!(s.limits.body_bytes, 10);
        assert_eq!(s.limits.max_k, 9);
        assert_eq!(s.limits.batch_max_sites, Limits::default().batch_max_sites);
        assert_eq!(s.cors.allow_origins, ["https://a.example", "https://b.example"]);
    }

    #[test]
    fn store_and_tokens_from_file_and_environment() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("tekichi.toml");
        std::fs::write(
            &file,
            format!(
                "store = \"a.sqlite\"\n[import]\nfeatures = 5\n[[tokens]]\nname = \"gis\"\nsha256 = \"{}\"\nrole = \"admin\"\n[[tokens]]\nname = \"up\"\nsha256 = \"{}\"\n",
                "a".repeat(64),
                "b".repeat(64)
            ),
        )
        .unwrap();
        let s = Settings::load(
            Some(&file),
            env(&[
                ("TEKICHI_STORE", "/srv/layers.sqlite"),
                ("TEKICHI_UPLOAD_BYTES", "1000"),
            ]),
        )
        .unwrap();
        assert_eq!(s.store, Some(PathBuf::from("/srv/layers.sqlite")));
        assert_eq!(s.import.features, 5);
        assert_eq!(s.import.upload_bytes, 1000);
        assert_eq!(s.tokens[0].role, Role::Admin);
        assert_eq!(s.tokens[1].role, Role::Uploader, "least privilege by default");
    }

    #[test]
    fn bad_values_name_the_key() {
        let err = Settings::load(None, env(&[("TEKICHI_MAX_K", "many")])).unwrap_err();
        assert!(err.to_string().contains("TEKICHI_MAX_K"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("tekichi.toml");
        std::fs::write(&file, "[limits]\nbody_size = 1\n").unwrap();
        let err = Settings::load(Some(&file), env(&[])).unwrap_err();
        assert!(err.to_string().contains("body_size"), "{err}");
    }
}
