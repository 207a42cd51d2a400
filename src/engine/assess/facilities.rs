//! §3 Existing facilities (適正配置): nearest facilities, spacing and the radius count.

use crate::engine::catalog::{Catalog, FacilityInfo, LayerKind};
use crate::engine::geom;
use crate::engine::index::Place;
use crate::engine::report::{Facilities, NearFacility};
use crate::engine::rubric::Rubric;
use crate::engine::site::Site;
use std::sync::Arc;

/// Assesses §3 for a site: `k` nearest facilities of `types` (default: the rubric's target type).
pub(super) fn assess(catalog: &Catalog, rubric: &Rubric, site: &Site, k: usize, types: Vec<Arc<str>>) -> Facilities {
    let mut out = Facilities {
        nearest: Vec::new(),
        nearest_distance_m: None,
        too_close: None,
        within_radius: None,
        min_spacing_m: rubric.min_spacing_m,
        radius_m: rubric.radius_m,
        target_type: rubric.target_type.clone(),
        types,
        missing_layers: Vec::new(),
    };
    let types = &out.types;
    let Some(layer) = &catalog.facility else {
        out.missing_layers.push(LayerKind::Facility);
        return out;
    };
    let index = &layer.index;
    let listed = |p: &Place<FacilityInfo>| types.contains(&p.attrs.attrs.facility_type);
    let area_id = |info: &FacilityInfo| {
        let areas = &catalog.daily_life_area.as_ref()?.index;
        info.area.map(|a| areas.zone(a).attrs.area_id.clone())
    };
    let anchor = site.anchor();
    out.nearest = index
        .nearest(site, k, listed)
        .into_iter()
        .map(|n| {
            let place = index.place(n.place);
            let bearing_deg = n.bearing_deg.unwrap_or_else(|| geom::bearing_deg(anchor, place.point));
            NearFacility {
                feature_id: place.id.clone(),
                name: place.attrs.attrs.name.clone(),
                facility_type: place.attrs.attrs.facility_type.clone(),
                distance_m: n.distance_m,
                bearing_deg,
                area_id: area_id(&place.attrs),
                capacity: place.attrs.attrs.capacity,
                location: [place.point.x(), place.point.y()],
            }
        })
        .collect();
    // The spacing rule looks at the nearest target facility whatever is listed: the list's
    // first entry when it lists the target type alone, else a search of its own (other
    // types listed, or `k = 0`).
    out.nearest_distance_m = match (out.nearest.first(), types.as_slice()) {
        (Some(first), [only]) if *only == rubric.target_type => Some(first.distance_m),
        _ => index
            .nearest(site, 1, |p| p.attrs.attrs.facility_type == rubric.target_type)
            .first()
            .map(|n| n.distance_m),
    };
    out.too_close = Some(out.nearest_distance_m.is_some_and(|d| d < rubric.min_spacing_m));
    out.within_radius = Some(index.count_within(site, rubric.radius_m, listed));
    out
}
