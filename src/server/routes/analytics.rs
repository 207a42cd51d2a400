//! Planner analytics (issue 7): the suitability map, what-if comparisons and the nearest
//! passing place. Every endpoint takes `?rubric=` plus rubric override parameters
//! ([`OverrideParams`]), applied to a copy of the rubric.

use crate::engine::analytics::coverage::area_coverage;
use crate::engine::analytics::grid::{
    best_places, best_ranks, suitability_grid, GridError, GridExtent, GridSpec, PlaceRow,
};
use crate::engine::analytics::impact::{compare_coverage, AreaChange};
use crate::engine::analytics::whatif::{
    compare_assessments, nearest_passing, NearestPass, PassCriteria, RubricOverrides, SiteComparison,
};
use crate::engine::assess::{AssessOptions, Assessor, SiteInput};
use crate::engine::rubric::Rubric;
use crate::io::crs::Crs;
use crate::io::sites::{parse_geojson_sites, point_site, SitesError};
use crate::server::error::{ApiError, FieldError, Problem};
use crate::server::extract::{parse_query, BatchBody, SiteBody};
use crate::server::openapi::{FeatureCollectionTag, FeatureTag, GeometryDoc, SiteFeatureCollection, SiteGeoJson};
use crate::server::routes::assess::batch_sites;
use crate::server::routes::{json_response, ok_json, GEOJSON};
use crate::server::state::{AppState, Loaded};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, LazyLock, Mutex};
use utoipa::{IntoParams, ToSchema};

/// Most cells one `/api/suitability` request may assess (a 50 m grid of ~600 km²).
pub const MAX_CELLS: usize = 250_000;
/// Largest nearest-pass search radius (m).
pub const MAX_SEARCH_RADIUS_M: f64 = 5_000.0;
/// Suitability maps kept in memory.
const CACHE_ENTRIES: usize = 8;

/// Rubric override parameters, accepted by every analytics endpoint and by `/api/areas`.
/// Each changes one setting of a copy of the rubric named by `rubric`; the copy is checked
/// like a rubric file and its id becomes `<id>+what-if`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the parameters; they are read by `RubricOverrides::from_pairs`
pub struct OverrideParams {
    /// 適正配置: minimum distance (m) to the nearest target facility.
    min_spacing_m: Option<f64>,
    /// Radius (m) of the nearby-facility count.
    radius_m: Option<f64>,
    /// Counted landslide phenomena, comma-separated: `steep_slope`, `debris_flow`, `landslide`.
    #[param(example = "steep_slope,debris_flow")]
    landslide_phenomena: Option<String>,
    /// Counted river-erosion types, comma-separated: `bank_erosion`, `overflow`.
    river_erosion_types: Option<String>,
    /// Flood bands `from-to:points`, comma-separated, the last open-ended.
    #[param(example = "0-0.5:2,0.5-3:1,3-:0")]
    flood_bands: Option<String>,
    flood_none_points: Option<u32>,
    /// Tsunami bands `from-to:points`.
    tsunami_bands: Option<String>,
    tsunami_none_points: Option<u32>,
    river_erosion_outside_points: Option<u32>,
    river_erosion_inside_points: Option<u32>,
    landslide_outside_points: Option<u32>,
    landslide_yellow_points: Option<u32>,
    landslide_red_points: Option<u32>,
    /// `population` or `population_65plus`.
    demand_basis: Option<String>,
    /// Target users per 10,000 residents (default 50).
    demand_per_10000_population: Option<f64>,
    /// Target users per 10,000 residents aged 65+ (default ≈ 217.4).
    demand_per_10000_aged_65plus: Option<f64>,
}

/// A query string split into the endpoint's own parameters and rubric overrides.
pub struct AnalyticsQuery {
    own: BTreeMap<String, String>,
    overrides: RubricOverrides,
}

