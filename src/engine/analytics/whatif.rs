//! What-if (もしも): rubric settings changed on a copy of a rubric, the candidates whose
//! outcome changes between two assessments, and, for a failing site, the nearest place
//! that would pass.
//!
//! Nothing here re-implements a rule: a modified rubric is an ordinary [`Rubric`]
//! (validated by [`Rubric::check`], the same rules as a file), and every outcome is the
//! summary of [`Assessor::assess`].

use crate::engine::analytics::degrees_per_metre;
use crate::engine::assess::{AssessOptions, Assessor, SiteInput};
use crate::engine::geom;
use crate::engine::report::{Reason, Report, Summary, Verdict};
use crate::engine::rubric::{Band, DemandBasis, Rubric, RubricError};
use crate::engine::site::Site;
#[cfg(test)]
use geo::Point;
use geo::{Coord, MapCoords};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use toml::Spanned;
use utoipa::ToSchema;

/// One depth band `[from_m, to_m)` of an override (`to_m` null: unbounded).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BandOverride {
    pub from_m: f64,
    #[serde(default)]
    pub to_m: Option<f64>,
    pub points: u32,
}

/// Rubric settings to change; every absent field keeps the base rubric's value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RubricOverrides {
    /// 適正配置: minimum distance (m) to the nearest target facility.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_spacing_m: Option<f64>,
    /// Radius (m) of the nearby-facility count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub radius_m: Option<f64>,
    /// Counted landslide phenomena: `steep_slope`, `debris_flow`, `landslide`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub landslide_phenomena: Option<Vec<String>>,
    /// Counted river-erosion zone types: `bank_erosion`, `overflow`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub river_erosion_types: Option<Vec<String>>,
    /// Flood depth bands (contiguous from 0 m, the last one open-ended).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flood_bands: Option<Vec<BandOverride>>,
    /// Flood points when no zone touches the site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flood_none_points: Option<u32>,
    /// Tsunami depth bands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tsunami_bands: Option<Vec<BandOverride>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tsunami_none_points: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub river_erosion_outside_points: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub river_erosion_inside_points: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub landslide_outside_points: Option<u32>,
    /// Points inside a 警戒区域 (yellow).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub landslide_yellow_points: Option<u32>,
    /// Points inside a 特別警戒区域 (red).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub landslide_red_points: Option<u32>,
    /// Demand estimate basis for the area coverage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub demand_basis: Option<DemandBasis>,
    /// Target users per 10,000 residents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub demand_per_10000_population: Option<f64>,
    /// Target users per 10,000 residents aged 65+.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub demand_per_10000_aged_65plus: Option<f64>,
}

fn bands(list: &[BandOverride]) -> Vec<Spanned<Band>> {
    list.iter()
        .map(|b| {
            Spanned::new(
                0..0,
                Band {
                    from_m: b.from_m,
                    to_m: b.to_m,
                    points: b.points,
                },
            )
        })
        .collect()
}

/// Why override parameters (`key=value` pairs) cannot be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{key}: {message}")]
pub struct OverrideError {
    /// The parameter concerned.
    pub key: String,
    pub message: String,
}

impl RubricOverrides {
    /// The parameter names [`RubricOverrides::from_pairs`] reads.
    pub const KEYS: [&'static str; 16] = [
        "min_spacing_m",
        "radius_m",
        "landslide_phenomena",
        "river_erosion_types",
        "flood_bands",
        "flood_none_points",
        "tsunami_bands",
        "tsunami_none_points",
        "river_erosion_outside_points",
        "river_erosion_inside_points",
        "landslide_outside_points",
        "landslide_yellow_points",
        "landslide_red_points",
        "demand_basis",
        "demand_per_10000_population",
        "demand_per_10000_aged_65plus",
    ];

