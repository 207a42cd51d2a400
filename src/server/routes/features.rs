//! The layers as OGC API – Features (Part 1: Core, GeoJSON): landing page, conformance,
//! collections, items with `bbox`/`limit`/`offset`, single items. One collection per
//! loaded layer kind; features are served as read (lon/lat, CRS84 axis order) with their
//! original properties.
//!
//! Only JSON is offered (`f=json`, or no `f`); any `Accept` gets JSON.

use crate::engine::catalog::{FeatureGeometry, LayerKind};
use crate::engine::index::FeatureId;
use crate::server::error::{ApiError, FieldError, Problem};
use crate::server::extract::ApiQuery;
use crate::server::openapi::{
    Collection as CollectionDoc, Collections, Conformance, Extent, FeatureCollectionDoc, FeatureDoc, LandingPage, Link,
    SpatialExtent,
};
use crate::server::routes::{json_response, ok_json, GEOJSON};
use crate::server::state::{AppState, Loaded};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use geo::{Coord, Geometry, LineString, MultiPolygon, Point, Polygon, Rect};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;
use utoipa::IntoParams;

/// OGC CRS84: longitude, latitude on WGS84 (JGD2011 is treated as equal).
pub const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

/// The conformance classes implemented.
pub const CONFORMANCE: &[&str] = &[
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
];

/// Default page size of `items`.
pub const DEFAULT_LIMIT: usize = 100;

/// `?f=` on every OGC resource.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FormatQuery {
    /// Output format; only `json` is offered.
    #[param(pattern = "^json$")]
    pub f: Option<String>,
}

/// `items` parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ItemsQuery {
    /// Page size (default 100; values above the server's maximum, 10000 by default, are clamped).
    #[param(minimum = 1, maximum = 10000, default = 100)]
    pub limit: Option<usize>,
    /// Features to skip (paging; follow the `next` link rather than computing it).
    #[param(minimum = 0, default = 0)]
    pub offset: Option<usize>,
    /// `minLon,minLat,maxLon,maxLat` in CRS84: only features whose geometry intersects the box
    /// (boundary included). Six numbers (with heights) are accepted; heights are ignored.
    #[param(example = "141.0,38.28,141.05,38.3")]
    pub bbox: Option<String>,
    /// CRS of `bbox`; only CRS84 is supported.
    #[serde(rename = "bbox-crs")]
    #[param(rename = "bbox-crs")]
    pub bbox_crs: Option<String>,
    /// Accepted for conformance; the layers have no temporal extent, so it filters nothing.
    pub datetime: Option<String>,
    /// Output format; only `json` is offered.
    #[param(pattern = "^json$")]
    pub f: Option<String>,
}

fn check_format(f: Option<&str>) -> Result<(), ApiError> {
    match f {
        None | Some("json") | Some("geojson") => Ok(()),
        Some(other) => Err(ApiError::bad_query(
            Some("f".into()),
            format!("f=json のみ対応しています / `{other}` is not offered; use f=json"),
        )),
    }
}

/// The absolute base of links: the configured public URL, else `http://` + `Host`.
pub fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.settings.public_url {
        return url.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}")
}

fn link(href: String, rel: &str, media_type: &str, title: &str) -> Link {
    Link {
        href,
        rel: rel.to_string(),
        media_type: Some(media_type.to_string()),
        title: Some(title.to_string()),
    }
}