impl AnalyticsQuery {
    /// Parses the query; parameters not in `own_keys` must be rubric overrides.
    pub fn parse(uri: &Uri, own_keys: &[&str]) -> Result<AnalyticsQuery, ApiError> {
        let all: BTreeMap<String, String> = parse_query(uri.query().unwrap_or_default())?;
        let (own, rest): (BTreeMap<_, _>, BTreeMap<_, _>) =
            all.into_iter().partition(|(k, _)| own_keys.contains(&k.as_str()));
        let overrides =
            RubricOverrides::from_pairs(rest.iter().map(|(k, v)| (k.as_str(), v.as_str()))).map_err(|e| {
                let known = own_keys
                    .iter()
                    .copied()
                    .chain(RubricOverrides::KEYS)
                    .collect::<Vec<_>>()
                    .join(", ");
                ApiError::new(
                    "bad_override",
                    format!(
                        "パラメータ `{}` を読めません: {} / Cannot read parameter `{}`: {} (parameters: {known})",
                        e.key, e.message, e.key, e.message
                    ),
                )
                .with_error(FieldError {
                    field: Some(e.key.clone()),
                    message: e.message.clone(),
                    ..Default::default()
                })
            })?;
        Ok(AnalyticsQuery { own, overrides })
    }

    fn get<T: std::str::FromStr>(&self, key: &str) -> Result<Option<T>, ApiError> {
        self.own
            .get(key)
            .map(|v| {
                v.trim()
                    .parse::<T>()
                    .map_err(|_| ApiError::bad_query(Some(key.into()), format!("値を読めません / cannot read `{v}`")))
            })
            .transpose()
    }

    /// The base rubric named by `rubric` and the copy with the overrides applied.
    pub fn rubrics(&self, loaded: &Loaded) -> Result<(Arc<Rubric>, Arc<Rubric>), ApiError> {
        let base = loaded.rubrics.get(self.own.get("rubric").map(String::as_str))?;
        if self.overrides.is_empty() {
            return Ok((base.clone(), base));
        }
        let changed = self.overrides.apply(&base).map_err(|e| {
            ApiError::new("bad_override", format!("{} / {}", e.message_ja, e.message)).with_error(FieldError {
                field: Some("overrides".into()),
                message: e.message.clone(),
                ..Default::default()
            })
        })?;
        Ok((base, Arc::new(changed)))
    }
}

/// Runs CPU-bound work on the blocking pool.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(ApiError::internal)
}

// ------------------------------------------------------------------ suitability map

/// `/api/suitability` parameters (plus [`OverrideParams`]).
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the parameters; read by `AnalyticsQuery`
pub struct SuitabilityParams {
    /// セルの一辺 (m, geodesic), 5–10,000. Default 50.
    #[param(example = 50)]
    cell: Option<f64>,
    /// How many best places in open areas to list (default 20, at most 500).
    #[param(example = 20)]
    best: Option<usize>,
    /// Minimum distance (m) between listed best places (default: the rubric's spacing).
    separation: Option<f64>,
    /// `min_lon,min_lat,max_lon,max_lat`; default: the daily-life areas.
    bbox: Option<String>,
    /// Return only the best places as features (the `best` list is always there).
    best_only: Option<bool>,
    /// Rubric id (see `/api/rubrics`).
    rubric: Option<String>,
}

const SUITABILITY_KEYS: &[&str] = &["cell", "best", "separation", "bbox", "best_only", "rubric"];

/// One place of the map as a GeoJSON Feature.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlaceFeature {
    #[serde(rename = "type")]
    pub kind: FeatureTag,
    /// The cell (Polygon) or the parcel.
    pub geometry: GeometryDoc,
    pub properties: PlaceRow,
}

/// The suitability map: one feature per cell, plus the best places in open areas.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuitabilityCollection {
    #[serde(rename = "type")]
    pub kind: FeatureCollectionTag,
    /// Every assessed cell (only the best ones with `best_only=true`).
    pub features: Vec<PlaceFeature>,
    /// The best places in open areas, best first (same ranking as a ranked batch).
    pub best: Vec<PlaceFeature>,
    pub cell_m: f64,
    /// Cells in the grid's bounding box; `cells` of them lie in a daily-life area and were assessed.
    pub considered: usize,
    pub cells: usize,
    /// The rubric used (`<id>+what-if` with overrides).
    pub rubric: String,
    pub overrides: RubricOverrides,
    /// The layer-version set the map was computed from (sorted sha256 of the loaded layers).
    pub layer_versions: Vec<String>,
}

