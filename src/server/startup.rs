//! The startup object and the router with its middleware.
//!
//! [`Application::build`] binds the listener first (port 0 picks a free one), loads the
//! data, and returns; [`Application::port`] says where it listens;
//! [`Application::run_until_stopped`] serves until SIGTERM or Ctrl-C, then stops taking
//! connections and lets the requests in flight finish.

use crate::server::admin::Admin;
use crate::server::config::Settings;
use crate::server::error::{problem_details, ApiError};
use crate::server::openapi::openapi_document;
use crate::server::routes::{admin, analytics, assess, docs, features, health, info, results, web};
use crate::server::state::{return_freed_memory, AppState, Loaded, StartupError};
use arc_swap::ArcSwap;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Method, Request, StatusCode};
use axum::routing::get;
use axum::serve::ListenerExt;
use axum::Router;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::cors::{AllowOrigin, Any, CorsLayer};
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Request ids `<process tag>-<sequence>`: unique per process run without a random-number
/// syscall per request (a UUID v4 would ask the kernel each time).
#[derive(Clone)]
struct SequentialRequestId {
    tag: Arc<str>,
    next: Arc<AtomicU64>,
}

impl SequentialRequestId {
    fn new() -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let tag = format!("{:x}{:x}", nanos as u64 & 0xffff_ffff_ffff, std::process::id());
        SequentialRequestId {
            tag: tag.into(),
            next: Arc::new(AtomicU64::new(1)),
        }
    }
}

impl MakeRequestId for SequentialRequestId {
    fn make_request_id<B>(&mut self, _request: &Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{}-{n}", self.tag))
            .ok()
            .map(RequestId::new)
    }
}

/// A bound, loaded server, ready to run.
pub struct Application {
    listener: TcpListener,
    local_addr: SocketAddr,
    state: AppState,
}

impl Application {
    /// Binds `settings.bind`, loads the data directory — or the layer store's active
    /// versions when `settings.store` is set — and the rubrics (on the blocking pool), and
    /// builds the state. Fails on a busy port, unreadable data, a bad rubric or bad tokens.
    pub async fn build(settings: Settings) -> Result<Application, StartupError> {
        let listener = TcpListener::bind(settings.bind)
            .await
            .map_err(|source| StartupError::Bind {
                addr: settings.bind.to_string(),
                source,
            })?;
        let local_addr = listener.local_addr().map_err(|source| StartupError::Bind {
            addr: settings.bind.to_string(),
            source,
        })?;
        let settings = Arc::new(settings);
        let for_load = settings.clone();
        let (admin, loaded) = tokio::task::spawn_blocking(move || -> Result<(Admin, Loaded), StartupError> {
            let admin = Admin::open(&for_load)?;
            let loaded = if admin.has_store() {
                let store = admin.store().map_err(|e| StartupError::Config(e.to_string()))?;
                Loaded::from_store(&for_load, &store)?
            } else {
                Loaded::load(&for_load)?
            };
            return_freed_memory();
            Ok((admin, loaded))
        })
        .await
        .map_err(|e| StartupError::Bind {
            addr: local_addr.to_string(),
            source: std::io::Error::other(e),
        })??;
        tracing::info!(
            dataset = %loaded.dataset.name,
            layers = loaded.catalog.infos().count(),
            rubrics = loaded.rubrics.by_id.len(),
            "data loaded"
        );
        Ok(Application {
            listener,
            local_addr,
            state: AppState {
                loaded: Arc::new(ArcSwap::from_pointee(loaded)),
                settings,
                draining: Arc::new(AtomicBool::new(false)),
                admin: Arc::new(admin),
            },
        })
    }

    /// The port listened on (the one picked when binding port 0).
    pub fn port(&self) -> u16 {
        self.local_addr.port()
    }

    /// The address listened on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The shared state (e.g. to swap in a new snapshot).
    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    /// Serves until SIGTERM or Ctrl-C, then shuts down gracefully.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let draining = self.state.draining.clone();
        self.run_until(async move {
            shutdown_signal().await;
            draining.store(true, Ordering::Relaxed);
        })
        .await
    }

    /// Serves until `shutdown` completes, then stops accepting and lets requests in flight finish.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let app = router(self.state);
        let listener = self.listener.tap_io(|tcp| {
            // Small JSON answers must not wait for Nagle's algorithm.
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!("cannot set TCP_NODELAY: {e}");
            }
        });
        tracing::info!(addr = %self.local_addr, "listening");
        axum::serve(listener, app).with_graceful_shutdown(shutdown).await
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received: finishing requests in flight");
}

