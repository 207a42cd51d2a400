//! The API's one error type, rendered as RFC 9457 `application/problem+json`.
//!
//! Handlers and extractors return [`ApiError`]. Its response carries the [`Problem`] in
//! an extension; the [`problem_details`] middleware, which sees every response, fills in
//! `instance` and `request_id`, writes the body, and turns any other 4xx/5xx (an unknown
//! route, a wrong method, a timeout, a panic) into a problem too. 5xx details are
//! logged with the request id and never sent to the client.
//!
//! Titles and details read Japanese first, then English, as the engine's messages do.

use crate::engine::report::SiteErrorReport;
use crate::io::crs::CrsError;
use crate::io::sites::SitesError;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem detail, with two extension members: `code` (stable,
/// machine-readable) and `errors` (what exactly to fix, by field or line).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the problem type; it resolves to its entry on `/api/docs`.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// Short summary, Japanese first: `日本語 / English`.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong and how to fix it, Japanese and English.
    pub detail: String,
    /// The request path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Stable machine-readable code, e.g. `malformed_json`, `coordinates_outside_japan`.
    pub code: String,
    /// The individual problems, each naming the field, or the line and column, to fix.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// The request id (also in the `x-request-id` response header); quote it when reporting a 5xx.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// One precise problem inside a request.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct FieldError {
    /// The query parameter, body member or CSV column concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// 1-based line in the body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// 1-based column in the body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u64>,
    /// A finer machine-readable code, e.g. the engine's rejection code (`invalid_polygon`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub message: String,
}

/// Every problem code the API returns, with its status and title (documented on `/api/docs`).
pub const PROBLEM_CODES: &[(&str, u16, &str)] = &[
    ("bad_query", 400, "クエリパラメータが不正です / Invalid query parameter"),
    ("unknown_rubric", 400, "評価基準が見つかりません / Unknown rubric"),
    (
        "unknown_crs",
        400,
        "座標参照系が不正です / Unknown coordinate reference system",
    ),
    ("malformed_json", 400, "JSON の構文エラーです / Malformed JSON"),
    ("bad_request", 400, "不正なリクエストです / Bad request"),
    (
        "malformed_body",
        400,
        "リクエスト本文を読めません / Unreadable request body",
    ),
    ("not_geojson", 422, "GeoJSON ではありません / Not GeoJSON"),
    (
        "invalid_site",
        422,
        "候補地のジオメトリが不正です / Invalid site geometry",
    ),
    (
        "coordinates_outside_japan",
        422,
        "座標が日本の範囲外です / Coordinates outside Japan",
    ),
    (
        "crs_transform_failed",
        422,
        "座標を変換できません / Coordinates cannot be transformed",
    ),
    ("no_sites", 422, "候補地がありません / No sites in the request"),
    (
        "no_coordinate_columns",
        422,
        "CSV に座標の列がありません / No coordinate columns in the CSV",
    ),
    (
        "bad_override",
        400,
        "評価基準の変更が不正です / Invalid rubric override",
    ),
    ("too_many_cells", 422, "セルが多すぎます / Too many grid cells"),
    (
        "no_extent",
        422,
        "市の範囲が分かりません / The city's extent is unknown",
    ),
    ("search_too_large", 422, "探索範囲が大きすぎます / Search too large"),
    (
        "bad_upload",
        400,
        "アップロードのフォームが不正です / Invalid upload form",
    ),
    ("unauthorized", 401, "トークンが必要です / A valid token is required"),
    (
        "forbidden",
        403,
        "このトークンには権限がありません / This token may not do that",
    ),
    ("not_found", 404, "見つかりません / Not found"),
    (
        "unknown_version",
        404,
        "そのバージョンはありません / No such layer version",
    ),
    (
        "no_store",
        409,
        "レイヤストアがありません / The server has no layer store",
    ),
    (
        "nothing_to_roll_back",
        409,
        "戻せるバージョンがありません / Nothing to roll back to",
    ),
    (
        "store_conflict",
        409,
        "レイヤストアが要求を受け付けません / The layer store refused the request",
    ),
    (
        "import_too_large",
        413,
        "取込みの上限を超えています / The upload exceeds an import limit",
    ),
    (
        "import_refused",
        422,
        "このファイルは取り込めません / The files cannot be imported",
    ),
    (
        "method_not_allowed",
        405,
        "このメソッドは使えません / Method not allowed",
    ),
    ("not_acceptable", 406, "その形式では返せません / Not acceptable"),
    (
        "body_too_large",
        413,
        "リクエスト本文が大きすぎます / Request body too large",
    ),
    (
        "too_many_sites",
        413,
        "候補地が多すぎます / Too many sites in one batch",
    ),
    (
        "unsupported_media_type",
        415,
        "対応していない Content-Type です / Unsupported media type",
    ),
    ("internal_error", 500, "内部エラー / Internal server error"),
    ("shutting_down", 503, "停止処理中です / Shutting down"),
    (
        "unavailable",
        503,
        "処理が時間内に終わりませんでした / Request timed out",
    ),
];

