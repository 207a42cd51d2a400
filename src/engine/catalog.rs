//! The layer catalog: at most one active version per layer kind, each converted once into
//! normalised attributes and an R-tree index. Immutable after `build`; share it in an `Arc`.

use crate::engine::attrs::{
    self, AreaAttrs, Depth, Division, ErosionType, FacilityAttrs, LandslideAttrs, Parsed, Properties, Unrecognised,
    ZoningAttrs,
};
use crate::engine::index::{FeatureId, Place, PlaceIndex, Zone, ZoneIndex};
use crate::engine::report::{Provenance, ProvenanceLayer};
use geo::{BoundingRect, Geometry, Intersects, MultiPolygon, Point, Rect};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The nine layer kinds a deployment can load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LayerKind {
    Zoning,
    AreaDivision,
    Farmland,
    DailyLifeArea,
    Facility,
    Flood,
    RiverErosion,
    Landslide,
    Tsunami,
}

impl LayerKind {
    pub const ALL: [LayerKind; 9] = [
        LayerKind::Zoning,
        LayerKind::AreaDivision,
        LayerKind::Farmland,
        LayerKind::DailyLifeArea,
        LayerKind::Facility,
        LayerKind::Flood,
        LayerKind::RiverErosion,
        LayerKind::Landslide,
        LayerKind::Tsunami,
    ];

    /// The snake_case key, also the file stem of a manifest-less data directory.
    pub fn key(self) -> &'static str {
        match self {
            LayerKind::Zoning => "zoning",
            LayerKind::AreaDivision => "area_division",
            LayerKind::Farmland => "farmland",
            LayerKind::DailyLifeArea => "daily_life_area",
            LayerKind::Facility => "facility",
            LayerKind::Flood => "flood",
            LayerKind::RiverErosion => "river_erosion",
            LayerKind::Landslide => "landslide",
            LayerKind::Tsunami => "tsunami",
        }
    }

    /// Inverse of [`LayerKind::key`].
    pub fn from_key(key: &str) -> Option<LayerKind> {
        LayerKind::ALL.into_iter().find(|k| k.key() == key)
    }

    /// Japanese name as used on Japanese planning and hazard maps.
    pub fn name_ja(self) -> &'static str {
        match self {
            LayerKind::Zoning => "用途地域",
            LayerKind::AreaDivision => "区域区分",
            LayerKind::Farmland => "農振農用地区域",
            LayerKind::DailyLifeArea => "日常生活圏域（中学校区）",
            LayerKind::Facility => "既存事業所",
            LayerKind::Flood => "洪水浸水想定区域（想定最大規模）",
            LayerKind::RiverErosion => "家屋倒壊等氾濫想定区域（河岸侵食）",
            LayerKind::Landslide => "土砂災害警戒区域",
            LayerKind::Tsunami => "津波浸水想定",
        }
    }

    /// Whether features of this kind are points (else polygons).
    pub fn is_point_kind(self) -> bool {
        self == LayerKind::Facility
    }
}

impl std::fmt::Display for LayerKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

/// Provenance of one layer version.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct LayerMeta {
    pub version: String,
    pub source: String,
    pub publisher: String,
    pub date: String,
    pub licence: String,
    /// File names merged into this version, in order (the `file` index of features).
    pub files: Vec<String>,
    /// SHA-256 of the source file (of the concatenated file hashes when several).
    pub sha256: String,
}

/// A feature as read from a file, before normalisation.
#[derive(Debug, Clone)]
pub struct RawFeature {
    pub id: FeatureId,
    pub file: u32,
    pub geometry: Geometry<f64>,
    pub properties: Properties,
}

/// One layer's features and provenance, ready to be built into the catalog.
#[derive(Debug, Clone)]
pub struct RawLayer {
    pub kind: LayerKind,
    pub meta: LayerMeta,
    pub features: Vec<RawFeature>,
}

/// A feature that cannot be used at all (wrong geometry type for its kind).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("レイヤ {kind} のファイル {file} の地物 {feature_id}: {expected_ja}が必要ですが {found} です / layer {kind}, file {file}, feature {feature_id}: expected {expected}, found {found}")]
pub struct CatalogError {
    pub kind: LayerKind,
    pub file: String,
    pub feature_id: FeatureId,
    pub expected: &'static str,
    pub expected_ja: &'static str,
    pub found: String,
}

