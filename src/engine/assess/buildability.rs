//! §1 Buildability (建築可否): zoning, 市街化調整区域, 農振農用地.

use super::{cmp_share_desc, SHARE_TIE};
use crate::engine::attrs::{Division, Parsed, UseDistrict, ZoningAttrs};
use crate::engine::catalog::{Catalog, LayerKind};
use crate::engine::index::{Overlap, Zone, ZoneIndex};
use crate::engine::report::{Buildability, District, Reason, Verdict};
use crate::engine::site::{Parcel, Site};
use geo::{unary_union, MultiPolygon};

/// One condition found, with the verdict it implies.
struct Finding {
    verdict: Verdict,
    reason: Reason,
}

fn reason(code: &'static str, ja: String, en: String, basis: Option<&'static str>) -> Reason {
    Reason { code, ja, en, basis }
}

/// The verdict a use district implies on its own.
fn district_verdict(district: &Parsed<UseDistrict>) -> Verdict {
    match district {
        Parsed::Value(UseDistrict::ExclusiveIndustrial) => Verdict::NotBuildable,
        Parsed::Value(d) if d.is_residential() => Verdict::Buildable,
        Parsed::Value(_) => Verdict::Conditional,
        Parsed::Unrecognised(_) | Parsed::Missing => Verdict::Unknown,
    }
}

fn district_record(zone: &Zone<ZoningAttrs>, share: Option<f64>) -> District {
    let (code, name) = match &zone.attrs.district {
        Parsed::Value(d) => (Some(d.code()), d.name_ja().to_string()),
        Parsed::Unrecognised(u) => (None, u.raw.clone()),
        Parsed::Missing => (None, String::new()),
    };
    District {
        feature_id: zone.id.clone(),
        code,
        name,
        share,
        verdict: district_verdict(&zone.attrs.district),
    }
}

/// The finding of the governing district.
fn governing_finding(d: &District) -> Finding {
    let (verdict, r) = match d.verdict {
        Verdict::Buildable => (
            Verdict::Buildable,
            reason(
                "residential",
                format!("住居系の用途地域（{}）です", d.name),
                format!("Residential use district ({})", d.name),
                Some("指定地域密着型サービス基準 第67条4（住宅地への立地）"),
            ),
        ),
        Verdict::Conditional => (
            Verdict::Conditional,
            reason(
                "non_residential_zone",
                format!(
                    "住居系以外の用途地域（{}）です。住宅地と同程度に利用者の家族や地域住民との交流の機会が確保される地域であることの説明が必要です",
                    d.name
                ),
                format!(
                    "Non-residential use district ({}): the operator must show a setting comparable to a residential area",
                    d.name
                ),
                Some("指定地域密着型サービス基準 第67条4"),
            ),
        ),
        Verdict::NotBuildable => (
            Verdict::NotBuildable,
            reason(
                "exclusive_industrial",
                "工業専用地域では建築できません".into(),
                "Exclusive industrial district: the facility cannot be built".into(),
                Some("建築基準法 第48条・別表第二"),
            ),
        ),
        Verdict::Unknown => (
            Verdict::Unknown,
            reason(
                "unrecognised_use_district",
                format!("用途地域の値「{}」を認識できません", d.name),
                format!("Unrecognised use-district value \"{}\"", d.name),
                None,
            ),
        ),
    };
    Finding { verdict, reason: r }
}

fn missing_layer(kind: LayerKind, what_ja: &str, what_en: &str) -> Finding {
    Finding {
        verdict: Verdict::Unknown,
        reason: reason(
            "missing_layer",
            format!(
                "{}のデータが読み込まれていないため、{}を確認できません",
                kind.name_ja(),
                what_ja
            ),
            format!(
                "The {} layer is not loaded, so {} cannot be checked",
                kind.key(),
                what_en
            ),
            None,
        ),
    }
}

/// Geodesic area (m²) of the union of the parcel's overlaps with several zones of one
/// layer (zones of one layer may overlap, so the areas are not simply added).
fn union_area_m2<A>(index: &ZoneIndex<A>, parcel: &Parcel, overlaps: &[&Overlap]) -> f64 {
    match overlaps {
        [] => 0.0,
        [one] => one.area_m2,
        many => {
            let pieces: Vec<MultiPolygon<f64>> = many.iter().map(|o| index.intersection(parcel, o.zone)).collect();
            parcel.piece_area_m2(&unary_union(&pieces))
        }
    }
}

/// The zones of one layer a site touches, found once and then read for several questions.
enum Touched<'a> {
    /// Zones containing the point, boundary included.
    Point(Vec<usize>),
    /// Zones overlapping the parcel above the sliver tolerance, with the pieces.
    Parcel { parcel: &'a Parcel, overlaps: Vec<Overlap> },
}

