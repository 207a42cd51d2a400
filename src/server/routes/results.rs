//! Stored results: `POST /api/results` assesses a site and keeps the report with the
//! request (see [`crate::server::results`]); `GET /api/results/{id}` gives it back as it
//! was, with a check of what the data loaded now would answer.

use crate::engine::assess::{AssessOptions, Assessor};
use crate::engine::report::Report;
use crate::io::sites::parse_geojson_sites;
use crate::server::error::{ApiError, FieldError, Problem};
use crate::server::extract::SiteBody;
use crate::server::results::{ResultRequest, ResultStore, StoredResult};
use crate::server::routes::json_response;
use crate::server::state::{now_rfc3339, AppState, Loaded};
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use serde::Serialize;
use std::sync::Arc;
use utoipa::ToSchema;

/// What the data loaded now answers for a stored result's request.
#[derive(Debug, Serialize, ToSchema)]
pub struct CurrentCheck {
    /// Every layer version (kind, version, file hash) and the rubric are the ones stored.
    pub same_data: bool,
    /// The current answer's summary differs from the stored one (verdict, hazard total,
    /// area, spacing…).
    pub changed: bool,
    /// Layer kinds whose active version differs from the stored one (added, removed or replaced).
    pub changed_layers: Vec<String>,
    /// The current answer's `summary`; null when the rubric is no longer offered.
    #[schema(value_type = Object)]
    pub summary: serde_json::Value,
    /// Set when the stored rubric is no longer offered (then `changed` is true).
    #[schema(required = true)]
    pub note: Option<String>,
}

/// A stored result, with its permalink and the check against the current data.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResultResponse {
    /// The permalink id.
    pub id: String,
    /// When it was stored (RFC 3339, UTC).
    pub created_at: String,
    /// The dataset name and the time its snapshot was loaded, when stored.
    pub dataset: String,
    pub data_loaded_at: String,
    pub request: ResultRequest,
    /// The site report (`Report` schema) as stored.
    #[schema(value_type = Object)]
    pub report: serde_json::Value,
    /// The permalink page (`/r/{id}`).
    pub url: String,
    pub current: CurrentCheck,
}

fn assess(loaded: &Loaded, request: &ResultRequest) -> Result<Report, ApiError> {
    let rubric = loaded.rubrics.get(request.rubric.as_deref())?;
    if request.site.get("type").and_then(|t| t.as_str()) == Some("FeatureCollection") {
        return Err(ApiError::new(
            "not_geojson",
            "site には1件の geometry か Feature を指定してください / `site` must be one geometry or Feature.",
        ));
    }
    let text = request.site.to_string();
    let mut inputs = parse_geojson_sites(&text, None)?;
    // Invariant: a geometry or a Feature yields exactly one input.
    let input = inputs
        .pop()
        .ok_or_else(|| ApiError::internal("no input parsed from a single site"))?;
    if let Err(e) = &input.site {
        return Err(ApiError::invalid_site("site", e));
    }
    let options = AssessOptions {
        k: request.k,
        types: request
            .types
            .as_ref()
            .map(|t| t.iter().map(|s| Arc::from(s.as_str())).collect()),
    };
    Ok(Assessor {
        catalog: &loaded.catalog,
        rubric: &rubric,
    }
    .assess(&input, &options))
}

/// The layers of a report's provenance as (kind, version, sha256).
fn layer_keys(report: &serde_json::Value) -> Vec<(String, String, String)> {
    let mut keys: Vec<(String, String, String)> = report["provenance"]["layers"]
        .as_array()
        .map(|layers| {
            layers
                .iter()
                .map(|l| {
                    let s = |k: &str| l[k].as_str().unwrap_or_default().to_string();
                    (s("kind"), s("version"), s("sha256"))
                })
                .collect()
        })
        .unwrap_or_default();
    keys.sort();
    keys
}

