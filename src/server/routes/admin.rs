//! The layer store over HTTP, for city GIS staff: upload a layer (validated, dry run by
//! default) and see its report and what it would change; store it as a new version;
//! activate a version or roll back — the served data switches at once, atomically —;
//! list versions and read the audit log.
//!
//! Writes need `Authorization: Bearer <token>` with a token named in the config file
//! (`[[tokens]]`, kept as SHA-256 hashes, compared in constant time); activation and
//! rollback need the `admin` role. Reads (versions, reports, audit) stay open like the
//! rest of the API.

use crate::engine::analytics::impact::{area_changes, change_impact, AreaChange, Change};
use crate::engine::analytics::whatif::ChangedField;
use crate::engine::assess::AssessOptions;
use crate::engine::catalog::LayerKind;
use crate::io::crs::{Crs, Reprojector};
use crate::io::ingest::diff::{diff_layer, Compared, LayerDiff};
use crate::io::ingest::profile::{parse_field_maps, Profile};
use crate::io::ingest::read::parse_encoding;
use crate::io::ingest::source::SourceFile;
use crate::io::ingest::store::{AuditEntry, VersionInfo};
use crate::io::ingest::{prepare, ImportOptions, ImportReport, IngestError};
use crate::io::sites::read_sites;
use crate::server::admin::{catalog_with, resync, switch, AdminError, Caller, Switched};
use crate::server::config::Role;
use crate::server::error::{ApiError, FieldError, Problem};
use crate::server::extract::ApiQuery;
use crate::server::routes::features::GeoJsonGeometry;
use crate::server::routes::ok_json;
use crate::server::state::{return_freed_memory, AppState};
use axum::body::Bytes;
use axum::extract::multipart::{Multipart, MultipartError, MultipartRejection};
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};

/// Problems listed in an upload answer (all of them: `report_url`).
pub const LISTED_PROBLEMS: usize = 100;
/// Changed candidate sites and areas listed in an upload answer.
pub const LISTED_CHANGES: usize = 50;

