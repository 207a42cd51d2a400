//! Assessment: one point (GET), one site (POST), a batch (POST, streamed).
//!
//! Every answer is the engine's report (SPEC §5), exactly as the CLI writes it.

use crate::engine::assess::{AssessOptions, Assessor, SiteInput};
use crate::engine::report::Report;
use crate::engine::rubric::Rubric;
use crate::io::batch::write_batch;
use crate::io::crs::Crs;
use crate::io::output::{Format, ReportWriter};
use crate::io::sites::{parse_csv_sites, parse_geojson_sites, point_site, SitesError};
use crate::server::error::{ApiError, FieldError, Problem};
use crate::server::extract::{negotiate, ApiQuery, BatchBody, BodyType, SiteBody};
use crate::server::openapi::{ReportFeatureCollection, SiteFeatureCollection, SiteGeoJson};
use crate::server::routes::ok_json;
use crate::server::state::{AppState, Loaded};
use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use std::io::{self, Write};
use std::sync::Arc;
use tokio::sync::mpsc;
use utoipa::IntoParams;

/// Bytes buffered before a piece of a streamed batch is sent.
const FLUSH_AT: usize = 64 * 1024;

/// `GET /api/assess` parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PointQuery {
    /// 経度 Longitude (JGD2011/WGS84), or easting x when `crs` is projected.
    #[param(example = 141.0185)]
    pub lon: f64,
    /// 緯度 Latitude, or northing y when `crs` is projected.
    #[param(example = 38.2925)]
    pub lat: f64,
    /// Rubric id (see `/api/rubrics`); default: the server's default rubric.
    pub rubric: Option<String>,
    /// Number of nearest facilities listed (default: the rubric's, 5).
    #[param(minimum = 0)]
    pub k: Option<usize>,
    /// Facility types listed and counted, comma-separated (default: the rubric's target type).
    pub types: Option<String>,
    /// CRS of `lon`/`lat`, e.g. `EPSG:6677` (JGD2011 plane rectangular IX). Default: lon/lat.
    pub crs: Option<String>,
}

/// `POST /api/assess` parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SiteQuery {
    /// Rubric id (see `/api/rubrics`).
    pub rubric: Option<String>,
    /// Number of nearest facilities listed.
    #[param(minimum = 0)]
    pub k: Option<usize>,
    /// Facility types listed and counted, comma-separated.
    pub types: Option<String>,
    /// CRS of the body's coordinates; overrides a `crs` member in the body. Default: lon/lat.
    pub crs: Option<String>,
}

/// `POST /api/assess/batch` parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BatchQuery {
    /// Rubric id (see `/api/rubrics`).
    pub rubric: Option<String>,
    /// Number of nearest facilities listed.
    #[param(minimum = 0)]
    pub k: Option<usize>,
    /// Facility types listed and counted, comma-separated.
    pub types: Option<String>,
    /// CRS of the body's coordinates (x/y columns of a CSV in a projected CRS). Default: lon/lat,
    /// or the FeatureCollection's `crs` member.
    pub crs: Option<String>,
    /// 評価の良い順 Best candidates first (verdict, hazard total, spacing); default: input order.
    pub rank: Option<bool>,
}

/// What every assessment request shares: rubric, options and input CRS, parsed at the edge.
struct Request {
    rubric: Arc<Rubric>,
    options: AssessOptions,
    crs: Option<Crs>,
}

impl Request {
    fn parse(
        state: &AppState,
        loaded: &Loaded,
        rubric: Option<&str>,
        k: Option<usize>,
        types: Option<&str>,
        crs: Option<&str>,
    ) -> Result<Request, ApiError> {
        let rubric = loaded.rubrics.get(rubric)?;
        let max_k = state.settings.limits.max_k;
        if k.is_some_and(|k| k > max_k) {
            return Err(ApiError::bad_query(
                Some("k".into()),
                format!("{max_k} 以下にしてください / at most {max_k}"),
            ));
        }
        let types = types.map(|t| {
            t.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(Arc::from)
                .collect::<Vec<_>>()
        });
        let crs = crs
            .map(|c| Crs::parse(c).map_err(|e| ApiError::crs("crs", &e)))
            .transpose()?;
        Ok(Request {
            rubric,
            options: AssessOptions { k, types },
            crs,
        })
    }

    /// Whether reading the input needs PROJ (slow to set up: run it off the async workers).
    fn needs_proj(&self) -> bool {
        matches!(self.crs, Some(Crs::Epsg(_)))
    }
}