/// ランディングページ Landing page (OGC API – Features).
#[utoipa::path(
    get,
    path = "/",
    tag = "features",
    params(FormatQuery),
    responses(
        (status = 200, description = "Links to the API definition, conformance and collections", body = LandingPage),
        (status = 400, description = "Unsupported `f`", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn landing(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<FormatQuery>,
) -> Result<Response, ApiError> {
    check_format(q.f.as_deref())?;
    let loaded = state.loaded.load();
    let base = base_url(&state, &headers);
    Ok(ok_json(&LandingPage {
        title: format!("tekichi 適地 — {}", loaded.dataset.name),
        description: "小規模多機能型居宅介護の計画予定地の評価と、その判定に使う用途地域・ハザード等のレイヤ（OGC API – Features） / Site assessment for small multi-functional home-care facilities and the planning and hazard layers it uses (OGC API – Features).".into(),
        links: vec![
            link(format!("{base}/"), "self", "application/json", "このページ / This document"),
            link(
                format!("{base}/api/openapi.json"),
                "service-desc",
                "application/vnd.oai.openapi+json;version=3.1",
                "API 定義 (OpenAPI 3.1) / API definition",
            ),
            link(format!("{base}/api/docs"), "service-doc", "text/html", "API 説明 / API documentation"),
            link(
                format!("{base}/conformance"),
                "conformance",
                "application/json",
                "適合クラス / Conformance classes",
            ),
            link(
                format!("{base}/collections"),
                "data",
                "application/json",
                "レイヤ一覧 / Feature collections",
            ),
        ],
    }))
}

/// 適合クラス Conformance classes.
#[utoipa::path(
    get,
    path = "/conformance",
    tag = "features",
    params(FormatQuery),
    responses(
        (status = 200, description = "The conformance classes implemented", body = Conformance),
        (status = 400, description = "Unsupported `f`", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn conformance(ApiQuery(q): ApiQuery<FormatQuery>) -> Result<Response, ApiError> {
    check_format(q.f.as_deref())?;
    Ok(ok_json(&Conformance {
        conforms_to: CONFORMANCE.iter().map(|s| s.to_string()).collect(),
    }))
}

fn collection_doc(loaded: &Loaded, kind: LayerKind, base: &str) -> CollectionDoc {
    let key = kind.key();
    let info = loaded.catalog.info(kind);
    let meta = info.map(|i| i.meta.clone()).unwrap_or_default();
    let count = loaded.collections.get(&kind).map_or(0, |c| c.features.len());
    let source = if meta.source.is_empty() {
        "出典未記載 / no source given".to_string()
    } else {
        meta.source.clone()
    };
    CollectionDoc {
        id: key.to_string(),
        title: kind.name_ja().to_string(),
        description: format!(
            "{}（{key}）: {count} 件 / features. 出典 source: {source}; 提供 publisher: {}; 日付 date: {}; 版 version: {}",
            kind.name_ja(),
            meta.publisher,
            meta.date,
            meta.version
        ),
        links: vec![
            link(
                format!("{base}/collections/{key}"),
                "self",
                "application/json",
                "このレイヤ / This collection",
            ),
            link(
                format!("{base}/collections/{key}/items"),
                "items",
                GEOJSON,
                "地物 / Features",
            ),
        ],
        extent: info.and_then(|i| i.bbox).map(|b| Extent {
            spatial: SpatialExtent {
                bbox: vec![[b.min().x, b.min().y, b.max().x, b.max().y]],
                crs: CRS84.to_string(),
            },
        }),
        item_type: "feature".into(),
        crs: vec![CRS84.to_string()],
        storage_crs: CRS84.to_string(),
        kind,
        feature_count: count,
        version: meta.version,
        source: meta.source,
        publisher: meta.publisher,
        date: meta.date,
        licence: meta.licence,
        sha256: meta.sha256,
    }
}

/// レイヤ一覧 Feature collections: one per loaded layer kind.
#[utoipa::path(
    get,
    path = "/collections",
    tag = "features",
    params(FormatQuery),
    responses(
        (status = 200, description = "The loaded layers", body = Collections),
        (status = 400, description = "Unsupported `f`", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn collections(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<FormatQuery>,
) -> Result<Response, ApiError> {
    check_format(q.f.as_deref())?;
    let loaded = state.loaded.load();
    let base = base_url(&state, &headers);
    Ok(ok_json(&Collections {
        links: vec![link(
            format!("{base}/collections"),
            "self",
            "application/json",
            "レイヤ一覧 / Feature collections",
        )],
        collections: loaded
            .collections
            .keys()
            .map(|&kind| collection_doc(&loaded, kind, &base))
            .collect(),
    }))
}

fn find_kind(loaded: &Loaded, id: &str) -> Result<LayerKind, ApiError> {
    LayerKind::from_key(id)
        .filter(|k| loaded.collections.contains_key(k))
        .ok_or_else(|| {
            let available: Vec<&str> = loaded.collections.keys().map(|k| k.key()).collect();
            ApiError::not_found(format!(
                "レイヤ「{id}」は読み込まれていません。あるもの: {} / No collection `{id}`; available: {}.",
                available.join(", "),
                available.join(", ")
            ))
            .with_error(FieldError {
                field: Some("collectionId".into()),
                message: format!("available: {}", available.join(", ")),
                ..Default::default()
            })
        })
}

/// レイヤの説明 One feature collection: extent, CRS, source, version, feature count.
#[utoipa::path(
    get,
    path = "/collections/{collectionId}",
    tag = "features",
    params(("collectionId" = String, Path, description = "Layer kind, e.g. `flood`"), FormatQuery),
    responses(
        (status = 200, description = "The collection", body = CollectionDoc),
        (status = 400, description = "Unsupported `f`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such layer loaded", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn collection(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(collection_id): Path<String>,
    ApiQuery(q): ApiQuery<FormatQuery>,
) -> Result<Response, ApiError> {
    check_format(q.f.as_deref())?;
    let loaded = state.loaded.load();
    let kind = find_kind(&loaded, &collection_id)?;
    Ok(ok_json(&collection_doc(&loaded, kind, &base_url(&state, &headers))))
}

fn parse_bbox(text: &str) -> Result<Rect<f64>, ApiError> {
    let bad = |m: &str| ApiError::bad_query(Some("bbox".into()), m.to_string());
    let numbers: Vec<f64> = text
        .split(',')
        .map(|s| s.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad("最小経度,最小緯度,最大経度,最大緯度 の4つの数値を指定してください / expected four numbers minLon,minLat,maxLon,maxLat"))?;
    let [x0, y0, x1, y1] = match numbers.as_slice() {
        [a, b, c, d] => [*a, *b, *c, *d],
        [a, b, _, c, d, _] => [*a, *b, *c, *d],
        _ => return Err(bad("数値は4つ（または6つ）です / expected 4 (or 6) numbers")),
    };
    if !(x0.is_finite() && y0.is_finite() && x1.is_finite() && y1.is_finite()) {
        return Err(bad("有限の数値を指定してください / the numbers must be finite"));
    }
    if !(-180.0..=180.0).contains(&x0)
        || !(-180.0..=180.0).contains(&x1)
        || !(-90.0..=90.0).contains(&y0)
        || !(-90.0..=90.0).contains(&y1)
    {
        return Err(bad("経緯度の範囲外です / outside lon −180…180 / lat −90…90 (CRS84)"));
    }
    if y0 > y1 {
        return Err(bad("最小緯度が最大緯度より大きい / minLat is larger than maxLat"));
    }
    if x0 > x1 {
        return Err(bad(
            "最小経度が最大経度より大きい / minLon is larger than maxLon (boxes across the antimeridian are not supported)",
        ));
    }
    Ok(Rect::new(Coord { x: x0, y: y0 }, Coord { x: x1, y: y1 }))
}

/// A GeoJSON geometry written straight from the catalog's `geo` types (no intermediate copy).
#[derive(Debug, Clone, Copy)]
pub(crate) enum GeoJsonGeometry<'a> {
    Point(Point<f64>),
    Polygon(&'a Polygon<f64>),
    MultiPolygon(&'a MultiPolygon<f64>),
}

impl<'a> GeoJsonGeometry<'a> {
    /// The geometry of feature `index` of the collection of `kind`, as it was read.
    pub(crate) fn of_feature(loaded: &'a Loaded, kind: LayerKind, index: usize) -> Self {
        let polygon = loaded.collections[&kind].features[index].polygon;
        let geometry = loaded
            .catalog
            .feature_geometry(kind, index)
            .expect("a collection and its catalog layer hold the same features");
        Self::as_read(geometry, polygon)
    }

    /// A feature's geometry as it was read: the catalog holds a Polygon as a MultiPolygon
    /// of one part; `polygon` says which it was.
    fn as_read(geometry: FeatureGeometry<'a>, polygon: bool) -> Self {
        match geometry {
            FeatureGeometry::Point(p) => GeoJsonGeometry::Point(p),
            FeatureGeometry::Polygons(mp) => match mp.0.as_slice() {
                [part] if polygon => GeoJsonGeometry::Polygon(part),
                _ => GeoJsonGeometry::MultiPolygon(mp),
            },
        }
    }
}

impl From<GeoJsonGeometry<'_>> for geojson::Geometry {
    fn from(g: GeoJsonGeometry<'_>) -> Self {
        geojson::Geometry::new(match g {
            GeoJsonGeometry::Point(p) => geojson::GeometryValue::from(&p),
            GeoJsonGeometry::Polygon(p) => geojson::GeometryValue::from(p),
            GeoJsonGeometry::MultiPolygon(mp) => geojson::GeometryValue::from(mp),
        })
    }
}

impl GeoJsonGeometry<'_> {
    /// An owned copy.
    pub(crate) fn to_geometry(self) -> Geometry<f64> {
        match self {
            GeoJsonGeometry::Point(p) => p.into(),
            GeoJsonGeometry::Polygon(p) => p.clone().into(),
            GeoJsonGeometry::MultiPolygon(mp) => mp.clone().into(),
        }
    }
}

struct Position(Coord<f64>);

impl Serialize for Position {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        [self.0.x, self.0.y].serialize(s)
    }
}

struct Positions<'a>(&'a LineString<f64>);

impl Serialize for Positions<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0 .0.len()))?;
        for c in &self.0 .0 {
            seq.serialize_element(&Position(*c))?;
        }
        seq.end()
    }
}

struct Rings<'a>(&'a Polygon<f64>);