/// An attribute value no rule recognised; the feature is kept and flagged.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AttributeIssue {
    pub kind: LayerKind,
    pub file: String,
    pub feature_id: FeatureId,
    #[serde(flatten)]
    pub value: Unrecognised,
}

/// What is known about a loaded layer apart from its index.
#[derive(Debug, Clone)]
pub struct LayerInfo {
    pub kind: LayerKind,
    pub meta: LayerMeta,
    pub feature_count: usize,
    pub bbox: Option<Rect<f64>>,
    /// Values the normaliser could not read (the features are kept).
    pub issues: Vec<AttributeIssue>,
}

/// A loaded layer: its info and its index.
#[derive(Debug)]
pub struct Layer<I> {
    pub info: LayerInfo,
    pub index: I,
}

/// A daily-life area's normalised attributes.
#[derive(Debug, Clone)]
pub struct AreaInfo {
    /// `area_id` / `A32_003`, else the feature id.
    pub area_id: Arc<str>,
    pub name: Option<Arc<str>>,
    pub population: Option<f64>,
    pub population_65plus: Option<f64>,
}

/// A facility's attributes plus the daily-life area it lies in (index into that layer).
#[derive(Debug, Clone)]
pub struct FacilityInfo {
    pub attrs: FacilityAttrs,
    pub area: Option<usize>,
}

pub type ZoningLayer = Layer<ZoneIndex<ZoningAttrs>>;
pub type DivisionLayer = Layer<ZoneIndex<Parsed<Division>>>;
pub type FarmlandLayer = Layer<ZoneIndex<()>>;
pub type AreaLayer = Layer<ZoneIndex<AreaInfo>>;
pub type FacilityLayer = Layer<PlaceIndex<FacilityInfo>>;
pub type DepthLayer = Layer<ZoneIndex<Parsed<Depth>>>;
pub type ErosionLayer = Layer<ZoneIndex<Parsed<ErosionType>>>;
pub type LandslideLayer = Layer<ZoneIndex<LandslideAttrs>>;

/// Every active layer. A `None` layer is not loaded, which the assessment reports as
/// missing (never as clear).
#[derive(Debug, Default)]
pub struct Catalog {
    pub zoning: Option<ZoningLayer>,
    pub area_division: Option<DivisionLayer>,
    pub farmland: Option<FarmlandLayer>,
    pub daily_life_area: Option<AreaLayer>,
    pub facility: Option<FacilityLayer>,
    pub flood: Option<DepthLayer>,
    pub river_erosion: Option<ErosionLayer>,
    pub landslide: Option<LandslideLayer>,
    pub tsunami: Option<DepthLayer>,
    /// Set by [`Catalog::build`]: the provenance every report carries, shared by all.
    provenance: Provenance,
    /// Set by [`Catalog::build`]: for each daily-life area (by index), the indices of
    /// the facilities inside it, ascending.
    area_facilities: Vec<Vec<usize>>,
}

/// Summary of one loaded layer (for `tekichi layers` and the API).
#[derive(Debug, Clone, Serialize)]
pub struct LayerSummary {
    pub kind: LayerKind,
    pub name_ja: &'static str,
    pub feature_count: usize,
    /// [min lon, min lat, max lon, max lat]
    pub bbox: Option<[f64; 4]>,
    #[serde(flatten)]
    pub meta: LayerMeta,
    /// Unrecognised values by field name.
    pub unrecognised: BTreeMap<String, usize>,
}

fn split_polygonal(g: Geometry<f64>) -> Option<MultiPolygon<f64>> {
    match g {
        Geometry::Polygon(p) => Some(MultiPolygon(vec![p])),
        Geometry::MultiPolygon(mp) => Some(mp),
        _ => None,
    }
}

fn geometry_type(g: &Geometry<f64>) -> String {
    match g {
        Geometry::Point(_) => "Point",
        Geometry::Line(_) | Geometry::LineString(_) => "LineString",
        Geometry::Polygon(_) => "Polygon",
        Geometry::MultiPoint(_) => "MultiPoint",
        Geometry::MultiLineString(_) => "MultiLineString",
        Geometry::MultiPolygon(_) => "MultiPolygon",
        Geometry::GeometryCollection(_) => "GeometryCollection",
        Geometry::Rect(_) => "Rect",
        Geometry::Triangle(_) => "Triangle",
    }
    .into()
}

/// Collects the issues of one feature while its attributes are read.
struct Reader<'a> {
    kind: LayerKind,
    meta: &'a LayerMeta,
    issues: Vec<AttributeIssue>,
}

