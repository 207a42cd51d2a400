//! The map UI: static pages and libraries, the browser redirect at `/`, the UI's
//! settings, and the layers with their display classes.
//!
//! - `/` answers browsers (whose `Accept` prefers `text/html`) with a redirect to `/map/`;
//!   every other client (GDAL, QGIS, curl) gets the OGC API – Features landing page;
//! - `/map/…` serves `<web.dir>/static` (revalidated on every use: `no-cache` plus
//!   `Last-Modified`), `/map/lib/{package}/…` the few npm packages the pages load from
//!   `<web.dir>/node_modules` (cached for a day);
//! - `/r/{id}` is the printable report page of a stored result (the page reads
//!   `/api/results/{id}`);
//! - `/api/ui-config` gives the base map and dataset name to the page;
//! - `/api/map/{kind}` gives a layer's features with the engine's reading of their
//!   attributes as one display class (depth class, use district, zone level, open/served),
//!   so the page colours them exactly as they are assessed.

use crate::engine::assess::target_facilities;
use crate::engine::attrs::{
    area_attrs, division_attr, erosion_type_attr, facility_attrs, flood_depth_attr, landslide_attrs, lookup_display,
    tsunami_depth_attr, zoning_attrs, Depth, Division, ErosionType, LandslideZone, Parsed, Phenomenon,
};
use crate::engine::catalog::LayerKind;
use crate::server::error::{ApiError, Problem};
use crate::server::extract::{negotiate, ApiQuery};
use crate::server::openapi::GeometryDoc;
use crate::server::routes::features::{self, FormatQuery, GeoJsonGeometry};
use crate::server::routes::{json_response, ok_json, GEOJSON};
use crate::server::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get_service;
use axum::Router;
use serde::Serialize;
use std::collections::HashMap;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa::ToSchema;

/// npm packages the pages load, as (URL name, directory inside `node_modules`).
const LIBRARIES: &[(&str, &str)] = &[
    ("maplibre-gl", "maplibre-gl/dist"),
    ("mapbox-gl-draw", "@mapbox/mapbox-gl-draw/dist"),
    ("qrcode-generator", "qrcode-generator/dist"),
];

/// Cache policy of the application's own files: always revalidated (cheap 304s).
const APP_CACHE: &str = "no-cache";
/// Cache policy of the libraries: versioned by `package-lock.json`, kept for a day.
const LIB_CACHE: &str = "public, max-age=86400";

/// ランディングページまたは地図 The OGC API landing page, or a redirect to the map for browsers.
pub async fn root(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<FormatQuery>,
) -> Result<Response, ApiError> {
    let wants_html = q.f.is_none()
        && negotiate(&headers, &[("application/json", false), ("text/html", true)], false).unwrap_or(false);
    if wants_html {
        return Ok(Redirect::to("/map/").into_response());
    }
    features::landing(State(state), headers, ApiQuery(q)).await
}

/// The routes of the UI's files, mounted by [`crate::server::router`].
pub fn static_routes(state: &AppState) -> Router<AppState> {
    let dir = &state.settings.web.dir;
    let pages = dir.join("static");
    if !pages.join("index.html").is_file() {
        tracing::warn!(dir = %pages.display(), "the map UI is not installed here: /map/ answers 503");
        return Router::new()
            .route("/map", axum::routing::get(ui_missing))
            .route("/map/", axum::routing::get(ui_missing))
            .route("/map/{*path}", axum::routing::get(ui_missing))
            .route("/r/{id}", axum::routing::get(ui_missing));
    }
    let app_cache = SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static(APP_CACHE));
    let mut router = Router::new();
    for (name, path) in LIBRARIES {
        let lib = dir.join("node_modules").join(path);
        if !lib.is_dir() {
            tracing::warn!(dir = %lib.display(), "a UI library is missing: run `npm ci` in the web directory");
        }
        router = router.nest_service(
            &format!("/map/lib/{name}"),
            get_service(ServeDir::new(lib)).layer(SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                HeaderValue::from_static(LIB_CACHE),
            )),
        );
    }
    router
        .route("/map", axum::routing::get(|| async { Redirect::permanent("/map/") }))
        .nest_service("/map/", get_service(ServeDir::new(&pages)).layer(app_cache.clone()))
        .route_service(
            "/r/{id}",
            get_service(ServeFile::new(pages.join("report.html"))).layer(app_cache),
        )
}

async fn ui_missing() -> ApiError {
    let mut e = ApiError::new(
        "ui_not_installed",
        "地図画面がインストールされていません。web/ で `npm ci` を実行するか、設定 web.dir を確認してください / The map UI is not installed: run `npm ci` in web/ or check the web.dir setting.",
    );
    e.status = StatusCode::SERVICE_UNAVAILABLE;
    e
}