/// The admin routes with their body limits: an upload may be as large as
/// `import.upload_bytes`; the other writes carry a small JSON body.
pub fn routes(state: &AppState) -> Router<AppState> {
    let upload_limit = usize::try_from(state.settings.import.upload_bytes).unwrap_or(usize::MAX);
    Router::new()
        .route(
            "/api/layers/{kind}",
            post(upload).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/api/layers/{kind}/activate", post(activate))
        .route("/api/layers/{kind}/rollback", post(rollback))
        .route("/api/layers/{kind}/versions", get(versions))
        .route("/api/layers/{kind}/reports/{report_id}", get(report))
        .route("/api/audit", get(audit))
        .layer(DefaultBodyLimit::max(state.settings.limits.body_bytes))
}

// ------------------------------------------------------------------ errors and auth

/// An admin handler's refusal: a problem, with a `WWW-Authenticate` challenge on 401.
#[derive(Debug)]
pub struct Refusal {
    error: Box<ApiError>,
    challenge: Option<&'static str>,
}

impl From<ApiError> for Refusal {
    fn from(error: ApiError) -> Self {
        Refusal {
            error: Box::new(error),
            challenge: None,
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self.challenge {
            Some(c) => ([(header::WWW_AUTHENTICATE, HeaderValue::from_static(c))], *self.error).into_response(),
            None => (*self.error).into_response(),
        }
    }
}

type AdminResult = Result<Response, Refusal>;

fn unauthorized(detail: &str, challenge: &'static str) -> Refusal {
    Refusal {
        error: Box::new(ApiError::new("unauthorized", detail)),
        challenge: Some(challenge),
    }
}

/// The caller of a write, from `Authorization: Bearer <token>`, allowed to act as `need`.
fn authorize(state: &AppState, headers: &HeaderMap, need: Role) -> Result<Caller, Refusal> {
    const CHALLENGE: &str = "Bearer realm=\"tekichi\"";
    const INVALID: &str = "Bearer realm=\"tekichi\", error=\"invalid_token\"";
    let tokens = &state.admin.tokens;
    let given = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let Some(given) = given else {
        return Err(unauthorized(
            "書き込みにはトークンが必要です。Authorization: Bearer <トークン> を付けてください（トークンは管理者が設定ファイルの [[tokens]] に登録します） / Writes need a token: send `Authorization: Bearer <token>` (the administrator registers tokens under [[tokens]] in the config file).",
            CHALLENGE,
        ));
    };
    let token = given
        .strip_prefix("Bearer ")
        .or_else(|| given.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let Some(token) = token else {
        return Err(unauthorized(
            "Authorization ヘッダは「Bearer <トークン>」の形にしてください / The Authorization header must read `Bearer <token>`.",
            INVALID,
        ));
    };
    if tokens.is_empty() {
        return Err(unauthorized(
            "このサーバにはトークンが登録されていません。設定ファイルの [[tokens]] に追加してください（README 参照） / This server has no tokens configured; add one under [[tokens]] in the config file (see the README).",
            INVALID,
        ));
    }
    let Some(caller) = tokens.check(token) else {
        tracing::warn!("write refused: unknown token");
        return Err(unauthorized(
            "トークンが正しくありません / The token is not valid.",
            INVALID,
        ));
    };
    if need == Role::Admin && caller.role != Role::Admin {
        tracing::warn!(actor = %caller.name, "write refused: role uploader may not activate");
        return Err(ApiError::new(
            "forbidden",
            format!(
                "トークン「{}」は取込み（uploader）用です。有効化・ロールバックには admin の役割のトークンが必要です / Token `{}` may upload and store versions (role uploader) but not activate or roll back; that needs a token with role `admin`.",
                caller.name, caller.name
            ),
        )
        .into());
    }
    Ok(caller.clone())
}

fn kind_of(key: &str) -> Result<LayerKind, ApiError> {
    LayerKind::from_key(key).ok_or_else(|| {
        let kinds = LayerKind::ALL.map(|k| k.key()).join(", ");
        ApiError::not_found(format!(
            "レイヤ種別「{key}」はありません。{kinds} のいずれかです / No layer kind `{key}`; use one of {kinds}."
        ))
    })
}

fn require_store(state: &AppState) -> Result<(), ApiError> {
    if state.admin.has_store() {
        Ok(())
    } else {
        Err(ApiError::new(
            "no_store",
            "このサーバはレイヤストアを使っていません。tekichi serve --store PATH（または設定 store）で起動してください / This server does not serve from a layer store; start it with `tekichi serve --store PATH` (or the `store` setting).",
        ))
    }
}

/// An ingest failure as the client sees it; `store_code` is the code of a refusal by
/// the store (unknown version, nothing to roll back).
fn ingest_error(e: IngestError, store_code: &'static str) -> ApiError {
    match e {
        IngestError::Input(m) => ApiError::new("import_refused", m),
        IngestError::Limit(m) => ApiError::new("import_too_large", m),
        IngestError::Store(m) => ApiError::new(store_code, m),
        IngestError::Internal(m) => ApiError::internal(m),
    }
}

fn admin_error(e: AdminError, store_code: &'static str) -> ApiError {
    match e {
        AdminError::NoStore => ApiError::new(
            "no_store",
            "このサーバはレイヤストアを使っていません / This server does not serve from a layer store.",
        ),
        AdminError::Ingest(e) => ingest_error(e, store_code),
        AdminError::Internal(m) => ApiError::internal(m),
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(ApiError::internal)
}

// ------------------------------------------------------------------ upload

/// `POST /api/layers/{kind}` query parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// 検証のみ（既定 true） / Validate and report only, store nothing (default true). May also be a form field.
    pub dry_run: Option<bool>,
}

/// The multipart form of an upload (`multipart/form-data`).
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // documents the form; the handler reads the parts one by one
pub struct UploadForm {
    /// One or more files (repeat the part): .geojson, .shp with .shx/.dbf/.prj/.cpg, .zip
    /// (e.g. a zipped shapefile), .gpkg, .kml, .fgb, .csv. Several are merged into one version.
    #[schema(value_type = Vec<String>, format = Binary)]
    file: Vec<Vec<u8>>,
    /// Layer of a multi-layer file (GeoPackage, KML).
    layer: Option<String>,
    /// CRS of the coordinates when the file does not say, or says wrongly (it overrides the
    /// file's), e.g. `EPSG:6677`; a code PROJ does not know is refused naming `crs`.
    crs: Option<String>,
    /// Attribute encoding (`UTF-8`, `Shift_JIS`, `CP932`); default `.cpg`, else detected.
    encoding: Option<String>,
    /// Attribute profile: `ksj`, `reinfolib`, `plateau`, `mhlw_kaigo`, `generic`; default detected.
    profile: Option<String>,
    /// Field mapping `canonical=source`, e.g. `depth=浸水深` (repeat the part for several).
    field: Option<Vec<String>>,
    /// Provenance: source name, publisher, date of the data, licence.
    source: Option<String>,
    publisher: Option<String>,
    date: Option<String>,
    licence: Option<String>,
    /// `true` (default): validate and report only; `false`: also store as a new version (not activated).
    dry_run: Option<bool>,
}

/// What an upload would change in the candidate sites and daily-life areas.
#[derive(Debug, Serialize, ToSchema)]
pub struct Impact {
    /// The candidate file assessed (the data directory's `candidates.geojson` or
    /// `candidates.csv`); null when there is none.
    #[schema(required = true)]
    pub candidates_source: Option<String>,
    /// Candidate sites assessed.
    pub candidates: usize,
    /// Sites whose verdict, hazard total or status, spacing, or area differs.
    pub candidates_changed: usize,
    pub verdict_changed: usize,
    pub hazard_total_changed: usize,
    /// The first changed sites (`before` = active data, `after` = with the upload).
    pub changes: Vec<Change>,
    /// Daily-life areas whose coverage differs.
    pub areas_changed: usize,
    pub area_changes: Vec<AreaChange>,
    /// The rubric the sites were assessed with (the server's default).
    pub rubric: String,
    /// Set when the candidate file could not be read.
    #[schema(required = true)]
    pub note: Option<String>,
}

/// The answer to an upload: the validation report, the difference from the active
/// version, and what it would change.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadResponse {
    pub kind: LayerKind,
    pub dry_run: bool,
    /// The version stored (not active yet); null for a dry run.
    #[schema(required = true)]
    pub version: Option<u32>,
    /// The token name the upload is recorded under.
    pub actor: String,
    /// Counts and datasets in one text, Japanese then English.
    pub summary: String,
    /// The validation report, with the first problems only (see `problems_total`).
    pub report: ImportReport,
    pub problems_total: usize,
    /// The full report (every problem): `GET` it.
    pub report_url: String,
    pub diff: LayerDiff,
    pub impact: Impact,
    /// What to do next.
    pub next: String,
}

/// A file name from a form part, reduced to its base name (browsers may send a path,
/// `C:\fakepath\x.shp`; an upload never names a place on the server).
fn base_name(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next()?.trim();
    (!base.is_empty() && base != "." && base != "..").then(|| base.to_string())
}

fn bad_field(field: &str, message: String) -> ApiError {
    ApiError::new(
        "bad_upload",
        format!("フォーム項目 `{field}` が不正です: {message} / Form field `{field}`: {message}"),
    )
    .with_error(FieldError {
        field: Some(field.into()),
        message,
        ..Default::default()
    })
}

fn multipart_error(e: MultipartError, limit: u64) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            "body_too_large",
            format!(
                "アップロードが上限 {limit} バイトを超えています。ファイルを分けるか、管理者に上限（import.upload_bytes）を確認してください / The upload exceeds the limit of {limit} bytes; split the files or ask the administrator about `import.upload_bytes`."
            ),
        )
    } else {
        ApiError::new(
            "bad_upload",
            format!(
                "multipart/form-data を読めません / Cannot read the multipart/form-data body: {}",
                e.body_text()
            ),
        )
    }
}