fn cors(settings: &Settings) -> Option<CorsLayer> {
    let origins = &settings.cors.allow_origins;
    if origins.is_empty() {
        return None;
    }
    let layer = CorsLayer::new()
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers(Any)
        .expose_headers([
            REQUEST_ID,
            HeaderName::from_static("x-tekichi-sites"),
            HeaderName::from_static("x-tekichi-rejected"),
        ])
        .max_age(Duration::from_secs(3600));
    Some(if origins.iter().any(|o| o == "*") {
        layer.allow_origin(Any)
    } else {
        let list: Vec<HeaderValue> = origins
            .iter()
            .filter_map(|o| match HeaderValue::from_str(o) {
                Ok(v) => Some(v),
                Err(_) => {
                    tracing::warn!(origin = %o, "ignoring an unusable CORS origin");
                    None
                }
            })
            .collect();
        layer.allow_origin(AllowOrigin::list(list))
    })
}

async fn not_found() -> ApiError {
    ApiError::not_found(
        "このパスにはリソースがありません。/api/docs で一覧を確認してください / No resource at this path; see /api/docs for the endpoints.",
    )
}

/// The whole API with its middleware, testable without a socket (`tower::ServiceExt::oneshot`).
///
/// Outermost first: request id (set, then propagated to the response), tracing span with
/// the id, CORS (when configured), compression (gzip, br), problem details for every
/// error, panic catcher, request timeout, then the routes with their body limits.
pub fn router(state: AppState) -> Router {
    let limits = &state.settings.limits;
    let api = Router::new()
        .route("/", get(web::root))
        .route("/conformance", get(features::conformance))
        .route("/collections", get(features::collections))
        .route("/collections/{collection_id}", get(features::collection))
        .route("/collections/{collection_id}/items", get(features::items))
        .route("/collections/{collection_id}/items/{feature_id}", get(features::item))
        .route("/api/assess", get(assess::assess_point).post(assess::assess_site))
        .route(
            "/api/assess/batch",
            axum::routing::post(assess::assess_batch).layer(DefaultBodyLimit::max(limits.batch_body_bytes)),
        )
        .route("/api/layers", get(info::layers))
        .route("/api/areas", get(info::areas))
        .route("/api/rubrics", get(info::rubrics))
        .route("/api/candidates", get(info::candidates))
        .route("/api/openapi.json", get(openapi_document))
        .route("/api/docs", get(docs::docs_page))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/api/suitability", get(analytics::suitability))
        .route("/api/whatif", axum::routing::post(analytics::whatif))
        .route(
            "/api/whatif/nearest",
            get(analytics::nearest_point).post(analytics::nearest_site),
        )
        .route("/api/ui-config", get(web::ui_config))
        .route("/api/map/{kind}", get(web::map_layer))
        .route("/api/results", axum::routing::post(results::store_result))
        .route("/api/results/{id}", get(results::get_result))
        .merge(web::static_routes(&state))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(limits.body_bytes));
    let timeout = Duration::from_millis(limits.request_timeout_ms);
    let cors = cors(&state.settings);
    let layer_admin = admin::routes(&state).with_state(state.clone());
    let app = api
        .with_state(state)
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, timeout))
        // Imports may take longer than a query: they are bounded by the import limits,
        // not by the request timeout (which would answer 503 while the import went on).
        .merge(layer_admin)
        .layer(CatchPanicLayer::new())
        .layer(axum::middleware::from_fn(problem_details))
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(4)));
    let app = match cors {
        Some(cors) => app.layer(cors),
        None => app,
    };
    app.layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<_>| {
                    let id = request
                        .headers()
                        .get(&REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!("request", method = %request.method(), uri = %request.uri(), request_id = %id)
                })
                .on_response(
                    DefaultOnResponse::new()
                        .level(Level::INFO)
                        .latency_unit(tower_http::LatencyUnit::Micros),
                ),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, SequentialRequestId::new()))
}