/// The threads that assess one-site requests: one per core, apart from rayon's global
/// pool where batches run, so a parcel never waits behind a batch's chunk.
fn site_pool() -> &'static rayon::ThreadPool {
    static POOL: std::sync::OnceLock<rayon::ThreadPool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("tekichi-site-{i}"))
            .build()
            .expect("threads for the one-site pool")
    })
}

/// Runs the CPU-bound work of one site on [`site_pool`] and awaits its answer; a panic
/// becomes an internal error. Not tokio's blocking pool: under load that pool grows a
/// thread for every waiting request (80–116 threads under 32 connections posting parcels),
/// each keeping its own allocator heap, and the server stayed at 750–1,000 MiB resident
/// afterwards instead of ~255 MiB.
async fn on_cpu_pool<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, ApiError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    site_pool().spawn(move || {
        // The receiver is gone only when the client went away: nothing to answer.
        let _ = tx.send(std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)));
    });
    match rx.await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(panic)) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(ApiError::internal(format!("assessment panicked: {message}")))
        }
        Err(e) => Err(ApiError::internal(e)),
    }
}

fn assess_one(loaded: &Loaded, req: &Request, input: SiteInput, field: &str) -> Result<Report, ApiError> {
    if let Err(e) = &input.site {
        return Err(ApiError::invalid_site(field, e));
    }
    let assessor = Assessor {
        catalog: &loaded.catalog,
        rubric: &req.rubric,
    };
    Ok(assessor.assess(&input, &req.options))
}

