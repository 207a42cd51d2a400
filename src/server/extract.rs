//! Extractors that turn request data into typed values at the edge, rejecting with the
//! API's problem shape: query strings ([`ApiQuery`]), site bodies ([`SiteBody`],
//! [`BatchBody`]) and the `Accept` header ([`negotiate`]).

use crate::server::error::{ApiError, FieldError};
use crate::server::state::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use serde::de::DeserializeOwned;

/// A query string parsed into `T` (`serde` with `deny_unknown_fields` where strictness is
/// wanted); a missing, unknown or unreadable parameter is a 400 naming it.
#[derive(Debug, Clone)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parse_query(parts.uri.query().unwrap_or_default()).map(ApiQuery)
    }
}

/// Parses a query string, naming the offending parameter on failure.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let message = e.inner().to_string();
        let path = e.path().to_string();
        let field = if path != "." && !path.is_empty() {
            Some(path)
        } else {
            // "missing field `lon`", "unknown field `x`, expected one of …"
            message.split('`').nth(1).map(String::from)
        };
        ApiError::bad_query(field, message)
    })
}

/// The media types a site body may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyType {
    /// `application/geo+json` or `application/json`.
    GeoJson,
    /// `text/csv` (or `text/tab-separated-values`), UTF-8 or Shift_JIS.
    Csv,
}

fn body_type(headers: &HeaderMap, accepted: &[BodyType]) -> Result<BodyType, ApiError> {
    let given = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let essence = given
        .and_then(|v| v.parse::<mime::Mime>().ok())
        .map(|m| m.essence_str().to_ascii_lowercase());
    let found = match essence.as_deref() {
        Some("application/geo+json" | "application/json") => Some(BodyType::GeoJson),
        Some("text/csv" | "text/tab-separated-values") => Some(BodyType::Csv),
        _ => None,
    };
    match found {
        Some(t) if accepted.contains(&t) => Ok(t),
        _ => {
            let names: Vec<&str> = accepted
                .iter()
                .flat_map(|t| match t {
                    BodyType::GeoJson => ["application/geo+json", "application/json"],
                    BodyType::Csv => ["text/csv", "text/tab-separated-values"],
                })
                .collect();
            let given = given.unwrap_or("(none)");
            Err(ApiError::new(
                "unsupported_media_type",
                format!(
                    "Content-Type「{given}」には対応していません。{} のいずれかを指定してください / Content-Type `{given}` is not supported; send one of {}.",
                    names.join(", "),
                    names.join(", ")
                ),
            )
            .with_error(FieldError {
                field: Some("Content-Type".into()),
                message: format!("expected one of {}", names.join(", ")),
                ..Default::default()
            }))
        }
    }
}

async fn read_body(request: Request, limit: usize) -> Result<Bytes, ApiError> {
    Bytes::from_request(request, &()).await.map_err(|rejection| {
        if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                "body_too_large",
                format!(
                    "リクエスト本文が上限 {limit} バイトを超えています。分割して送ってください / The request body exceeds the limit of {limit} bytes; split it."
                ),
            )
        } else {
            ApiError::new(
                "malformed_body",
                format!("リクエスト本文を読めません / Cannot read the request body: {}", rejection.body_text()),
            )
        }
    })
}

/// The body of a single-site request: a GeoJSON geometry or Feature.
#[derive(Debug)]
pub struct SiteBody(pub Bytes);

impl FromRequest<AppState> for SiteBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        body_type(request.headers(), &[BodyType::GeoJson])?;
        Ok(SiteBody(read_body(request, state.settings.limits.body_bytes).await?))
    }
}

/// The body of a batch request: a GeoJSON FeatureCollection or a CSV.
#[derive(Debug)]
pub struct BatchBody {
    pub body_type: BodyType,
    pub bytes: Bytes,
}

impl FromRequest<AppState> for BatchBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let body_type = body_type(request.headers(), &[BodyType::GeoJson, BodyType::Csv])?;
        let bytes = read_body(request, state.settings.limits.batch_body_bytes).await?;
        Ok(BatchBody { body_type, bytes })
    }
}

/// Picks the offer the `Accept` header prefers (quality values honoured; `*/*`, a
/// missing header or an empty one choose `default`). 406 when nothing offered is acceptable.
pub fn negotiate<T: Copy>(headers: &HeaderMap, offers: &[(&str, T)], default: T) -> Result<T, ApiError> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Ok(default);
    };
    let mut ranges: Vec<(f32, String)> = accept
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let range = parts.next()?.trim().to_ascii_lowercase();
            if range.is_empty() {
                return None;
            }
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            Some((q, range))
        })
        .filter(|(q, _)| *q > 0.0)
        .collect();
    if ranges.is_empty() {
        return Ok(default);
    }
    // Stable: equal qualities keep the client's order.
    ranges.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (_, range) in &ranges {
        if range == "*/*" {
            return Ok(default);
        }
        if let Some((_, t)) = offers.iter().find(|(m, _)| m == range) {
            return Ok(*t);
        }
        if let Some(kind) = range.strip_suffix("/*") {
            if let Some((_, t)) = offers.iter().find(|(m, _)| m.split('/').next() == Some(kind)) {
                return Ok(*t);
            }
        }
    }
    let names: Vec<&str> = offers.iter().map(|(m, _)| *m).collect();
    Err(ApiError::new(
        "not_acceptable",
        format!(
            "Accept「{accept}」の形式では返せません。{} のいずれかを指定してください / Cannot answer in `{accept}`; accept one of {}.",
            names.join(", "),
            names.join(", ")
        ),
    )
    .with_error(FieldError {
        field: Some("Accept".into()),
        message: format!("offered: {}", names.join(", ")),
        ..Default::default()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn accept(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, HeaderValue::from_str(v).unwrap());
        h
    }

    const OFFERS: &[(&str, u8)] = &[
        ("application/x-ndjson", 1),
        ("application/geo+json", 2),
        ("text/csv", 3),
    ];

    #[test]
    fn accept_negotiation_honours_quality_and_wildcards() {
        assert_eq!(negotiate(&HeaderMap::new(), OFFERS, 1).unwrap(), 1);
        assert_eq!(negotiate(&accept("text/csv"), OFFERS, 1).unwrap(), 3);
        assert_eq!(
            negotiate(&accept("text/csv;q=0.5, application/geo+json"), OFFERS, 1).unwrap(),
            2
        );
        assert_eq!(negotiate(&accept("text/*"), OFFERS, 1).unwrap(), 3);
        assert_eq!(negotiate(&accept("text/html, */*;q=0.1"), OFFERS, 1).unwrap(), 1);
        assert_eq!(
            negotiate(&accept("text/html").clone(), OFFERS, 1).unwrap_err().status,
            406
        );
        assert_eq!(negotiate(&accept("text/csv;q=0"), OFFERS, 1).unwrap(), 1);
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Q {
        lon: f64,
        k: Option<usize>,
    }

    #[test]
    fn query_errors_name_the_parameter() {
        assert_eq!(parse_query::<Q>("lon=141&k=3").unwrap().k, Some(3));
        let e = parse_query::<Q>("lon=east").unwrap_err();
        assert_eq!(e.errors[0].field.as_deref(), Some("lon"));
        let e = parse_query::<Q>("k=3").unwrap_err();
        assert_eq!(e.errors[0].field.as_deref(), Some("lon"));
        let e = parse_query::<Q>("lon=141&zoom=3").unwrap_err();
        assert_eq!(e.errors[0].field.as_deref(), Some("zoom"));
    }
}
