//! What an upload changes in a layer, feature by feature: which features are new, which
//! are gone, and how the total area moves. Features are matched by a fingerprint of
//! their geometry and attributes (imported feature ids are positions in the file and mean
//! nothing across versions), so a re-delivered file with the same content is "unchanged"
//! however its features are ordered.

use crate::engine::attrs::Properties;
use crate::engine::catalog::LayerKind;
use crate::engine::geom::{multipolygon_area_m2, polygon_area_m2};
use geo::Geometry;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;

/// How many feature ids `added_features` / `removed_features` list at most.
pub const LISTED_FEATURES: usize = 100;

/// The difference between the active version of a layer and an upload.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LayerDiff {
    pub kind: LayerKind,
    /// The active version compared against (`v3`); null when the kind has none.
    #[schema(required = true)]
    pub active_version: Option<String>,
    /// SHA-256 of the active version's source files; null when none is active.
    #[schema(required = true)]
    pub active_sha256: Option<String>,
    /// Features of the active version.
    pub features_before: usize,
    /// Features the upload would store (rejected ones excluded).
    pub features_after: usize,
    /// Upload features with no identical feature (geometry and attributes) in the active version.
    pub added: usize,
    /// Active features with no identical feature in the upload.
    pub removed: usize,
    /// Features present, identical, in both.
    pub unchanged: usize,
    /// Of the added features, those whose geometry equals a removed feature's: only their
    /// attributes changed.
    pub attributes_changed: usize,
    /// Sum of the features' geodesic areas (m²) in the active version (overlaps count
    /// twice); null for point layers.
    #[schema(required = true)]
    pub area_before_m2: Option<f64>,
    /// The same sum over the upload; null for point layers.
    #[schema(required = true)]
    pub area_after_m2: Option<f64>,
    /// `area_after_m2 − area_before_m2`; null for point layers.
    #[schema(required = true)]
    pub area_change_m2: Option<f64>,
    /// Ids (0-based positions in the upload) of the first added features.
    pub added_features: Vec<String>,
    /// Ids of the first removed features of the active version.
    pub removed_features: Vec<String>,
}

/// One feature as compared: its id, geometry and attributes (borrowed from an upload,
/// or rebuilt from what the server holds for the active version).
pub struct Compared<'a> {
    pub id: String,
    pub geometry: Cow<'a, Geometry<f64>>,
    pub properties: Cow<'a, Properties>,
}

type Digest32 = [u8; 32];

/// SHA-256 of the geometry's GeoJSON text (exact f64 digits).
fn geometry_fingerprint(g: &Geometry<f64>) -> Digest32 {
    let text = serde_json::to_vec(&geojson::Geometry::from(g)).unwrap_or_default();
    Sha256::digest(text).into()
}

/// SHA-256 of the geometry fingerprint and the attributes with their keys sorted (the
/// attribute order of a file does not make a feature different).
fn feature_fingerprint(geometry: &Digest32, properties: &Properties) -> Digest32 {
    let sorted: BTreeMap<&String, &serde_json::Value> = properties.iter().collect();
    let mut h = Sha256::new();
    h.update(geometry);
    h.update(serde_json::to_vec(&sorted).unwrap_or_default());
    h.finalize().into()
}

/// Geodesic area (m²) of a polygonal geometry; 0 for anything else.
pub fn area_m2(g: &Geometry<f64>) -> f64 {
    match g {
        Geometry::Polygon(p) => polygon_area_m2(p),
        Geometry::MultiPolygon(mp) => multipolygon_area_m2(mp),
        _ => 0.0,
    }
}

