//! The OpenAPI 3.1 document (`/api/openapi.json`), generated from the handlers'
//! `#[utoipa::path]` attributes and the Rust types they read and write, and the OGC API
//! – Features and GeoJSON types. Some types here only describe bodies that are written
//! by hand (a site's GeoJSON input, a batch's GeoJSON output, a page of layer features);
//! the integration tests validate the real bodies against them.

use crate::engine::catalog::LayerKind;
use crate::engine::index::FeatureId;
use crate::engine::report::Report;
use crate::server::error::{FieldError, Problem};
use crate::server::routes::{admin, analytics, assess, features, health, info, results, web};
use serde::Serialize;
use std::sync::LazyLock;
use utoipa::{OpenApi, ToSchema};

/// A link (OGC API – Common).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Link {
    pub href: String,
    pub rel: String,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// The landing page.
#[derive(Debug, Serialize, ToSchema)]
pub struct LandingPage {
    pub title: String,
    pub description: String,
    pub links: Vec<Link>,
}

/// The conformance declaration.
#[derive(Debug, Serialize, ToSchema)]
pub struct Conformance {
    #[serde(rename = "conformsTo")]
    pub conforms_to: Vec<String>,
}

/// The feature collections.
#[derive(Debug, Serialize, ToSchema)]
pub struct Collections {
    pub links: Vec<Link>,
    pub collections: Vec<Collection>,
}

/// One feature collection (one loaded layer kind), with tekichi's provenance members.
#[derive(Debug, Serialize, ToSchema)]
pub struct Collection {
    /// The layer kind.
    pub id: String,
    /// Japanese name of the layer.
    pub title: String,
    pub description: String,
    pub links: Vec<Link>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extent: Option<Extent>,
    #[serde(rename = "itemType")]
    pub item_type: String,
    pub crs: Vec<String>,
    #[serde(rename = "storageCrs")]
    pub storage_crs: String,
    pub kind: LayerKind,
    pub feature_count: usize,
    pub version: String,
    pub source: String,
    pub publisher: String,
    pub date: String,
    pub licence: String,
    pub sha256: String,
}

/// A collection's extent.
#[derive(Debug, Serialize, ToSchema)]
pub struct Extent {
    pub spatial: SpatialExtent,
}

/// A collection's spatial extent.
#[derive(Debug, Serialize, ToSchema)]
pub struct SpatialExtent {
    /// [[min lon, min lat, max lon, max lat]]
    pub bbox: Vec<[f64; 4]>,
    /// Always CRS84.
    pub crs: String,
}

/// The `type` of a GeoJSON geometry.
#[derive(Debug, Serialize, ToSchema)]
pub enum GeometryType {
    Point,
    MultiPoint,
    LineString,
    MultiLineString,
    Polygon,
    MultiPolygon,
}

/// A GeoJSON geometry (RFC 7946): positions are [lon, lat] (JGD2011/WGS84), or [x, y] in
/// the CRS the request names.
#[derive(Debug, Serialize, ToSchema)]
pub struct GeometryDoc {
    #[serde(rename = "type")]
    pub kind: GeometryType,
    /// Positions, nested as the type requires.
    pub coordinates: Vec<serde_json::Value>,
}

/// The `type` of a Feature.
#[derive(Debug, Serialize, ToSchema)]
pub enum FeatureTag {
    Feature,
}

/// The `type` of a FeatureCollection.
#[derive(Debug, Serialize, ToSchema)]
pub enum FeatureCollectionTag {
    FeatureCollection,
}

/// Properties of a candidate site read by the assessment (others are ignored).
#[derive(Debug, Serialize, ToSchema)]
pub struct SiteProperties {
    /// Echoed as `site.id` (else the feature id, else the index).
    pub site_id: Option<serde_json::Value>,
    /// Echoed as `site.name`.
    pub name: Option<String>,
}

/// A candidate site as a GeoJSON Feature.
#[derive(Debug, Serialize, ToSchema)]
pub struct SiteFeature {
    #[serde(rename = "type")]
    pub kind: FeatureTag,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<serde_json::Value>,
    /// Point, Polygon or MultiPolygon.
    pub geometry: GeometryDoc,
    pub properties: Option<SiteProperties>,
}

