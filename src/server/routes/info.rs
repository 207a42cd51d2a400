//! What is loaded: layers with provenance, daily-life areas with their facilities, rubrics.

use crate::engine::analytics::coverage::{area_coverage, coverage_totals, AreaCoverage, CoverageTotals};
use crate::engine::assess::echo_geometry;
use crate::engine::catalog::{LayerKind, LayerSummary};
use crate::engine::rubric::{DemandBasis, DepthCategory, Rubric};
use crate::io::sites::read_sites;
use crate::server::error::{ApiError, Problem};
use crate::server::openapi::SiteFeatureCollection;
use crate::server::routes::analytics::{AnalyticsQuery, OverrideParams};
use crate::server::routes::{json_response, ok_json, GEOJSON};
use crate::server::state::AppState;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// The dataset and its layers.
#[derive(Debug, Serialize, ToSchema)]
pub struct LayersResponse {
    /// Dataset name (manifest `name`).
    pub dataset: String,
    pub description: String,
    /// When the active snapshot was loaded (RFC 3339).
    pub loaded_at: String,
    pub layers: Vec<LayerEntry>,
    /// Layer kinds not loaded (their questions are answered as unknown/partial).
    pub missing: Vec<LayerKind>,
    /// Loader warnings: features kept despite invalid topology, CSV rows skipped.
    pub warnings: Vec<String>,
}

/// One loaded layer version with its provenance.
#[derive(Debug, Serialize, ToSchema)]
pub struct LayerEntry {
    pub kind: LayerKind,
    pub name_ja: String,
    pub feature_count: usize,
    /// [min lon, min lat, max lon, max lat]
    #[schema(required = true)]
    pub bbox: Option<[f64; 4]>,
    pub version: String,
    pub source: String,
    pub publisher: String,
    pub date: String,
    pub licence: String,
    /// Files merged into this version.
    pub files: Vec<String>,
    /// SHA-256 of the source file (of the concatenated file hashes when several).
    pub sha256: String,
    /// Values the importer could not read, counted by field (the features are kept and flagged).
    pub unrecognised: BTreeMap<String, usize>,
}

impl From<LayerSummary> for LayerEntry {
    fn from(s: LayerSummary) -> Self {
        LayerEntry {
            kind: s.kind,
            name_ja: s.name_ja.to_string(),
            feature_count: s.feature_count,
            bbox: s.bbox,
            version: s.meta.version,
            source: s.meta.source,
            publisher: s.meta.publisher,
            date: s.meta.date,
            licence: s.meta.licence,
            files: s.meta.files,
            sha256: s.meta.sha256,
            unrecognised: s.unrecognised,
        }
    }
}

/// レイヤ一覧 The loaded layers: kinds, versions, provenance, unrecognised values.
#[utoipa::path(
    get,
    path = "/api/layers",
    tag = "info",
    responses((status = 200, description = "The dataset's layers", body = LayersResponse))
)]
pub async fn layers(State(state): State<AppState>) -> Response {
    let loaded = state.loaded.load();
    let catalog = &loaded.catalog;
    ok_json(&LayersResponse {
        dataset: loaded.dataset.name.clone(),
        description: loaded.dataset.description.clone(),
        loaded_at: loaded.dataset.loaded_at.clone(),
        layers: catalog.summaries().into_iter().map(LayerEntry::from).collect(),
        missing: LayerKind::ALL.into_iter().filter(|k| !catalog.has(*k)).collect(),
        warnings: loaded.dataset.warnings.clone(),
    })
}

/// `/api/areas` parameters (plus the rubric overrides of `/api/suitability`, e.g. the
/// `demand_*` settings).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AreasQuery {
    /// Rubric whose target facility type is counted and whose `[demand]` estimates demand
    /// (default: the server's default rubric).
    pub rubric: Option<String>,
}

/// The demand settings used (the rubric's `[demand]`, after overrides).
#[derive(Debug, Serialize, ToSchema)]
pub struct DemandDoc {
    pub basis: DemandBasis,
    /// Target users per 10,000 residents.
    pub per_10000_population: f64,
    /// Target users per 10,000 residents aged 65+.
    pub per_10000_aged_65plus: f64,
    /// Capacity one new facility adds (for `facilities_needed`).
    pub facility_capacity: u32,
}