type Cache = Mutex<VecDeque<(String, Bytes)>>;
static CACHE: LazyLock<Cache> = LazyLock::new(|| Mutex::new(VecDeque::with_capacity(CACHE_ENTRIES)));

fn cache_get(key: &str) -> Option<Bytes> {
    let cache = CACHE.lock().ok()?;
    cache.iter().find(|(k, _)| k == key).map(|(_, b)| b.clone())
}

fn cache_put(key: String, body: Bytes) {
    if let Ok(mut cache) = CACHE.lock() {
        cache.retain(|(k, _)| *k != key);
        if cache.len() >= CACHE_ENTRIES {
            cache.pop_front();
        }
        cache.push_back((key, body));
    }
}

fn layer_versions(loaded: &Loaded) -> Vec<String> {
    let mut v: Vec<String> = loaded.catalog.infos().map(|i| i.meta.sha256.clone()).collect();
    v.sort();
    v
}

fn bbox_param(text: &str) -> Result<geo::Rect<f64>, ApiError> {
    let v: Vec<f64> = text.split(',').filter_map(|p| p.trim().parse().ok()).collect();
    match v.as_slice() {
        [a, b, c, d] if a < c && b < d => Ok(geo::Rect::new(geo::coord! { x: *a, y: *b }, geo::coord! { x: *c, y: *d })),
        _ => Err(ApiError::bad_query(
            Some("bbox".into()),
            "最小経度,最小緯度,最大経度,最大緯度 の順に書いてください / write min_lon,min_lat,max_lon,max_lat with min < max",
        )),
    }
}

fn grid_error(e: GridError) -> ApiError {
    match e {
        GridError::TooManyCells { .. } => ApiError::new("too_many_cells", e.to_string()).with_error(FieldError {
            field: Some("cell".into()),
            message: format!("セルは {MAX_CELLS} 個まで / at most {MAX_CELLS} cells"),
            ..Default::default()
        }),
        GridError::CellSize { .. } => ApiError::bad_query(Some("cell".into()), e.to_string()),
        GridError::NoExtent => ApiError::new("no_extent", e.to_string()),
    }
}