    /// Reads overrides from `key=value` text pairs (query parameters, `--set` flags):
    /// numbers as numbers; `landslide_phenomena`/`river_erosion_types` comma-separated;
    /// bands as `from-to:points` comma-separated with an empty `to` for the open-ended last
    /// band (`0-0.5:2,0.5-3:1,3-:0`). An unknown key or unreadable value is an error
    /// naming the key; the values' consistency is checked later by [`RubricOverrides::apply`].
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self, OverrideError> {
        let mut object = serde_json::Map::new();
        for (key, value) in pairs {
            let fail = |message: String| OverrideError {
                key: key.to_string(),
                message,
            };
            let value = value.trim();
            let json = match key {
                "landslide_phenomena" | "river_erosion_types" => serde_json::Value::from(
                    value
                        .split(',')
                        .map(str::trim)
                        .filter(|v| !v.is_empty())
                        .collect::<Vec<_>>(),
                ),
                "flood_bands" | "tsunami_bands" => {
                    let mut list = Vec::new();
                    for band in value.split(',').map(str::trim).filter(|b| !b.is_empty()) {
                        let bad = || {
                            fail(format!("区分は from-to:点数 の形で書いてください / band `{band}`: write from-to:points, e.g. 0.5-3:1 or 3-:0"))
                        };
                        let (range, points) = band.split_once(':').ok_or_else(bad)?;
                        let (from, to) = range.split_once('-').ok_or_else(bad)?;
                        let from_m: f64 = from.trim().parse().map_err(|_| bad())?;
                        let to_m: Option<f64> = match to.trim() {
                            "" => None,
                            t => Some(t.parse().map_err(|_| bad())?),
                        };
                        let points: u32 = points.trim().parse().map_err(|_| bad())?;
                        list.push(serde_json::json!({"from_m": from_m, "to_m": to_m, "points": points}));
                    }
                    serde_json::Value::from(list)
                }
                "demand_basis" => serde_json::Value::from(value),
                k if Self::KEYS.contains(&k) => {
                    let number: f64 = value
                        .parse()
                        .map_err(|_| fail(format!("数値ではありません / `{value}` is not a number")))?;
                    if k.ends_with("_points") {
                        if number.fract() != 0.0 || !(0.0..=f64::from(u32::MAX)).contains(&number) {
                            return Err(fail(format!(
                                "点数は 0 以上の整数です / `{value}` is not a whole number of points"
                            )));
                        }
                        serde_json::Value::from(number as u32)
                    } else {
                        serde_json::Value::from(number)
                    }
                }
                _ => {
                    return Err(fail(format!(
                        "不明な設定です / unknown setting; use one of {0}",
                        Self::KEYS.join(", ")
                    )))
                }
            };
            // Checked one key at a time so an error names its key.
            let single = serde_json::Value::Object([(key.to_string(), json.clone())].into_iter().collect());
            serde_json::from_value::<RubricOverrides>(single).map_err(|e| fail(e.to_string()))?;
            object.insert(key.to_string(), json);
        }
        serde_json::from_value(serde_json::Value::Object(object)).map_err(|e| OverrideError {
            key: "overrides".into(),
            message: e.to_string(),
        })
    }

    /// Whether nothing is overridden.
    pub fn is_empty(&self) -> bool {
        *self == RubricOverrides::default()
    }

    /// A copy of `base` with these settings changed, validated like a rubric file. The
    /// copy's id is `<base id>+what-if` (unless nothing changed), so a report made with it
    /// never passes for one made with the published rubric.
    pub fn apply(&self, base: &Rubric) -> Result<Rubric, RubricError> {
        let mut r = base.clone();
        if self.is_empty() {
            return Ok(r);
        }
        r.id = format!("{}+what-if", base.id).into();
        let c = &mut r.categories;
        macro_rules! set {
            ($field:expr, $value:expr) => {
                if let Some(v) = &$value {
                    $field = v.clone();
                }
            };
        }
        set!(r.min_spacing_m, self.min_spacing_m);
        set!(r.radius_m, self.radius_m);
        set!(c.landslide.phenomena, self.landslide_phenomena);
        set!(c.river_erosion.types, self.river_erosion_types);
        if let Some(b) = &self.flood_bands {
            c.flood.bands = bands(b);
        }
        if let Some(b) = &self.tsunami_bands {
            c.tsunami.bands = bands(b);
        }
        set!(c.flood.none_points, self.flood_none_points);
        set!(c.tsunami.none_points, self.tsunami_none_points);
        set!(c.river_erosion.outside_points, self.river_erosion_outside_points);
        set!(c.river_erosion.inside_points, self.river_erosion_inside_points);
        set!(c.landslide.outside_points, self.landslide_outside_points);
        set!(c.landslide.yellow_points, self.landslide_yellow_points);
        set!(c.landslide.red_points, self.landslide_red_points);
        set!(r.demand.basis, self.demand_basis);
        set!(r.demand.per_10000_population, self.demand_per_10000_population);
        set!(r.demand.per_10000_aged_65plus, self.demand_per_10000_aged_65plus);
        r.check("what-if overrides")?;
        Ok(r)
    }
}

