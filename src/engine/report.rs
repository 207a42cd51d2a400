//! The site report: one JSON document per site with the stable field paths of SPEC §5.

use crate::engine::catalog::LayerKind;
use crate::engine::index::FeatureId;
use serde::Serialize;
use serde_json::value::RawValue;
use std::sync::Arc;
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

/// Buildability verdicts, ordered from best to worst: missing data never reads better
/// than a known condition (`not_buildable` > `unknown` > `conditional` > `buildable`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Buildable,
    Conditional,
    Unknown,
    NotBuildable,
}

impl Verdict {
    /// Japanese headline word used on the map and in the printed report.
    pub fn label_ja(self) -> &'static str {
        match self {
            Verdict::Buildable => "適",
            Verdict::Conditional => "要協議",
            Verdict::Unknown => "判定不可",
            Verdict::NotBuildable => "不適",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Buildable => "buildable",
            Verdict::Conditional => "conditional",
            Verdict::Unknown => "unknown",
            Verdict::NotBuildable => "not_buildable",
        }
    }
}

/// Why a verdict (or a missing answer) was given, in Japanese and English.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Reason {
    pub code: &'static str,
    pub ja: String,
    pub en: String,
    /// The rule or legal basis, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<&'static str>,
}

/// The input site echoed back.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SiteEcho {
    /// `properties.site_id`, else the feature id, else the 0-based index.
    pub id: serde_json::Value,
    /// `point` or `parcel`; null when the site was rejected before its type was known.
    #[schema(required = true)]
    pub kind: Option<&'static str>,
    /// Geodesic area (m²) of a parcel; null for a point.
    #[schema(required = true)]
    pub area_m2: Option<f64>,
    /// `properties.name` of the input, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Point or parcel centroid [lon, lat].
    #[schema(required = true)]
    pub anchor: Option<[f64; 2]>,
    /// The site geometry as assessed (GeoJSON, lon/lat JGD2011).
    #[schema(required = true, value_type = Option<Object>)]
    pub geometry: Option<geojson::Geometry>,
    /// Where the site came from in a batch (1-based line of a CSV, or feature index).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_ref: Option<String>,
}

/// A rejected site.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SiteErrorReport {
    pub code: String,
    pub message: String,
}

/// One use district touching the site.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct District {
    pub feature_id: FeatureId,
    /// KSJ use-district code (1–12, 21); null when unrecognised.
    #[schema(required = true)]
    pub code: Option<u8>,
    /// Official Japanese name, or the raw value when unrecognised.
    pub name: String,
    /// Share of the parcel's area (null for a point).
    #[schema(required = true)]
    pub share: Option<f64>,
    pub verdict: Verdict,
}

/// §1 Buildability.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Buildability {
    pub verdict: Verdict,
    pub reasons: Vec<Reason>,
    #[schema(required = true)]
    pub governing_district: Option<District>,
    pub districts: Vec<District>,
    pub straddles_districts: bool,
    #[schema(required = true)]
    pub uncovered_share: Option<f64>,
    #[schema(required = true)]
    pub control_area_share: Option<f64>,
    #[schema(required = true)]
    pub farmland_share: Option<f64>,
    pub missing_layers: Vec<LayerKind>,
}

/// A daily-life area touching the site.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AreaShare {
    #[schema(value_type = String)]
    pub id: Arc<str>,
    #[schema(required = true, value_type = Option<String>)]
    pub name: Option<Arc<str>>,
    pub feature_id: FeatureId,
    #[schema(required = true)]
    pub share: Option<f64>,
}

/// Existing facilities of the target type inside an area.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TargetFacilities {
    #[serde(rename = "type")]
    #[schema(value_type = String)]
    pub facility_type: Arc<str>,
    pub count: usize,
    #[schema(value_type = Vec<String>)]
    pub names: Vec<Arc<str>>,
    /// Sum of the known registration capacities (登録定員).
    pub capacity: u32,
    /// How many facilities have no known capacity (not counted in `capacity`).
    pub capacity_unknown: usize,
}

/// §2 Daily-life area. `id` is null (with a `reason`) when the site is in no area.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DailyLifeArea {
    #[schema(required = true, value_type = Option<String>)]
    pub id: Option<Arc<str>>,
    #[schema(required = true, value_type = Option<String>)]
    pub name: Option<Arc<str>>,
    #[schema(required = true)]
    pub share: Option<f64>,
    pub areas: Vec<AreaShare>,
    #[schema(required = true)]
    pub target_facilities: Option<TargetFacilities>,
    /// 募集圏域: true when the area has no facility of the target type.
    #[schema(required = true)]
    pub open_for_application: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
}