/// 適地マップ Suitability map over a regular grid.
///
/// Every cell of `cell` metres (geodesic) whose centre lies in a daily-life area is
/// assessed at its centre like a point site; each feature carries its verdict, hazard
/// total, area, open/served status and spacing. `best` lists the best places in areas
/// open for application (not `not_buildable`), ranked like `/api/assess/batch?rank=true`
/// and at least `separation` metres apart. The answer is cached per layer-version set,
/// rubric (with overrides) and parameters (`x-tekichi-cache: hit|miss`).
#[utoipa::path(
    get,
    path = "/api/suitability",
    tag = "analytics",
    params(SuitabilityParams, OverrideParams),
    responses(
        (status = 200, description = "The suitability map",
            headers(("x-tekichi-cache" = String, description = "`hit` when served from the cache")),
            content((SuitabilityCollection = "application/geo+json"))),
        (status = 400, description = "An unreadable parameter, an unknown rubric or an invalid override", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "More cells than the limit (the detail says it)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn suitability(State(state): State<AppState>, uri: Uri) -> Result<Response, ApiError> {
    let loaded = state.loaded.load_full();
    let q = AnalyticsQuery::parse(&uri, SUITABILITY_KEYS)?;
    let (_, rubric) = q.rubrics(&loaded)?;
    let cell_m: f64 = q.get("cell")?.unwrap_or(50.0);
    let best_n: usize = q.get("best")?.unwrap_or(20);
    if best_n > 500 {
        return Err(ApiError::bad_query(
            Some("best".into()),
            "500 以下にしてください / at most 500",
        ));
    }
    let separation: f64 = q.get("separation")?.unwrap_or(rubric.min_spacing_m);
    if !(separation.is_finite() && separation >= 0.0) {
        return Err(ApiError::bad_query(
            Some("separation".into()),
            "0 以上の距離 / a distance ≥ 0 m",
        ));
    }
    let best_only: bool = q.get("best_only")?.unwrap_or(false);
    let extent = match q.own.get("bbox") {
        Some(b) => GridExtent::Bbox(bbox_param(b)?),
        None => GridExtent::Auto,
    };
    let versions = layer_versions(&loaded);
    let key = {
        let mut h = Sha256::new();
        h.update(format!(
            "{versions:?}|{rubric:?}|{cell_m}|{extent:?}|{best_n}|{separation}|{best_only}"
        ));
        hex::encode(h.finalize())
    };
    let (body, hit) = match cache_get(&key) {
        Some(body) => (body, true),
        None => {
            let overrides = q.overrides.clone();
            let body = blocking(move || -> Result<Bytes, ApiError> {
                let assessor = Assessor {
                    catalog: &loaded.catalog,
                    rubric: &rubric,
                };
                let spec = GridSpec {
                    cell_m,
                    extent,
                    max_cells: MAX_CELLS,
                };
                let map = suitability_grid(&assessor, &spec).map_err(grid_error)?;
                let best = best_places(&map.places, best_n, separation);
                let ranks = best_ranks(map.places.len(), &best);
                let feature = |i: usize| map.places[i].feature(ranks[i]);
                let features: Vec<geojson::Feature> = if best_only {
                    best.iter().map(|&i| feature(i)).collect()
                } else {
                    (0..map.places.len()).map(feature).collect()
                };
                let doc = serde_json::json!({
                    "type": "FeatureCollection",
                    "features": features,
                    "best": best.iter().map(|&i| feature(i)).collect::<Vec<_>>(),
                    "cell_m": cell_m,
                    "considered": map.considered,
                    "cells": map.places.len(),
                    "rubric": rubric.id,
                    "overrides": overrides,
                    "layer_versions": versions,
                });
                serde_json::to_vec(&doc).map(Bytes::from).map_err(ApiError::internal)
            })
            .await??;
            cache_put(key, body.clone());
            (body, false)
        }
    };
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(GEOJSON));
    headers.insert(
        "x-tekichi-cache",
        HeaderValue::from_static(if hit { "hit" } else { "miss" }),
    );
    Ok(response)
}

// ------------------------------------------------------------------ what-if

/// `POST /api/whatif` parameters (plus [`OverrideParams`]).
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the parameters; read by `AnalyticsQuery`
pub struct WhatifParams {
    /// The base rubric id (see `/api/rubrics`).
    rubric: Option<String>,
    /// CRS of the body's coordinates. Default: lon/lat.
    crs: Option<String>,
    /// Only list the sites whose outcome changes.
    changed_only: Option<bool>,
}

/// Candidates compared under the base rubric and the changed one.
#[derive(Debug, Serialize, ToSchema)]
pub struct WhatifResponse {
    pub base_rubric: String,
    /// `<base>+what-if` (or the base id when nothing was overridden).
    pub rubric: String,
    pub overrides: RubricOverrides,
    /// Sites in the request.
    pub sites: usize,
    /// Sites whose verdict, hazard total, spacing or area status changes.
    pub changed: usize,
    /// One entry per site (only the changed ones with `changed_only=true`), in input order.
    pub comparisons: Vec<SiteComparison>,
    /// Daily-life areas whose coverage changes (demand overrides).
    pub areas: Vec<AreaChange>,
}

fn crs_of(q: &AnalyticsQuery) -> Result<Option<Crs>, ApiError> {
    q.own
        .get("crs")
        .map(|c| Crs::parse(c).map_err(|e| ApiError::crs("crs", &e)))
        .transpose()
}