fn title_of(code: &str) -> &'static str {
    PROBLEM_CODES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map_or("エラー / Error", |(_, _, t)| t)
}

/// The problem type URI of a code.
pub fn problem_type(code: &str) -> String {
    format!("/api/docs#problem-{code}")
}

/// An error answered to the client. Build it with the constructors; it renders as a
/// [`Problem`]. `internal` holds what is logged but never sent (5xx only).
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub title: String,
    pub detail: String,
    pub errors: Vec<FieldError>,
    internal: Option<String>,
}

/// What the middleware needs from an error response (kept in the response extensions).
#[derive(Debug, Clone)]
struct PendingProblem {
    problem: Problem,
    internal: Option<String>,
}

impl ApiError {
    /// An error of a documented code, with its status and title.
    pub fn new(code: &'static str, detail: impl Into<String>) -> ApiError {
        let status = PROBLEM_CODES
            .iter()
            .find(|(c, _, _)| *c == code)
            .and_then(|(_, s, _)| StatusCode::from_u16(*s).ok())
            .unwrap_or(StatusCode::BAD_REQUEST);
        ApiError {
            status,
            code,
            title: title_of(code).to_string(),
            detail: detail.into(),
            errors: Vec::new(),
            internal: None,
        }
    }

    /// Adds one precise problem.
    pub fn with_error(mut self, error: FieldError) -> ApiError {
        self.errors.push(error);
        self
    }

    /// A query parameter that is missing, unknown or unreadable.
    pub fn bad_query(field: Option<String>, message: impl Into<String>) -> ApiError {
        let message = message.into();
        let detail = match &field {
            Some(f) => format!("クエリパラメータ `{f}` が不正です: {message} / Query parameter `{f}`: {message}"),
            None => format!("クエリ文字列を読めません: {message} / Cannot read the query string: {message}"),
        };
        ApiError::new("bad_query", detail).with_error(FieldError {
            field,
            message,
            ..Default::default()
        })
    }

    /// An unknown resource.
    pub fn not_found(detail: impl Into<String>) -> ApiError {
        ApiError::new("not_found", detail)
    }

    /// A server fault: `internal` is logged with the request id, the client sees a generic message.
    pub fn internal(internal: impl std::fmt::Display) -> ApiError {
        let mut e = ApiError::new(
            "internal_error",
            "サーバ内部でエラーが発生しました。request_id を添えて管理者に連絡してください / An internal error occurred; report the request_id to the administrator.",
        );
        e.internal = Some(internal.to_string());
        e
    }

    /// A site the engine rejected (invalid geometry, outside Japan, untransformable);
    /// `field` names where it came from (`lon/lat`, `geometry`).
    pub fn invalid_site(field: &str, e: &SiteErrorReport) -> ApiError {
        let code = match e.code.as_str() {
            "coordinates_outside_japan" => "coordinates_outside_japan",
            "crs_transform_failed" => "crs_transform_failed",
            _ => "invalid_site",
        };
        ApiError::new(code, e.message.clone()).with_error(FieldError {
            field: Some(field.to_string()),
            code: Some(e.code.clone()),
            message: e.message.clone(),
            ..Default::default()
        })
    }

    /// A CRS named in the request that cannot be used.
    pub fn crs(field: &str, e: &CrsError) -> ApiError {
        let code = match e {
            CrsError::Unknown(_) => "unknown_crs",
            CrsError::Unsupported { .. } => "unknown_crs",
            CrsError::Transform { .. } => "crs_transform_failed",
        };
        ApiError::new(code, e.to_string()).with_error(FieldError {
            field: Some(field.to_string()),
            message: e.to_string(),
            ..Default::default()
        })
    }