/// An outcome field that can change between two assessments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangedField {
    Verdict,
    HazardTotal,
    HazardStatus,
    TooClose,
    OpenArea,
    AreaId,
}

/// The fields in which two summaries differ (both `None`: none; one `None`: verdict).
pub fn changed_fields(before: Option<&Summary>, after: Option<&Summary>) -> Vec<ChangedField> {
    match (before, after) {
        (None, None) => Vec::new(),
        (Some(_), None) | (None, Some(_)) => vec![ChangedField::Verdict],
        (Some(a), Some(b)) => [
            (a.verdict != b.verdict, ChangedField::Verdict),
            (a.hazard_total != b.hazard_total, ChangedField::HazardTotal),
            (a.hazard_status != b.hazard_status, ChangedField::HazardStatus),
            (a.too_close != b.too_close, ChangedField::TooClose),
            (a.open_area != b.open_area, ChangedField::OpenArea),
            (a.area_id != b.area_id, ChangedField::AreaId),
        ]
        .into_iter()
        .filter_map(|(differs, f)| differs.then_some(f))
        .collect(),
    }
}

/// One site assessed twice (base/old and modified/new).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SiteComparison {
    /// 0-based position in the input.
    pub index: usize,
    pub site_id: serde_json::Value,
    #[schema(required = true)]
    pub name: Option<String>,
    /// Summary under the base rubric / old layers (null when the site was rejected).
    #[schema(required = true)]
    pub before: Option<Summary>,
    /// Summary under the modified rubric / new layers.
    #[schema(required = true)]
    pub after: Option<Summary>,
    /// Outcome fields that differ; empty when the site is unaffected.
    pub changed: Vec<ChangedField>,
    /// Why the site was rejected, when it was.
    #[schema(required = true)]
    pub error: Option<crate::engine::report::SiteErrorReport>,
}

/// Assesses every site with both assessors (in parallel) and compares the summaries.
/// The two assessors may differ in rubric (what-if) or in catalog (change impact).
pub fn compare_assessments(
    before: &Assessor<'_>,
    after: &Assessor<'_>,
    sites: &[SiteInput],
    options: &AssessOptions,
) -> Vec<SiteComparison> {
    sites
        .par_iter()
        .enumerate()
        .map(|(index, input)| {
            let a = before.assess(input, options);
            let b = after.assess(input, options);
            SiteComparison {
                index,
                site_id: input.id.clone(),
                name: input.name.clone(),
                changed: changed_fields(a.summary.as_ref(), b.summary.as_ref()),
                error: a.error.or(b.error),
                before: a.summary,
                after: b.summary,
            }
        })
        .collect()
}

/// What "passes" means for [`nearest_passing`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PassCriteria {
    /// Accept `conditional` (要協議) as well as `buildable`.
    pub allow_conditional: bool,
    /// Minimum hazard total (complete scores only); null: any.
    pub min_hazard_total: Option<u32>,
    /// The nearest target facility must be at least the rubric's spacing away.
    pub require_spacing: bool,
    /// The place must lie in an area open for application (募集圏域).
    pub require_open_area: bool,
}

impl Default for PassCriteria {
    fn default() -> Self {
        PassCriteria {
            allow_conditional: false,
            min_hazard_total: None,
            require_spacing: true,
            require_open_area: false,
        }
    }
}

fn reason(code: &'static str, ja: String, en: String) -> Reason {
    Reason {
        code,
        ja,
        en,
        basis: None,
    }
}

