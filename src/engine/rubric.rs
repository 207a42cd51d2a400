//! The scoring rubric as data: hazard categories, classes, boundaries and points,
//! the counted landslide phenomena, the spacing/radius settings and the target facility
//! type. Parsed from TOML text; a broken file names the key and the line.

use crate::engine::attrs::{Depth, ErosionType, LandslideZone, Phenomenon};
use serde::Deserialize;
use std::ops::Range;
use std::sync::Arc;
use toml::Spanned;

/// The default rubric: 多賀城市 (看護)小規模多機能型居宅介護事業者選定基準 2023, 計画予定地 15 points.
pub const DEFAULT_RUBRIC_TOML: &str = include_str!("../../data/rubrics/tagajo-2023.toml");

/// A rubric that failed to parse or validate.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("評価基準ファイル {source_name} の誤り: {message_ja} / rubric {source_name}: {message}")]
pub struct RubricError {
    pub source_name: String,
    pub message: String,
    pub message_ja: String,
}

/// One depth band `[from_m, to_m)` and its points; `to_m` absent means unbounded.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub from_m: f64,
    pub to_m: Option<f64>,
    pub points: u32,
}

impl Band {
    fn upper(&self) -> f64 {
        self.to_m.unwrap_or(f64::INFINITY)
    }

    /// Whether an inundation depth (exact or a half-open class) falls in this band.
    fn meets(&self, depth: &Depth) -> bool {
        if depth.exact {
            self.from_m <= depth.lo_m && depth.lo_m < self.upper()
        } else {
            self.from_m < depth.hi_m && depth.lo_m < self.upper()
        }
    }
}

/// Points for one zone of a category.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ZoneScore {
    pub points: u32,
    /// The zone's class straddles a band boundary (or was unrecognised) and the worst band was used.
    pub worst_case: bool,
}

/// A category scored by inundation depth (flood, tsunami).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepthCategory {
    pub label_ja: Arc<str>,
    pub label_en: Arc<str>,
    /// Points when no zone of the layer touches the site (浸水なし).
    pub none_points: u32,
    pub bands: Vec<Spanned<Band>>,
}

impl DepthCategory {
    /// Points for a zone of depth `depth`; `None` (unrecognised value) scores the worst band.
    pub fn score(&self, depth: Option<&Depth>) -> ZoneScore {
        let worst = || self.bands.iter().map(|b| b.get_ref().points).min().unwrap_or(0);
        let Some(depth) = depth else {
            return ZoneScore {
                points: worst(),
                worst_case: true,
            };
        };
        let met = || self.bands.iter().map(|b| b.get_ref()).filter(|b| b.meets(depth));
        match met().map(|b| b.points).min() {
            Some(points) => ZoneScore {
                points,
                worst_case: met().nth(1).is_some(),
            },
            // Validation guarantees bands cover [0, ∞), so only a negative depth lands here.
            None => ZoneScore {
                points: worst(),
                worst_case: true,
            },
        }
    }
}

/// 家屋倒壊等氾濫想定区域: in or out.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErosionCategory {
    pub label_ja: Arc<str>,
    pub label_en: Arc<str>,
    pub outside_points: u32,
    pub inside_points: u32,
    /// Which zone types count: `bank_erosion` (河岸侵食), `overflow` (氾濫流).
    #[serde(default = "ErosionCategory::all_types")]
    pub types: Vec<String>,
}

impl ErosionCategory {
    fn all_types() -> Vec<String> {
        vec!["bank_erosion".into(), "overflow".into()]
    }

    /// Whether a zone of this type is scored; an untyped or unrecognised zone always counts.
    pub fn counts(&self, ty: Option<ErosionType>) -> bool {
        let key = match ty {
            None => return true,
            Some(ErosionType::BankErosion) => "bank_erosion",
            Some(ErosionType::Overflow) => "overflow",
        };
        self.types.iter().any(|t| t == key)
    }
}

/// 土砂災害警戒区域 / 特別警戒区域.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LandslideCategory {
    pub label_ja: Arc<str>,
    pub label_en: Arc<str>,
    pub outside_points: u32,
    pub yellow_points: u32,
    pub red_points: u32,
    /// Counted phenomena: `steep_slope` (がけ崩れ), `debris_flow` (土石流), `landslide` (地すべり).
    pub phenomena: Vec<String>,
}