/// 地点の評価 Assess one point.
///
/// The report of SPEC §5 for a point given by longitude and latitude (or x/y with `crs`).
#[utoipa::path(
    get,
    path = "/api/assess",
    tag = "assessment",
    params(PointQuery),
    responses(
        (status = 200, description = "The site report", body = Report),
        (status = 400, description = "A missing or unreadable parameter, an unknown rubric or CRS", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Coordinates outside Japan (lon 122–154, lat 20–46) or not transformable", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn assess_point(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<PointQuery>,
) -> Result<Response, ApiError> {
    let loaded = state.loaded.load_full();
    let req = Request::parse(
        &state,
        &loaded,
        q.rubric.as_deref(),
        q.k,
        q.types.as_deref(),
        q.crs.as_deref(),
    )?;
    let report = if req.needs_proj() {
        on_cpu_pool(move || assess_one(&loaded, &req, point_site(q.lon, q.lat, req.crs), "lon/lat")).await??
    } else {
        // Tens of microseconds: answered on the async worker.
        assess_one(&loaded, &req, point_site(q.lon, q.lat, req.crs), "lon/lat")?
    };
    Ok(ok_json(&report))
}

#[derive(Deserialize)]
struct TypeOnly {
    #[serde(rename = "type")]
    kind: Option<String>,
}

/// 候補地（点・敷地）の評価 Assess one site.
///
/// The body is one GeoJSON geometry (Point, Polygon, MultiPolygon) or Feature, in lon/lat
/// unless `crs` (query) or a `crs` member names another CRS. The feature's
/// `properties.site_id` and `properties.name` are echoed in `site`.
#[utoipa::path(
    post,
    path = "/api/assess",
    tag = "assessment",
    params(SiteQuery),
    request_body(
        description = "A GeoJSON geometry or Feature",
        content((SiteGeoJson = "application/geo+json"), (SiteGeoJson = "application/json"))
    ),
    responses(
        (status = 200, description = "The site report", body = Report),
        (status = 400, description = "Malformed JSON, an unreadable parameter, an unknown rubric or CRS", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body larger than the limit", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Content-Type is not GeoJSON/JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a GeoJSON geometry or Feature, an invalid geometry (self-intersecting, unclosed, too few positions, LineString…) or coordinates outside Japan", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn assess_site(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<SiteQuery>,
    SiteBody(bytes): SiteBody,
) -> Result<Response, ApiError> {
    let loaded = state.loaded.load_full();
    let req = Request::parse(
        &state,
        &loaded,
        q.rubric.as_deref(),
        q.k,
        q.types.as_deref(),
        q.crs.as_deref(),
    )?;
    let report = on_cpu_pool(move || {
        let text = std::str::from_utf8(&bytes).map_err(|e| SitesError::NotUtf8 {
            offset: e.valid_up_to(),
        })?;
        if let Ok(TypeOnly {
            kind: Some(kind),
        }) = serde_json::from_str(text)
        {
            if kind == "FeatureCollection" {
                return Err(ApiError::new(
                    "not_geojson",
                    "FeatureCollection は /api/assess/batch に送ってください（ここは1件の geometry か Feature） / Send a FeatureCollection to /api/assess/batch; this endpoint takes one geometry or Feature.",
                ));
            }
        }
        let mut inputs = parse_geojson_sites(text, req.crs)?;
        // Invariant: a geometry or a Feature yields exactly one input.
        let input = inputs.pop().ok_or_else(|| ApiError::internal("no input parsed from a single site"))?;
        assess_one(&loaded, &req, input, "geometry")
    })
    .await??;
    Ok(ok_json(&report))
}

/// The report format a batch answers in, from `Accept`.
#[derive(Debug, Clone, Copy)]
pub struct ReportFormat(pub Format);

const FORMATS: &[(&str, Format)] = &[
    ("application/x-ndjson", Format::Ndjson),
    ("application/geo+json", Format::Geojson),
    ("text/csv", Format::Csv),
    ("application/json", Format::Json),
];

impl<S: Send + Sync> FromRequestParts<S> for ReportFormat {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        negotiate(&parts.headers, FORMATS, Format::Ndjson).map(ReportFormat)
    }
}

fn content_type(format: Format) -> &'static str {
    match format {
        Format::Ndjson => "application/x-ndjson",
        Format::Geojson => "application/geo+json",
        Format::Csv => "text/csv; charset=utf-8; header=present",
        Format::Json => "application/json",
    }
}

/// 候補地の一括評価 Assess many sites, streamed.
///
/// The body is a GeoJSON FeatureCollection (one site per feature) or a CSV (lon/lat or
/// WKT column; UTF-8 or Shift_JIS). The answer is chosen by `Accept`: NDJSON (one report
/// per line, the default), GeoJSON (a FeatureCollection whose properties are the flat row
/// plus the full `report`), CSV (the flat row, UTF-8 with BOM for Excel), or a JSON array.
/// Reports stream out as they are assessed, in input order, or best first with
/// `rank=true` (then all are scored before the first is written). A site that cannot be
/// assessed gets a report with `error` set; the others are still assessed. The headers
/// `x-tekichi-sites` and `x-tekichi-rejected` give the counts.
#[utoipa::path(
    post,
    path = "/api/assess/batch",
    tag = "assessment",
    params(BatchQuery),
    request_body(
        description = "A GeoJSON FeatureCollection, or a CSV with lon/lat (経度/緯度) or WKT columns",
        content(
            (SiteFeatureCollection = "application/geo+json"),
            (SiteFeatureCollection = "application/json"),
            (String = "text/csv"),
        )
    ),
    responses(
        (status = 200, description = "One report per site, streamed",
            headers(
                ("x-tekichi-sites" = u64, description = "Sites in the request"),
                ("x-tekichi-rejected" = u64, description = "Sites rejected before assessment (see each report's `error`)"),
            ),
            content(
                (Report = "application/x-ndjson"),
                (ReportFeatureCollection = "application/geo+json"),
                (String = "text/csv"),
                (Vec<Report> = "application/json"),
            )
        ),
        (status = 400, description = "Malformed JSON or CSV, an unreadable parameter, an unknown rubric or CRS", body = Problem, content_type = "application/problem+json"),
        (status = 406, description = "No acceptable format", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body larger than the limit, or too many sites", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Content-Type is neither GeoJSON/JSON nor CSV", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not GeoJSON, no sites, or a CSV without coordinate columns", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn assess_batch(
    State(state): State<AppState>,
    ReportFormat(format): ReportFormat,
    ApiQuery(q): ApiQuery<BatchQuery>,
    body: BatchBody,
) -> Result<Response, ApiError> {
    let loaded = state.loaded.load_full();
    let req = Request::parse(
        &state,
        &loaded,
        q.rubric.as_deref(),
        q.k,
        q.types.as_deref(),
        q.crs.as_deref(),
    )?;
    let inputs = batch_sites(&state, body, req.crs).await?;
    let total = inputs.len();
    let rejected = inputs.iter().filter(|i| i.site.is_err()).count();
    let rank = q.rank.unwrap_or(false);
    let (tx, rx) = mpsc::channel::<io::Result<Bytes>>(4);
    tokio::task::spawn_blocking(move || stream_reports(&loaded, &req, &inputs, rank, format, tx));
    // Fused: the compression layer may poll again after the end, which `unfold` forbids.
    let stream = futures_util::StreamExt::fuse(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|piece| (piece, rx))
    }));
    let mut response = Response::new(Body::from_stream(stream));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(format)));
    headers.insert(header::VARY, HeaderValue::from_static("accept"));
    headers.insert("x-tekichi-sites", HeaderValue::from(total));
    headers.insert("x-tekichi-rejected", HeaderValue::from(rejected));
    if format == Format::Csv {
        headers.insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("attachment; filename=\"tekichi-assessment.csv\""),
        );
    }
    *response.status_mut() = StatusCode::OK;
    Ok(response)
}