/// Why a report does not pass `criteria` (empty: it passes).
pub fn failures(report: &Report, criteria: &PassCriteria) -> Vec<Reason> {
    let mut out = Vec::new();
    let Some(s) = &report.summary else {
        let message = report.error.as_ref().map(|e| e.message.clone()).unwrap_or_default();
        out.push(reason(
            "rejected",
            format!("候補地を評価できません: {message}"),
            format!("The site could not be assessed: {message}"),
        ));
        return out;
    };
    let verdict_ok =
        s.verdict == Verdict::Buildable || (criteria.allow_conditional && s.verdict == Verdict::Conditional);
    if !verdict_ok {
        let why: Vec<&str> = report
            .buildability
            .iter()
            .flat_map(|b| b.reasons.iter().map(|r| r.code))
            .collect();
        out.push(reason(
            "verdict",
            format!("建築可否が「{}」です（{}）", s.verdict_ja, why.join("・")),
            format!("Buildability is {} ({})", s.verdict.as_str(), why.join(", ")),
        ));
    }
    if criteria.require_spacing && s.too_close != Some(false) {
        let spacing = report.facilities.as_ref().map_or(0.0, |f| f.min_spacing_m);
        out.push(match s.nearest_distance_m {
            Some(d) if s.too_close == Some(true) => reason(
                "too_close",
                format!("最寄りの既存事業所まで {d:.0} m で、最小間隔 {spacing:.0} m 未満です"),
                format!("The nearest existing facility is {d:.0} m away, under the {spacing:.0} m spacing"),
            ),
            _ => reason(
                "spacing_unknown",
                "既存事業所のデータがなく、間隔を確認できません".into(),
                "The facility layer is missing, so spacing cannot be checked".into(),
            ),
        });
    }
    if let Some(min) = criteria.min_hazard_total {
        let partial = s.hazard_status != crate::engine::report::HazardStatus::Complete;
        if partial || s.hazard_total < min {
            out.push(reason(
                "hazard_below",
                format!(
                    "ハザード評価点が {}/{}{}で、{min} 点未満です",
                    s.hazard_total,
                    s.hazard_max,
                    if partial { "（一部不明）" } else { "" }
                ),
                format!(
                    "The hazard total is {}/{}{}, below {min}",
                    s.hazard_total,
                    s.hazard_max,
                    if partial { " (partial)" } else { "" }
                ),
            ));
        }
    }
    if criteria.require_open_area && s.open_area != Some(true) {
        out.push(reason(
            "area_not_open",
            format!(
                "日常生活圏域 {} は募集圏域ではありません（既存事業所あり、または不明）",
                s.area_id.as_deref().unwrap_or("（圏域外）")
            ),
            format!(
                "Daily-life area {} is not open for application (already served, or unknown)",
                s.area_id.as_deref().unwrap_or("(none)")
            ),
        ));
    }
    out
}

/// A place found by [`nearest_passing`].
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PassingPlace {
    /// The point assessed, or the moved parcel's centroid [lon, lat].
    pub location: [f64; 2],
    /// The moved site (the same parcel shape, translated), GeoJSON lon/lat.
    #[schema(value_type = Object)]
    pub geometry: geojson::Geometry,
    /// Geodesic distance (m) from the original site's anchor.
    pub distance_m: f64,
    /// Bearing (degrees from north) from the original site's anchor.
    pub bearing_deg: f64,
    pub summary: Summary,
}

/// The answer of [`nearest_passing`].
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NearestPass {
    /// The original site's outcome.
    #[schema(required = true)]
    pub original: Option<Summary>,
    /// Why the original site fails (empty: it already passes, and `found` is the site itself).
    pub failed: Vec<Reason>,
    /// The nearest passing place; null when none lies within `radius_m`.
    #[schema(required = true)]
    pub found: Option<PassingPlace>,
    pub criteria: PassCriteria,
    pub radius_m: f64,
    pub step_m: f64,
    /// Places assessed in the search.
    pub tried: usize,
}

/// Smallest search step (m).
pub const MIN_STEP_M: f64 = 5.0;
/// Most places one search may assess.
pub const MAX_SEARCH_PLACES: usize = 200_000;

/// Why a nearest-pass search cannot run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("半径 {radius_m} m を {step_m} m 刻みで探すと {places} 地点になり、上限 {MAX_SEARCH_PLACES} を超えます（刻みは {MIN_STEP_M} m 以上） / a search of radius {radius_m} m by {step_m} m steps would assess {places} places (limit {MAX_SEARCH_PLACES}; step ≥ {MIN_STEP_M} m)")]
pub struct SearchTooLarge {
    pub radius_m: f64,
    pub step_m: f64,
    pub places: usize,
}