    fn into_pending(self) -> (StatusCode, PendingProblem) {
        let problem = Problem {
            problem_type: problem_type(self.code),
            title: self.title,
            status: self.status.as_u16(),
            detail: self.detail,
            instance: None,
            code: self.code.to_string(),
            errors: self.errors,
            request_id: None,
        };
        (
            self.status,
            PendingProblem {
                problem,
                internal: self.internal,
            },
        )
    }
}

impl From<SitesError> for ApiError {
    /// A site list (GeoJSON or CSV body) that cannot be read at all.
    fn from(e: SitesError) -> ApiError {
        let message = e.to_string();
        match e {
            SitesError::InFile { error, .. } => ApiError::from(*error),
            SitesError::Json { line, column, reason } => {
                ApiError::new("malformed_json", message).with_error(FieldError {
                    field: Some("body".into()),
                    line: Some(line as u64),
                    column: Some(column as u64),
                    message: reason,
                    ..Default::default()
                })
            }
            SitesError::NotGeoJson { .. } => ApiError::new("not_geojson", message),
            SitesError::NotUtf8 { .. } | SitesError::UnknownEncoding | SitesError::Csv { .. } => {
                ApiError::new("malformed_body", message)
            }
            SitesError::Crs(crs) => ApiError::crs("crs", &crs),
            SitesError::NoCoordinateColumns { .. } => ApiError::new("no_coordinate_columns", message),
            SitesError::NoSites => ApiError::new("no_sites", message),
            SitesError::Read { .. } => ApiError::internal(message),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, pending) = self.into_pending();
        let mut response = status.into_response();
        response.extensions_mut().insert(pending);
        response
    }
}

/// The generic problem for an error response that no handler described.
fn generic(status: StatusCode) -> ApiError {
    match status {
        StatusCode::NOT_FOUND => ApiError::not_found(
            "このパスにはリソースがありません。/api/docs で一覧を確認してください / No resource at this path; see /api/docs for the endpoints.",
        ),
        StatusCode::METHOD_NOT_ALLOWED => ApiError::new(
            "method_not_allowed",
            "このパスはこのメソッドに対応していません（Allow ヘッダを参照） / This path does not accept this method; see the Allow header.",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            "body_too_large",
            "リクエスト本文が上限を超えています / The request body exceeds the limit.",
        ),
        StatusCode::REQUEST_TIMEOUT | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT => {
            let mut e = ApiError::new(
                "unavailable",
                "処理が制限時間内に終わりませんでした。件数を減らすか、時間をおいて再試行してください / The request did not complete in time; send fewer sites or retry later.",
            );
            e.status = status;
            e
        }
        s if s.is_server_error() => ApiError::internal(format!("unhandled {s} response")),
        s => {
            let mut e = ApiError::new(
                "bad_request",
                format!(
                    "リクエストを処理できません / The request cannot be processed ({}).",
                    s.canonical_reason().unwrap_or("error")
                ),
            );
            e.status = s;
            e.title = format!("エラー / {}", s.canonical_reason().unwrap_or("Error"));
            e
        }
    }
}

/// Middleware: every 4xx/5xx leaves as `application/problem+json` with `instance` and
/// `request_id`; 5xx internals are logged here.
pub async fn problem_details(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let mut response = next.run(request).await;
    let status = response.status();
    let pending = response.extensions_mut().remove::<PendingProblem>();
    let pending = match pending {
        Some(p) => p,
        None if status.is_client_error() || status.is_server_error() => {
            let already = response
                .headers()
                .get(header::CONTENT_TYPE)
                .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
            if already {
                return response;
            }
            let mut e = generic(status);
            e.status = status;
            e.into_pending().1
        }
        None => return response,
    };
    let PendingProblem { mut problem, internal } = pending;
    problem.instance = Some(path);
    problem.request_id = request_id;
    if status.is_server_error() {
        tracing::error!(
            status = status.as_u16(),
            request_id = problem.request_id.as_deref().unwrap_or("-"),
            instance = problem.instance.as_deref().unwrap_or("-"),
            internal = internal.as_deref().unwrap_or("-"),
            "request failed"
        );
    }
    // Invariant: a Problem is plain strings and numbers, which always serialise.
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts
        .headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    Response::from_parts(parts, axum::body::Body::from(body))
}