fn check(loaded: &Loaded, stored: &StoredResult) -> Result<CurrentCheck, ApiError> {
    if loaded.rubrics.get(stored.request.rubric.as_deref()).is_err() {
        return Ok(CurrentCheck {
            same_data: false,
            changed: true,
            changed_layers: Vec::new(),
            summary: serde_json::Value::Null,
            note: Some(format!(
                "評価基準「{}」は現在提供されていません / The rubric `{}` is no longer offered.",
                stored.report["rubric"]["id"].as_str().unwrap_or("?"),
                stored.report["rubric"]["id"].as_str().unwrap_or("?")
            )),
        });
    }
    let now = serde_json::to_value(assess(loaded, &stored.request)?).map_err(ApiError::internal)?;
    let (old_layers, new_layers) = (layer_keys(&stored.report), layer_keys(&now));
    let mut changed_layers: Vec<String> = old_layers
        .iter()
        .filter(|l| !new_layers.contains(l))
        .chain(new_layers.iter().filter(|l| !old_layers.contains(l)))
        .map(|l| l.0.clone())
        .collect();
    changed_layers.sort();
    changed_layers.dedup();
    let same_rubric = now["rubric"] == stored.report["rubric"];
    Ok(CurrentCheck {
        same_data: changed_layers.is_empty() && same_rubric,
        changed: now["summary"] != stored.report["summary"],
        changed_layers,
        summary: now["summary"].clone(),
        note: None,
    })
}

fn respond(status: StatusCode, stored: StoredResult, current: CurrentCheck) -> Response {
    let url = format!("/r/{}", stored.id);
    let mut response = json_response(
        status,
        crate::server::routes::JSON,
        &ResultResponse {
            id: stored.id,
            created_at: stored.created_at,
            dataset: stored.dataset,
            data_loaded_at: stored.data_loaded_at,
            request: stored.request,
            report: stored.report,
            url: url.clone(),
            current,
        },
    );
    if status == StatusCode::CREATED {
        if let Ok(v) = HeaderValue::from_str(&url) {
            response.headers_mut().insert(header::LOCATION, v);
        }
    }
    response
}

fn store_error(e: crate::server::results::ResultsError) -> ApiError {
    ApiError::internal(e)
}

/// 結果の保存 Assess a site and store the result for a permalink.
///
/// The server assesses the site itself (the body carries the request, not a report) and
/// stores the report with the request. The answer is the stored result with its
/// permalink `url` (`/r/{id}`, also in `Location`). The same site, data and rubric give
/// the same id.
#[utoipa::path(
    post,
    path = "/api/results",
    tag = "results",
    request_body(content = ResultRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "Stored", body = ResultResponse,
            headers(("location" = String, description = "The permalink page"))),
        (status = 400, description = "Malformed JSON, an unknown field or rubric", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Content-Type is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a GeoJSON geometry or Feature, an invalid geometry or coordinates outside Japan", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn store_result(State(state): State<AppState>, SiteBody(body): SiteBody) -> Result<Response, ApiError> {
    let request: ResultRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(
            "malformed_json",
            format!("本文を読めません / Cannot read the body: {e}"),
        )
        .with_error(FieldError {
            field: Some("body".into()),
            line: Some(e.line() as u64),
            column: Some(e.column() as u64),
            message: e.to_string(),
            ..Default::default()
        })
    })?;
    let loaded = state.loaded.load_full();
    let store = ResultStore::new(&state.settings.state_dir);
    let (stored, current) = tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
        let report = serde_json::to_value(assess(&loaded, &request)?).map_err(ApiError::internal)?;
        let current = CurrentCheck {
            same_data: true,
            changed: false,
            changed_layers: Vec::new(),
            summary: report["summary"].clone(),
            note: None,
        };
        let stored = store
            .save(
                request,
                report,
                &loaded.dataset.name,
                &loaded.dataset.loaded_at,
                &now_rfc3339(),
            )
            .map_err(store_error)?;
        Ok((stored, current))
    })
    .await
    .map_err(ApiError::internal)??;
    Ok(respond(StatusCode::CREATED, stored, current))
}

/// 保存した結果 A stored result, with what the current data would answer.
#[utoipa::path(
    get,
    path = "/api/results/{id}",
    tag = "results",
    params(("id" = String, Path, description = "The result id (hex)")),
    responses(
        (status = 200, description = "The stored result", body = ResultResponse),
        (status = 404, description = "No such result", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_result(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let loaded = state.loaded.load_full();
    let store = ResultStore::new(&state.settings.state_dir);
    let answer = tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
        let Some(stored) = store.load(&id).map_err(store_error)? else {
            return Ok(None);
        };
        let current = check(&loaded, &stored)?;
        Ok(Some((stored, current)))
    })
    .await
    .map_err(ApiError::internal)??;
    match answer {
        Some((stored, current)) => Ok(respond(StatusCode::OK, stored, current)),
        None => Err(ApiError::not_found(
            "この結果は保存されていません（id を確認してください） / No stored result with this id.",
        )),
    }
}