/// Every daily-life area: facilities, capacity, estimated demand, gap, open/served.
#[derive(Debug, Serialize, ToSchema)]
pub struct AreasResponse {
    /// The facility type counted (the rubric's target type).
    pub target_type: String,
    pub rubric: String,
    pub demand: DemandDoc,
    /// The whole city.
    pub totals: CoverageTotals,
    /// In the order of the daily-life-area layer (`/collections/daily_life_area/items`).
    pub areas: Vec<AreaCoverage>,
}

/// 日常生活圏域の一覧 Every daily-life area: its target facilities and their registration
/// capacity (登録定員; unknown capacities counted apart), demand estimated from its
/// population (default 50 target users per 10,000 residents), the gap, and whether it is
/// open for application (募集圏域: no facility of the target type, as in a site report).
#[utoipa::path(
    get,
    path = "/api/areas",
    tag = "info",
    params(AreasQuery, OverrideParams),
    responses(
        (status = 200, description = "The daily-life areas (empty when the layer is not loaded)", body = AreasResponse),
        (status = 400, description = "Unknown rubric, parameter or override", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn areas(State(state): State<AppState>, uri: Uri) -> Result<Response, ApiError> {
    let loaded = state.loaded.load();
    let q = AnalyticsQuery::parse(&uri, &["rubric"])?;
    let (_, rubric) = q.rubrics(&loaded)?;
    let catalog = &loaded.catalog;
    let areas = area_coverage(catalog, &rubric);
    let d = &rubric.demand;
    Ok(ok_json(&AreasResponse {
        target_type: rubric.target_type.to_string(),
        rubric: rubric.id.to_string(),
        demand: DemandDoc {
            basis: d.basis,
            per_10000_population: d.per_10000_population,
            per_10000_aged_65plus: d.per_10000_aged_65plus,
            facility_capacity: d.facility_capacity,
        },
        totals: coverage_totals(&areas),
        areas,
    }))
}

/// The rubrics on offer.
#[derive(Debug, Serialize, ToSchema)]
pub struct RubricsResponse {
    /// Used when a request names no rubric.
    pub default: String,
    pub rubrics: Vec<RubricEntryDoc>,
}

/// One rubric: its settings and its scoring table.
#[derive(Debug, Serialize, ToSchema)]
pub struct RubricEntryDoc {
    pub id: String,
    pub name_ja: String,
    pub name_en: String,
    pub source: String,
    /// `built-in` or the file it was read from.
    pub origin: String,
    pub target_type: String,
    pub min_spacing_m: f64,
    pub radius_m: f64,
    pub nearest_k: usize,
    pub sliver_tolerance_m2: f64,
    /// Maximum hazard total.
    pub max_total: u32,
    pub categories: RubricCategories,
}

/// The four hazard categories of a rubric.
#[derive(Debug, Serialize, ToSchema)]
pub struct RubricCategories {
    pub flood: DepthCategoryDoc,
    pub river_erosion: PlainCategoryDoc,
    pub landslide: PlainCategoryDoc,
    pub tsunami: DepthCategoryDoc,
}

/// A category scored by depth bands.
#[derive(Debug, Serialize, ToSchema)]
pub struct DepthCategoryDoc {
    pub label_ja: String,
    pub label_en: String,
    /// Points when no zone touches the site.
    pub none_points: u32,
    pub bands: Vec<BandDoc>,
}

/// One band `[from_m, to_m)`; `to_m` null means unbounded.
#[derive(Debug, Serialize, ToSchema)]
pub struct BandDoc {
    pub from_m: f64,
    #[schema(required = true)]
    pub to_m: Option<f64>,
    pub points: u32,
}

/// A category scored by classes (in/out, warning zones).
#[derive(Debug, Serialize, ToSchema)]
pub struct PlainCategoryDoc {
    pub label_ja: String,
    pub label_en: String,
    /// Class → points (`outside`, `inside`, `yellow`, `red`).
    pub points: BTreeMap<String, u32>,
    /// Zone types or phenomena counted by this rubric.
    pub counts: Vec<String>,
}

fn depth_doc(c: &DepthCategory) -> DepthCategoryDoc {
    DepthCategoryDoc {
        label_ja: c.label_ja.to_string(),
        label_en: c.label_en.to_string(),
        none_points: c.none_points,
        bands: c
            .bands
            .iter()
            .map(|b| {
                let b = b.get_ref();
                BandDoc {
                    from_m: b.from_m,
                    to_m: b.to_m,
                    points: b.points,
                }
            })
            .collect(),
    }
}

fn rubric_doc(r: &Rubric, origin: &str) -> RubricEntryDoc {
    let c = &r.categories;
    RubricEntryDoc {
        id: r.id.to_string(),
        name_ja: r.name_ja.to_string(),
        name_en: r.name_en.clone(),
        source: r.source.clone(),
        origin: origin.to_string(),
        target_type: r.target_type.to_string(),
        min_spacing_m: r.min_spacing_m,
        radius_m: r.radius_m,
        nearest_k: r.nearest_k,
        sliver_tolerance_m2: r.sliver_tolerance_m2,
        max_total: r.max_total(),
        categories: RubricCategories {
            flood: depth_doc(&c.flood),
            river_erosion: PlainCategoryDoc {
                label_ja: c.river_erosion.label_ja.to_string(),
                label_en: c.river_erosion.label_en.to_string(),
                points: BTreeMap::from([
                    ("outside".to_string(), c.river_erosion.outside_points),
                    ("inside".to_string(), c.river_erosion.inside_points),
                ]),
                counts: c.river_erosion.types.clone(),
            },
            landslide: PlainCategoryDoc {
                label_ja: c.landslide.label_ja.to_string(),
                label_en: c.landslide.label_en.to_string(),
                points: BTreeMap::from([
                    ("outside".to_string(), c.landslide.outside_points),
                    ("yellow".to_string(), c.landslide.yellow_points),
                    ("red".to_string(), c.landslide.red_points),
                ]),
                counts: c.landslide.phenomena.clone(),
            },
            tsunami: depth_doc(&c.tsunami),
        },
    }
}

/// 評価基準の一覧 The rubrics on offer (`?rubric=` on the assessment endpoints).
#[utoipa::path(
    get,
    path = "/api/rubrics",
    tag = "info",
    responses((status = 200, description = "The rubrics", body = RubricsResponse))
)]
pub async fn rubrics(State(state): State<AppState>) -> Response {
    let loaded = state.loaded.load();
    ok_json(&RubricsResponse {
        default: loaded.rubrics.default_id.clone(),
        rubrics: loaded
            .rubrics
            .by_id
            .values()
            .map(|e| rubric_doc(&e.rubric, &e.origin))
            .collect(),
    })
}