impl Serialize for Rings<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(1 + self.0.interiors().len()))?;
        seq.serialize_element(&Positions(self.0.exterior()))?;
        for ring in self.0.interiors() {
            seq.serialize_element(&Positions(ring))?;
        }
        seq.end()
    }
}

impl Serialize for GeoJsonGeometry<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        match *self {
            GeoJsonGeometry::Point(p) => {
                map.serialize_entry("type", "Point")?;
                map.serialize_entry("coordinates", &Position(p.0))?;
            }
            GeoJsonGeometry::Polygon(p) => {
                map.serialize_entry("type", "Polygon")?;
                map.serialize_entry("coordinates", &Rings(p))?;
            }
            GeoJsonGeometry::MultiPolygon(mp) => {
                map.serialize_entry("type", "MultiPolygon")?;
                let parts: Vec<Rings> = mp.0.iter().map(Rings).collect();
                map.serialize_entry("coordinates", &parts)?;
            }
        }
        map.end()
    }
}

/// A feature as served.
#[derive(Serialize)]
struct FeatureOut<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: &'a FeatureId,
    geometry: GeoJsonGeometry<'a>,
    properties: &'a RawValue,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    links: Vec<Link>,
}

impl<'a> FeatureOut<'a> {
    /// Feature `index` of the collection of `kind`, with its geometry from the catalog.
    fn new(loaded: &'a Loaded, kind: LayerKind, index: usize) -> Self {
        let feature = &loaded.collections[&kind].features[index];
        FeatureOut {
            kind: "Feature",
            id: &feature.id,
            geometry: GeoJsonGeometry::of_feature(loaded, kind, index),
            properties: &feature.properties,
            links: Vec::new(),
        }
    }
}