fn touched<'a, A>(index: &ZoneIndex<A>, site: &'a Site, sliver_m2: f64) -> Touched<'a> {
    match site {
        Site::Point(p) => Touched::Point(index.containing(*p)),
        Site::Parcel(parcel) => Touched::Parcel {
            parcel,
            overlaps: index.overlapping(parcel, sliver_m2),
        },
    }
}

/// Share of the site inside the touched zones selected by `keep` (None for a point), and
/// whether a point lies inside or on one of them.
fn restricted_share<A>(
    index: &ZoneIndex<A>,
    touched: &Touched,
    sliver_m2: f64,
    keep: impl Fn(&A) -> bool,
) -> (Option<f64>, bool) {
    match touched {
        Touched::Point(hits) => (None, hits.iter().any(|&z| keep(&index.zone(z).attrs))),
        Touched::Parcel { parcel, overlaps } => {
            let kept: Vec<&Overlap> = overlaps.iter().filter(|o| keep(&index.zone(o.zone).attrs)).collect();
            let area = union_area_m2(index, parcel, &kept);
            let share = if area > sliver_m2 {
                (area / parcel.area_m2).min(1.0)
            } else {
                0.0
            };
            (Some(share), share > 0.0)
        }
    }
}

/// `not_buildable` when the restricted part is the larger part (share > 0.5) or the point
/// is inside/on it; `conditional` when any other positive part is in it.
fn restricted_verdict(share: Option<f64>, inside: bool) -> Option<Verdict> {
    match share {
        None if inside => Some(Verdict::NotBuildable),
        Some(s) if s > 0.5 + SHARE_TIE => Some(Verdict::NotBuildable),
        Some(s) if s > 0.0 => Some(Verdict::Conditional),
        _ => None,
    }
}

fn share_text(share: Option<f64>) -> (String, String) {
    match share {
        Some(s) => (
            format!("（敷地の{:.1}%）", s * 100.0),
            format!(" ({:.1}% of the parcel)", s * 100.0),
        ),
        None => (String::new(), String::new()),
    }
}