fn parse_bool(field: &str, v: &str) -> Result<bool, ApiError> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(bad_field(field, format!("expected true or false, got `{v}`"))),
    }
}

/// The `crs` form field: a name PROJ can transform from, else a form mistake naming
/// `crs` (not a refusal of the files after they were read).
fn form_crs(name: &str) -> Result<Crs, ApiError> {
    let crs = Crs::parse(name).map_err(|e| bad_field("crs", e.to_string()))?;
    // The transformer is not Send: built and dropped here, never held across an await.
    Reprojector::to_lon_lat(crs).map_err(|e| bad_field("crs", e.to_string()))?;
    Ok(crs)
}

/// The form read into files and import options.
struct UploadRequest {
    files: Vec<SourceFile>,
    options: ImportOptions,
    dry_run: bool,
}

async fn read_form(
    state: &AppState,
    kind: LayerKind,
    query_dry_run: Option<bool>,
    mut multipart: Multipart,
) -> Result<UploadRequest, ApiError> {
    let limit = state.settings.import.upload_bytes;
    let mut files = Vec::new();
    let mut options = ImportOptions::new(kind);
    options.limits = state.settings.import;
    let mut field_maps = Vec::new();
    let mut form_dry_run = None;
    while let Some(part) = multipart.next_field().await.map_err(|e| multipart_error(e, limit))? {
        let name = part.name().unwrap_or_default().to_string();
        if let Some(file_name) = part.file_name().map(String::from) {
            if !matches!(name.as_str(), "file" | "files" | "file[]" | "files[]") {
                return Err(bad_field(
                    &name,
                    "files go in parts named `file` (repeat the part for several)".into(),
                ));
            }
            let file_name = base_name(&file_name)
                .ok_or_else(|| bad_field("file", format!("`{file_name}` is not a usable file name")))?;
            let bytes = part.bytes().await.map_err(|e| multipart_error(e, limit))?;
            files.push(SourceFile {
                name: file_name,
                bytes: bytes.to_vec(),
            });
            continue;
        }
        let value = part.text().await.map_err(|e| multipart_error(e, limit))?;
        let text = || Some(value.trim().to_string()).filter(|v| !v.is_empty());
        match name.as_str() {
            "file" | "files" => {
                return Err(bad_field(
                    "file",
                    "a file part needs a filename (send it as a file, e.g. curl -F file=@flood.zip)".into(),
                ))
            }
            "layer" => options.read.layer = text(),
            "crs" => options.read.crs = text().map(|c| form_crs(&c)).transpose()?,
            "encoding" => {
                options.read.encoding = match text() {
                    Some(label) => Some(parse_encoding(&label).ok_or_else(|| {
                        bad_field(
                            "encoding",
                            format!("`{label}` is not an encoding name (try UTF-8, Shift_JIS, CP932)"),
                        )
                    })?),
                    None => None,
                }
            }
            "profile" => {
                options.profile = match text() {
                    Some(p) => Some(
                        <Profile as clap::ValueEnum>::from_str(&p.replace('_', "-"), true).map_err(|_| {
                            bad_field(
                                "profile",
                                format!("`{p}`; use ksj, reinfolib, plateau, mhlw_kaigo or generic"),
                            )
                        })?,
                    ),
                    None => None,
                }
            }
            "field" | "fields" | "field[]" => field_maps.extend(text()),
            "source" => options.provenance.source = text().unwrap_or_default(),
            "publisher" => options.provenance.publisher = text().unwrap_or_default(),
            "date" => options.provenance.date = text().unwrap_or_default(),
            "licence" | "license" => options.provenance.licence = text().unwrap_or_default(),
            "dry_run" => form_dry_run = Some(parse_bool("dry_run", &value)?),
            other => {
                return Err(bad_field(
                    other,
                    "unknown form field; accepted: file, layer, crs, encoding, profile, field, source, publisher, date, licence, dry_run".into(),
                ))
            }
        }
    }
    options.fields = parse_field_maps(kind, &field_maps).map_err(|e| bad_field("field", e))?;
    let dry_run = match (query_dry_run, form_dry_run) {
        (Some(q), Some(f)) if q != f => {
            return Err(bad_field(
                "dry_run",
                "the query and the form disagree; give it once".into(),
            ))
        }
        (q, f) => q.or(f).unwrap_or(true),
    };
    if files.is_empty() {
        return Err(bad_field(
            "file",
            "no file uploaded; add one or more `file` parts (GeoJSON, zipped shapefile, GPKG, KML, FGB, CSV)".into(),
        ));
    }
    Ok(UploadRequest {
        files,
        options,
        dry_run,
    })
}