/// One candidate site: a GeoJSON geometry (Point, Polygon, MultiPolygon) or Feature.
/// A non-standard `crs` member (`{"type":"name","properties":{"name":"EPSG:6677"}}`) is honoured.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum SiteGeoJson {
    Geometry(GeometryDoc),
    Feature(SiteFeature),
}

/// Candidate sites: a GeoJSON FeatureCollection, one site per feature.
#[derive(Debug, Serialize, ToSchema)]
pub struct SiteFeatureCollection {
    #[serde(rename = "type")]
    pub kind: FeatureCollectionTag,
    pub features: Vec<SiteFeature>,
}

/// A layer feature as served: GeoJSON with the layer's original properties.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeatureDoc {
    #[serde(rename = "type")]
    pub kind: FeatureTag,
    pub id: FeatureId,
    pub geometry: GeometryDoc,
    /// The feature's properties as in its source file (plus manifest defaults).
    #[schema(value_type = Object)]
    pub properties: serde_json::Map<String, serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub links: Option<Vec<Link>>,
}

/// A page of layer features (OGC API – Features `items`).
#[derive(Debug, Serialize, ToSchema)]
pub struct FeatureCollectionDoc {
    #[serde(rename = "type")]
    pub kind: FeatureCollectionTag,
    pub features: Vec<FeatureDoc>,
    /// `self`, `collection`, and `next`/`prev` when there are more pages.
    pub links: Vec<Link>,
    /// Features matching the query (all pages).
    #[serde(rename = "numberMatched")]
    pub number_matched: usize,
    /// Features in this page.
    #[serde(rename = "numberReturned")]
    pub number_returned: usize,
    /// When the served data was loaded (RFC 3339).
    #[serde(rename = "timeStamp")]
    pub time_stamp: String,
}

/// The flat row of a batch report (also the CSV columns), with the full report.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportRow {
    /// 1-based position in the output (the rank with `rank=true`).
    pub rank: u64,
    pub site_id: serde_json::Value,
    #[schema(required = true)]
    pub name: Option<String>,
    #[schema(required = true)]
    pub kind: Option<String>,
    #[schema(required = true)]
    pub area_m2: Option<f64>,
    #[schema(required = true)]
    pub lon: Option<f64>,
    #[schema(required = true)]
    pub lat: Option<f64>,
    #[schema(required = true)]
    pub error_code: Option<String>,
    #[schema(required = true)]
    pub error_message: Option<String>,
    #[schema(required = true)]
    pub verdict: Option<String>,
    #[schema(required = true)]
    pub verdict_ja: Option<String>,
    /// Reason codes joined with `;`.
    #[schema(required = true)]
    pub reasons: Option<String>,
    /// Japanese reasons joined with ` / `.
    #[schema(required = true)]
    pub reasons_ja: Option<String>,
    #[schema(required = true)]
    pub governing_code: Option<u8>,
    #[schema(required = true)]
    pub governing_name: Option<String>,
    #[schema(required = true)]
    pub governing_share: Option<f64>,
    #[schema(required = true)]
    pub uncovered_share: Option<f64>,
    #[schema(required = true)]
    pub control_area_share: Option<f64>,
    #[schema(required = true)]
    pub farmland_share: Option<f64>,
    #[schema(required = true)]
    pub area_id: Option<String>,
    #[schema(required = true)]
    pub area_name: Option<String>,
    #[schema(required = true)]
    pub open_for_application: Option<bool>,
    #[schema(required = true)]
    pub target_facility_count: Option<u64>,
    #[schema(required = true)]
    pub nearest_name: Option<String>,
    #[schema(required = true)]
    pub nearest_distance_m: Option<f64>,
    #[schema(required = true)]
    pub too_close: Option<bool>,
    #[schema(required = true)]
    pub within_radius: Option<u64>,
    #[schema(required = true)]
    pub hazard_total: Option<u32>,
    #[schema(required = true)]
    pub hazard_max: Option<u32>,
    #[schema(required = true)]
    pub hazard_status: Option<String>,
    /// Missing hazard layer kinds joined with `;`.
    #[schema(required = true)]
    pub hazard_missing: Option<String>,
    #[schema(required = true)]
    pub flood_points: Option<u32>,
    #[schema(required = true)]
    pub river_erosion_points: Option<u32>,
    #[schema(required = true)]
    pub landslide_points: Option<u32>,
    #[schema(required = true)]
    pub tsunami_points: Option<u32>,
    pub rubric_id: String,
    pub report: Report,
}