/// The sites of a batch body (GeoJSON FeatureCollection or CSV, in `crs` or lon/lat),
/// parsed on the blocking pool (batches are few; one-site requests keep their own threads);
/// more than the configured limit is a 413 problem.
pub(crate) async fn batch_sites(
    state: &AppState,
    body: BatchBody,
    crs: Option<Crs>,
) -> Result<Vec<SiteInput>, ApiError> {
    let inputs = tokio::task::spawn_blocking(move || -> Result<Vec<SiteInput>, SitesError> {
        match body.body_type {
            BodyType::GeoJson => {
                let text = std::str::from_utf8(&body.bytes).map_err(|e| SitesError::NotUtf8 {
                    offset: e.valid_up_to(),
                })?;
                parse_geojson_sites(text, crs)
            }
            BodyType::Csv => parse_csv_sites(&body.bytes, crs),
        }
    })
    .await
    .map_err(ApiError::internal)??;
    let max = state.settings.limits.batch_max_sites;
    if inputs.len() > max {
        return Err(ApiError::new(
            "too_many_sites",
            format!(
                "候補地が {} 件あります。1回は {max} 件までです。分割して送ってください / {} sites; at most {max} per request: split the batch.",
                inputs.len(),
                inputs.len()
            ),
        )
        .with_error(FieldError {
            field: Some("body".into()),
            message: format!("at most {max} sites"),
            ..Default::default()
        }));
    }
    Ok(inputs)
}

/// Sends the bytes written to it down a channel in pieces of about [`FLUSH_AT`] bytes.
struct ChannelWriter {
    tx: mpsc::Sender<io::Result<Bytes>>,
    buf: Vec<u8>,
}

impl ChannelWriter {
    fn send(&mut self) -> io::Result<()> {
        let piece = std::mem::replace(&mut self.buf, Vec::with_capacity(FLUSH_AT + FLUSH_AT / 4));
        self.tx
            .blocking_send(Ok(Bytes::from(piece)))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= FLUSH_AT {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            self.send()
        }
    }
}

/// Assesses `inputs` (see [`write_batch`]) and writes them to `tx` in `format`. Runs on
/// the blocking pool.
fn stream_reports(
    loaded: &Loaded,
    req: &Request,
    inputs: &[SiteInput],
    rank: bool,
    format: Format,
    tx: mpsc::Sender<io::Result<Bytes>>,
) {
    let assessor = Assessor {
        catalog: &loaded.catalog,
        rubric: &req.rubric,
    };
    let out = ChannelWriter {
        tx: tx.clone(),
        buf: Vec::with_capacity(FLUSH_AT + FLUSH_AT / 4),
    };
    let mut writer = ReportWriter::new(out, format, false);
    let result = write_batch(&assessor, inputs, &req.options, rank, &mut writer, |_| {}).and_then(|_| writer.finish());
    match result {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
            tracing::info!("batch abandoned: the client disconnected");
        }
        Err(e) => {
            tracing::error!(error = %e, "writing a batch failed");
            // Ends the chunked body abnormally so the client sees a truncated response.
            let _ = tx.blocking_send(Err(e));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn site_pool_work_answers_and_a_panic_becomes_an_internal_error() {
        let name = on_cpu_pool(|| std::thread::current().name().map(String::from))
            .await
            .unwrap();
        assert!(
            name.is_some_and(|n| n.starts_with("tekichi-site-")),
            "ran on the one-site pool"
        );
        let err = on_cpu_pool(|| -> u32 { panic!("boom") }).await.unwrap_err();
        assert_eq!(err.code, "internal_error");
        assert_eq!(err.status, axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        assert!(format!("{err:?}").contains("assessment panicked: boom"), "{err:?}");
        // The pool survives the panic.
        assert_eq!(on_cpu_pool(|| 6 * 7).await.unwrap(), 42);
    }
}