/// レイヤの取込み（検証・差分・保存） Upload a layer: every feature is validated (repairs
/// listed, rejections with feature and reason), compared with the active version (features
/// added/removed, area change) and the candidate sites re-assessed with it. A dry run
/// (default) stores nothing; `dry_run=false` stores it as a new version, not activated.
/// Nothing active changes either way.
#[utoipa::path(
    post,
    path = "/api/layers/{kind}",
    tag = "admin",
    params(("kind" = LayerKind, Path, description = "Layer kind"), UploadQuery),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The validation report, the difference from the active version and the impact; with dry_run=false the stored version", body = UploadResponse),
        (status = 400, description = "A form field is wrong or no file was sent", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token or an invalid one (WWW-Authenticate: Bearer)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown layer kind", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The server does not serve from a layer store", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The upload, its unzipped size, features or vertices exceed the limits", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not multipart/form-data", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The files cannot be imported (unreadable, wrong CRS, undecodable text, no usable feature…): the detail says what to fix", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn upload(
    State(state): State<AppState>,
    Path(kind): Path<String>,
    ApiQuery(query): ApiQuery<UploadQuery>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> AdminResult {
    let kind = kind_of(&kind)?;
    let caller = authorize(&state, &headers, Role::Uploader)?;
    require_store(&state)?;
    let multipart = multipart.map_err(|e| {
        ApiError::new(
            "unsupported_media_type",
            format!(
                "ファイルは multipart/form-data で送ってください / Send the files as multipart/form-data: {}",
                e.body_text()
            ),
        )
    })?;
    let request = read_form(&state, kind, query.dry_run, multipart).await?;
    let admin = state.admin.clone();
    let _permit = admin.imports.acquire().await.map_err(ApiError::internal)?;
    let response = blocking(move || {
        // The upload's parse and the catalog built to compare with are gone by now.
        let response = run_upload(&state, kind, &caller, request);
        return_freed_memory();
        response
    })
    .await??;
    Ok(ok_json(&response))
}

fn run_upload(
    state: &AppState,
    kind: LayerKind,
    caller: &Caller,
    request: UploadRequest,
) -> Result<UploadResponse, ApiError> {
    let admin = &state.admin;
    resync(admin, &state.loaded).map_err(|e| admin_error(e, "store_conflict"))?;
    let UploadRequest {
        files,
        options,
        dry_run,
    } = request;
    let prepared = match prepare(files, &options) {
        Ok(p) => p,
        Err(e) => {
            if !matches!(e, IngestError::Internal(_)) {
                let detail: String = e.to_string().chars().take(1000).collect();
                if let Err(a) = admin.store().map_err(|e| e.to_string()).and_then(|s| {
                    s.audit_only(&caller.name, "refused", kind, &detail)
                        .map_err(|e| e.to_string())
                }) {
                    tracing::error!("cannot write the audit log: {a}");
                }
            }
            return Err(ingest_error(e, "store_conflict"));
        }
    };
    let report = &prepared.report;
    let counts = &report.counts;
    // With the store locked: the catalog with the upload in place, the served snapshot it
    // is compared with, and the new version when it is stored.
    let (current, new_catalog, version) = {
        let mut store = admin.store().map_err(|e| admin_error(e, "store_conflict"))?;
        let current = state.loaded.load_full();
        let new_catalog = catalog_with(&store, prepared.raw.clone()).map_err(|e| admin_error(e, "store_conflict"))?;
        let version = if dry_run {
            let detail = format!(
                "dry run: {} read, {} accepted ({} repaired), {} rejected, {} flagged",
                counts.read, counts.accepted, counts.repaired, counts.rejected, counts.flagged
            );
            store
                .audit_only(&caller.name, "validate", kind, &detail)
                .map_err(|e| ingest_error(e, "store_conflict"))?;
            None
        } else {
            Some(
                store
                    .add_version(&prepared, &caller.name)
                    .map_err(|e| ingest_error(e, "store_conflict"))?,
            )
        };
        (current, new_catalog, version)
    };
    // The difference from the served (= active) version of this kind.
    let before = match current.collections.get(&kind) {
        None => None,
        Some(c) => {
            let meta = current.catalog.info(kind).map(|i| i.meta.clone()).unwrap_or_default();
            let features = c
                .features
                .iter()
                .enumerate()
                .map(|(i, f)| Compared {
                    id: f.id.to_string(),
                    geometry: Cow::Owned(GeoJsonGeometry::of_feature(&current, kind, i).to_geometry()),
                    properties: Cow::Owned(f.properties_map()),
                })
                .collect();
            Some((meta.version, meta.sha256, features))
        }
    };
    let after: Vec<Compared<'_>> = prepared
        .raw
        .features
        .iter()
        .map(|f| Compared {
            id: f.id.to_string(),
            geometry: Cow::Borrowed(&f.geometry),
            properties: Cow::Borrowed(&f.properties),
        })
        .collect();
    let diff = diff_layer(kind, before, after);
    let impact = impact(state, &current, &new_catalog)?;
    let report_url = match version {
        Some(v) => format!("/api/layers/{kind}/reports/v{v}"),
        None => {
            let text = serde_json::to_vec(report).map_err(ApiError::internal)?;
            let id = hex::encode(&Sha256::digest(&text)[..8]);
            admin.keep_report(id.clone(), Arc::new(report.clone()));
            format!("/api/layers/{kind}/reports/{id}")
        }
    };
    let mut listed = report.clone();
    listed.problems.truncate(LISTED_PROBLEMS);
    let next = match version {
        Some(v) => format!(
            "バージョン {v} を保存しました。有効化: POST /api/layers/{kind}/activate {{\"version\": {v}}} / Stored as version {v}; activate it with POST /api/layers/{kind}/activate {{\"version\": {v}}}"
        ),
        None => format!(
            "検証のみ（何も保存していません）。保存するには同じフォームを POST /api/layers/{kind}?dry_run=false で送ってください / Dry run: nothing stored. To store it, send the same form to POST /api/layers/{kind}?dry_run=false"
        ),
    };
    Ok(UploadResponse {
        kind,
        dry_run,
        version,
        actor: caller.name.clone(),
        summary: report.summary(0),
        problems_total: report.problems.len(),
        report: listed,
        report_url,
        diff,
        impact,
        next,
    })
}

/// The candidate sites and daily-life areas whose answers differ with the new catalog.
fn impact(
    state: &AppState,
    current: &crate::server::state::Loaded,
    new_catalog: &crate::engine::catalog::Catalog,
) -> Result<Impact, ApiError> {
    let rubric = current.rubrics.get(None)?;
    let areas = area_changes(&current.catalog, new_catalog, &rubric);
    let (source, sites, note) = match state.candidate_file() {
        None => (None, Vec::new(), None),
        Some(path) => {
            let name = Some(path.display().to_string());
            match read_sites(&path, None) {
                Ok(sites) => (name, sites, None),
                Err(e) => {
                    tracing::warn!(path = %path.display(), "candidate sites unreadable: {e}");
                    (
                        name,
                        Vec::new(),
                        Some(format!(
                            "候補地ファイルを読めません / The candidate file cannot be read: {e}"
                        )),
                    )
                }
            }
        }
    };
    let changes = change_impact(
        &current.catalog,
        new_catalog,
        &sites,
        &rubric,
        &AssessOptions::default(),
    );
    let count = |f: ChangedField| changes.iter().filter(|c| c.changed.contains(&f)).count();
    Ok(Impact {
        candidates_source: source,
        candidates: sites.len(),
        candidates_changed: changes.len(),
        verdict_changed: count(ChangedField::Verdict),
        hazard_total_changed: count(ChangedField::HazardTotal),
        changes: changes.into_iter().take(LISTED_CHANGES).collect(),
        areas_changed: areas.len(),
        area_changes: areas.into_iter().take(LISTED_CHANGES).collect(),
        rubric: rubric.id.to_string(),
        note,
    })
}

// ------------------------------------------------------------------ activate / rollback

/// The body of `POST /api/layers/{kind}/activate`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivateRequest {
    /// The version to make active (`GET /api/layers/{kind}/versions`).
    pub version: u32,
}