/// One assessed site as a GeoJSON Feature (geometry null when the site was rejected).
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportFeature {
    #[serde(rename = "type")]
    pub kind: FeatureTag,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<serde_json::Value>,
    #[schema(required = true)]
    pub geometry: Option<GeometryDoc>,
    pub properties: ReportRow,
}

/// Batch reports as a GeoJSON FeatureCollection.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportFeatureCollection {
    #[serde(rename = "type")]
    pub kind: FeatureCollectionTag,
    pub features: Vec<ReportFeature>,
}

/// The API document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "tekichi 適地 API",
        description = "小規模多機能型居宅介護の計画予定地を、用途地域・日常生活圏域・既存事業所・ハザードで評価します。\
Site suitability for small multi-functional home-care facilities (小規模多機能型居宅介護) over Japanese planning and hazard layers.\n\n\
- **assessment**: one point (GET), one geometry (POST), or a batch (POST, streamed as NDJSON, GeoJSON or CSV, optionally ranked). \
Every answer is the site report of the `Report` schema; its field paths are stable.\n\
- **features**: the loaded layers as OGC API – Features (Part 1 Core, GeoJSON), readable by QGIS and GDAL (`OAPIF:`).\n\
- **info**: layers with provenance, daily-life areas with their facilities, rubrics.\n- **admin**: the layer store for GIS staff — upload (validated, dry run by default) with a report and the difference from the active version, activate, roll back (the served data switches atomically), versions, audit log. Writes need `Authorization: Bearer <token>`; reads stay open.\n\n\
Errors are `application/problem+json` (RFC 9457) with a stable `code` and, where relevant, `errors[]` naming the field or line to fix; \
titles and details read Japanese first, then English."
    ),
    paths(
        features::landing,
        features::conformance,
        features::collections,
        features::collection,
        features::items,
        features::item,
        assess::assess_point,
        assess::assess_site,
        assess::assess_batch,
        info::layers,
        info::areas,
        info::rubrics,
        info::candidates,
        analytics::suitability,
        analytics::whatif,
        analytics::nearest_point,
        analytics::nearest_site,
        web::ui_config,
        web::map_layer,
        results::store_result,
        results::get_result,
        admin::upload,
        admin::activate,
        admin::rollback,
        admin::versions,
        admin::report,
        admin::audit,
        health::healthz,
        health::readyz,
        openapi_document,
        crate::server::routes::docs::docs_page,
    ),
    components(schemas(Report, Problem, FieldError, SiteGeoJson, SiteFeatureCollection, ReportFeatureCollection)),
    tags(
        (name = "assessment", description = "候補地の評価 Site assessment"),
        (name = "features", description = "レイヤの配信 Layers as OGC API – Features"),
        (name = "info", description = "データ・評価基準の情報 Layers, areas, rubrics"),
        (name = "analytics", description = "計画支援：適地マップ・もしも比較 Planner analytics: suitability map, what-if"),
        (name = "ui", description = "地図画面 What the map page reads"),
        (name = "results", description = "保存した結果 Stored results behind permalinks (/r/{id})"),
        (name = "admin", description = "レイヤ管理（GIS 担当） Layer store: upload, validate, diff, activate, roll back, audit"),
        (name = "service", description = "稼働確認・API 定義 Health and API description"),
    ),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

/// The `bearer` security scheme of the write endpoints.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "名前付きトークン（設定ファイルの [[tokens]]、SHA-256 で保存） / A named token from the config file's [[tokens]] (stored as SHA-256).",
                    ))
                    .build(),
            ),
        );
    }
}

static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    // Invariant: the generated document is plain data, which always serialises.
    ApiDoc::openapi().to_json().expect("the OpenAPI document serialises")
});

/// The OpenAPI document as JSON text (generated once).
pub fn document() -> &'static str {
    &DOCUMENT
}

/// API 定義 This OpenAPI 3.1 document.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "service",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/vnd.oai.openapi+json;version=3.1", body = Object))
)]
pub async fn openapi_document() -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "application/vnd.oai.openapi+json;version=3.1",
        )],
        document(),
    )
        .into_response()
}