impl LandslideCategory {
    /// Points for a zone; an unrecognised zone class scores as 特別警戒区域.
    pub fn points(&self, zone: Option<LandslideZone>) -> u32 {
        match zone {
            Some(LandslideZone::Yellow) => self.yellow_points,
            Some(LandslideZone::Red) | None => self.red_points,
        }
    }

    /// Whether the phenomenon is scored; an unrecognised phenomenon always counts.
    pub fn counts(&self, phenomenon: Option<Phenomenon>) -> bool {
        phenomenon.is_none_or(|p| self.phenomena.iter().any(|k| k == p.as_str()))
    }
}

/// The four hazard categories.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Categories {
    pub flood: DepthCategory,
    pub river_erosion: ErosionCategory,
    pub landslide: LandslideCategory,
    pub tsunami: DepthCategory,
}

/// A complete rubric.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rubric {
    pub id: Arc<str>,
    pub name_ja: Arc<str>,
    pub name_en: String,
    /// Where the rubric comes from (document, year).
    pub source: String,
    /// Facility type whose spacing and daily-life-area coverage are checked.
    pub target_type: Arc<str>,
    /// 適正配置: the nearest target facility must be at least this far (m). A local policy value.
    pub min_spacing_m: f64,
    /// Radius (m) of the "facilities nearby" count (≈ the 30-minute 日常生活の場).
    pub radius_m: f64,
    /// Default number of nearest facilities listed.
    pub nearest_k: usize,
    /// Intersections of a parcel with a layer at or below this area (m²) are digitising noise.
    pub sliver_tolerance_m2: f64,
    pub categories: Categories,
    /// How the daily-life-area coverage estimates demand (optional `[demand]` table).
    #[serde(default)]
    pub demand: DemandSettings,
}

/// Which population attribute of a daily-life area the demand estimate starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DemandBasis {
    /// Total residents (`population`).
    Population,
    /// Residents aged 65 and over (`population_65plus`).
    #[serde(rename = "population_65plus")]
    Population65plus,
}

/// Demand estimate for the daily-life-area coverage (`[demand]` in a rubric file).
///
/// The default reads 全国小規模多機能型居宅介護事業者連絡会, 第76回社会保障審議会介護給付費分科会
/// ヒヤリング資料 (2011) 資料5: per 10,000 residents there are 2,300 aged 65+ and 386
/// certified for long-term care, of whom **50 are target users** of 小規模多機能型居宅介護.
/// So 50 per 10,000 residents, or 50 per 2,300 aged 65+ (≈ 217.4 per 10,000 aged 65+).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DemandSettings {
    /// Which attribute is used first; the other one is the fallback when an area lacks it.
    pub basis: DemandBasis,
    /// Target users per 10,000 residents (default 50).
    pub per_10000_population: f64,
    /// Target users per 10,000 residents aged 65+ (default 50 / 2,300 × 10,000 ≈ 217.4).
    pub per_10000_aged_65plus: f64,
    /// Registration capacity (登録定員) one new facility adds, for "facilities needed" (default 29,
    /// the upper limit since 2015).
    pub facility_capacity: u32,
}

impl Default for DemandSettings {
    fn default() -> Self {
        DemandSettings {
            basis: DemandBasis::Population,
            per_10000_population: 50.0,
            per_10000_aged_65plus: 50.0 / 2300.0 * 10_000.0,
            facility_capacity: 29,
        }
    }
}

impl Rubric {
    /// The built-in default rubric (多賀城市 2023).
    pub fn default_rubric() -> Rubric {
        // Invariant: the embedded default is tested to parse and validate.
        Rubric::from_toml_str(DEFAULT_RUBRIC_TOML, "tagajo-2023.toml").expect("embedded default rubric is valid")
    }

    /// Parses and validates rubric TOML; `source_name` names the file in errors.
    pub fn from_toml_str(text: &str, source_name: &str) -> Result<Rubric, RubricError> {
        let rubric: Rubric = toml::from_str(text).map_err(|e| {
            let at = e
                .span()
                .map(|s| line_of(text, s.start))
                .map(|l| format!(" (line {l})"))
                .unwrap_or_default();
            RubricError {
                source_name: source_name.into(),
                message: format!("{}{at}", e.message()),
                message_ja: format!("TOML を読めません{at}: {}", e.message()),
            }
        })?;
        rubric.validate(text, source_name)?;
        Ok(rubric)
    }

    /// Maximum total points (the sum of the categories' best scores).
    pub fn max_total(&self) -> u32 {
        let c = &self.categories;
        c.flood.none_points + c.river_erosion.outside_points + c.landslide.outside_points + c.tsunami.none_points
    }