/// What the page needs to start.
#[derive(Debug, Serialize, ToSchema)]
pub struct UiConfig {
    /// Dataset name (manifest `name`).
    pub dataset: String,
    /// Base-map raster tile URL template; empty when the deployment has none.
    pub basemap_tiles: String,
    /// Attribution (HTML) of the base map.
    pub basemap_attribution: String,
    /// The default rubric id.
    pub rubric: String,
}

/// 地図画面の設定 The map page's settings: base map and dataset.
#[utoipa::path(
    get,
    path = "/api/ui-config",
    tag = "ui",
    responses((status = 200, description = "Base map and dataset for the map page", body = UiConfig))
)]
pub async fn ui_config(State(state): State<AppState>) -> Response {
    let loaded = state.loaded.load();
    ok_json(&UiConfig {
        dataset: loaded.dataset.name.clone(),
        basemap_tiles: state.settings.web.basemap_tiles.clone(),
        basemap_attribution: state.settings.web.basemap_attribution.clone(),
        rubric: loaded.rubrics.default_id.clone(),
    })
}

/// One feature of a map layer.
#[derive(Debug, Serialize, ToSchema)]
pub struct MapFeature {
    #[serde(rename = "type")]
    #[schema(pattern = "^Feature$")]
    pub kind: &'static str,
    /// The id served by `/collections/{kind}/items/{featureId}`.
    #[schema(value_type = String)]
    pub id: String,
    #[schema(value_type = GeometryDoc)]
    pub geometry: geojson::Geometry,
    pub properties: MapProperties,
}

/// A map feature's display attributes.
#[derive(Debug, Serialize, ToSchema)]
pub struct MapProperties {
    /// Display class, by kind: `flood`/`tsunami` `d1`…`d6` (the KSJ depth classes <0.5,
    /// 0.5–3, 3–5, 5–10, 10–20, ≥20 m; a range reaching several classes takes the deepest);
    /// `zoning` `u1`…`u12`, `u21`; `area_division` `urbanization` / `urbanization_control` /
    /// `non_delineated`; `farmland` `farmland`; `river_erosion` `bank_erosion` / `overflow`
    /// / `erosion`; `landslide` `{steep_slope|debris_flow|landslide|other}_{yellow|red}`;
    /// `daily_life_area` `open` / `served`; `facility` its type key. `unknown` when the
    /// value is missing or not recognised (assessed as the worst class).
    pub class: String,
    /// Name or label as written in the data, when there is one.
    #[schema(required = true)]
    pub name: Option<String>,
    /// The attribute value the class was read from (e.g. `0.5m以上3.0m未満`).
    #[schema(required = true)]
    pub value: Option<String>,
}

/// A map layer.
#[derive(Debug, Serialize, ToSchema)]
pub struct MapLayer {
    #[serde(rename = "type")]
    #[schema(pattern = "^FeatureCollection$")]
    pub kind: &'static str,
    pub layer: LayerKind,
    pub features: Vec<MapFeature>,
}

/// KSJ depth class bounds (lower bounds of d1…d6).
const DEPTH_CLASS_LO: [f64; 6] = [0.0, 0.5, 3.0, 5.0, 10.0, 20.0];

/// The deepest KSJ class a depth reaches: `d1`…`d6`.
fn depth_class(d: &Depth) -> String {
    let reaches = |lo: f64| {
        if d.exact {
            d.lo_m >= lo
        } else {
            d.hi_m > lo
        }
    };
    let n = DEPTH_CLASS_LO.iter().filter(|&&lo| reaches(lo)).count().max(1);
    format!("d{n}")
}

fn parsed<T>(p: Parsed<T>, class: impl FnOnce(T) -> String) -> (String, Option<String>) {
    match p {
        Parsed::Value(v) => (class(v), None),
        Parsed::Unrecognised(u) => ("unknown".into(), Some(u.raw)),
        Parsed::Missing => ("unknown".into(), None),
    }
}