/// Assesses §1 for a site.
pub(super) fn assess(catalog: &Catalog, site: &Site, sliver_m2: f64) -> Buildability {
    let mut findings: Vec<Finding> = Vec::new();
    let mut missing_layers = Vec::new();

    // 市街化調整区域
    let mut in_planning_area = false;
    let control_area_share = match &catalog.area_division {
        None => {
            missing_layers.push(LayerKind::AreaDivision);
            findings.push(missing_layer(
                LayerKind::AreaDivision,
                "市街化調整区域かどうか",
                "the urbanization control area",
            ));
            None
        }
        Some(layer) => {
            let index = &layer.index;
            let touched = touched(index, site, sliver_m2);
            in_planning_area = restricted_share(index, &touched, sliver_m2, |_| true).1;
            let (share, inside) = restricted_share(index, &touched, sliver_m2, |d| {
                *d == Parsed::Value(Division::UrbanizationControl)
            });
            if let Some(verdict) = restricted_verdict(share, inside) {
                let (sja, sen) = share_text(share);
                findings.push(Finding {
                    verdict,
                    reason: reason(
                        "urbanization_control_area",
                        format!("市街化調整区域に含まれます{sja}。過半が含まれる場合は原則として立地できません"),
                        format!("In an urbanization control area{sen}; not buildable when it covers the larger part"),
                        Some("都市計画法 第7条・第34条"),
                    ),
                });
            }
            let (_, unreadable) = restricted_share(index, &touched, sliver_m2, |d| !matches!(d, Parsed::Value(_)));
            if unreadable {
                findings.push(Finding {
                    verdict: Verdict::Unknown,
                    reason: reason(
                        "unrecognised_division",
                        "区域区分の値を認識できない区域に含まれます".into(),
                        "Inside an area-division polygon whose division value is unrecognised".into(),
                        None,
                    ),
                });
            }
            share
        }
    };

    // 農振農用地区域
    let farmland_share = match &catalog.farmland {
        None => {
            missing_layers.push(LayerKind::Farmland);
            findings.push(missing_layer(
                LayerKind::Farmland,
                "農用地区域かどうか",
                "the agricultural promotion area",
            ));
            None
        }
        Some(layer) => {
            let (share, inside) =
                restricted_share(&layer.index, &touched(&layer.index, site, sliver_m2), sliver_m2, |_| {
                    true
                });
            if let Some(verdict) = restricted_verdict(share, inside) {
                let (sja, sen) = share_text(share);
                findings.push(Finding {
                    verdict,
                    reason: reason(
                        "agricultural_promotion_area",
                        format!("農業振興地域の農用地区域に含まれます{sja}。過半が含まれる場合は立地できません"),
                        format!("In an agricultural promotion area (農用地区域){sen}; not buildable when it covers the larger part"),
                        Some("農業振興地域の整備に関する法律 第15条の2"),
                    ),
                });
            }
            share
        }
    };

    // 用途地域
    let mut districts = Vec::new();
    let mut governing = None;
    let mut uncovered_share = None;
    match &catalog.zoning {
        None => missing_layers.push(LayerKind::Zoning),
        Some(layer) => {
            let index = &layer.index;
            match site {
                Site::Point(p) => {
                    let hits = index.containing(*p);
                    districts = hits.iter().map(|&z| district_record(index.zone(z), None)).collect();
                    // Worst verdict governs; tie: lowest feature id.
                    governing = hits
                        .iter()
                        .copied()
                        .zip(districts.iter())
                        .max_by(|(za, a), (zb, b)| {
                            a.verdict
                                .cmp(&b.verdict)
                                .then_with(|| index.zone(*zb).order_key().cmp(&index.zone(*za).order_key()))
                        })
                        .map(|(_, d)| d.clone());
                }
                Site::Parcel(parcel) => {
                    let overlaps = index.overlapping(parcel, sliver_m2);
                    let all: Vec<&Overlap> = overlaps.iter().collect();
                    let uncovered_m2 = parcel.area_m2 - union_area_m2(index, parcel, &all);
                    let uncovered = if uncovered_m2 > sliver_m2 {
                        (uncovered_m2 / parcel.area_m2).clamp(0.0, 1.0)
                    } else {
                        0.0
                    };
                    uncovered_share = Some(uncovered);
                    let mut ranked: Vec<(usize, District)> = overlaps
                        .iter()
                        .map(|o| {
                            (
                                o.zone,
                                district_record(index.zone(o.zone), Some((o.area_m2 / parcel.area_m2).min(1.0))),
                            )
                        })
                        .collect();
                    // Largest share first; ties: worst verdict, then lowest feature id.
                    ranked.sort_by(|(za, a), (zb, b)| {
                        cmp_share_desc(a.share, b.share)
                            .then(b.verdict.cmp(&a.verdict))
                            .then_with(|| index.zone(*za).order_key().cmp(&index.zone(*zb).order_key()))
                    });
                    // The uncovered part competes: if it is larger than every district, none governs.
                    governing = ranked
                        .first()
                        .filter(|(_, d)| d.share.unwrap_or(0.0) + SHARE_TIE >= uncovered)
                        .map(|(_, d)| d.clone());
                    districts = ranked.into_iter().map(|(_, d)| d).collect();
                }
            }
        }
    }
    let straddles_districts = districts.iter().any(|d| d.verdict != districts[0].verdict);
    match &governing {
        Some(d) => findings.push(governing_finding(d)),
        None if catalog.zoning.is_some() && in_planning_area => findings.push(Finding {
            verdict: Verdict::Conditional,
            reason: reason(
                "no_use_district",
                "都市計画区域内で用途地域の指定のない区域（白地）です。周辺の土地利用を踏まえた協議が必要です".into(),
                "Inside a city planning area with no use district (白地): to be discussed with the city".into(),
                Some("指定地域密着型サービス基準 第67条4"),
            ),
        }),
        None => findings.push(Finding {
            verdict: Verdict::Unknown,
            reason: reason(
                "no_zoning_data",
                if catalog.zoning.is_none() {
                    "用途地域のデータが読み込まれていないため判定できません".into()
                } else {
                    "用途地域・都市計画区域のデータの範囲外のため判定できません".into()
                },
                if catalog.zoning.is_none() {
                    "The zoning layer is not loaded: buildability cannot be judged".into()
                } else {
                    "No zoning data covers the site: buildability cannot be judged".into()
                },
                None,
            ),
        }),
    }
    if straddles_districts {
        let gov = governing.as_ref().map_or("（なし）".to_string(), |d| d.name.clone());
        findings.push(Finding {
            // Informational: the governing district alone decides, so this adds no severity.
            verdict: Verdict::Buildable,
            reason: reason(
                "straddles_districts",
                format!("判定の異なる複数の用途地域にまたがります。{gov}の規定が適用されます"),
                format!("The site straddles districts with different verdicts; {gov} governs"),
                Some("建築基準法 第91条"),
            ),
        });
    }
    let verdict = findings.iter().map(|f| f.verdict).max().unwrap_or(Verdict::Unknown);
    Buildability {
        verdict,
        reasons: findings.into_iter().map(|f| f.reason).collect(),
        governing_district: governing,
        districts,
        straddles_districts,
        uncovered_share,
        control_area_share,
        farmland_share,
        missing_layers,
    }
}