/// 候補地一覧 The data directory's candidate sites (`candidates.geojson` or `candidates.csv`) as
/// a GeoJSON FeatureCollection in lon/lat, ready to post to `/api/whatif` or
/// `/api/assess/batch`. Sites the file describes badly are left out and counted in
/// `x-tekichi-rejected`; `tekichi assess --sites` on the file shows why.
#[utoipa::path(
    get,
    path = "/api/candidates",
    tag = "info",
    responses(
        (status = 200, description = "The candidate sites",
            headers(("x-tekichi-rejected" = u64, description = "Sites of the file left out as unreadable")),
            body = SiteFeatureCollection, content_type = "application/geo+json"),
        (status = 404, description = "The dataset has no candidate file", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn candidates(State(state): State<AppState>) -> Result<Response, ApiError> {
    let path = state.candidate_file().ok_or_else(|| {
        ApiError::not_found(
            "このデータには候補地ファイル（candidates.geojson / candidates.csv）がありません / \
             This dataset has no candidate file (candidates.geojson or candidates.csv)",
        )
    })?;
    let sites = tokio::task::spawn_blocking(move || read_sites(&path, None))
        .await
        .map_err(ApiError::internal)?
        .map_err(|e| ApiError::internal(format!("reading the candidate file: {e}")))?;
    let features: Vec<serde_json::Value> = sites
        .iter()
        .filter_map(|s| {
            let site = s.site.as_ref().ok()?;
            Some(serde_json::json!({
                "type": "Feature",
                "id": s.id,
                "geometry": echo_geometry(site),
                "properties": { "site_id": s.id, "name": s.name },
            }))
        })
        .collect();
    let rejected = sites.len() - features.len();
    let mut response = json_response(
        StatusCode::OK,
        GEOJSON,
        &serde_json::json!({ "type": "FeatureCollection", "features": features }),
    );
    response
        .headers_mut()
        .insert("x-tekichi-rejected", HeaderValue::from(rejected as u64));
    Ok(response)
}