/// 地図表示用のレイヤ A layer's features with their display class.
///
/// The geometries are those of `/collections/{kind}/items`; the properties are reduced to
/// what the map draws: the class the engine reads from the attributes, a name, the value.
#[utoipa::path(
    get,
    path = "/api/map/{kind}",
    tag = "ui",
    params(("kind" = LayerKind, Path, description = "The layer kind")),
    responses(
        (status = 200, description = "The layer's features with display classes", body = MapLayer, content_type = "application/geo+json"),
        (status = 404, description = "Unknown or unloaded layer kind", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn map_layer(State(state): State<AppState>, Path(kind): Path<String>) -> Result<Response, ApiError> {
    let loaded = state.loaded.load_full();
    let not_loaded = || {
        ApiError::not_found(format!(
            "レイヤ「{kind}」は読み込まれていません / Layer `{kind}` is not loaded."
        ))
    };
    let layer = LayerKind::from_key(&kind).ok_or_else(not_loaded)?;
    let collection = loaded.collections.get(&layer).ok_or_else(not_loaded)?;
    // Daily-life areas: open when no facility of the default rubric's target type is inside.
    let open: HashMap<String, bool> = match (&loaded.catalog.daily_life_area, loaded.rubrics.get(None)) {
        (Some(areas), Ok(rubric)) => areas
            .index
            .zones()
            .iter()
            .enumerate()
            .filter_map(|(i, z)| {
                let t = target_facilities(&loaded.catalog, i, &rubric.target_type)?;
                Some((z.attrs.area_id.to_string(), t.count == 0))
            })
            .collect(),
        _ => HashMap::new(),
    };
    let features = collection
        .features
        .iter()
        .enumerate()
        .map(|(index, f)| {
            let props = &f.properties_map();
            let (class, name, value) = match layer {
                LayerKind::Flood | LayerKind::Tsunami => {
                    let depth = if layer == LayerKind::Flood {
                        flood_depth_attr(props)
                    } else {
                        tsunami_depth_attr(props)
                    };
                    let label = match &depth {
                        Parsed::Value(d) => Some(d.label()),
                        _ => None,
                    };
                    let (class, raw) = parsed(depth, |d| depth_class(&d));
                    (class, None, label.or(raw))
                }
                LayerKind::Zoning => {
                    let a = zoning_attrs(props);
                    let (class, raw) = parsed(a.district, |d| format!("u{}", d.code()));
                    (
                        class,
                        lookup_display(props, &["use_name", "A29_005", "use_area_ja", "用途地域"]),
                        raw,
                    )
                }
                LayerKind::AreaDivision => {
                    let (class, raw) = parsed(division_attr(props), |d| {
                        match d {
                            Division::Urbanization => "urbanization",
                            Division::UrbanizationControl => "urbanization_control",
                            Division::NonDelineated => "non_delineated",
                        }
                        .into()
                    });
                    (class, None, raw)
                }
                LayerKind::Farmland => ("farmland".into(), None, None),
                LayerKind::RiverErosion => {
                    let (class, raw) = match erosion_type_attr(props) {
                        // Both types count: the class only changes the label.
                        Parsed::Missing => ("erosion".to_string(), None),
                        p => parsed(p, |t| {
                            match t {
                                ErosionType::BankErosion => "bank_erosion",
                                ErosionType::Overflow => "overflow",
                            }
                            .into()
                        }),
                    };
                    (class, None, raw)
                }
                LayerKind::Landslide => {
                    let a = landslide_attrs(props);
                    let phenomenon = match a.phenomenon {
                        Parsed::Value(p) => p.as_str(),
                        _ => "other",
                    };
                    let (zone, raw) = parsed(a.zone, |z| {
                        match z {
                            LandslideZone::Yellow => "yellow",
                            LandslideZone::Red => "red",
                        }
                        .into()
                    });
                    let class = if zone == "unknown" {
                        zone
                    } else {
                        format!("{phenomenon}_{zone}")
                    };
                    let label = Phenomenon::ALL
                        .into_iter()
                        .find(|p| p.as_str() == phenomenon)
                        .map(|p| p.name_ja().to_string());
                    (class, label, raw)
                }
                LayerKind::DailyLifeArea => {
                    let a = area_attrs(props);
                    let id = a.area_id.unwrap_or_else(|| f.id.to_string());
                    let class = match open.get(&id) {
                        Some(true) => "open",
                        Some(false) => "served",
                        None => "unknown",
                    };
                    (class.to_string(), a.name, Some(id))
                }
                LayerKind::Facility => {
                    let a = facility_attrs(props);
                    (
                        a.facility_type.to_string(),
                        a.name.as_deref().map(String::from),
                        a.capacity.map(|c| c.to_string()),
                    )
                }
            };
            MapFeature {
                kind: "Feature",
                id: f.id.to_string(),
                geometry: GeoJsonGeometry::of_feature(&loaded, layer, index).into(),
                properties: MapProperties { class, name, value },
            }
        })
        .collect();
    let mut response = json_response(
        StatusCode::OK,
        GEOJSON,
        &MapLayer {
            kind: "FeatureCollection",
            layer,
            features,
        },
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(response)
}
