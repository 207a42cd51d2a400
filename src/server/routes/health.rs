//! Liveness and readiness.

use crate::server::error::{ApiError, Problem};
use crate::server::routes::ok_json;
use crate::server::state::AppState;
use axum::extract::State;
use axum::response::Response;
use serde::Serialize;
use std::sync::atomic::Ordering;
use utoipa::ToSchema;

/// Liveness.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    pub status: String,
    pub version: String,
}

/// 稼働確認 Liveness: the process answers.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "service",
    responses((status = 200, description = "The process is alive", body = Health))
)]
pub async fn healthz() -> Response {
    ok_json(&Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    })
}

/// Readiness.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ready {
    /// Always `ready`.
    pub status: String,
    pub dataset: String,
    /// When the active data was loaded (RFC 3339).
    pub loaded_at: String,
    /// Layers loaded, out of the nine kinds.
    pub layers: usize,
    pub rubrics: usize,
}

/// 準備完了確認 Readiness: data loaded and not shutting down.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "service",
    responses(
        (status = 200, description = "Ready to answer", body = Ready),
        (status = 503, description = "Shutting down", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn readyz(State(state): State<AppState>) -> Result<Response, ApiError> {
    if state.draining.load(Ordering::Relaxed) {
        return Err(ApiError::new(
            "shutting_down",
            "停止処理中のため新しいリクエストを受け付けません / The server is shutting down.",
        ));
    }
    let loaded = state.loaded.load();
    Ok(ok_json(&Ready {
        status: "ready".into(),
        dataset: loaded.dataset.name.clone(),
        loaded_at: loaded.dataset.loaded_at.clone(),
        layers: loaded.catalog.infos().count(),
        rubrics: loaded.rubrics.by_id.len(),
    }))
}