/// Offsets `(east_m, north_m)` of a square lattice of `step_m` within `radius_m`, nearest first.
fn lattice(radius_m: f64, step_m: f64) -> Vec<(f64, f64)> {
    let n = (radius_m / step_m).floor() as i64;
    let mut out: Vec<(f64, f64)> = Vec::new();
    for i in -n..=n {
        for j in -n..=n {
            let (e, no) = (i as f64 * step_m, j as f64 * step_m);
            if (i, j) != (0, 0) && e.hypot(no) <= radius_m {
                out.push((e, no));
            }
        }
    }
    out.sort_by(|a, b| a.0.hypot(a.1).total_cmp(&b.0.hypot(b.1)));
    out
}

fn moved(site: &Site, dlon: f64, dlat: f64) -> Option<Site> {
    match site {
        Site::Point(p) => Site::point(p.x() + dlon, p.y() + dlat).ok(),
        Site::Parcel(parcel) => {
            let parts = parcel
                .geometry
                .0
                .iter()
                .map(|poly| {
                    poly.map_coords(|c| Coord {
                        x: c.x + dlon,
                        y: c.y + dlat,
                    })
                })
                .collect();
            Site::from_polygons(parts).ok()
        }
    }
}

/// Places are assessed in rounds of this many, nearest first; the search stops at the
/// first round holding a passing place.
const ROUND: usize = 512;

/// For a site, the nearest place within `radius_m` that passes `criteria`: the site is
/// moved (a point, or the same parcel shape translated) over a square lattice of
/// `step_m` around its anchor, nearest offsets first, and each position is assessed with
/// `assessor` (in parallel, in rounds). The first passing position in order of distance
/// is returned, with the reasons the original failed.
pub fn nearest_passing(
    assessor: &Assessor<'_>,
    input: &SiteInput,
    options: &AssessOptions,
    criteria: &PassCriteria,
    radius_m: f64,
    step_m: f64,
) -> Result<NearestPass, SearchTooLarge> {
    let too_large = |places: usize| SearchTooLarge {
        radius_m,
        step_m,
        places,
    };
    if !(step_m.is_finite() && step_m >= MIN_STEP_M && radius_m.is_finite() && radius_m >= 0.0) {
        return Err(too_large(usize::MAX));
    }
    let side = 2.0 * (radius_m / step_m).floor() + 1.0;
    let estimate = side * side * std::f64::consts::FRAC_PI_4;
    if estimate > MAX_SEARCH_PLACES as f64 {
        return Err(too_large(estimate as usize));
    }
    let original = assessor.assess(input, options);
    let failed = failures(&original, criteria);
    let mut out = NearestPass {
        original: original.summary.clone(),
        failed,
        found: None,
        criteria: *criteria,
        radius_m,
        step_m,
        tried: 1,
    };
    let Ok(site) = &input.site else {
        return Ok(out);
    };
    let anchor = site.anchor();
    let place = |site: &Site, summary: Summary| {
        let at = site.anchor();
        let (distance_m, bearing_deg) = if at == anchor {
            (0.0, 0.0)
        } else {
            geom::distance_and_bearing(anchor, at)
        };
        PassingPlace {
            location: [at.x(), at.y()],
            geometry: echo(site),
            distance_m,
            bearing_deg,
            summary,
        }
    };
    if out.failed.is_empty() {
        if let Some(summary) = original.summary {
            out.found = Some(place(site, summary));
        }
        return Ok(out);
    }
    let (per_east, per_north) = degrees_per_metre(anchor.y());
    let offsets = lattice(radius_m, step_m);
    for round in offsets.chunks(ROUND) {
        let results: Vec<Option<(Site, Summary)>> = round
            .par_iter()
            .map(|&(e, n)| {
                let moved = moved(site, e * per_east, n * per_north)?;
                let candidate = SiteInput {
                    id: input.id.clone(),
                    name: None,
                    source_ref: None,
                    site: Ok(moved.clone()),
                };
                let report = assessor.assess(&candidate, options);
                if failures(&report, criteria).is_empty() {
                    Some((moved, report.summary?))
                } else {
                    None
                }
            })
            .collect();
        out.tried += round.len();
        // Within a round the lattice order is by planar distance; pick the geodesically
        // nearest passing place of the round.
        let best = results
            .into_iter()
            .flatten()
            .map(|(s, summary)| (geom::distance_m(anchor, s.anchor()), s, summary))
            .min_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((_, s, summary)) = best {
            out.found = Some(place(&s, summary));
            break;
        }
    }
    Ok(out)
}