/// One page of features.
#[derive(Serialize)]
struct PageOut<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    features: Vec<FeatureOut<'a>>,
    links: Vec<Link>,
    #[serde(rename = "numberMatched")]
    number_matched: usize,
    #[serde(rename = "numberReturned")]
    number_returned: usize,
    #[serde(rename = "timeStamp")]
    time_stamp: &'a str,
}

/// レイヤの地物 Features of one layer, paged, optionally within a bounding box.
///
/// GeoJSON FeatureCollection with `numberMatched`, `numberReturned` and `next`/`prev`
/// links. Feature ids are the layer's own (its GeoJSON `id`, else the 0-based index in
/// its file).
#[utoipa::path(
    get,
    path = "/collections/{collectionId}/items",
    tag = "features",
    params(("collectionId" = String, Path, description = "Layer kind, e.g. `flood`"), ItemsQuery),
    responses(
        (status = 200, description = "A page of features", body = FeatureCollectionDoc, content_type = "application/geo+json"),
        (status = 400, description = "A bad `bbox`, `limit`, `offset` or `f`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such layer loaded", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn items(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(collection_id): Path<String>,
    ApiQuery(q): ApiQuery<ItemsQuery>,
) -> Result<Response, ApiError> {
    check_format(q.f.as_deref())?;
    if let Some(crs) = q.bbox_crs.as_deref() {
        if crs != CRS84 {
            return Err(ApiError::bad_query(
                Some("bbox-crs".into()),
                format!("bbox-crs は CRS84 のみ対応しています / only {CRS84} is supported"),
            ));
        }
    }
    let limit = match q.limit {
        Some(0) => {
            return Err(ApiError::bad_query(
                Some("limit".into()),
                "1 以上にしてください / must be at least 1",
            ))
        }
        Some(n) => n.min(state.settings.limits.items_max_limit),
        None => DEFAULT_LIMIT.min(state.settings.limits.items_max_limit),
    };
    let offset = q.offset.unwrap_or(0);
    let bbox = q.bbox.as_deref().map(parse_bbox).transpose()?;
    let loaded = state.loaded.load_full();
    let kind = find_kind(&loaded, &collection_id)?;
    let base = base_url(&state, &headers);
    let body = tokio::task::spawn_blocking(move || {
        // Invariant: find_kind checked the collection exists.
        let matched = loaded.collections[&kind].matching(&loaded.catalog, bbox);
        let page: Vec<FeatureOut> = matched
            .iter()
            .skip(offset)
            .take(limit)
            .map(|&i| FeatureOut::new(&loaded, kind, i))
            .collect();
        let key = kind.key();
        let page_url = |offset: usize| {
            let mut url = format!("{base}/collections/{key}/items?limit={limit}&offset={offset}");
            if let Some(b) = &q.bbox {
                url.push_str("&bbox=");
                url.push_str(&form_urlencoded::byte_serialize(b.as_bytes()).collect::<String>());
            }
            url
        };
        let mut links = vec![
            link(page_url(offset), "self", GEOJSON, "このページ / This page"),
            link(
                format!("{base}/collections/{key}"),
                "collection",
                "application/json",
                kind.name_ja(),
            ),
        ];
        if offset + page.len() < matched.len() {
            links.push(link(
                page_url(offset + limit),
                "next",
                GEOJSON,
                "次のページ / Next page",
            ));
        }
        if offset > 0 {
            links.push(link(
                page_url(offset.saturating_sub(limit)),
                "prev",
                GEOJSON,
                "前のページ / Previous page",
            ));
        }
        let out = PageOut {
            kind: "FeatureCollection",
            number_matched: matched.len(),
            number_returned: page.len(),
            features: page,
            links,
            time_stamp: &loaded.dataset.loaded_at,
        };
        serde_json::to_vec(&out)
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)?;
    Ok(geojson_bytes(body))
}

fn geojson_bytes(body: Vec<u8>) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, HeaderValue::from_static(GEOJSON))],
        body,
    )
        .into_response()
}