impl Reader<'_> {
    fn flag(&mut self, f: &RawFeature, value: Unrecognised) {
        self.issues.push(AttributeIssue {
            kind: self.kind,
            file: self.file_name(f.file),
            feature_id: f.id.clone(),
            value,
        });
    }

    fn flag_parsed<T>(&mut self, f: &RawFeature, parsed: &Parsed<T>) {
        if let Parsed::Unrecognised(u) = parsed {
            self.flag(f, u.clone());
        }
    }

    /// Like `flag_parsed`, and a missing required value is flagged too (under `field`).
    fn flag_required<T>(&mut self, f: &RawFeature, field: &str, parsed: &Parsed<T>) {
        if matches!(parsed, Parsed::Missing) {
            self.flag(
                f,
                Unrecognised {
                    field: field.into(),
                    raw: String::new(),
                },
            );
        }
        self.flag_parsed(f, parsed);
    }

    fn file_name(&self, file: u32) -> String {
        self.meta.files.get(file as usize).cloned().unwrap_or_default()
    }

    fn zones<A>(
        &mut self,
        raw: RawLayer,
        mut read: impl FnMut(&mut Self, &RawFeature) -> A,
    ) -> Result<Layer<ZoneIndex<A>>, CatalogError> {
        let mut zones = Vec::with_capacity(raw.features.len());
        for f in raw.features {
            let attrs = read(self, &f);
            let found = geometry_type(&f.geometry);
            let Some(geometry) = split_polygonal(f.geometry) else {
                return Err(CatalogError {
                    kind: raw.kind,
                    file: self.file_name(f.file),
                    feature_id: f.id,
                    expected: "Polygon or MultiPolygon",
                    expected_ja: "ポリゴン（Polygon・MultiPolygon）",
                    found,
                });
            };
            zones.push(Zone {
                id: f.id,
                file: f.file,
                geometry,
                attrs,
            });
        }
        let bbox = union_bbox(zones.iter().filter_map(|z| z.geometry.bounding_rect()));
        Ok(Layer {
            info: LayerInfo {
                kind: self.kind,
                meta: raw.meta,
                feature_count: zones.len(),
                bbox,
                issues: std::mem::take(&mut self.issues),
            },
            index: ZoneIndex::new(zones),
        })
    }
}

