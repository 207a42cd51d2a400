//! §2 Daily-life area (日常生活圏域, in practice the 中学校区) and whether it still
//! lacks a facility of the target type (募集圏域).

use super::cmp_share_desc;
use crate::engine::catalog::{area_order, Catalog, LayerKind};
use crate::engine::report::{AreaShare, DailyLifeArea, Reason, TargetFacilities};
use crate::engine::site::Site;
use std::sync::Arc;

fn without_area(reason: Reason) -> DailyLifeArea {
    DailyLifeArea {
        id: None,
        name: None,
        share: None,
        areas: Vec::new(),
        target_facilities: None,
        open_for_application: None,
        reason: Some(reason),
    }
}

/// Existing facilities of `target_type` inside area `area` (index into the area layer).
pub fn target_facilities(catalog: &Catalog, area: usize, target_type: &Arc<str>) -> Option<TargetFacilities> {
    let layer = catalog.facility.as_ref()?;
    let mut t = TargetFacilities {
        facility_type: target_type.clone(),
        count: 0,
        names: Vec::new(),
        capacity: 0,
        capacity_unknown: 0,
    };
    for &i in catalog.facilities_in_area(area) {
        let place = layer.index.place(i);
        let info = &place.attrs;
        if info.attrs.facility_type != *target_type {
            continue;
        }
        t.count += 1;
        t.names.push(
            info.attrs
                .name
                .clone()
                .unwrap_or_else(|| format!("（名称なし #{}）", place.id).into()),
        );
        match info.attrs.capacity {
            Some(c) => t.capacity += c,
            None => t.capacity_unknown += 1,
        }
    }
    Some(t)
}

/// Assesses §2 for a site.
pub(super) fn assess(catalog: &Catalog, site: &Site, target_type: &Arc<str>, sliver_m2: f64) -> DailyLifeArea {
    let Some(layer) = &catalog.daily_life_area else {
        return without_area(Reason {
            code: "missing_layer",
            ja: "日常生活圏域（中学校区）のデータが読み込まれていません".into(),
            en: "The daily_life_area layer is not loaded".into(),
            basis: None,
        });
    };
    let index = &layer.index;
    let (chosen, mut touching): (Option<usize>, Vec<(usize, Option<f64>)>) = match site {
        Site::Point(p) => {
            let mut hits: Vec<(usize, Option<f64>)> = index.containing(*p).into_iter().map(|z| (z, None)).collect();
            // Lowest area id first: the area a point belongs to (`area_of_point`).
            hits.sort_by(|a, b| area_order(index, a.0, b.0));
            (hits.first().map(|h| h.0), hits)
        }
        Site::Parcel(parcel) => {
            let mut hits: Vec<(usize, Option<f64>)> = index
                .overlapping(parcel, sliver_m2)
                .into_iter()
                .map(|o| (o.zone, Some((o.area_m2 / parcel.area_m2).min(1.0))))
                .collect();
            // Largest share first; ties: lowest area id.
            hits.sort_by(|a, b| cmp_share_desc(a.1, b.1).then_with(|| area_order(index, a.0, b.0)));
            (hits.first().map(|h| h.0), hits)
        }
    };
    let Some(chosen) = chosen else {
        return without_area(Reason {
            code: "outside_daily_life_areas",
            ja: "どの日常生活圏域（中学校区）にも含まれません".into(),
            en: "The site lies outside every daily-life area".into(),
            basis: None,
        });
    };
    let share = touching.iter().find(|h| h.0 == chosen).and_then(|h| h.1);
    let areas = touching
        .drain(..)
        .map(|(z, share)| {
            let zone = index.zone(z);
            AreaShare {
                id: zone.attrs.area_id.clone(),
                name: zone.attrs.name.clone(),
                feature_id: zone.id.clone(),
                share,
            }
        })
        .collect();
    let zone = index.zone(chosen);
    let target = target_facilities(catalog, chosen, target_type);
    let missing_facilities = catalog.facility.is_none().then(|| Reason {
        code: "missing_layer",
        ja: "既存事業所のデータが読み込まれていないため、募集圏域かどうか判定できません".into(),
        en: format!(
            "The {} layer is not loaded, so whether the area is open cannot be judged",
            LayerKind::Facility.key()
        ),
        basis: None,
    });
    DailyLifeArea {
        id: Some(zone.attrs.area_id.clone()),
        name: zone.attrs.name.clone(),
        share,
        areas,
        open_for_application: target.as_ref().map(|t| t.count == 0),
        target_facilities: target,
        reason: missing_facilities,
    }
}