/// 地物 One feature by id.
#[utoipa::path(
    get,
    path = "/collections/{collectionId}/items/{featureId}",
    tag = "features",
    params(
        ("collectionId" = String, Path, description = "Layer kind, e.g. `flood`"),
        ("featureId" = String, Path, description = "The feature's id as in `items`"),
        FormatQuery,
    ),
    responses(
        (status = 200, description = "The feature", body = FeatureDoc, content_type = "application/geo+json"),
        (status = 400, description = "Unsupported `f`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such layer or feature", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn item(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((collection_id, feature_id)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<FormatQuery>,
) -> Result<Response, ApiError> {
    check_format(q.f.as_deref())?;
    let loaded = state.loaded.load();
    let kind = find_kind(&loaded, &collection_id)?;
    let Some(index) = loaded.collections[&kind].position(&feature_id) else {
        return Err(ApiError::not_found(format!(
            "レイヤ {collection_id} に地物「{feature_id}」はありません / No feature `{feature_id}` in `{collection_id}`."
        ))
        .with_error(FieldError {
            field: Some("featureId".into()),
            message: "unknown feature id".into(),
            ..Default::default()
        }));
    };
    let base = base_url(&state, &headers);
    let key = kind.key();
    let mut feature = FeatureOut::new(&loaded, kind, index);
    feature.links = vec![
        link(
            format!("{base}/collections/{key}/items/{}", feature.id),
            "self",
            GEOJSON,
            "この地物 / This feature",
        ),
        link(
            format!("{base}/collections/{key}"),
            "collection",
            "application/json",
            kind.name_ja(),
        ),
    ];
    Ok(json_response(StatusCode::OK, GEOJSON, &feature))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn bbox_parsing() {
        let r = parse_bbox("141,38,141.1,38.1").unwrap();
        assert_eq!((r.min().x, r.max().y), (141.0, 38.1));
        assert!(parse_bbox("141,38,0,141.1,38.1,10").is_ok());
        for bad in [
            "141,38,141.1",
            "a,b,c,d",
            "141.1,38,141,38.1",
            "141,38.1,141.1,38",
            "141,38,141.1,95",
        ] {
            assert_eq!(parse_bbox(bad).unwrap_err().status, 400, "{bad}");
        }
    }

    #[test]
    fn geometry_is_written_as_read() {
        let part = polygon![(x: 141.0, y: 38.0), (x: 141.1, y: 38.0), (x: 141.0, y: 38.1), (x: 141.0, y: 38.0)];
        let one = MultiPolygon(vec![part.clone()]);
        let as_polygon = GeoJsonGeometry::as_read(FeatureGeometry::Polygons(&one), true);
        let v = serde_json::to_value(as_polygon).unwrap();
        assert_eq!(v["type"], "Polygon");
        assert_eq!(v["coordinates"][0][1], serde_json::json!([141.1, 38.0]));
        let v = serde_json::to_value(GeoJsonGeometry::as_read(FeatureGeometry::Polygons(&one), false)).unwrap();
        assert_eq!(v["type"], "MultiPolygon");
        assert_eq!(v["coordinates"][0][0][2], serde_json::json!([141.0, 38.1]));
        let two = MultiPolygon(vec![part.clone(), part]);
        let v = serde_json::to_value(GeoJsonGeometry::as_read(FeatureGeometry::Polygons(&two), true)).unwrap();
        assert_eq!(v["type"], "MultiPolygon", "two parts cannot be one Polygon");
        assert_eq!(v["coordinates"].as_array().unwrap().len(), 2);
        let v = serde_json::to_value(GeoJsonGeometry::as_read(
            FeatureGeometry::Point(Point::new(141.0, 38.0)),
            false,
        ))
        .unwrap();
        assert_eq!(v, serde_json::json!({"type": "Point", "coordinates": [141.0, 38.0]}));
    }
}