    fn validate(&self, text: &str, source_name: &str) -> Result<(), RubricError> {
        let fail = |key: &str, span: Option<Range<usize>>, en: &str, ja: &str| {
            // A rubric modified in memory (`check`) has no text, so no line to name.
            let at = span
                .filter(|_| !text.is_empty())
                .map(|s| format!(" (line {})", line_of(text, s.start)))
                .unwrap_or_default();
            Err(RubricError {
                source_name: source_name.into(),
                message: format!("key `{key}`{at}: {en}"),
                message_ja: format!("キー `{key}`{at}: {ja}"),
            })
        };
        let key_line = |key: &str| find_key(text, key);
        for (name, cat) in [("flood", &self.categories.flood), ("tsunami", &self.categories.tsunami)] {
            let key = format!("categories.{name}.bands");
            if cat.bands.is_empty() {
                return fail(
                    &key,
                    key_line(name),
                    "at least one band is needed",
                    "区分が1つもありません",
                );
            }
            let mut expected_from = 0.0;
            for (i, band) in cat.bands.iter().enumerate() {
                let b = band.get_ref();
                let key = format!("categories.{name}.bands[{i}]");
                if b.from_m != expected_from {
                    return fail(
                        &format!("{key}.from_m"),
                        Some(band.span()),
                        &format!(
                            "bands must be contiguous from 0 m: expected from_m = {expected_from}, found {}",
                            b.from_m
                        ),
                        &format!(
                            "区分は 0m から切れ目なく続けてください（from_m = {expected_from} が必要ですが {} です）",
                            b.from_m
                        ),
                    );
                }
                match b.to_m {
                    Some(to) if to <= b.from_m => {
                        return fail(
                            &format!("{key}.to_m"),
                            Some(band.span()),
                            "to_m must be greater than from_m",
                            "to_m は from_m より大きくしてください",
                        )
                    }
                    Some(to) => expected_from = to,
                    None if i + 1 != cat.bands.len() => {
                        return fail(
                            &format!("{key}.to_m"),
                            Some(band.span()),
                            "only the last band may omit to_m",
                            "to_m を省略できるのは最後の区分だけです",
                        )
                    }
                    None => expected_from = f64::INFINITY,
                }
                if b.points > cat.none_points {
                    return fail(
                        &format!("{key}.points"),
                        Some(band.span()),
                        "a band cannot score more than none_points",
                        "区分の点数が「浸水なし」の点数を超えています",
                    );
                }
            }
            if expected_from.is_finite() {
                return fail(
                    &key,
                    key_line(name),
                    "the last band must omit to_m (open-ended)",
                    "最後の区分は to_m を省略して上限なしにしてください",
                );
            }
        }
        let ls = &self.categories.landslide;
        if let Some(bad) = ls.phenomena.iter().find(|p| Phenomenon::from_key(p).is_none()) {
            return fail(
                "categories.landslide.phenomena",
                key_line("phenomena"),
                &format!("unknown phenomenon `{bad}` (use steep_slope, debris_flow, landslide)"),
                &format!("不明な現象 `{bad}`（steep_slope・debris_flow・landslide のいずれか）"),
            );
        }
        if let Some(bad) = self
            .categories
            .river_erosion
            .types
            .iter()
            .find(|t| !["bank_erosion", "overflow"].contains(&t.as_str()))
        {
            return fail(
                "categories.river_erosion.types",
                key_line("types"),
                &format!("unknown type `{bad}` (use bank_erosion, overflow)"),
                &format!("不明な種別 `{bad}`（bank_erosion・overflow のいずれか）"),
            );
        }
        for (key, value) in [
            ("min_spacing_m", self.min_spacing_m),
            ("radius_m", self.radius_m),
            ("sliver_tolerance_m2", self.sliver_tolerance_m2),
            ("demand.per_10000_population", self.demand.per_10000_population),
            ("demand.per_10000_aged_65plus", self.demand.per_10000_aged_65plus),
        ] {
            if !(value.is_finite() && value >= 0.0) {
                return fail(
                    key,
                    key_line(key.rsplit('.').next().unwrap_or(key)),
                    "must be a non-negative number",
                    "0 以上の数値にしてください",
                );
            }
        }
        if self.demand.facility_capacity == 0 {
            return fail(
                "demand.facility_capacity",
                key_line("facility_capacity"),
                "must be at least 1",
                "1 以上にしてください",
            );
        }
        Ok(())
    }

