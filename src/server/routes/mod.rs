//! Request handlers, one module per area of the API.

pub mod admin;
pub mod analytics;
pub mod assess;
pub mod docs;
pub mod features;
pub mod health;
pub mod info;
pub mod results;
pub mod web;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// `application/json` media type.
pub const JSON: &str = "application/json";
/// `application/geo+json` media type (RFC 7946).
pub const GEOJSON: &str = "application/geo+json";

/// Serialises `value` as a compact JSON response of `content_type`.
pub fn json_response<T: Serialize>(status: StatusCode, content_type: &'static str, value: &T) -> Response {
    let mut body = Vec::with_capacity(8 * 1024);
    match serde_json::to_writer(&mut body, value) {
        Ok(()) => (
            status,
            [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
            body,
        )
            .into_response(),
        Err(e) => crate::server::error::ApiError::internal(format!("serialising a response: {e}")).into_response(),
    }
}

/// A JSON `200 OK`.
pub fn ok_json<T: Serialize>(value: &T) -> Response {
    json_response(StatusCode::OK, JSON, value)
}