fn union_bbox(rects: impl Iterator<Item = Rect<f64>>) -> Option<Rect<f64>> {
    rects.reduce(|a, b| {
        Rect::new(
            geo::coord! { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
            geo::coord! { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
        )
    })
}

impl Catalog {
    /// Normalises and indexes the given layers (at most one per kind; a later one replaces
    /// an earlier one of the same kind). Fails only on features of the wrong geometry type.
    pub fn build(layers: Vec<RawLayer>) -> Result<Catalog, CatalogError> {
        let mut catalog = Catalog::default();
        let mut facility_raw = None;
        for raw in layers {
            let kind = raw.kind;
            let meta = raw.meta.clone();
            let mut r = Reader {
                kind,
                meta: &meta,
                issues: Vec::new(),
            };
            match kind {
                LayerKind::Zoning => {
                    catalog.zoning = Some(r.zones(raw, |r, f| {
                        let a = attrs::zoning_attrs(&f.properties);
                        r.flag_required(f, "use_district", &a.district);
                        a
                    })?)
                }
                LayerKind::AreaDivision => {
                    catalog.area_division = Some(r.zones(raw, |r, f| {
                        let d = attrs::division_attr(&f.properties);
                        r.flag_required(f, "division", &d);
                        d
                    })?)
                }
                LayerKind::Farmland => catalog.farmland = Some(r.zones(raw, |_, _| ())?),
                LayerKind::DailyLifeArea => {
                    catalog.daily_life_area = Some(r.zones(raw, |_, f| {
                        let AreaAttrs {
                            area_id,
                            name,
                            population,
                            population_65plus,
                        } = attrs::area_attrs(&f.properties);
                        AreaInfo {
                            area_id: area_id.unwrap_or_else(|| f.id.to_string()).into(),
                            name: name.map(Arc::from),
                            population,
                            population_65plus,
                        }
                    })?)
                }
                LayerKind::Flood => {
                    catalog.flood = Some(r.zones(raw, |r, f| {
                        let d = attrs::flood_depth_attr(&f.properties);
                        r.flag_required(f, "depth", &d);
                        d
                    })?)
                }
                LayerKind::Tsunami => {
                    catalog.tsunami = Some(r.zones(raw, |r, f| {
                        let d = attrs::tsunami_depth_attr(&f.properties);
                        r.flag_required(f, "depth", &d);
                        d
                    })?)
                }
                LayerKind::RiverErosion => {
                    catalog.river_erosion = Some(r.zones(raw, |r, f| {
                        let t = attrs::erosion_type_attr(&f.properties);
                        r.flag_parsed(f, &t);
                        t
                    })?)
                }
                LayerKind::Landslide => {
                    catalog.landslide = Some(r.zones(raw, |r, f| {
                        let a = attrs::landslide_attrs(&f.properties);
                        r.flag_required(f, "phenomenon", &a.phenomenon);
                        r.flag_required(f, "zone", &a.zone);
                        a
                    })?)
                }
                // Facilities are placed into daily-life areas, so they are built last.
                LayerKind::Facility => facility_raw = Some(raw),
            }
        }
        if let Some(raw) = facility_raw {
            catalog.facility = Some(catalog.facility_layer(raw)?);
        }
        catalog.provenance = Provenance::new(
            catalog
                .infos()
                .map(|l| ProvenanceLayer {
                    kind: l.kind,
                    version: l.meta.version.clone(),
                    source: l.meta.source.clone(),
                    publisher: l.meta.publisher.clone(),
                    date: l.meta.date.clone(),
                    sha256: l.meta.sha256.clone(),
                })
                .collect(),
        );
        if let (Some(areas), Some(facilities)) = (&catalog.daily_life_area, &catalog.facility) {
            let mut by_area = vec![Vec::new(); areas.info.feature_count];
            for (i, place) in facilities.index.places().iter().enumerate() {
                if let Some(a) = place.attrs.area {
                    by_area[a].push(i);
                }
            }
            catalog.area_facilities = by_area;
        }
        Ok(catalog)
    }

    /// The versions of the loaded layers, as every report names them.
    pub fn provenance(&self) -> Provenance {
        self.provenance.clone()
    }

    /// Indices (into the facility index) of the facilities inside daily-life area `area`,
    /// ascending; empty when either layer is not loaded.
    pub fn facilities_in_area(&self, area: usize) -> &[usize] {
        self.area_facilities.get(area).map_or(&[], Vec::as_slice)
    }

    fn facility_layer(&self, raw: RawLayer) -> Result<FacilityLayer, CatalogError> {
        let mut r = Reader {
            kind: raw.kind,
            meta: &raw.meta,
            issues: Vec::new(),
        };
        let mut places = Vec::with_capacity(raw.features.len());
        for f in &raw.features {
            let Geometry::Point(point) = f.geometry else {
                return Err(CatalogError {
                    kind: raw.kind,
                    file: r.file_name(f.file),
                    feature_id: f.id.clone(),
                    expected: "Point",
                    expected_ja: "点（Point）",
                    found: geometry_type(&f.geometry),
                });
            };
            let attrs = attrs::facility_attrs(&f.properties);
            for u in [&attrs.type_unrecognised, &attrs.capacity_unrecognised]
                .into_iter()
                .flatten()
            {
                r.flag(f, u.clone());
            }
            let area = self
                .daily_life_area
                .as_ref()
                .and_then(|l| area_of_point(&l.index, point));
            places.push(Place {
                id: f.id.clone(),
                file: f.file,
                point,
                attrs: FacilityInfo { attrs, area },
            });
        }
        let bbox = union_bbox(places.iter().map(|p| Rect::new(p.point.0, p.point.0)));
        Ok(Layer {
            info: LayerInfo {
                kind: raw.kind,
                feature_count: places.len(),
                bbox,
                issues: r.issues,
                meta: raw.meta,
            },
            index: PlaceIndex::new(places),
        })
    }

    /// Summaries of the loaded layers, in kind order.
    pub fn summaries(&self) -> Vec<LayerSummary> {
        self.infos()
            .map(|l| {
                let mut unrecognised = BTreeMap::new();
                for i in &l.issues {
                    *unrecognised.entry(i.value.field.clone()).or_insert(0) += 1;
                }
                LayerSummary {
                    kind: l.kind,
                    name_ja: l.kind.name_ja(),
                    feature_count: l.feature_count,
                    bbox: l.bbox.map(|r| [r.min().x, r.min().y, r.max().x, r.max().y]),
                    meta: l.meta.clone(),
                    unrecognised,
                }
            })
            .collect()
    }

    /// Every unrecognised attribute value across all layers.
    pub fn issues(&self) -> impl Iterator<Item = &AttributeIssue> {
        self.infos().flat_map(|l| l.issues.iter())
    }

    /// Info of every loaded layer, in kind order.
    pub fn infos(&self) -> impl Iterator<Item = &LayerInfo> {
        LayerKind::ALL.into_iter().filter_map(|k| self.info(k))
    }

    /// Info of a loaded layer; `None` when that kind is not loaded.
    pub fn info(&self, kind: LayerKind) -> Option<&LayerInfo> {
        match kind {
            LayerKind::Zoning => self.zoning.as_ref().map(|l| &l.info),
            LayerKind::AreaDivision => self.area_division.as_ref().map(|l| &l.info),
            LayerKind::Farmland => self.farmland.as_ref().map(|l| &l.info),
            LayerKind::DailyLifeArea => self.daily_life_area.as_ref().map(|l| &l.info),
            LayerKind::Facility => self.facility.as_ref().map(|l| &l.info),
            LayerKind::Flood => self.flood.as_ref().map(|l| &l.info),
            LayerKind::RiverErosion => self.river_erosion.as_ref().map(|l| &l.info),
            LayerKind::Landslide => self.landslide.as_ref().map(|l| &l.info),
            LayerKind::Tsunami => self.tsunami.as_ref().map(|l| &l.info),
        }
    }

    /// Whether a layer of this kind is loaded.
    pub fn has(&self, kind: LayerKind) -> bool {
        self.info(kind).is_some()
    }

    /// The geometry of feature `index` (in the order read) of the loaded layer of `kind`,
    /// borrowed from its index; `None` when that layer is not loaded or is shorter.
    pub fn feature_geometry(&self, kind: LayerKind, index: usize) -> Option<FeatureGeometry<'_>> {
        fn zone<A>(layer: &Option<Layer<ZoneIndex<A>>>, index: usize) -> Option<FeatureGeometry<'_>> {
            let zone = layer.as_ref()?.index.zones().get(index)?;
            Some(FeatureGeometry::Polygons(&zone.geometry))
        }
        match kind {
            LayerKind::Zoning => zone(&self.zoning, index),
            LayerKind::AreaDivision => zone(&self.area_division, index),
            LayerKind::Farmland => zone(&self.farmland, index),
            LayerKind::DailyLifeArea => zone(&self.daily_life_area, index),
            LayerKind::Facility => {
                let place = self.facility.as_ref()?.index.places().get(index)?;
                Some(FeatureGeometry::Point(place.point))
            }
            LayerKind::Flood => zone(&self.flood, index),
            LayerKind::RiverErosion => zone(&self.river_erosion, index),
            LayerKind::Landslide => zone(&self.landslide, index),
            LayerKind::Tsunami => zone(&self.tsunami, index),
        }
    }
}