/// One existing facility near the site.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NearFacility {
    pub feature_id: FeatureId,
    #[schema(required = true, value_type = Option<String>)]
    pub name: Option<Arc<str>>,
    #[serde(rename = "type")]
    #[schema(value_type = String)]
    pub facility_type: Arc<str>,
    /// Geodesic distance (m): 0 inside a parcel, else from the point or the parcel boundary.
    pub distance_m: f64,
    /// Geodesic bearing (degrees from north) from the point or the parcel centroid.
    pub bearing_deg: f64,
    /// Daily-life area the facility lies in.
    #[schema(required = true, value_type = Option<String>)]
    pub area_id: Option<Arc<str>>,
    #[schema(required = true)]
    pub capacity: Option<u32>,
    /// [lon, lat]
    pub location: [f64; 2],
}

/// §3 Existing facilities (適正配置).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Facilities {
    pub nearest: Vec<NearFacility>,
    /// Distance (m) to the nearest facility of the target type; null when there is none.
    #[schema(required = true)]
    pub nearest_distance_m: Option<f64>,
    /// Nearest target facility strictly closer than `min_spacing_m`; null when the layer is missing.
    #[schema(required = true)]
    pub too_close: Option<bool>,
    /// Facilities of the listed types within `radius_m` (inclusive); null when the layer is missing.
    #[schema(required = true)]
    pub within_radius: Option<usize>,
    /// Local policy value from the rubric (not a national rule).
    pub min_spacing_m: f64,
    pub radius_m: f64,
    #[schema(value_type = String)]
    pub target_type: Arc<str>,
    /// Types listed in `nearest` and counted in `within_radius`.
    #[schema(value_type = Vec<String>)]
    pub types: Vec<Arc<str>>,
    pub missing_layers: Vec<LayerKind>,
}

/// One hazard zone touching the site.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HazardZone {
    pub feature_id: FeatureId,
    /// The zone's class as read (depth range, 警戒区域/特別警戒区域 with phenomenon, …).
    pub class: String,
    /// Points of this zone's class (for a zone not scored under this rubric: what it would score).
    pub points: u32,
    /// Share of the parcel (null for a point).
    #[schema(required = true)]
    pub share: Option<f64>,
    /// The class straddles a rubric boundary and its worst case was used.
    pub worst_case: bool,
    /// False for zones listed but not counted by this rubric (e.g. 土石流 under 多賀城市).
    pub scored: bool,
    /// The value could not be read and was scored as the worst class.
    pub unrecognised: bool,
}

/// One hazard category's result.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HazardCategory {
    #[schema(value_type = String)]
    pub label_ja: Arc<str>,
    #[schema(value_type = String)]
    pub label_en: Arc<str>,
    /// Lowest points among scored zones, or the "none" points; null when the layer is missing.
    #[schema(required = true)]
    pub points: Option<u32>,
    pub max: u32,
    pub zones: Vec<HazardZone>,
}

/// The four categories.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HazardCategories {
    pub flood: HazardCategory,
    pub river_erosion: HazardCategory,
    pub landslide: HazardCategory,
    pub tsunami: HazardCategory,
}

/// Whether every hazard layer was loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HazardStatus {
    Complete,
    Partial,
}

/// §4 Hazard score.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Hazard {
    /// Sum of the known categories' points. With `status = partial` it covers only those.
    pub total: u32,
    /// The rubric's maximum (15 for 多賀城市).
    pub max: u32,
    /// Maximum of the known categories only.
    pub known_max: u32,
    pub status: HazardStatus,
    /// Categories whose layer is not loaded.
    pub missing: Vec<LayerKind>,
    pub categories: HazardCategories,
}

/// The overall answer in one place.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Summary {
    pub verdict: Verdict,
    pub verdict_ja: &'static str,
    pub hazard_total: u32,
    pub hazard_max: u32,
    pub hazard_status: HazardStatus,
    #[schema(required = true, value_type = Option<String>)]
    pub area_id: Option<Arc<str>>,
    #[schema(required = true)]
    pub open_area: Option<bool>,
    #[schema(required = true)]
    pub too_close: Option<bool>,
    #[schema(required = true)]
    pub nearest_distance_m: Option<f64>,
}

/// Provenance of one layer used.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProvenanceLayer {
    pub kind: LayerKind,
    pub version: String,
    pub source: String,
    pub publisher: String,
    pub date: String,
    pub sha256: String,
}