    /// Validates a rubric built or modified in memory (e.g. by what-if overrides) with the
    /// same rules as a file; errors name the key (there is no line).
    pub fn check(&self, source_name: &str) -> Result<(), RubricError> {
        self.validate("", source_name)
    }
}

/// 1-based line number of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Span of the first line that assigns or opens `key`, for errors on keys without their own span.
fn find_key(text: &str, key: &str) -> Option<Range<usize>> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        if t.starts_with(key) || t.starts_with(&format!("[categories.{key}")) {
            return Some(offset..offset + line.len());
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_rubric_is_the_tagajo_table() {
        let r = Rubric::default_rubric();
        assert_eq!(&*r.id, "tagajo-2023");
        assert_eq!(r.max_total(), 15);
        assert_eq!(r.min_spacing_m, 500.0);
        assert_eq!(r.radius_m, 2000.0);
        assert_eq!(&*r.target_type, "small_multi");
        assert_eq!(r.categories.landslide.phenomena, vec!["steep_slope".to_string()]);
        // 資料5: 50 target users per 10,000 residents = per 2,300 aged 65+.
        assert_eq!(r.demand.basis, DemandBasis::Population);
        assert_eq!(r.demand.per_10000_population, 50.0);
        assert!((r.demand.per_10000_aged_65plus * 2300.0 / 10_000.0 - 50.0).abs() < 1e-9);
        assert_eq!(r.demand.facility_capacity, 29);
        let f = &r.categories.flood;
        let score = |lo: f64, hi: f64| f.score(Some(&Depth::range(lo, hi))).points;
        assert_eq!(f.score(Some(&Depth::exact(0.49))).points, 2);
        assert_eq!(
            f.score(Some(&Depth::exact(0.5))).points,
            1,
            "exact 0.5 m is in the 0.5–3.0 class"
        );
        assert_eq!(f.score(Some(&Depth::exact(3.0))).points, 0, "exact 3.0 m is ≥ 3.0");
        assert_eq!(score(0.0, 0.5), 2);
        assert_eq!(score(0.5, 3.0), 1);
        assert_eq!(score(3.0, 5.0), 0);
        let straddle = f.score(Some(&Depth::range(2.0, 5.0)));
        assert_eq!((straddle.points, straddle.worst_case), (0, true));
        assert_eq!(
            f.score(None),
            ZoneScore {
                points: 0,
                worst_case: true
            }
        );
        assert_eq!(r.categories.tsunami.score(Some(&Depth::range(0.3, 0.5))).points, 2);
    }

    #[test]
    fn broken_rubric_names_key_and_line() {
        let text = DEFAULT_RUBRIC_TOML.replacen("from_m = 0.5", "from_m = 0.7", 1);
        let err = Rubric::from_toml_str(&text, "bad.toml").unwrap_err();
        assert!(err.message.contains("categories.flood.bands[1].from_m"), "{err}");
        let line = text.lines().position(|l| l.contains("from_m = 0.7")).unwrap() + 1;
        assert!(
            err.message.contains(&format!("line {line}")),
            "{err} (expected line {line})"
        );

        let text = DEFAULT_RUBRIC_TOML.replacen("min_spacing_m = 500", "min_spacing_m = \"far\"", 1);
        let err = Rubric::from_toml_str(&text, "bad.toml").unwrap_err();
        let line = text.lines().position(|l| l.contains("\"far\"")).unwrap() + 1;
        assert!(err.message.contains(&format!("line {line}")), "{err}");

        let text = DEFAULT_RUBRIC_TOML.replacen("phenomena = [\"steep_slope\"]", "phenomena = [\"mudslide\"]", 1);
        let err = Rubric::from_toml_str(&text, "bad.toml").unwrap_err();
        assert!(
            err.message.contains("mudslide") && err.message.contains("categories.landslide.phenomena"),
            "{err}"
        );

        let text = format!("{DEFAULT_RUBRIC_TOML}\n[demand]\nper_10000_population = -5\n");
        let err = Rubric::from_toml_str(&text, "bad.toml").unwrap_err();
        let line = text.lines().position(|l| l.contains("= -5")).unwrap() + 1;
        assert!(
            err.message.contains("demand.per_10000_population") && err.message.contains(&format!("line {line}")),
            "{err}"
        );

        let err = Rubric::from_toml_str("id = \"x\"\n", "short.toml").unwrap_err();
        assert!(err.message.contains("missing field"), "{err}");
    }
}
