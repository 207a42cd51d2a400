//! §4 Hazard score under the rubric: per category the lowest applicable points
//! (複数該当する場合は、最も配点の低い点数), summed; a missing layer is `unknown`, never safe.

use crate::engine::attrs::{Depth, ErosionType, Parsed};
use crate::engine::catalog::{Catalog, LayerKind};
use crate::engine::index::ZoneIndex;
use crate::engine::report::{Hazard, HazardCategories, HazardCategory, HazardStatus, HazardZone};
use crate::engine::rubric::{DepthCategory, Rubric};
use crate::engine::site::Site;
use std::sync::Arc;

/// A zone's class label and score before its share is attached.
struct Scored {
    class: String,
    points: u32,
    worst_case: bool,
    scored: bool,
    unrecognised: bool,
}

/// The text shown for a value the normaliser could not read.
fn unreadable<T>(parsed: &Parsed<T>) -> String {
    match parsed {
        Parsed::Unrecognised(u) => format!("不明な値「{}」（最悪の区分で評価）", u.raw),
        _ => "値なし（最悪の区分で評価）".into(),
    }
}

/// Builds one category from the zones of `index` touching the site.
fn category<A>(
    index: Option<&ZoneIndex<A>>,
    site: &Site,
    sliver_m2: f64,
    (label_ja, label_en, none_points): (&Arc<str>, &Arc<str>, u32),
    score: impl Fn(&A) -> Scored,
) -> HazardCategory {
    let mut out = HazardCategory {
        label_ja: label_ja.clone(),
        label_en: label_en.clone(),
        points: None,
        max: none_points,
        zones: Vec::new(),
    };
    let Some(index) = index else { return out };
    let parcel_area = match site {
        Site::Parcel(p) => Some(p.area_m2),
        Site::Point(_) => None,
    };
    out.zones = index
        .touching(site, sliver_m2)
        .into_iter()
        .map(|(z, area)| {
            let zone = index.zone(z);
            let s = score(&zone.attrs);
            HazardZone {
                feature_id: zone.id.clone(),
                class: s.class,
                points: s.points,
                share: area.zip(parcel_area).map(|(a, total)| (a / total).min(1.0)),
                worst_case: s.worst_case,
                scored: s.scored,
                unrecognised: s.unrecognised,
            }
        })
        .collect();
    // Lowest points first (the deciding zone on top), then by feature id.
    out.zones
        .sort_by(|a, b| (!a.scored, a.points, &a.feature_id).cmp(&(!b.scored, b.points, &b.feature_id)));
    out.points = Some(
        out.zones
            .iter()
            .filter(|z| z.scored)
            .map(|z| z.points)
            .min()
            .unwrap_or(none_points),
    );
    out
}

fn depth_score(cat: &DepthCategory) -> impl Fn(&Parsed<Depth>) -> Scored + '_ {
    move |parsed| {
        let depth = match parsed {
            Parsed::Value(d) => Some(d),
            _ => None,
        };
        let s = cat.score(depth);
        Scored {
            class: depth.map_or_else(|| unreadable(parsed), Depth::label),
            points: s.points,
            worst_case: s.worst_case,
            scored: true,
            unrecognised: depth.is_none(),
        }
    }
}

/// Assesses §4 for a site.
pub(super) fn assess(catalog: &Catalog, rubric: &Rubric, site: &Site) -> Hazard {
    let c = &rubric.categories;
    let sliver = rubric.sliver_tolerance_m2;
    let flood = category(
        catalog.flood.as_ref().map(|l| &l.index),
        site,
        sliver,
        (&c.flood.label_ja, &c.flood.label_en, c.flood.none_points),
        depth_score(&c.flood),
    );
    let tsunami = category(
        catalog.tsunami.as_ref().map(|l| &l.index),
        site,
        sliver,
        (&c.tsunami.label_ja, &c.tsunami.label_en, c.tsunami.none_points),
        depth_score(&c.tsunami),
    );
    let erosion = &c.river_erosion;
    let river_erosion = category(
        catalog.river_erosion.as_ref().map(|l| &l.index),
        site,
        sliver,
        (&erosion.label_ja, &erosion.label_en, erosion.outside_points),
        |ty: &Parsed<ErosionType>| {
            let known = match ty {
                Parsed::Value(t) => Some(*t),
                _ => None,
            };
            Scored {
                class: match ty {
                    Parsed::Value(ErosionType::BankErosion) => "河岸侵食".into(),
                    Parsed::Value(ErosionType::Overflow) => "氾濫流".into(),
                    Parsed::Missing => "家屋倒壊等氾濫想定区域".into(),
                    Parsed::Unrecognised(u) => format!("種別不明「{}」", u.raw),
                },
                points: erosion.inside_points,
                worst_case: false,
                scored: erosion.counts(known),
                unrecognised: matches!(ty, Parsed::Unrecognised(_)),
            }
        },
    );
    let ls = &c.landslide;
    let landslide = category(
        catalog.landslide.as_ref().map(|l| &l.index),
        site,
        sliver,
        (&ls.label_ja, &ls.label_en, ls.outside_points),
        |a| {
            let phenomenon = match &a.phenomenon {
                Parsed::Value(p) => Some(*p),
                _ => None,
            };
            let zone = match &a.zone {
                Parsed::Value(z) => Some(*z),
                _ => None,
            };
            let scored = ls.counts(phenomenon);
            let mut class = format!(
                "{}・{}",
                phenomenon.map_or_else(|| unreadable(&a.phenomenon), |p| p.name_ja().to_string()),
                zone.map_or_else(|| unreadable(&a.zone), |z| z.name_ja().to_string()),
            );
            if !scored {
                class.push_str("（この評価基準では配点対象外）");
            }
            Scored {
                class,
                points: ls.points(zone),
                worst_case: false,
                scored,
                unrecognised: phenomenon.is_none() || zone.is_none(),
            }
        },
    );
    let pairs = [
        (LayerKind::Flood, &flood),
        (LayerKind::RiverErosion, &river_erosion),
        (LayerKind::Landslide, &landslide),
        (LayerKind::Tsunami, &tsunami),
    ];
    let missing: Vec<LayerKind> = pairs
        .iter()
        .filter(|(_, c)| c.points.is_none())
        .map(|(k, _)| *k)
        .collect();
    let total = pairs.iter().filter_map(|(_, c)| c.points).sum();
    let known_max = pairs
        .iter()
        .filter(|(_, c)| c.points.is_some())
        .map(|(_, c)| c.max)
        .sum();
    Hazard {
        total,
        max: rubric.max_total(),
        known_max,
        status: if missing.is_empty() {
            HazardStatus::Complete
        } else {
            HazardStatus::Partial
        },
        missing,
        categories: HazardCategories {
            flood,
            river_erosion,
            landslide,
            tsunami,
        },
    }
}