/// What an activation or rollback did; the server already answers from the new version.
#[derive(Debug, Serialize, ToSchema)]
pub struct SwitchResponse {
    pub kind: LayerKind,
    /// `activate` or `rollback`.
    pub action: String,
    /// The version active now.
    pub version: u32,
    /// The version active before; null when there was none.
    #[schema(required = true)]
    pub previous_version: Option<u32>,
    /// SHA-256 of the active version's source files (as in every report's provenance).
    pub sha256: String,
    pub feature_count: usize,
    /// When the new snapshot was built (RFC 3339), as `/api/layers` shows.
    pub loaded_at: String,
    /// The token name recorded in the audit log.
    pub actor: String,
}

fn switched(s: Switched, action: &str, actor: String) -> Response {
    ok_json(&SwitchResponse {
        kind: s.kind,
        action: action.into(),
        version: s.version,
        previous_version: s.previous,
        sha256: s.sha256,
        feature_count: s.feature_count,
        loaded_at: s.loaded_at,
        actor,
    })
}

fn parse_activate(body: Result<Bytes, BytesRejection>) -> Result<ActivateRequest, ApiError> {
    let body = body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                "body_too_large",
                "本文が大きすぎます / The body is too large; send {\"version\": N}.",
            )
        } else {
            ApiError::new(
                "malformed_body",
                format!("本文を読めません / Cannot read the body: {}", r.body_text()),
            )
        }
    })?;
    let mut de = serde_json::Deserializer::from_slice(&body);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let inner = e.inner();
        let message = inner.to_string();
        let code = if inner.is_data() { "bad_request" } else { "malformed_json" };
        ApiError::new(
            code,
            format!(
                "本文は {{\"version\": 番号}} にしてください: {message} / The body must be {{\"version\": N}}: {message}"
            ),
        )
        .with_error(FieldError {
            field: Some("version".into()),
            line: Some(inner.line() as u64),
            column: Some(inner.column() as u64),
            message,
            ..Default::default()
        })
    })
}

