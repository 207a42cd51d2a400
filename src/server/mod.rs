//! `tekichi serve`: the HTTP service, a thin async shell around the engine.
//!
//! - [`config`] — settings from a TOML file with a `TEKICHI_*` environment overlay;
//! - [`state`] — what is loaded (catalog, rubrics, the layers' features for OGC API –
//!   Features) behind an [`arc_swap::ArcSwap`], so a new version can be swapped in while
//!   queries keep running;
//! - [`startup`] — [`Application`]: binds first, reports its port, serves until SIGTERM
//!   or Ctrl-C and shuts down gracefully; the router and its middleware;
//! - [`routes`] — the handlers: assessment, OGC API – Features, layers/areas/rubrics,
//!   health, the OpenAPI document and its docs page;
//! - [`admin`] — the layer store behind the write endpoints, the write tokens, and the
//!   atomic swap of the served snapshot when a version is activated or rolled back;
//! - [`results`] — stored results for permalinks (`/r/{id}`), one durable file each;
//! - [`error`] — the one API error type, rendered as RFC 9457 `application/problem+json`.
//!
//! Assessment is CPU-bound: a single point is answered on the async worker (tens of
//! microseconds); parcels and anything needing PROJ run on the blocking pool; batches
//! are parsed on the blocking pool, assessed on rayon in chunks and streamed out.

pub mod admin;
pub mod config;
pub mod error;
pub mod extract;
pub mod openapi;
pub mod results;
pub mod routes;
pub mod startup;
pub mod state;

pub use config::Settings;
pub use startup::{router, Application};