/// The versions of the layers the report was made from.
// Every report of one catalog names the same versions, so the catalog builds this once and
// each report shares it together with its JSON encoding (about 40 % of a report's bytes,
// written without re-encoding).
#[derive(Debug, Clone, ToSchema)]
pub struct Provenance {
    /// Shared with the catalog: every report of one catalog names the same versions.
    #[schema(value_type = Vec<ProvenanceLayer>)]
    pub layers: Arc<[ProvenanceLayer]>,
    /// `{"layers":[…]}`, exactly what serialising the fields would write.
    #[schema(ignore)]
    encoded: Arc<RawValue>,
}

impl Provenance {
    pub fn new(layers: Vec<ProvenanceLayer>) -> Self {
        #[derive(Serialize)]
        struct Fields<'a> {
            layers: &'a [ProvenanceLayer],
        }
        let encoded = serde_json::value::to_raw_value(&Fields { layers: &layers })
            .expect("strings and layer kinds always serialise");
        Provenance {
            layers: layers.into(),
            encoded: encoded.into(),
        }
    }
}

impl Default for Provenance {
    fn default() -> Self {
        Provenance::new(Vec::new())
    }
}

/// Writes the shared encoding: `serde_json` copies it verbatim, `serde_json::to_value`
/// parses it back, so both give `{"layers":[…]}`.
impl Serialize for Provenance {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.encoded.serialize(serializer)
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RubricRef {
    #[schema(value_type = String)]
    pub id: Arc<str>,
    #[schema(value_type = String)]
    pub name_ja: Arc<str>,
}

/// The report for one site (SPEC §5). When `error` is set, the sections are null.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Report {
    pub site: SiteEcho,
    #[schema(required = true)]
    pub error: Option<SiteErrorReport>,
    #[schema(required = true)]
    pub summary: Option<Summary>,
    #[schema(required = true)]
    pub buildability: Option<Buildability>,
    #[schema(required = true)]
    pub daily_life_area: Option<DailyLifeArea>,
    #[schema(required = true)]
    pub facilities: Option<Facilities>,
    #[schema(required = true)]
    pub hazard: Option<Hazard>,
    pub provenance: Provenance,
    pub rubric: RubricRef,
}

// OpenAPI schemas of the two catalog types the report names. They are written by hand
// here, beside the report's derived schemas, so the catalog and index stay free of
// documentation concerns; they describe exactly what their `Serialize` impls write.

impl PartialSchema for LayerKind {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("Layer kind (レイヤ種別)."))
            .enum_values(Some(LayerKind::ALL.map(LayerKind::key)))
            .into()
    }
}

impl ToSchema for LayerKind {}

impl PartialSchema for FeatureId {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new()
            .item(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0)))
            .item(ObjectBuilder::new().schema_type(Type::String))
            .description(Some(
                "The layer feature's GeoJSON `id` when it has one, else its 0-based index in its file.",
            ))
            .into()
    }
}

impl ToSchema for FeatureId {}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn layer(kind: LayerKind, source: &str) -> ProvenanceLayer {
        ProvenanceLayer {
            kind,
            version: format!("{kind}-2024"),
            source: source.into(),
            publisher: "多賀城市".into(),
            date: "2024-04-01".into(),
            sha256: "ab".repeat(32),
        }
    }

    #[test]
    fn shared_provenance_encodes_exactly_as_its_fields() {
        let provenance = Provenance::new(vec![
            layer(LayerKind::Zoning, "都市計画図 \"用途地域\"\n第2版"),
            layer(LayerKind::Flood, "国土数値情報 A31"),
        ]);
        let fields = json!({"layers": [
            {"kind": "zoning", "version": "zoning-2024", "source": "都市計画図 \"用途地域\"\n第2版",
             "publisher": "多賀城市", "date": "2024-04-01", "sha256": "ab".repeat(32)},
            {"kind": "flood", "version": "flood-2024", "source": "国土数値情報 A31",
             "publisher": "多賀城市", "date": "2024-04-01", "sha256": "ab".repeat(32)},
        ]});
        assert_eq!(serde_json::to_string(&provenance).unwrap(), fields.to_string());
        assert_eq!(serde_json::to_value(&provenance).unwrap(), fields);
        assert_eq!(provenance.layers.len(), 2);
        // Nested in a document, as in a report.
        let doc = serde_json::to_string(&json!({"before": 1, "provenance": provenance, "after": 2}));
        assert_eq!(
            doc.unwrap(),
            json!({"before": 1, "provenance": fields, "after": 2}).to_string()
        );
        assert_eq!(
            serde_json::to_string(&Provenance::default()).unwrap(),
            r#"{"layers":[]}"#
        );
    }
}