/// Compares the active version (`before`, with its version label and hash; `None` when
/// the kind has no active version) with the features of an upload (`after`).
pub fn diff_layer(
    kind: LayerKind,
    before: Option<(String, String, Vec<Compared<'_>>)>,
    after: Vec<Compared<'_>>,
) -> LayerDiff {
    let (active_version, active_sha256, before) = match before {
        Some((v, sha, features)) => (Some(v), Some(sha), features),
        None => (None, None, Vec::new()),
    };
    let print = |f: &Compared<'_>| {
        let g = geometry_fingerprint(&f.geometry);
        (g, feature_fingerprint(&g, &f.properties))
    };
    let before_prints: Vec<(Digest32, Digest32)> = before.iter().map(print).collect();
    let after_prints: Vec<(Digest32, Digest32)> = after.iter().map(print).collect();
    // Multisets: a feature delivered twice must be matched twice.
    let mut remaining: HashMap<Digest32, usize> = HashMap::new();
    for (_, f) in &before_prints {
        *remaining.entry(*f).or_default() += 1;
    }
    let mut added = Vec::new();
    for (i, (_, f)) in after_prints.iter().enumerate() {
        match remaining.get_mut(f) {
            Some(n) if *n > 0 => *n -= 1,
            _ => added.push(i),
        }
    }
    let unchanged = after.len() - added.len();
    // The removed ones: before features whose fingerprint is left over.
    let mut removed = Vec::new();
    for (i, (_, f)) in before_prints.iter().enumerate() {
        if let Some(n) = remaining.get_mut(f) {
            if *n > 0 {
                *n -= 1;
                removed.push(i);
            }
        }
    }
    let mut removed_geometries: HashMap<Digest32, usize> = HashMap::new();
    for &i in &removed {
        *removed_geometries.entry(before_prints[i].0).or_default() += 1;
    }
    let attributes_changed = added
        .iter()
        .filter(|&&i| match removed_geometries.get_mut(&after_prints[i].0) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        })
        .count();
    let polygonal = !kind.is_point_kind();
    let total = |fs: &[Compared<'_>]| polygonal.then(|| fs.iter().map(|f| area_m2(&f.geometry)).sum::<f64>());
    let (area_before_m2, area_after_m2) = (total(&before), total(&after));
    LayerDiff {
        kind,
        active_version,
        active_sha256,
        features_before: before.len(),
        features_after: after.len(),
        added: added.len(),
        removed: removed.len(),
        unchanged,
        attributes_changed,
        area_change_m2: area_after_m2.zip(area_before_m2).map(|(a, b)| a - b),
        area_before_m2,
        area_after_m2,
        added_features: added
            .iter()
            .take(LISTED_FEATURES)
            .map(|&i| after[i].id.clone())
            .collect(),
        removed_features: removed
            .iter()
            .take(LISTED_FEATURES)
            .map(|&i| before[i].id.clone())
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    fn props(pairs: &[(&str, serde_json::Value)]) -> Properties {
        pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
    }

    #[test]
    fn features_match_by_content_not_by_position_or_key_order() {
        let a: Geometry<f64> =
            polygon![(x: 141.0, y: 38.0), (x: 141.01, y: 38.0), (x: 141.01, y: 38.01), (x: 141.0, y: 38.0)].into();
        let b: Geometry<f64> =
            polygon![(x: 141.1, y: 38.0), (x: 141.11, y: 38.0), (x: 141.11, y: 38.01), (x: 141.1, y: 38.0)].into();
        let c: Geometry<f64> =
            polygon![(x: 141.2, y: 38.0), (x: 141.21, y: 38.0), (x: 141.21, y: 38.01), (x: 141.2, y: 38.0)].into();
        let p1 = props(&[("depth", 1.0.into()), ("name", "x".into())]);
        let p1_reordered = props(&[("name", "x".into()), ("depth", 1.0.into())]);
        let p2 = props(&[("depth", 4.0.into()), ("name", "x".into())]);
        let f = |id: &str, g, p| Compared {
            id: id.into(),
            geometry: Cow::Borrowed(g),
            properties: Cow::Borrowed(p),
        };
        // before: a (p1), b (p1); after: b (p1, other key order, other position), a (p2), c (p1)
        let before = vec![f("0", &a, &p1), f("1", &b, &p1)];
        let after = vec![f("0", &b, &p1_reordered), f("1", &a, &p2), f("2", &c, &p1)];
        let d = diff_layer(LayerKind::Flood, Some(("v1".into(), "abc".into(), before)), after);
        assert_eq!((d.unchanged, d.added, d.removed, d.attributes_changed), (1, 2, 1, 1));
        assert_eq!(d.added_features, ["1", "2"]);
        assert_eq!(d.removed_features, ["0"]);
        let one = area_m2(&a);
        assert!(
            (4e5..6e5).contains(&one),
            "a 0.01° triangle at 38°N is about 0.49 km²: {one}"
        );
        assert!((d.area_change_m2.unwrap() - area_m2(&c)).abs() < 1e-6);
        assert_eq!(d.active_version.as_deref(), Some("v1"));
    }

    #[test]
    fn nothing_active_means_everything_is_added_and_points_have_no_area() {
        let p: Geometry<f64> = geo::Point::new(141.0, 38.0).into();
        let none = Properties::new();
        let after = vec![Compared {
            id: "0".into(),
            geometry: Cow::Borrowed(&p),
            properties: Cow::Borrowed(&none),
        }];
        let d = diff_layer(LayerKind::Facility, None, after);
        assert_eq!((d.added, d.removed, d.features_before), (1, 0, 0));
        assert_eq!(d.area_change_m2, None);
        assert_eq!(d.active_version, None);
    }
}