/// もしも比較 What-if: which candidates change under a changed rubric.
///
/// The body is a batch of candidates (GeoJSON FeatureCollection or CSV, as for
/// `/api/assess/batch`). Each is assessed under the base rubric (`rubric`) and under a
/// copy changed by the override parameters; the answer lists, per site, both summaries and
/// which outcome fields differ, plus the daily-life areas whose coverage changes.
#[utoipa::path(
    post,
    path = "/api/whatif",
    tag = "analytics",
    params(WhatifParams, OverrideParams),
    request_body(
        description = "Candidates: a GeoJSON FeatureCollection, or a CSV with lon/lat or WKT columns",
        content((SiteFeatureCollection = "application/geo+json"), (SiteFeatureCollection = "application/json"), (String = "text/csv"))
    ),
    responses(
        (status = 200, description = "Before/after per site", body = WhatifResponse),
        (status = 400, description = "Malformed body, an unknown rubric, an invalid override", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large, or too many sites", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Unsupported Content-Type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not GeoJSON, no sites", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn whatif(State(state): State<AppState>, uri: Uri, body: BatchBody) -> Result<Response, ApiError> {
    let loaded = state.loaded.load_full();
    let q = AnalyticsQuery::parse(&uri, &["rubric", "crs", "changed_only"])?;
    let (base, changed) = q.rubrics(&loaded)?;
    let changed_only: bool = q.get("changed_only")?.unwrap_or(false);
    let crs = crs_of(&q)?;
    let inputs = batch_sites(&state, body, crs).await?;
    let overrides = q.overrides.clone();
    let response = blocking(move || {
        let before = Assessor {
            catalog: &loaded.catalog,
            rubric: &base,
        };
        let after = Assessor {
            catalog: &loaded.catalog,
            rubric: &changed,
        };
        let mut comparisons = compare_assessments(&before, &after, &inputs, &AssessOptions::default());
        let changed_count = comparisons.iter().filter(|c| !c.changed.is_empty()).count();
        if changed_only {
            comparisons.retain(|c| !c.changed.is_empty());
        }
        WhatifResponse {
            base_rubric: base.id.to_string(),
            rubric: changed.id.to_string(),
            overrides,
            sites: inputs.len(),
            changed: changed_count,
            comparisons,
            areas: compare_coverage(
                area_coverage(&loaded.catalog, &base),
                area_coverage(&loaded.catalog, &changed),
            ),
        }
    })
    .await?;
    Ok(ok_json(&response))
}

// ------------------------------------------------------------------ nearest passing place

/// Nearest-pass parameters (plus [`OverrideParams`]).
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the parameters; read by `AnalyticsQuery`
pub struct NearestParams {
    /// 経度 (GET only), or x with `crs`.
    lon: Option<f64>,
    /// 緯度 (GET only), or y with `crs`.
    lat: Option<f64>,
    /// Search radius (m), default 1,000, at most 5,000.
    search_radius_m: Option<f64>,
    /// Lattice step (m), default 25, at least 5.
    step_m: Option<f64>,
    /// Accept 要協議 (conditional) as passing (default false).
    allow_conditional: Option<bool>,
    /// Minimum (complete) hazard total to pass.
    min_hazard_total: Option<u32>,
    /// Require spacing from the nearest target facility (default true).
    require_spacing: Option<bool>,
    /// Require an area open for application (default false).
    require_open_area: Option<bool>,
    /// Rubric id (see `/api/rubrics`); overrides apply to a copy.
    rubric: Option<String>,
    /// CRS of the coordinates. Default: lon/lat.
    crs: Option<String>,
}

const NEAREST_KEYS: &[&str] = &[
    "lon",
    "lat",
    "search_radius_m",
    "step_m",
    "allow_conditional",
    "min_hazard_total",
    "require_spacing",
    "require_open_area",
    "rubric",
    "crs",
];

async fn nearest(
    state: AppState,
    q: AnalyticsQuery,
    input: impl FnOnce(Option<Crs>) -> Result<SiteInput, ApiError> + Send + 'static,
) -> Result<Response, ApiError> {
    let loaded = state.loaded.load_full();
    let (_, rubric) = q.rubrics(&loaded)?;
    let defaults = PassCriteria::default();
    let criteria = PassCriteria {
        allow_conditional: q.get("allow_conditional")?.unwrap_or(defaults.allow_conditional),
        min_hazard_total: q.get("min_hazard_total")?,
        require_spacing: q.get("require_spacing")?.unwrap_or(defaults.require_spacing),
        require_open_area: q.get("require_open_area")?.unwrap_or(defaults.require_open_area),
    };
    let radius: f64 = q.get("search_radius_m")?.unwrap_or(1000.0);
    if !(0.0..=MAX_SEARCH_RADIUS_M).contains(&radius) {
        return Err(ApiError::bad_query(
            Some("search_radius_m".into()),
            format!("0–{MAX_SEARCH_RADIUS_M} m / 0〜{MAX_SEARCH_RADIUS_M} m"),
        ));
    }
    let step: f64 = q.get("step_m")?.unwrap_or(25.0);
    let crs = crs_of(&q)?;
    let result: NearestPass = blocking(move || -> Result<NearestPass, ApiError> {
        let input = input(crs)?;
        if let Err(e) = &input.site {
            return Err(ApiError::invalid_site("site", e));
        }
        let assessor = Assessor {
            catalog: &loaded.catalog,
            rubric: &rubric,
        };
        nearest_passing(&assessor, &input, &AssessOptions::default(), &criteria, radius, step).map_err(|e| {
            ApiError::new("search_too_large", e.to_string()).with_error(FieldError {
                field: Some("step_m".into()),
                message: e.to_string(),
                ..Default::default()
            })
        })
    })
    .await??;
    Ok(json_response(StatusCode::OK, crate::server::routes::JSON, &result))
}

/// 合格する最寄り地点 The nearest place that would pass, for a point.
///
/// Assesses the point; if it fails the criteria (verdict, spacing, hazard, open area), the
/// point is moved over a square lattice of `step_m` around it, nearest first, until a
/// position passes or `search_radius_m` is exhausted. The answer says why the original
/// failed and where (distance, bearing) the nearest passing place is.
#[utoipa::path(
    get,
    path = "/api/whatif/nearest",
    tag = "analytics",
    params(NearestParams, OverrideParams),
    responses(
        (status = 200, description = "The original outcome, why it fails, and the nearest passing place", body = NearestPass),
        (status = 400, description = "An unreadable parameter, an unknown rubric or an invalid override", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Coordinates outside Japan, or a search larger than the limit", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn nearest_point(State(state): State<AppState>, uri: Uri) -> Result<Response, ApiError> {
    let q = AnalyticsQuery::parse(&uri, NEAREST_KEYS)?;
    let lon: f64 = q
        .get("lon")?
        .ok_or_else(|| ApiError::bad_query(Some("lon".into()), "必須です / missing"))?;
    let lat: f64 = q
        .get("lat")?
        .ok_or_else(|| ApiError::bad_query(Some("lat".into()), "必須です / missing"))?;
    nearest(state, q, move |crs| Ok(point_site(lon, lat, crs))).await
}

/// 合格する最寄り地点（敷地） The nearest place that would pass, for a parcel.
///
/// The body is one GeoJSON geometry or Feature (as for `POST /api/assess`); a parcel is
/// moved as a whole (same shape, translated).
#[utoipa::path(
    post,
    path = "/api/whatif/nearest",
    tag = "analytics",
    params(NearestParams, OverrideParams),
    request_body(
        description = "A GeoJSON geometry or Feature",
        content((SiteGeoJson = "application/geo+json"), (SiteGeoJson = "application/json"))
    ),
    responses(
        (status = 200, description = "The original outcome, why it fails, and the nearest passing place", body = NearestPass),
        (status = 400, description = "Malformed JSON, an unreadable parameter, an unknown rubric or an invalid override", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Unsupported Content-Type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not one GeoJSON geometry or Feature, an invalid geometry, or a search larger than the limit", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn nearest_site(
    State(state): State<AppState>,
    uri: Uri,
    SiteBody(bytes): SiteBody,
) -> Result<Response, ApiError> {
    let q = AnalyticsQuery::parse(&uri, NEAREST_KEYS)?;
    nearest(state, q, move |crs| {
        let text = std::str::from_utf8(&bytes).map_err(|e| SitesError::NotUtf8 {
            offset: e.valid_up_to(),
        })?;
        let mut inputs = parse_geojson_sites(text, crs)?;
        if inputs.len() != 1 {
            return Err(ApiError::new(
                "not_geojson",
                "1件の geometry か Feature を送ってください / Send one geometry or Feature.",
            ));
        }
        // Invariant: the length is checked just above.
        Ok(inputs.pop().expect("one input"))
    })
    .await
}