fn echo(site: &Site) -> geojson::Geometry {
    match site {
        Site::Point(p) => geojson::Geometry::new(geojson::GeometryValue::from(p)),
        Site::Parcel(p) => geojson::Geometry::new(geojson::GeometryValue::from(&p.geometry)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lattice_is_nearest_first_and_within_radius() {
        let l = lattice(100.0, 25.0);
        assert!(l.windows(2).all(|w| w[0].0.hypot(w[0].1) <= w[1].0.hypot(w[1].1)));
        assert!(l.iter().all(|(e, n)| e.hypot(*n) <= 100.0));
        assert_eq!(l[0].0.hypot(l[0].1), 25.0);
        // 9×9 lattice minus the corners beyond 100 m and the origin.
        assert_eq!(
            l.len(),
            (-4i32..=4)
                .flat_map(|i| (-4i32..=4).map(move |j| (i, j)))
                .filter(|&(i, j)| (i, j) != (0, 0) && i * i + j * j <= 16)
                .count()
        );
    }

    #[test]
    fn local_degrees_match_geodesic_metres() {
        let (de, dn) = degrees_per_metre(38.28);
        let o = Point::new(141.03, 38.28);
        assert!((geom::distance_m(o, Point::new(141.03 + 100.0 * de, 38.28)) - 100.0).abs() < 0.01);
        assert!((geom::distance_m(o, Point::new(141.03, 38.28 + 100.0 * dn)) - 100.0).abs() < 0.01);
    }

    #[test]
    fn overrides_read_from_pairs() {
        let o = RubricOverrides::from_pairs([
            ("min_spacing_m", "800"),
            ("landslide_phenomena", "steep_slope, debris_flow"),
            ("flood_bands", "0-1:2,1-:0"),
            ("landslide_yellow_points", "2"),
            ("demand_basis", "population_65plus"),
        ])
        .unwrap();
        assert_eq!(o.min_spacing_m, Some(800.0));
        assert_eq!(o.landslide_phenomena.as_deref().unwrap().len(), 2);
        assert_eq!(
            o.flood_bands.as_deref().unwrap()[1],
            BandOverride {
                from_m: 1.0,
                to_m: None,
                points: 0
            }
        );
        assert_eq!(o.demand_basis, Some(DemandBasis::Population65plus));
        let r = o.apply(&Rubric::default_rubric()).unwrap();
        assert_eq!(r.categories.landslide.yellow_points, 2);
        assert_eq!(RubricOverrides::from_pairs([("zoom", "3")]).unwrap_err().key, "zoom");
        assert_eq!(
            RubricOverrides::from_pairs([("radius_m", "far")]).unwrap_err().key,
            "radius_m"
        );
        assert_eq!(
            RubricOverrides::from_pairs([("flood_bands", "0:2")]).unwrap_err().key,
            "flood_bands"
        );
        assert_eq!(
            RubricOverrides::from_pairs([("flood_none_points", "2.5")])
                .unwrap_err()
                .key,
            "flood_none_points"
        );
        assert_eq!(
            RubricOverrides::from_pairs([("demand_basis", "cats")]).unwrap_err().key,
            "demand_basis"
        );
    }

    #[test]
    fn overrides_validate_like_a_file() {
        let base = Rubric::default_rubric();
        assert_eq!(RubricOverrides::default().apply(&base).unwrap().id, base.id);
        let o = RubricOverrides {
            min_spacing_m: Some(800.0),
            landslide_phenomena: Some(vec!["steep_slope".into(), "debris_flow".into()]),
            ..Default::default()
        };
        let r = o.apply(&base).unwrap();
        assert_eq!((r.min_spacing_m, &*r.id), (800.0, "tagajo-2023+what-if"));
        assert_eq!(r.categories.landslide.phenomena.len(), 2);
        let bad = RubricOverrides {
            flood_bands: Some(vec![BandOverride {
                from_m: 0.0,
                to_m: Some(1.0),
                points: 1,
            }]),
            ..Default::default()
        };
        let err = bad.apply(&base).unwrap_err();
        assert!(
            err.message.contains("categories.flood.bands") && !err.message.contains("line"),
            "{err}"
        );
        let bad = RubricOverrides {
            landslide_phenomena: Some(vec!["mud".into()]),
            ..Default::default()
        };
        assert!(bad.apply(&base).is_err());
    }
}