/// A loaded feature's geometry as the catalog holds it: a facility's point, or a zone's
/// polygons (a Polygon read from a file is held as a MultiPolygon of one part).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FeatureGeometry<'a> {
    Point(Point<f64>),
    Polygons(&'a MultiPolygon<f64>),
}

impl FeatureGeometry<'_> {
    /// Whether the geometry meets the rectangle (boundary included).
    pub fn intersects(&self, rect: &Rect<f64>) -> bool {
        match self {
            FeatureGeometry::Point(p) => p.intersects(rect),
            FeatureGeometry::Polygons(mp) => mp.intersects(rect),
        }
    }
}

/// The daily-life area a point belongs to: of all areas containing it (boundary
/// included), the one with the lowest area id (then lowest feature id).
pub fn area_of_point(areas: &ZoneIndex<AreaInfo>, point: Point<f64>) -> Option<usize> {
    areas
        .containing(point)
        .into_iter()
        .min_by(|&a, &b| area_order(areas, a, b))
}

/// Order of daily-life areas for "lowest id" tie-breaks: area id, then feature id.
pub fn area_order(areas: &ZoneIndex<AreaInfo>, a: usize, b: usize) -> std::cmp::Ordering {
    let (za, zb) = (areas.zone(a), areas.zone(b));
    natural_cmp(&za.attrs.area_id, &zb.attrs.area_id).then_with(|| za.order_key().cmp(&zb.order_key()))
}

/// Compares ids numerically when both are integers, else as text.
fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}