/// バージョンの有効化 Make a stored version the active one. The server swaps its data
/// atomically: requests already running finish on the old version, the next ones see the
/// new one. Needs a token with role `admin`.
#[utoipa::path(
    post,
    path = "/api/layers/{kind}/activate",
    tag = "admin",
    params(("kind" = LayerKind, Path, description = "Layer kind")),
    request_body(content = ActivateRequest, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Activated; the server answers from it now", body = SwitchResponse),
        (status = 400, description = "The body is not {\"version\": N}", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token or an invalid one", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token may not activate (role uploader)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown kind or version", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The server does not serve from a layer store", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn activate(
    State(state): State<AppState>,
    Path(kind): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> AdminResult {
    let kind = kind_of(&kind)?;
    let caller = authorize(&state, &headers, Role::Admin)?;
    require_store(&state)?;
    let request = parse_activate(body)?;
    let actor = caller.name.clone();
    let done = blocking(move || {
        let done = switch(&state.admin, &state.loaded, kind, Some(request.version), &caller.name);
        // The replaced snapshot is gone unless a request still reads it.
        return_freed_memory();
        done
    })
    .await?
    .map_err(|e| admin_error(e, "unknown_version"))?;
    Ok(switched(done, "activate", actor))
}

/// ロールバック Re-activate the version that was active before the current one (two
/// rollbacks in a row toggle). Swapped in atomically like an activation. Needs role `admin`.
#[utoipa::path(
    post,
    path = "/api/layers/{kind}/rollback",
    tag = "admin",
    params(("kind" = LayerKind, Path, description = "Layer kind")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Rolled back; the server answers from that version now", body = SwitchResponse),
        (status = 401, description = "No token or an invalid one", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token may not roll back (role uploader)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown kind", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Nothing to roll back to, or no layer store", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn rollback(State(state): State<AppState>, Path(kind): Path<String>, headers: HeaderMap) -> AdminResult {
    let kind = kind_of(&kind)?;
    let caller = authorize(&state, &headers, Role::Admin)?;
    require_store(&state)?;
    let actor = caller.name.clone();
    let done = blocking(move || {
        let done = switch(&state.admin, &state.loaded, kind, None, &caller.name);
        return_freed_memory();
        done
    })
    .await?
    .map_err(|e| admin_error(e, "nothing_to_roll_back"))?;
    Ok(switched(done, "rollback", actor))
}

// ------------------------------------------------------------------ reads

/// The versions of one kind.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionsResponse {
    pub kind: LayerKind,
    /// The active version; null when none is.
    #[schema(required = true)]
    pub active_version: Option<u32>,
    /// Newest first, with provenance, file hashes and counts.
    pub versions: Vec<VersionInfo>,
}

/// バージョンの一覧 Every stored version of a kind, newest first, with its provenance and
/// validation counts; which one is active.
#[utoipa::path(
    get,
    path = "/api/layers/{kind}/versions",
    tag = "admin",
    params(("kind" = LayerKind, Path, description = "Layer kind")),
    responses(
        (status = 200, description = "The versions", body = VersionsResponse),
        (status = 404, description = "Unknown kind", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The server does not serve from a layer store", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn versions(State(state): State<AppState>, Path(kind): Path<String>) -> AdminResult {
    let kind = kind_of(&kind)?;
    require_store(&state)?;
    let response = blocking(move || -> Result<VersionsResponse, AdminError> {
        let store = state.admin.store()?;
        Ok(VersionsResponse {
            kind,
            active_version: store.active_version(kind)?,
            versions: store.versions(kind)?,
        })
    })
    .await?
    .map_err(|e| admin_error(e, "store_conflict"))?;
    Ok(ok_json(&response))
}

/// 検証結果の全件 The full validation report of an upload: `v{N}` for a stored version
/// (kept in the store), or the id an upload answer's `report_url` gives (the last 32
/// uploads, kept in memory until the server restarts).
#[utoipa::path(
    get,
    path = "/api/layers/{kind}/reports/{report_id}",
    tag = "admin",
    params(
        ("kind" = LayerKind, Path, description = "Layer kind"),
        ("report_id" = String, Path, description = "`v3` for stored version 3, or the id of an upload's `report_url`"),
    ),
    responses(
        (status = 200, description = "The full validation report", body = ImportReport),
        (status = 404, description = "Unknown kind, version or report", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The server does not serve from a layer store", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn report(State(state): State<AppState>, Path((kind, id)): Path<(String, String)>) -> AdminResult {
    let kind = kind_of(&kind)?;
    require_store(&state)?;
    if let Some(v) = id.strip_prefix('v').and_then(|v| v.parse::<u32>().ok()) {
        let report =
            blocking(move || -> Result<serde_json::Value, AdminError> { Ok(state.admin.store()?.report(kind, v)?) })
                .await?
                .map_err(|e| admin_error(e, "unknown_version"))?;
        return Ok(ok_json(&report));
    }
    match state.admin.report(&id).filter(|r| r.kind == kind) {
        Some(r) => Ok(ok_json(&*r)),
        None => Err(ApiError::not_found(format!(
            "検証結果「{id}」はありません（保存していない検証結果は直近 32 件をサーバの再起動まで保持します） / No report `{id}` for {kind}; unstored reports are kept for the last 32 uploads until the server restarts."
        ))
        .into()),
    }
}

/// `GET /api/audit` parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only this layer kind.
    pub kind: Option<String>,
    /// At most this many entries, newest first (default 500, at most 10,000).
    pub limit: Option<usize>,
}

/// The audit log, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditResponse {
    pub entries: Vec<AuditEntry>,
}

/// 変更履歴 The append-only audit log: who (token name, or the CLI user) validated,
/// imported, activated or rolled back what, and when. Newest first.
#[utoipa::path(
    get,
    path = "/api/audit",
    tag = "admin",
    params(AuditQuery),
    responses(
        (status = 200, description = "The audit log", body = AuditResponse),
        (status = 400, description = "Unknown parameter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown kind", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The server does not serve from a layer store", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn audit(State(state): State<AppState>, ApiQuery(q): ApiQuery<AuditQuery>) -> AdminResult {
    let kind = q.kind.as_deref().map(kind_of).transpose()?;
    require_store(&state)?;
    let limit = q.limit.unwrap_or(500).min(10_000);
    let mut entries =
        blocking(move || -> Result<Vec<AuditEntry>, AdminError> { Ok(state.admin.store()?.audit(kind)?) })
            .await?
            .map_err(|e| admin_error(e, "store_conflict"))?;
    entries.reverse();
    entries.truncate(limit);
    Ok(ok_json(&AuditResponse { entries }))
}
