//! Attribute normalisation: turns the messy property maps of planning and hazard
//! layers into domain values.
//!
//! Pure functions only (no IO). Every reader follows the same conventions:
//!
//! - property names are matched case-insensitively (and after NFKC), and the first
//!   listed name that is present with a non-empty value is read first;
//! - values are NFKC-normalised and trimmed before they are interpreted, so full-width
//!   digits (`８`), full-width spaces and numbers stored as text all read the same;
//! - a value that no rule recognises is returned as [`Unrecognised`] (field and
//!   value), never dropped; a group with no field at all is [`Parsed::Missing`].

use serde_json::Value;
use std::sync::Arc;
use unicode_normalization::UnicodeNormalization;

/// The property map of one GeoJSON feature (or one record of any other format).
pub type Properties = serde_json::Map<String, Value>;

/// NFKC-normalise `s` and trim surrounding whitespace (ASCII and full-width spaces).
pub fn normalize_text(s: &str) -> String {
    // NFKC leaves every ASCII character as it is; most numbers, codes and keys are ASCII.
    if s.is_ascii() {
        return s.trim().to_owned();
    }
    let normalized: String = s.nfkc().collect();
    normalized.trim().to_owned()
}

/// One attribute value found by [`lookup`].
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The property key as spelled in the file.
    pub key: String,
    /// The value as normalised text (see [`normalize_text`]).
    pub text: String,
}

/// The first present, non-empty property among `names`, tried in order.
///
/// Keys are matched case-insensitively and after NFKC (so `A29_004`, `a29_004` and
/// `Ａ２９＿００４` are the same key). Numbers are rendered as text (integral floats
/// without `.0`); `null`, empty and whitespace-only strings count as absent.
pub fn lookup(props: &Properties, names: &[&str]) -> Option<Field> {
    present_fields(props, names).next().map(|(_, field)| field)
}

/// The first present property among `names` (matched like [`lookup`]) as written in the
/// file, only trimmed: for names shown to people, where NFKC would turn a full-width
/// （…） into ASCII (…).
pub fn lookup_display(props: &Properties, names: &[&str]) -> Option<String> {
    let field = lookup(props, names)?;
    match props.get(&field.key) {
        Some(Value::String(s)) => Some(s.trim().to_string()),
        _ => Some(field.text),
    }
}

/// A value read from the file that no rule recognised; kept and reported, never dropped.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Unrecognised {
    /// The property key as spelled in the file.
    pub field: String,
    /// The value as read (normalised text).
    pub raw: String,
}

/// A field whose value was not recognised becomes an [`Unrecognised`] with the same key and text.
impl From<Field> for Unrecognised {
    fn from(f: Field) -> Self {
        Unrecognised {
            field: f.key,
            raw: f.text,
        }
    }
}

/// Result of reading one attribute group.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed<T> {
    /// A recognised value.
    Value(T),
    /// Present but not recognised: the first field seen and its value.
    Unrecognised(Unrecognised),
    /// None of the group's fields is present (or all are empty).
    Missing,
}

// ---------------------------------------------------------------------------
// Shared machinery: property matching, number parsing, name tables.
// ---------------------------------------------------------------------------

/// Every present, non-empty field among `names`, in the order of `names`, each with
/// the listed name it matched.
fn present_fields<'a>(props: &'a Properties, names: &'a [&'a str]) -> impl Iterator<Item = (&'a str, Field)> + 'a {
    names.iter().filter_map(move |&name| {
        props
            .iter()
            .filter(|(key, _)| key_matches(key, name))
            .find_map(|(key, value)| render_value(value).map(|text| (name, Field { key: key.clone(), text })))
    })
}

/// Case-insensitive key comparison; non-ASCII keys are compared after NFKC.
fn key_matches(key: &str, name: &str) -> bool {
    use unicode_normalization::{is_nfkc_quick, IsNormalized};
    let key = key.trim();
    if key == name || (key.is_ascii() && name.is_ascii()) {
        return key.eq_ignore_ascii_case(name);
    }
    let normal = |s: &str| is_nfkc_quick(s.chars()) == IsNormalized::Yes;
    if normal(key) && normal(name) {
        // Already NFKC (typical Japanese headers): only case can differ, and only in ASCII letters.
        return key.len() == name.len() && key.to_lowercase() == name.to_lowercase();
    }
    normalize_text(key).to_lowercase() == normalize_text(name).to_lowercase()
}

/// A property value as normalised text; `None` for null and blank strings.
fn render_value(value: &Value) -> Option<String> {
    let text = match value {
        Value::Null => return None,
        Value::String(s) => normalize_text(s),
        Value::Number(n) => render_number(n),
        other => other.to_string(),
    };
    (!text.is_empty()).then_some(text)
}

/// A JSON number as text; integral floats lose their `.0` (`9.0` → `"9"`).
fn render_number(n: &serde_json::Number) -> String {
    match n.as_f64() {
        Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 1e15 => {
            // `+ 0.0` turns -0.0 into 0.0.
            format!("{:.0}", f + 0.0)
        }
        _ => n.to_string(),
    }
}

/// A plain decimal number (`12`, `-3`, `0.5`, `+7`); no exponents, `inf` or `NaN`.
fn parse_decimal(s: &str) -> Option<f64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    let well_formed = digits.chars().any(|c| c.is_ascii_digit())
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.matches('.').count() <= 1;
    if !well_formed {
        return None;
    }
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// A non-negative integral code written as text (`"08"`, `"9.0"`).
fn parse_code(text: &str) -> Option<u32> {
    parse_decimal(text).and_then(whole_number)
}

/// `v` as a `u32` when it is a whole number in range.
fn whole_number(v: f64) -> Option<u32> {
    // Integral and within `0..=u32::MAX`: the cast is exact.
    (v.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&v)).then_some(v as u32)
}

/// A non-negative count or quantity: thousands separators and a trailing 人/名 are allowed.
fn parse_count(text: &str) -> Option<f64> {
    let compact: String = text.chars().filter(|c| *c != ',' && !c.is_whitespace()).collect();
    let number = compact.strip_suffix(['人', '名']).unwrap_or(&compact);
    parse_decimal(number).filter(|v| *v >= 0.0)
}

/// A percentage such as `60`, `"60%"` or `"６０％"`.
fn parse_percent(text: &str) -> Option<f64> {
    let number = text.strip_suffix('%').unwrap_or(text).trim_end();
    parse_decimal(number).filter(|v| *v >= 0.0)
}

/// A name folded for table lookup: NFKC, no whitespace at all, lower case.
fn fold_name(s: &str) -> String {
    s.nfkc()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The readings of a name worth trying: the whole text, then the part before a
/// parenthesis and the part inside it (`看護小規模多機能型居宅介護(複合型サービス)`).
fn name_variants(text: &str) -> impl Iterator<Item = &str> {
    let (head, inner) = match text.split_once('(') {
        Some((head, rest)) => (Some(head.trim()), rest.split(')').next().map(str::trim)),
        None => (None, None),
    };
    std::iter::once(text).chain(head).chain(inner).filter(|s| !s.is_empty())
}

/// The value paired with `key` in a lookup table.
fn find_in<K: PartialEq, T: Copy>(table: &[(K, T)], key: K) -> Option<T> {
    table.iter().find(|(k, _)| *k == key).map(|&(_, v)| v)
}

/// A value that is either a numeric code (`codes`) or a name (`names`, folded keys).
/// A text that parses as a number is read as a code only.
fn read_coded<T: Copy>(text: &str, codes: &[(u32, T)], names: &[(&str, T)]) -> Option<T> {
    match parse_code(text) {
        Some(code) => find_in(codes, code),
        None => name_variants(text).find_map(|v| find_in(names, fold_name(v).as_str())),
    }
}

/// Reads the fields `names` in order with `read` (given the matched name and the text);
/// the first recognised value wins. If none is recognised, the first field seen is
/// reported as unrecognised; with no field present, the group is missing.
fn first_recognised<T>(props: &Properties, names: &[&str], read: impl Fn(&str, &str) -> Option<T>) -> Parsed<T> {
    let mut first_seen = None;
    for (name, field) in present_fields(props, names) {
        if let Some(value) = read(name, &field.text) {
            return Parsed::Value(value);
        }
        first_seen.get_or_insert(field);
    }
    first_seen.map_or(Parsed::Missing, |f| Parsed::Unrecognised(f.into()))
}

// ---------------------------------------------------------------------------
// Zoning (用途地域)
// ---------------------------------------------------------------------------

/// KSJ A29 use districts (用途地域).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum UseDistrict {
    /// 第一種低層住居専用地域 (code 1).
    Category1LowRise,
    /// 第二種低層住居専用地域 (code 2).
    Category2LowRise,
    /// 第一種中高層住居専用地域 (code 3).
    Category1MidHigh,
    /// 第二種中高層住居専用地域 (code 4).
    Category2MidHigh,
    /// 第一種住居地域 (code 5).
    Category1Residential,
    /// 第二種住居地域 (code 6).
    Category2Residential,
    /// 準住居地域 (code 7).
    QuasiResidential,
    /// 近隣商業地域 (code 8).
    NeighbourhoodCommercial,
    /// 商業地域 (code 9).
    Commercial,
    /// 準工業地域 (code 10).
    QuasiIndustrial,
    /// 工業地域 (code 11).
    Industrial,
    /// 工業専用地域 (code 12).
    ExclusiveIndustrial,
    /// 田園住居地域 (code 21; some releases write 13).
    RuralResidential,
}

/// The KSJ code meaning 不明 (unknown use district).
const UNKNOWN_USE_CODE: u32 = 99;

/// Districts written without an ordinal, and their common abbreviations
/// (after `地域` has been removed).
const UNNUMBERED_DISTRICTS: &[(&str, UseDistrict)] = &[
    ("準住居", UseDistrict::QuasiResidential),
    ("準住", UseDistrict::QuasiResidential),
    ("田園住居", UseDistrict::RuralResidential),
    ("田住", UseDistrict::RuralResidential),
    ("近隣商業", UseDistrict::NeighbourhoodCommercial),
    ("近商", UseDistrict::NeighbourhoodCommercial),
    ("商業", UseDistrict::Commercial),
    ("準工業", UseDistrict::QuasiIndustrial),
    ("準工", UseDistrict::QuasiIndustrial),
    ("工業", UseDistrict::Industrial),
    ("工業専用", UseDistrict::ExclusiveIndustrial),
    ("工専", UseDistrict::ExclusiveIndustrial),
];

impl UseDistrict {
    /// Every district, in code order.
    pub const ALL: [UseDistrict; 13] = [
        Self::Category1LowRise,
        Self::Category2LowRise,
        Self::Category1MidHigh,
        Self::Category2MidHigh,
        Self::Category1Residential,
        Self::Category2Residential,
        Self::QuasiResidential,
        Self::NeighbourhoodCommercial,
        Self::Commercial,
        Self::QuasiIndustrial,
        Self::Industrial,
        Self::ExclusiveIndustrial,
        Self::RuralResidential,
    ];

    /// KSJ code, official Japanese name and English name.
    fn info(self) -> (u8, &'static str, &'static str) {
        match self {
            Self::Category1LowRise => (
                1,
                "第一種低層住居専用地域",
                "Category I exclusively low-rise residential",
            ),
            Self::Category2LowRise => (
                2,
                "第二種低層住居専用地域",
                "Category II exclusively low-rise residential",
            ),
            Self::Category1MidHigh => (
                3,
                "第一種中高層住居専用地域",
                "Category I exclusively medium-to-high-rise residential",
            ),
            Self::Category2MidHigh => (
                4,
                "第二種中高層住居専用地域",
                "Category II exclusively medium-to-high-rise residential",
            ),
            Self::Category1Residential => (5, "第一種住居地域", "Category I residential"),
            Self::Category2Residential => (6, "第二種住居地域", "Category II residential"),
            Self::QuasiResidential => (7, "準住居地域", "Quasi-residential"),
            Self::NeighbourhoodCommercial => (8, "近隣商業地域", "Neighbourhood commercial"),
            Self::Commercial => (9, "商業地域", "Commercial"),
            Self::QuasiIndustrial => (10, "準工業地域", "Quasi-industrial"),
            Self::Industrial => (11, "工業地域", "Industrial"),
            Self::ExclusiveIndustrial => (12, "工業専用地域", "Exclusively industrial"),
            Self::RuralResidential => (21, "田園住居地域", "Rural residential"),
        }
    }

    /// The KSJ A29_004 code: 1..=12, and 21 for 田園住居地域.
    pub fn code(self) -> u8 {
        self.info().0
    }

    /// The district of a KSJ code: 1..=12 and 21; 13 (an older code for 田園住居地域)
    /// is read as 21. 99 (不明) and every other code give `None`.
    pub fn from_code(code: u32) -> Option<Self> {
        let code = if code == 13 { 21 } else { code };
        Self::ALL.into_iter().find(|d| u32::from(d.code()) == code)
    }

    /// The district of a Japanese name: 第一種 / 第1種 / 第１種 spellings, with or
    /// without the trailing 地域, and the common abbreviations (一低層, 二中高, 一住居,
    /// 準住, 近商, 準工, 工専, …). Whitespace inside the name is ignored.
    pub fn from_name(name: &str) -> Option<Self> {
        let folded = fold_name(name);
        let stem = folded.strip_suffix("地域").unwrap_or(&folded);
        find_in(UNNUMBERED_DISTRICTS, stem).or_else(|| Self::from_ordinal_name(stem))
    }

    /// 第一種… / 第二種… names and their abbreviations (一低層, 2中高, 一住, …).
    fn from_ordinal_name(stem: &str) -> Option<Self> {
        let rest = stem.strip_prefix('第').unwrap_or(stem);
        let mut chars = rest.chars();
        let first = match chars.next()? {
            '一' | '1' => true,
            '二' | '2' => false,
            _ => return None,
        };
        let rest = chars.as_str();
        let kind = rest.strip_prefix('種').unwrap_or(rest);
        let (one, two) = match kind {
            "低層住居専用" | "低層" | "低" => (Self::Category1LowRise, Self::Category2LowRise),
            "中高層住居専用" | "中高層" | "中高" | "中" => {
                (Self::Category1MidHigh, Self::Category2MidHigh)
            }
            "住居" | "住" => (Self::Category1Residential, Self::Category2Residential),
            _ => return None,
        };
        Some(if first { one } else { two })
    }

    /// The official Japanese name, e.g. `第一種低層住居専用地域`.
    pub fn name_ja(self) -> &'static str {
        self.info().1
    }

    /// The English name, e.g. `Category I exclusively low-rise residential`.
    pub fn name_en(self) -> &'static str {
        self.info().2
    }

    /// Residential districts: codes 1–7 and 田園住居地域.
    pub fn is_residential(self) -> bool {
        self.code() <= 7 || self == Self::RuralResidential
    }
}

/// Fields holding a KSJ use-district code.
const USE_CODE_FIELDS: &[&str] = &["use_code", "A29_004", "youto_id"];
/// Every use-district field: the code fields, then the name fields.
const USE_DISTRICT_FIELDS: &[&str] = &[
    "use_code",
    "A29_004",
    "youto_id",
    "use_name",
    "A29_005",
    "use_area_ja",
    "用途地域",
    "youto",
];
/// Fields holding the building coverage ratio (建蔽率), in percent.
const COVERAGE_FIELDS: &[&str] = &["A29_006", "u_building_coverage_ratio_ja", "建蔽率", "建ぺい率"];
/// Fields holding the floor area ratio (容積率), in percent.
const FLOOR_AREA_FIELDS: &[&str] = &["A29_007", "u_floor_area_ratio_ja", "容積率"];

/// The attributes of one `zoning` feature.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoningAttrs {
    /// The use district.
    pub district: Parsed<UseDistrict>,
    /// 建蔽率 in percent, when given and readable.
    pub coverage_ratio_pct: Option<f64>,
    /// 容積率 in percent, when given and readable.
    pub floor_area_ratio_pct: Option<f64>,
}

/// Reads a `zoning` feature.
///
/// A recognised code wins; an unrecognised code falls back to the name fields; code
/// 99 (不明) is unrecognised whatever the name says. If nothing is recognisable the
/// first field seen is reported as unrecognised; with no field at all the district
/// is missing. Unreadable ratios are `None`.
pub fn zoning_attrs(props: &Properties) -> ZoningAttrs {
    let district = match lookup(props, USE_CODE_FIELDS) {
        Some(code) if parse_code(&code.text) == Some(UNKNOWN_USE_CODE) => Parsed::Unrecognised(code.into()),
        _ => first_recognised(props, USE_DISTRICT_FIELDS, |_, text| match parse_code(text) {
            Some(code) => UseDistrict::from_code(code),
            None => name_variants(text).find_map(UseDistrict::from_name),
        }),
    };
    let percent = |names| lookup(props, names).and_then(|f| parse_percent(&f.text));
    ZoningAttrs {
        district,
        coverage_ratio_pct: percent(COVERAGE_FIELDS),
        floor_area_ratio_pct: percent(FLOOR_AREA_FIELDS),
    }
}

// ---------------------------------------------------------------------------
// Area division (区域区分)
// ---------------------------------------------------------------------------

/// 区域区分: the city planning area division.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Division {
    /// 市街化区域.
    Urbanization,
    /// 市街化調整区域.
    UrbanizationControl,
    /// 非線引き都市計画区域 (including 用途白地).
    NonDelineated,
}

/// Fields holding the division; `youto` is how PLATEAU 都市計画区域 files name it.
const DIVISION_FIELDS: &[&str] = &["division", "layer_no", "area_classification_ja", "区域区分", "youto"];
/// KSJ A09 layer numbers.
const DIVISION_CODES: &[(u32, Division)] = &[
    (1, Division::Urbanization),
    (2, Division::UrbanizationControl),
    (3, Division::NonDelineated),
    (4, Division::NonDelineated),
];
/// Division names (folded).
const DIVISION_NAMES: &[(&str, Division)] = &[
    ("市街化区域", Division::Urbanization),
    ("urbanization", Division::Urbanization),
    ("市街化調整区域", Division::UrbanizationControl),
    ("urbanization_control", Division::UrbanizationControl),
    ("非線引き", Division::NonDelineated),
    ("非線引", Division::NonDelineated),
    ("非線引き区域", Division::NonDelineated),
    ("非線引都市計画区域", Division::NonDelineated),
    ("非線引き都市計画区域", Division::NonDelineated),
    ("都市計画区域", Division::NonDelineated),
    ("用途未設定", Division::NonDelineated),
    ("その他用途地域", Division::NonDelineated),
    ("非線引き用途地域", Division::NonDelineated),
    ("非線引き白地", Division::NonDelineated),
    ("non_delineated", Division::NonDelineated),
];

/// Reads an `area_division` feature: a KSJ A09 layer number (1 市街化, 2 調整,
/// 3 and 4 非線引き), a Japanese name, or an English key.
pub fn division_attr(props: &Properties) -> Parsed<Division> {
    first_recognised(props, DIVISION_FIELDS, |_, text| {
        read_coded(text, DIVISION_CODES, DIVISION_NAMES)
    })
}

// ---------------------------------------------------------------------------
// Inundation depth (flood, tsunami)
// ---------------------------------------------------------------------------

/// An inundation depth: an exact value (`lo_m == hi_m`, `exact`) or a half-open
/// class `[lo_m, hi_m)` (`hi_m` is `f64::INFINITY` when open above).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Depth {
    /// Lower bound in metres (inclusive).
    pub lo_m: f64,
    /// Upper bound in metres (exclusive; equal to `lo_m` for an exact depth).
    pub hi_m: f64,
    /// Whether this is an exact depth rather than a class.
    pub exact: bool,
}

/// KSJ depth ranks 1..=6 as `[lo, hi)` in metres.
const DEPTH_RANKS: [(f64, f64); 6] = [
    (0.0, 0.5),
    (0.5, 3.0),
    (3.0, 5.0),
    (5.0, 10.0),
    (10.0, 20.0),
    (20.0, f64::INFINITY),
];

/// Separators of `a～b` style ranges after NFKC (`～` becomes `~`; `〜` is unchanged).
const RANGE_SEPARATORS: [char; 5] = ['~', '〜', '-', '−', '–'];

impl Depth {
    /// An exact depth of `m` metres.
    pub fn exact(m: f64) -> Self {
        Depth {
            lo_m: m,
            hi_m: m,
            exact: true,
        }
    }

    /// The class `[lo, hi)` in metres (`hi` may be `f64::INFINITY`).
    pub fn range(lo: f64, hi: f64) -> Self {
        Depth {
            lo_m: lo,
            hi_m: hi,
            exact: false,
        }
    }

    /// A Japanese label: `3.0m`, `0.5m未満`, `0.5m以上3.0m未満`, `20.0m以上`.
    pub fn label(&self) -> String {
        let (lo, hi) = (metres(self.lo_m), metres(self.hi_m));
        if self.exact {
            lo
        } else if self.hi_m.is_infinite() {
            format!("{lo}以上")
        } else if self.lo_m == 0.0 {
            format!("{hi}未満")
        } else {
            format!("{lo}以上{hi}未満")
        }
    }

    /// Whether this is a depth a reader may return: finite non-negative bounds and,
    /// for a class, `lo < hi`.
    fn is_valid(&self) -> bool {
        self.lo_m >= 0.0
            && if self.exact {
                self.lo_m.is_finite()
            } else {
                self.lo_m < self.hi_m
            }
    }
}

/// Metres with at least one decimal: `3.0m`, `0.25m`.
fn metres(m: f64) -> String {
    if m.fract() == 0.0 {
        format!("{m:.1}m")
    } else {
        format!("{m}m")
    }
}

/// One bound of a range text: a decimal with an optional `m`.
fn depth_bound(s: &str) -> Option<f64> {
    parse_decimal(s.strip_suffix('m').unwrap_or(s))
}

/// Parses a depth text (after NFKC, ignoring spaces and the case of `m`):
/// `a以上b未満`, `a未満` (→ `[0, a)`), `a以上` (→ `[a, ∞)`), `a～b`, `a〜b`, `a~b`,
/// `a-b`, `a－b` (→ `[a, b)`), each bound with or without `m`; a bare number
/// (`1.2`, `1.2m`) is an exact depth. Negative depths and classes with `lo ≥ hi`
/// are not recognised.
pub fn parse_depth_text(text: &str) -> Option<Depth> {
    let s = fold_name(text);
    let (body, below) = match s.strip_suffix("未満") {
        Some(body) => (body, true),
        None => (s.as_str(), false),
    };
    let depth = if let Some((lo, rest)) = body.split_once("以上") {
        let hi = rest.trim_start_matches(RANGE_SEPARATORS);
        let hi = match (hi.is_empty(), below) {
            (true, false) => f64::INFINITY,
            (true, true) => return None,
            (false, _) => depth_bound(hi)?,
        };
        Depth::range(depth_bound(lo)?, hi)
    } else if let Some((lo, hi)) = split_range(body) {
        Depth::range(depth_bound(lo)?, depth_bound(hi)?)
    } else if below {
        Depth::range(0.0, depth_bound(body)?)
    } else {
        Depth::exact(depth_bound(body)?)
    };
    depth.is_valid().then_some(depth)
}

/// Splits `a~b` at the first separator after the first character (a leading `-` is a sign).
fn split_range(s: &str) -> Option<(&str, &str)> {
    let first_len = s.chars().next()?.len_utf8();
    let at = s[first_len..].find(RANGE_SEPARATORS)? + first_len;
    let sep_len = s[at..].chars().next()?.len_utf8();
    Some((&s[..at], &s[at + sep_len..]))
}

/// The class of a KSJ depth rank: 1 `[0, 0.5)`, 2 `[0.5, 3)`, 3 `[3, 5)`,
/// 4 `[5, 10)`, 5 `[10, 20)`, 6 `[20, ∞)`; other ranks give `None`.
pub fn depth_from_rank(rank: u32) -> Option<Depth> {
    let index = usize::try_from(rank.checked_sub(1)?).ok()?;
    DEPTH_RANKS.get(index).map(|&(lo, hi)| Depth::range(lo, hi))
}

/// Flood depth fields, in reading order.
const FLOOD_DEPTH_FIELDS: &[&str] = &[
    "depth_m",
    "A31_201",
    "A31_101",
    "A31a_205",
    "A31a_105",
    "A31a_305",
    "A31b_201",
    "rank",
    "depth",
    "depth_class",
    "浸水深",
    "浸水深ランク",
];
/// Flood fields whose plain numbers are KSJ ranks.
const FLOOD_RANK_FIELDS: &[&str] = &[
    "A31_201", "A31_101", "A31a_205", "A31a_105", "A31a_305", "A31b_201", "rank",
];
/// Tsunami depth fields, in reading order.
const TSUNAMI_DEPTH_FIELDS: &[&str] = &["depth_m", "A40_003", "rank", "depth", "depth_class", "浸水深"];
/// Tsunami fields whose plain numbers are KSJ ranks.
const TSUNAMI_RANK_FIELDS: &[&str] = &["A40_003", "rank"];

/// Reads a depth from `fields`: in a rank field a plain number is a KSJ rank (only
/// 1..=6 are recognised) and any other text a depth text; elsewhere every value is a
/// depth text (a bare number being an exact depth in metres).
fn depth_attr(props: &Properties, fields: &[&str], rank_fields: &[&str]) -> Parsed<Depth> {
    first_recognised(props, fields, |name, text| {
        if rank_fields.contains(&name) && parse_decimal(text).is_some() {
            parse_code(text).and_then(depth_from_rank)
        } else {
            parse_depth_text(text)
        }
    })
}

/// Reads a `flood` feature: `depth_m`, then the KSJ rank fields (`A31_201`, `A31_101`,
/// `A31a_205`, `A31a_105`, `A31a_305`, `A31b_201`, `rank`), then the text fields
/// (`depth`, `depth_class`, `浸水深`, `浸水深ランク`); the first recognised value wins.
pub fn flood_depth_attr(props: &Properties) -> Parsed<Depth> {
    depth_attr(props, FLOOD_DEPTH_FIELDS, FLOOD_RANK_FIELDS)
}

/// Reads a `tsunami` feature: `depth_m`, then `A40_003` and `rank` (a KSJ rank or a
/// range text), then `depth`, `depth_class`, `浸水深`; the first recognised value wins.
pub fn tsunami_depth_attr(props: &Properties) -> Parsed<Depth> {
    depth_attr(props, TSUNAMI_DEPTH_FIELDS, TSUNAMI_RANK_FIELDS)
}

// ---------------------------------------------------------------------------
// Landslide (土砂災害警戒区域)
// ---------------------------------------------------------------------------

/// The phenomenon a 土砂災害警戒区域 is designated for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phenomenon {
    /// 急傾斜地の崩壊 (がけ崩れ), code 1.
    SteepSlope,
    /// 土石流, code 2.
    DebrisFlow,
    /// 地すべり, code 3.
    Landslide,
}

/// The designation level of a 土砂災害警戒区域.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LandslideZone {
    /// 土砂災害警戒区域 (yellow zone).
    Yellow,
    /// 土砂災害特別警戒区域 (red zone).
    Red,
}

impl Phenomenon {
    /// Every phenomenon, in code order.
    pub const ALL: [Phenomenon; 3] = [Self::SteepSlope, Self::DebrisFlow, Self::Landslide];

    /// Key, Japanese name and English name.
    fn info(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Self::SteepSlope => ("steep_slope", "急傾斜地の崩壊", "steep slope failure"),
            Self::DebrisFlow => ("debris_flow", "土石流", "debris flow"),
            Self::Landslide => ("landslide", "地すべり", "landslide"),
        }
    }

    /// The Japanese name: 急傾斜地の崩壊, 土石流, 地すべり.
    pub fn name_ja(self) -> &'static str {
        self.info().1
    }

    /// The English name: steep slope failure, debris flow, landslide.
    pub fn name_en(self) -> &'static str {
        self.info().2
    }

    /// The snake_case key used in reports and rubric files: `steep_slope`, `debris_flow`, `landslide`.
    pub fn as_str(self) -> &'static str {
        self.info().0
    }

    /// The phenomenon of a key written by [`Phenomenon::as_str`] (exact match).
    pub fn from_key(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

impl LandslideZone {
    /// The Japanese name: 土砂災害警戒区域 or 土砂災害特別警戒区域.
    pub fn name_ja(self) -> &'static str {
        match self {
            Self::Yellow => "土砂災害警戒区域",
            Self::Red => "土砂災害特別警戒区域",
        }
    }

    /// The English name.
    pub fn name_en(self) -> &'static str {
        match self {
            Self::Yellow => "sediment disaster warning zone (yellow)",
            Self::Red => "sediment disaster special warning zone (red)",
        }
    }
}

/// Fields holding the phenomenon.
const PHENOMENON_FIELDS: &[&str] = &["A33_001", "disasterType", "phenomenon", "現象", "現象の種類"];
/// KSJ A33_001 / PLATEAU disasterType codes.
const PHENOMENON_CODES: &[(u32, Phenomenon)] = &[
    (1, Phenomenon::SteepSlope),
    (2, Phenomenon::DebrisFlow),
    (3, Phenomenon::Landslide),
];
/// Phenomenon names (folded).
const PHENOMENON_NAMES: &[(&str, Phenomenon)] = &[
    ("急傾斜地の崩壊", Phenomenon::SteepSlope),
    ("急傾斜地崩壊", Phenomenon::SteepSlope),
    ("急傾斜地", Phenomenon::SteepSlope),
    ("急傾斜", Phenomenon::SteepSlope),
    ("がけ崩れ", Phenomenon::SteepSlope),
    ("崖崩れ", Phenomenon::SteepSlope),
    ("がけくずれ", Phenomenon::SteepSlope),
    ("steep_slope", Phenomenon::SteepSlope),
    ("土石流", Phenomenon::DebrisFlow),
    ("debris_flow", Phenomenon::DebrisFlow),
    ("地すべり", Phenomenon::Landslide),
    ("地滑り", Phenomenon::Landslide),
    ("landslide", Phenomenon::Landslide),
];
/// Fields holding the zone level.
const ZONE_FIELDS: &[&str] = &["A33_002", "areaType", "zone", "区域区分", "区域"];
/// KSJ A33_002 / PLATEAU areaType codes (3 and 4: the same before designation).
const ZONE_CODES: &[(u32, LandslideZone)] = &[
    (1, LandslideZone::Yellow),
    (2, LandslideZone::Red),
    (3, LandslideZone::Yellow),
    (4, LandslideZone::Red),
];
/// Zone names (folded); matched whole, so 特別警戒区域 never reads as 警戒区域.
const ZONE_NAMES: &[(&str, LandslideZone)] = &[
    ("土砂災害特別警戒区域", LandslideZone::Red),
    ("特別警戒区域", LandslideZone::Red),
    ("レッド", LandslideZone::Red),
    ("レッドゾーン", LandslideZone::Red),
    ("red", LandslideZone::Red),
    ("土砂災害警戒区域", LandslideZone::Yellow),
    ("警戒区域", LandslideZone::Yellow),
    ("イエロー", LandslideZone::Yellow),
    ("イエローゾーン", LandslideZone::Yellow),
    ("yellow", LandslideZone::Yellow),
];

/// The attributes of one `landslide` feature.
#[derive(Debug, Clone, PartialEq)]
pub struct LandslideAttrs {
    /// What the zone is designated for.
    pub phenomenon: Parsed<Phenomenon>,
    /// Yellow (警戒区域) or red (特別警戒区域).
    pub zone: Parsed<LandslideZone>,
}

/// Reads a `landslide` feature: phenomenon codes 1 急傾斜地の崩壊, 2 土石流, 3 地すべり
/// or their names; zone codes 1/3 yellow, 2/4 red or their names.
pub fn landslide_attrs(props: &Properties) -> LandslideAttrs {
    LandslideAttrs {
        phenomenon: first_recognised(props, PHENOMENON_FIELDS, |_, text| {
            read_coded(text, PHENOMENON_CODES, PHENOMENON_NAMES)
        }),
        zone: first_recognised(props, ZONE_FIELDS, |_, text| read_coded(text, ZONE_CODES, ZONE_NAMES)),
    }
}

// ---------------------------------------------------------------------------
// River erosion (家屋倒壊等氾濫想定区域)
// ---------------------------------------------------------------------------

/// The kind of 家屋倒壊等氾濫想定区域.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErosionType {
    /// 河岸侵食.
    BankErosion,
    /// 氾濫流.
    Overflow,
}

/// Fields holding the erosion type.
const EROSION_FIELDS: &[&str] = &["type", "種別", "区分"];
/// Erosion type names (folded).
const EROSION_NAMES: &[(&str, ErosionType)] = &[
    ("河岸侵食", ErosionType::BankErosion),
    ("河岸浸食", ErosionType::BankErosion),
    ("bank_erosion", ErosionType::BankErosion),
    ("氾濫流", ErosionType::Overflow),
    ("overflow", ErosionType::Overflow),
];

/// Reads a `river_erosion` feature's type (河岸侵食 / 氾濫流); `Missing` when the file
/// has no type field.
pub fn erosion_type_attr(props: &Properties) -> Parsed<ErosionType> {
    first_recognised(props, EROSION_FIELDS, |_, text| read_coded(text, &[], EROSION_NAMES))
}

// ---------------------------------------------------------------------------
// Facilities (既存事業所)
// ---------------------------------------------------------------------------

/// The facility type assumed when a file has no type field.
const DEFAULT_FACILITY_TYPE: &str = "small_multi";
/// Fields holding the facility name.
const FACILITY_NAME_FIELDS: &[&str] = &["name", "事業所名", "名称"];
/// Fields holding the facility type.
const FACILITY_TYPE_FIELDS: &[&str] = &["type", "サービスの種類", "service_type"];
/// Fields holding the registered capacity (登録定員).
const CAPACITY_FIELDS: &[&str] = &["capacity", "定員", "登録定員"];
/// Fields holding the opening date.
const OPENED_FIELDS: &[&str] = &["opened", "開設日", "opened_on"];
/// Facility type keys, Japanese names and 介護サービス情報公表システム service codes (folded).
const FACILITY_TYPES: &[(&str, &str)] = &[
    ("small_multi", "small_multi"),
    ("小規模多機能型居宅介護", "small_multi"),
    ("730", "small_multi"),
    ("nursing_small_multi", "nursing_small_multi"),
    ("看護小規模多機能型居宅介護", "nursing_small_multi"),
    ("複合型サービス", "nursing_small_multi"),
    ("770", "nursing_small_multi"),
    ("group_home", "group_home"),
    ("認知症対応型共同生活介護", "group_home"),
    ("グループホーム", "group_home"),
    ("care_plaza", "care_plaza"),
    ("地域包括支援センター", "care_plaza"),
    ("hospital", "hospital"),
    ("病院", "hospital"),
    ("day_service", "day_service"),
    ("通所介護", "day_service"),
    ("デイサービス", "day_service"),
];

/// The attributes of one `facility` feature.
#[derive(Debug, Clone, PartialEq)]
pub struct FacilityAttrs {
    /// The facility's name, when given (shared with the reports that list it).
    pub name: Option<Arc<str>>,
    /// The type key (`small_multi`, `nursing_small_multi`, …); for an unrecognised
    /// type, its normalised text.
    pub facility_type: Arc<str>,
    /// Set when the type field holds a value no rule recognises.
    pub type_unrecognised: Option<Unrecognised>,
    /// 登録定員; `None` when absent, 0 (unknown in the source) or unreadable.
    pub capacity: Option<u32>,
    /// Set when the capacity field holds something that is not a whole number.
    pub capacity_unrecognised: Option<Unrecognised>,
    /// The opening date as written.
    pub opened: Option<String>,
}

/// The type key of a type value: a key, a Japanese service name or a service code.
fn facility_type_key(text: &str) -> Option<&'static str> {
    name_variants(text).find_map(|v| find_in(FACILITY_TYPES, fold_name(v).as_str()))
}

/// Reads a `facility` feature. A missing type means `small_multi`; known keys,
/// Japanese service names and the service codes 730 / 770 map to type keys.
/// Capacities in full-width text or with 人/名 are read; 0 means unknown.
pub fn facility_attrs(props: &Properties) -> FacilityAttrs {
    let (facility_type, type_unrecognised) = match lookup(props, FACILITY_TYPE_FIELDS) {
        None => (DEFAULT_FACILITY_TYPE.into(), None),
        Some(field) => match facility_type_key(&field.text) {
            Some(key) => (key.into(), None),
            None => (field.text.as_str().into(), Some(field.into())),
        },
    };
    let (capacity, capacity_unrecognised) = match lookup(props, CAPACITY_FIELDS) {
        None => (None, None),
        Some(field) => match parse_count(&field.text).and_then(whole_number) {
            Some(n) => ((n > 0).then_some(n), None),
            None => (None, Some(field.into())),
        },
    };
    FacilityAttrs {
        name: lookup_display(props, FACILITY_NAME_FIELDS).map(Arc::from),
        facility_type,
        type_unrecognised,
        capacity,
        capacity_unrecognised,
        opened: lookup(props, OPENED_FIELDS).map(|f| f.text),
    }
}

// ---------------------------------------------------------------------------
// Daily-life areas (日常生活圏域)
// ---------------------------------------------------------------------------

/// Fields holding the area id.
const AREA_ID_FIELDS: &[&str] = &["area_id", "A32_003", "id", "学校コード"];
/// Fields holding the area name.
const AREA_NAME_FIELDS: &[&str] = &["name", "A32_004", "A32_004_ja", "school_name", "名称"];
/// Fields holding the population.
const POPULATION_FIELDS: &[&str] = &["population", "人口"];
/// Fields holding the population aged 65 and over.
const POPULATION_65PLUS_FIELDS: &[&str] = &["population_65plus", "pop_65plus", "高齢者人口", "65歳以上人口"];

/// The attributes of one `daily_life_area` feature.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaAttrs {
    /// The area id (e.g. the A32 学校コード).
    pub area_id: Option<String>,
    /// The area name (e.g. the school name).
    pub name: Option<String>,
    /// Population, when given and readable.
    pub population: Option<f64>,
    /// Population aged 65 and over, when given and readable.
    pub population_65plus: Option<f64>,
}

/// Reads a `daily_life_area` feature; populations may be text with thousands
/// separators, full-width digits or a trailing 人.
pub fn area_attrs(props: &Properties) -> AreaAttrs {
    let text = |names| lookup(props, names).map(|f| f.text);
    let count = |names| lookup(props, names).and_then(|f| parse_count(&f.text));
    AreaAttrs {
        area_id: text(AREA_ID_FIELDS),
        name: lookup_display(props, AREA_NAME_FIELDS),
        population: count(POPULATION_FIELDS),
        population_65plus: count(POPULATION_65PLUS_FIELDS),
    }
}

#[cfg(test)]
mod display_tests {
    use super::*;

    #[test]
    fn display_names_keep_full_width_brackets_and_are_trimmed() {
        let props: Properties = serde_json::from_str(r#"{"NAME": "　小規模多機能 さくら（架空） "}"#).unwrap();
        assert_eq!(
            lookup_display(&props, &["name"]).as_deref(),
            Some("小規模多機能 さくら（架空）")
        );
        assert_eq!(
            facility_attrs(&props).name.as_deref(),
            Some("小規模多機能 さくら（架空）")
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A property map from a JSON object literal.
    fn props(v: Value) -> Properties {
        match v {
            Value::Object(map) => map,
            other => panic!("not an object: {other}"),
        }
    }

    /// The unrecognised value of a parse result, or a panic.
    fn unrecognised<T: std::fmt::Debug>(p: Parsed<T>) -> Unrecognised {
        match p {
            Parsed::Unrecognised(u) => u,
            other => panic!("expected Unrecognised, got {other:?}"),
        }
    }

    fn unrec(field: &str, raw: &str) -> Unrecognised {
        Unrecognised {
            field: field.into(),
            raw: raw.into(),
        }
    }

    // --- text and lookup -------------------------------------------------------

    #[test]
    fn normalize_text_applies_nfkc_and_trims() {
        let cases = [
            ("  第１種住居地域　", "第1種住居地域"),
            ("\u{3000}８\u{3000}", "8"),
            ("ｲｴﾛｰ", "イエロー"),
            ("０．５ｍ以上３．０ｍ未満", "0.5m以上3.0m未満"),
            ("0.5～3.0", "0.5~3.0"),
            ("0.5〜3.0", "0.5〜3.0"), // U+301C is not changed by NFKC
            ("ＡＢＣ\t\n", "ABC"),
            ("", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(normalize_text(input), expected, "{input:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn ascii_text_normalises_as_nfkc_does(s in "[\\x00-\\x7f]{0,24}") {
            let nfkc: String = s.nfkc().collect();
            proptest::prop_assert_eq!(normalize_text(&s), nfkc.trim());
        }
    }

    #[test]
    fn lookup_renders_values_as_text() {
        let cases = [
            (json!("abc"), Some("abc")),
            (json!(" ８ "), Some("8")),
            (json!(9), Some("9")),
            (json!(-3), Some("-3")),
            (json!(9.0), Some("9")),
            (json!(-0.0), Some("0")),
            (json!(0.5), Some("0.5")),
            (json!(18446744073709551615u64), Some("18446744073709551615")),
            (json!(true), Some("true")),
            (json!(null), None),
            (json!(""), None),
            (json!("   "), None),
            (json!("\u{3000}"), None),
        ];
        for (value, expected) in cases {
            let p = props(json!({ "v": value.clone() }));
            assert_eq!(
                lookup(&p, &["v"]).map(|f| f.text),
                expected.map(String::from),
                "{value}"
            );
        }
    }

    #[test]
    fn lookup_matches_keys_case_insensitively_and_after_nfkc() {
        let cases = [
            (json!({"a29_004": 5}), "a29_004"),
            (json!({"A29_004": 5}), "A29_004"),
            (json!({"Ａ２９＿００４": 5}), "Ａ２９＿００４"),
            (json!({" A29_004 ": 5}), " A29_004 "),
        ];
        for (p, key) in cases {
            let field = lookup(&props(p), &["A29_004"]).expect(key);
            assert_eq!(
                field,
                Field {
                    key: key.into(),
                    text: "5".into()
                }
            );
        }
        let p = props(json!({"用途地域": "商業地域"}));
        assert_eq!(lookup(&p, &["用途地域"]).unwrap().text, "商業地域");
        assert_eq!(lookup(&p, &["use_name"]), None);
    }

    #[test]
    fn lookup_takes_the_first_listed_present_name() {
        let p = props(json!({"b": "second", "a": "first", "c": ""}));
        assert_eq!(
            lookup(&p, &["c", "a", "b"]).unwrap(),
            Field {
                key: "a".into(),
                text: "first".into()
            }
        );
        assert_eq!(lookup(&p, &["b", "a"]).unwrap().text, "second");
        assert_eq!(lookup(&p, &["x", "y"]), None);
        assert_eq!(lookup(&p, &[]), None);
        // Two spellings of the same key: the first non-empty one in file order.
        let p = props(json!({"NAME": " ", "name": "x"}));
        assert_eq!(lookup(&p, &["name"]).unwrap().key, "name");
    }

    #[test]
    fn number_helpers() {
        let decimals = [
            ("12", Some(12.0)),
            ("-3", Some(-3.0)),
            ("+7", Some(7.0)),
            ("0.5", Some(0.5)),
            (".5", Some(0.5)),
            ("inf", None),
            ("NaN", None),
            ("1e3", None),
            ("1.2.3", None),
            ("", None),
            ("-", None),
            ("12a", None),
        ];
        for (s, expected) in decimals {
            assert_eq!(parse_decimal(s), expected, "{s:?}");
        }
        let codes = [
            ("08", Some(8)),
            ("9.0", Some(9)),
            ("9.5", None),
            ("-1", None),
            ("4294967296", None),
        ];
        for (s, expected) in codes {
            assert_eq!(parse_code(s), expected, "{s:?}");
        }
        let counts = [
            ("12,345", Some(12345.0)),
            ("29人", Some(29.0)),
            ("29名", Some(29.0)),
            ("-5", None),
            ("x", None),
        ];
        for (s, expected) in counts {
            assert_eq!(parse_count(s), expected, "{s:?}");
        }
    }

    #[test]
    fn name_variants_try_the_whole_text_then_around_parentheses() {
        let v: Vec<_> = name_variants("看護小規模多機能型居宅介護(複合型サービス)").collect();
        assert_eq!(
            v,
            [
                "看護小規模多機能型居宅介護(複合型サービス)",
                "看護小規模多機能型居宅介護",
                "複合型サービス"
            ]
        );
        assert_eq!(name_variants("商業地域").collect::<Vec<_>>(), ["商業地域"]);
    }

    // --- use districts ---------------------------------------------------------

    #[test]
    fn use_district_codes_round_trip() {
        for d in UseDistrict::ALL {
            assert_eq!(UseDistrict::from_code(u32::from(d.code())), Some(d));
            assert_eq!(UseDistrict::from_name(d.name_ja()), Some(d), "{}", d.name_ja());
        }
        let codes: Vec<u8> = UseDistrict::ALL.iter().map(|d| d.code()).collect();
        assert_eq!(codes, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 21]);
        assert_eq!(UseDistrict::from_code(13), Some(UseDistrict::RuralResidential));
        for bad in [0, 14, 20, 22, 99, 100] {
            assert_eq!(UseDistrict::from_code(bad), None, "{bad}");
        }
    }

    #[test]
    fn use_district_names_and_abbreviations() {
        use UseDistrict::*;
        let cases = [
            ("第一種低層住居専用地域", Some(Category1LowRise)),
            ("第1種低層住居専用地域", Some(Category1LowRise)),
            ("第１種低層住居専用地域", Some(Category1LowRise)),
            ("第一種低層住居専用", Some(Category1LowRise)),
            ("第 一 種 低層住居専用地域 ", Some(Category1LowRise)),
            ("一低層", Some(Category1LowRise)),
            ("1低層", Some(Category1LowRise)),
            ("第二種低層住居専用地域", Some(Category2LowRise)),
            ("第2種低層住居専用地域", Some(Category2LowRise)),
            ("二低層", Some(Category2LowRise)),
            ("第一種中高層住居専用地域", Some(Category1MidHigh)),
            ("第1種中高層住居専用地域", Some(Category1MidHigh)),
            ("一中高", Some(Category1MidHigh)),
            ("第二種中高層住居専用地域", Some(Category2MidHigh)),
            ("第２種中高層住居専用", Some(Category2MidHigh)),
            ("二中高", Some(Category2MidHigh)),
            ("第一種住居地域", Some(Category1Residential)),
            ("第1種住居地域", Some(Category1Residential)),
            ("一住居", Some(Category1Residential)),
            ("第二種住居地域", Some(Category2Residential)),
            ("第2種住居", Some(Category2Residential)),
            ("二住居", Some(Category2Residential)),
            // 住居 vs 準住居 vs 田園住居
            ("準住居地域", Some(QuasiResidential)),
            ("準住居", Some(QuasiResidential)),
            ("準住", Some(QuasiResidential)),
            ("田園住居地域", Some(RuralResidential)),
            ("田園住居", Some(RuralResidential)),
            ("住居地域", None),
            ("住居", None),
            // 近隣商業 vs 商業
            ("近隣商業地域", Some(NeighbourhoodCommercial)),
            ("近商", Some(NeighbourhoodCommercial)),
            ("商業地域", Some(Commercial)),
            ("商業", Some(Commercial)),
            // 工業 vs 工業専用 vs 準工業
            ("工業地域", Some(Industrial)),
            ("工業", Some(Industrial)),
            ("工業専用地域", Some(ExclusiveIndustrial)),
            ("工業専用", Some(ExclusiveIndustrial)),
            ("工専", Some(ExclusiveIndustrial)),
            ("準工業地域", Some(QuasiIndustrial)),
            ("準工業", Some(QuasiIndustrial)),
            ("準工", Some(QuasiIndustrial)),
            // not districts
            ("第三種住居地域", None),
            ("第一種", None),
            ("市街化調整区域", None),
            ("不明", None),
            ("", None),
        ];
        for (name, expected) in cases {
            assert_eq!(UseDistrict::from_name(name), expected, "{name}");
        }
    }

    #[test]
    fn use_district_names_and_residential() {
        assert_eq!(
            UseDistrict::Category1LowRise.name_en(),
            "Category I exclusively low-rise residential"
        );
        assert_eq!(UseDistrict::QuasiIndustrial.name_ja(), "準工業地域");
        let residential: Vec<u8> = UseDistrict::ALL
            .iter()
            .filter(|d| d.is_residential())
            .map(|d| d.code())
            .collect();
        assert_eq!(residential, [1, 2, 3, 4, 5, 6, 7, 21]);
    }

    #[test]
    fn zoning_district_from_codes_and_names() {
        use UseDistrict::*;
        let cases = [
            (json!({"A29_004": 1}), Category1LowRise),
            (json!({"A29_004": "08"}), NeighbourhoodCommercial),
            (json!({"A29_004": "８"}), NeighbourhoodCommercial),
            (json!({"A29_004": " 9 "}), Commercial),
            (json!({"A29_004": "9.0"}), Commercial),
            (json!({"A29_004": 9.0}), Commercial),
            (json!({"a29_004": 12}), ExclusiveIndustrial),
            (json!({"use_code": 13}), RuralResidential),
            (json!({"youto_id": "21"}), RuralResidential),
            (json!({"use_code": 10, "use_name": "商業地域"}), QuasiIndustrial),
            // unknown codes fall back to the name
            (
                json!({"A29_004": 55, "A29_005": "第一種住居地域"}),
                Category1Residential,
            ),
            (json!({"A29_004": "x", "A29_005": "工業地域"}), Industrial),
            (json!({"A29_004": 0, "use_area_ja": "準工業地域"}), QuasiIndustrial),
            // names only
            (json!({"youto": "第1種低層住居専用地域"}), Category1LowRise),
            (json!({"youto": "第2種中高層住居専用地域"}), Category2MidHigh),
            (json!({"用途地域": "近隣商業地域　"}), NeighbourhoodCommercial),
            (json!({"use_name": "準住居地域"}), QuasiResidential),
            (json!({"USE_NAME": "工専"}), ExclusiveIndustrial),
            // an empty code field counts as absent
            (json!({"A29_004": "", "A29_005": "商業地域"}), Commercial),
            (json!({"A29_004": null, "A29_005": "商業地域"}), Commercial),
        ];
        for (p, expected) in cases {
            assert_eq!(zoning_attrs(&props(p.clone())).district, Parsed::Value(expected), "{p}");
        }
    }

    #[test]
    fn zoning_unrecognised_and_missing() {
        let cases = [
            (json!({"A29_004": 99}), unrec("A29_004", "99")),
            (json!({"A29_004": "９９"}), unrec("A29_004", "99")),
            (json!({"A29_004": 99, "A29_005": "不明"}), unrec("A29_004", "99")),
            // 99 means 不明 even when a name is present
            (json!({"A29_004": 99, "A29_005": "商業地域"}), unrec("A29_004", "99")),
            (json!({"A29_004": 55, "A29_005": "謎地域"}), unrec("A29_004", "55")),
            (json!({"A29_004": 55}), unrec("A29_004", "55")),
            (json!({"A29_005": "不明"}), unrec("A29_005", "不明")),
            (json!({"youto": "99"}), unrec("youto", "99")),
        ];
        for (p, expected) in cases {
            assert_eq!(unrecognised(zoning_attrs(&props(p.clone())).district), expected, "{p}");
        }
        assert_eq!(zoning_attrs(&props(json!({"other": 1}))).district, Parsed::Missing);
        assert_eq!(
            zoning_attrs(&props(json!({"A29_004": " ", "A29_005": ""}))).district,
            Parsed::Missing
        );
    }

    #[test]
    fn zoning_ratios() {
        let cases = [
            (json!({"A29_006": 60, "A29_007": 200}), Some(60.0), Some(200.0)),
            (json!({"A29_006": "60", "A29_007": "200.0"}), Some(60.0), Some(200.0)),
            (
                json!({"u_building_coverage_ratio_ja": "60%", "u_floor_area_ratio_ja": "２００％"}),
                Some(60.0),
                Some(200.0),
            ),
            (json!({"A29_006": "不明", "A29_007": -1}), None, None),
            (json!({}), None, None),
        ];
        for (p, coverage, floor) in cases {
            let a = zoning_attrs(&props(p.clone()));
            assert_eq!((a.coverage_ratio_pct, a.floor_area_ratio_pct), (coverage, floor), "{p}");
        }
    }

    // --- division --------------------------------------------------------------

    #[test]
    fn division_values() {
        use Division::*;
        let cases = [
            (json!({"division": "市街化区域"}), Urbanization),
            (json!({"division": "市街化調整区域"}), UrbanizationControl),
            (json!({"division": " 市街化調整区域　"}), UrbanizationControl),
            (json!({"Division": "非線引き"}), NonDelineated),
            (json!({"division": "非線引き区域"}), NonDelineated),
            (json!({"division": "非線引都市計画区域"}), NonDelineated),
            (json!({"division": "都市計画区域"}), NonDelineated),
            (json!({"division": "用途未設定"}), NonDelineated),
            (json!({"division": "その他用途地域"}), NonDelineated),
            (json!({"division": "非線引き用途地域"}), NonDelineated),
            (json!({"division": "非線引き白地"}), NonDelineated),
            (json!({"division": "urbanization"}), Urbanization),
            (json!({"division": "Urbanization_Control"}), UrbanizationControl),
            (json!({"division": "non_delineated"}), NonDelineated),
            (json!({"layer_no": 1}), Urbanization),
            (json!({"layer_no": "２"}), UrbanizationControl),
            (json!({"layer_no": 3}), NonDelineated),
            (json!({"layer_no": "4"}), NonDelineated),
            (json!({"area_classification_ja": "市街化区域"}), Urbanization),
            (json!({"区域区分": "市街化調整区域"}), UrbanizationControl),
            (json!({"youto": "都市計画区域"}), NonDelineated),
            (json!({"division": "???", "layer_no": 2}), UrbanizationControl),
        ];
        for (p, expected) in cases {
            assert_eq!(division_attr(&props(p.clone())), Parsed::Value(expected), "{p}");
        }
        assert_eq!(
            unrecognised(division_attr(&props(json!({"layer_no": 5})))),
            unrec("layer_no", "5")
        );
        assert_eq!(
            unrecognised(division_attr(&props(json!({"division": "市街化"})))),
            unrec("division", "市街化")
        );
        assert_eq!(division_attr(&props(json!({"name": "x"}))), Parsed::Missing);
    }

    // --- depth -----------------------------------------------------------------

    #[test]
    fn depth_texts() {
        let inf = f64::INFINITY;
        let cases = [
            ("0.5m以上3.0m未満", Some(Depth::range(0.5, 3.0))),
            ("０．５ｍ以上３．０ｍ未満", Some(Depth::range(0.5, 3.0))),
            ("0m以上0.5m未満", Some(Depth::range(0.0, 0.5))),
            ("0.5以上3未満", Some(Depth::range(0.5, 3.0))),
            ("0.5 m 以上 3.0 m 未満", Some(Depth::range(0.5, 3.0))),
            ("0.5M以上3.0M未満", Some(Depth::range(0.5, 3.0))),
            ("3m以上", Some(Depth::range(3.0, inf))),
            ("２０ｍ以上", Some(Depth::range(20.0, inf))),
            ("0.5m未満", Some(Depth::range(0.0, 0.5))),
            ("0.5未満", Some(Depth::range(0.0, 0.5))),
            ("0.5〜3.0m", Some(Depth::range(0.5, 3.0))),
            ("0.5m〜3.0m", Some(Depth::range(0.5, 3.0))),
            ("0.5～3.0", Some(Depth::range(0.5, 3.0))),
            ("0.5~3.0", Some(Depth::range(0.5, 3.0))),
            ("5-10", Some(Depth::range(5.0, 10.0))),
            ("5－10", Some(Depth::range(5.0, 10.0))),
            ("5m - 10m", Some(Depth::range(5.0, 10.0))),
            ("0.5m～3.0m未満", Some(Depth::range(0.5, 3.0))),
            ("0.5m以上～3.0m未満", Some(Depth::range(0.5, 3.0))),
            ("1.2", Some(Depth::exact(1.2))),
            ("1.2m", Some(Depth::exact(1.2))),
            ("0", Some(Depth::exact(0.0))),
            // not recognised
            ("-1", None),
            ("-1-3", None),
            ("3.0m以上0.5m未満", None),
            ("3-3", None),
            ("0未満", None),
            ("3m以上未満", None),
            ("以上", None),
            ("深い", None),
            ("NaN", None),
            ("inf", None),
            ("50cm", None),
            ("", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_depth_text(text), expected, "{text:?}");
        }
    }

    #[test]
    fn depth_ranks() {
        let inf = f64::INFINITY;
        let cases = [
            (0, None),
            (1, Some(Depth::range(0.0, 0.5))),
            (2, Some(Depth::range(0.5, 3.0))),
            (3, Some(Depth::range(3.0, 5.0))),
            (4, Some(Depth::range(5.0, 10.0))),
            (5, Some(Depth::range(10.0, 20.0))),
            (6, Some(Depth::range(20.0, inf))),
            (7, None),
            (u32::MAX, None),
        ];
        for (rank, expected) in cases {
            assert_eq!(depth_from_rank(rank), expected, "{rank}");
        }
    }

    #[test]
    fn depth_labels() {
        let cases = [
            (Depth::range(0.5, 3.0), "0.5m以上3.0m未満"),
            (Depth::range(0.0, 0.5), "0.5m未満"),
            (Depth::range(20.0, f64::INFINITY), "20.0m以上"),
            (Depth::exact(3.0), "3.0m"),
            (Depth::exact(0.25), "0.25m"),
        ];
        for (depth, expected) in cases {
            assert_eq!(depth.label(), expected);
        }
    }

    #[test]
    fn depth_boundaries_are_kept_exact() {
        // Exact 0.5 and 3.0 must survive parsing unchanged: the rubric puts 0.5 in
        // the 0.5–3.0 class and 3.0 in ≥3.0.
        for (value, m) in [
            (json!(0.5), 0.5),
            (json!("0.5"), 0.5),
            (json!(3.0), 3.0),
            (json!("３．０"), 3.0),
        ] {
            let d = flood_depth_attr(&props(json!({ "depth_m": value.clone() })));
            assert_eq!(d, Parsed::Value(Depth::exact(m)), "{value}");
        }
        let two = depth_from_rank(2).unwrap();
        assert_eq!((two.lo_m, two.hi_m), (0.5, 3.0));
        assert_eq!(depth_from_rank(3).unwrap().lo_m, 3.0);
    }

    #[test]
    fn flood_depth_fields() {
        let inf = f64::INFINITY;
        let cases = [
            (json!({"depth_m": 1.2}), Depth::exact(1.2)),
            (json!({"depth_m": 0}), Depth::exact(0.0)),
            (json!({"depth_m": "1.2"}), Depth::exact(1.2)),
            (json!({"DEPTH_M": "２"}), Depth::exact(2.0)),
            (json!({"A31_201": 2}), Depth::range(0.5, 3.0)),
            (json!({"A31_201": "２"}), Depth::range(0.5, 3.0)),
            (json!({"a31_201": "6"}), Depth::range(20.0, inf)),
            (json!({"A31_101": 1}), Depth::range(0.0, 0.5)),
            (json!({"A31a_205": 3}), Depth::range(3.0, 5.0)),
            (json!({"A31a_105": 4}), Depth::range(5.0, 10.0)),
            (json!({"A31a_305": 5}), Depth::range(10.0, 20.0)),
            (json!({"A31b_201": 2}), Depth::range(0.5, 3.0)),
            (json!({"rank": 2}), Depth::range(0.5, 3.0)),
            // a rank field holding a range text
            (json!({"A31_201": "0.5m以上3.0m未満"}), Depth::range(0.5, 3.0)),
            (json!({"rank": "3m以上"}), Depth::range(3.0, inf)),
            // text fields: a bare number is an exact depth, not a rank
            (json!({"depth": "2"}), Depth::exact(2.0)),
            (json!({"depth": "0.5m以上3.0m未満"}), Depth::range(0.5, 3.0)),
            (json!({"depth_class": "0.5m未満"}), Depth::range(0.0, 0.5)),
            (json!({"浸水深": "３．０ｍ以上５．０ｍ未満"}), Depth::range(3.0, 5.0)),
            (json!({"浸水深ランク": "0.5〜3.0m"}), Depth::range(0.5, 3.0)),
            // field order: depth_m before ranks before texts
            (json!({"A31_201": 1, "depth_m": 4.0}), Depth::exact(4.0)),
            (json!({"depth": "5-10", "A31_101": 2}), Depth::range(0.5, 3.0)),
            (json!({"A31_101": 1, "A31_201": 3}), Depth::range(3.0, 5.0)),
            // an unrecognised value falls through to the next recognised field
            (json!({"depth_m": "不明", "A31_201": 2}), Depth::range(0.5, 3.0)),
        ];
        for (p, expected) in cases {
            assert_eq!(flood_depth_attr(&props(p.clone())), Parsed::Value(expected), "{p}");
        }
    }

    #[test]
    fn flood_depth_unrecognised_and_missing() {
        let cases = [
            (json!({"depth_m": -1}), unrec("depth_m", "-1")),
            (json!({"depth_m": "深い"}), unrec("depth_m", "深い")),
            (json!({"A31_201": 7}), unrec("A31_201", "7")),
            (json!({"A31_201": 0}), unrec("A31_201", "0")),
            (json!({"A31_201": 2.5}), unrec("A31_201", "2.5")),
            (json!({"rank": "x", "depth": "y"}), unrec("rank", "x")),
            (json!({"depth": "3.0m以上0.5m未満"}), unrec("depth", "3.0m以上0.5m未満")),
        ];
        for (p, expected) in cases {
            assert_eq!(unrecognised(flood_depth_attr(&props(p.clone()))), expected, "{p}");
        }
        assert_eq!(flood_depth_attr(&props(json!({"A40_003": 2}))), Parsed::Missing);
        assert_eq!(flood_depth_attr(&props(json!({"depth": ""}))), Parsed::Missing);
    }

    #[test]
    fn tsunami_depth_fields() {
        let inf = f64::INFINITY;
        let cases = [
            (json!({"depth_m": 0.3}), Depth::exact(0.3)),
            (json!({"A40_003": 2}), Depth::range(0.5, 3.0)),
            (json!({"A40_003": "2"}), Depth::range(0.5, 3.0)),
            (json!({"A40_003": "0.3m以上0.5m未満"}), Depth::range(0.3, 0.5)),
            (json!({"A40_003": "10m以上20m未満"}), Depth::range(10.0, 20.0)),
            (json!({"A40_003": "20ｍ以上"}), Depth::range(20.0, inf)),
            (json!({"rank": 6}), Depth::range(20.0, inf)),
            (json!({"depth": "2"}), Depth::exact(2.0)),
            (json!({"depth_class": "1-2"}), Depth::range(1.0, 2.0)),
            (json!({"浸水深": "0.5m未満"}), Depth::range(0.0, 0.5)),
        ];
        for (p, expected) in cases {
            assert_eq!(tsunami_depth_attr(&props(p.clone())), Parsed::Value(expected), "{p}");
        }
        assert_eq!(
            unrecognised(tsunami_depth_attr(&props(json!({"A40_003": 9})))),
            unrec("A40_003", "9")
        );
        assert_eq!(tsunami_depth_attr(&props(json!({"A31_201": 2}))), Parsed::Missing);
    }

    // --- landslide -------------------------------------------------------------

    #[test]
    fn landslide_phenomena() {
        use Phenomenon::*;
        let cases = [
            (json!({"A33_001": 1}), SteepSlope),
            (json!({"A33_001": "１"}), SteepSlope),
            (json!({"A33_001": 2}), DebrisFlow),
            (json!({"A33_001": "3"}), Landslide),
            (json!({"disasterType": 1}), SteepSlope),
            (json!({"disastertype": "2"}), DebrisFlow),
            (json!({"phenomenon": "急傾斜地の崩壊"}), SteepSlope),
            (json!({"phenomenon": "急傾斜"}), SteepSlope),
            (json!({"phenomenon": "がけ崩れ"}), SteepSlope),
            (json!({"現象": "崖崩れ"}), SteepSlope),
            (json!({"現象の種類": "土石流"}), DebrisFlow),
            (json!({"phenomenon": "地すべり"}), Landslide),
            (json!({"phenomenon": "地滑り"}), Landslide),
            (json!({"phenomenon": "steep_slope"}), SteepSlope),
            (json!({"phenomenon": "急傾斜地の崩壊(がけ崩れ)"}), SteepSlope),
        ];
        for (p, expected) in cases {
            assert_eq!(
                landslide_attrs(&props(p.clone())).phenomenon,
                Parsed::Value(expected),
                "{p}"
            );
        }
        let bad = landslide_attrs(&props(json!({"A33_001": 4})));
        assert_eq!(unrecognised(bad.phenomenon), unrec("A33_001", "4"));
        assert_eq!(bad.zone, Parsed::Missing);
    }

    #[test]
    fn landslide_zones() {
        use LandslideZone::*;
        let cases = [
            (json!({"A33_002": 1}), Yellow),
            (json!({"A33_002": 2}), Red),
            (json!({"A33_002": 3}), Yellow),
            (json!({"A33_002": "４"}), Red),
            (json!({"areaType": "1"}), Yellow),
            (json!({"AREATYPE": 2}), Red),
            (json!({"zone": "土砂災害警戒区域"}), Yellow),
            (json!({"zone": "土砂災害特別警戒区域"}), Red),
            (json!({"zone": "警戒区域"}), Yellow),
            (json!({"zone": "特別警戒区域"}), Red),
            (json!({"区域区分": "イエロー"}), Yellow),
            (json!({"区域": "ﾚｯﾄﾞ"}), Red),
            (json!({"zone": "Yellow"}), Yellow),
            (json!({"zone": "RED"}), Red),
            (json!({"zone": "土砂災害特別警戒区域(急傾斜地の崩壊)"}), Red),
            (json!({"zone": "土砂災害警戒区域(急傾斜地の崩壊)"}), Yellow),
        ];
        for (p, expected) in cases {
            assert_eq!(landslide_attrs(&props(p.clone())).zone, Parsed::Value(expected), "{p}");
        }
        assert_eq!(
            unrecognised(landslide_attrs(&props(json!({"A33_002": 5}))).zone),
            unrec("A33_002", "5")
        );
        assert_eq!(
            unrecognised(landslide_attrs(&props(json!({"zone": "特別"}))).zone),
            unrec("zone", "特別")
        );
    }

    #[test]
    fn landslide_both_groups_from_one_feature() {
        let a = landslide_attrs(&props(json!({"A33_001": 1, "A33_002": 2})));
        assert_eq!(a.phenomenon, Parsed::Value(Phenomenon::SteepSlope));
        assert_eq!(a.zone, Parsed::Value(LandslideZone::Red));
        let a = landslide_attrs(&props(json!({})));
        assert_eq!((a.phenomenon, a.zone), (Parsed::Missing, Parsed::Missing));
    }

    #[test]
    fn phenomenon_keys_and_names() {
        for p in Phenomenon::ALL {
            assert_eq!(Phenomenon::from_key(p.as_str()), Some(p));
            assert_eq!(serde_json::to_value(p).unwrap(), json!(p.as_str()));
        }
        assert_eq!(Phenomenon::SteepSlope.as_str(), "steep_slope");
        assert_eq!(Phenomenon::SteepSlope.name_ja(), "急傾斜地の崩壊");
        assert_eq!(Phenomenon::DebrisFlow.name_en(), "debris flow");
        assert_eq!(Phenomenon::from_key("Steep_Slope"), None);
        assert_eq!(Phenomenon::from_key("がけ崩れ"), None);
        assert_eq!(LandslideZone::Red.name_ja(), "土砂災害特別警戒区域");
        assert_eq!(LandslideZone::Yellow.name_ja(), "土砂災害警戒区域");
        assert!(LandslideZone::Yellow < LandslideZone::Red);
    }

    // --- erosion ---------------------------------------------------------------

    #[test]
    fn erosion_types() {
        use ErosionType::*;
        let cases = [
            (json!({"type": "河岸侵食"}), Parsed::Value(BankErosion)),
            (json!({"type": "河岸浸食"}), Parsed::Value(BankErosion)),
            (json!({"Type": " 氾濫流 "}), Parsed::Value(Overflow)),
            (json!({"種別": "氾濫流"}), Parsed::Value(Overflow)),
            (
                json!({"区分": "家屋倒壊等氾濫想定区域(河岸侵食)"}),
                Parsed::Value(BankErosion),
            ),
            (json!({"type": "overflow"}), Parsed::Value(Overflow)),
            (json!({"type": 1}), Parsed::Unrecognised(unrec("type", "1"))),
            (json!({"type": "浸水"}), Parsed::Unrecognised(unrec("type", "浸水"))),
            (json!({}), Parsed::Missing),
        ];
        for (p, expected) in cases {
            assert_eq!(erosion_type_attr(&props(p.clone())), expected, "{p}");
        }
    }

    // --- facilities ------------------------------------------------------------

    #[test]
    fn facility_types() {
        let cases = [
            (json!({}), "small_multi"),
            (json!({"type": ""}), "small_multi"),
            (json!({"type": "small_multi"}), "small_multi"),
            (json!({"type": "Nursing_Small_Multi"}), "nursing_small_multi"),
            (json!({"type": "group_home"}), "group_home"),
            (json!({"type": "care_plaza"}), "care_plaza"),
            (json!({"type": "hospital"}), "hospital"),
            (json!({"type": "day_service"}), "day_service"),
            (json!({"サービスの種類": "小規模多機能型居宅介護"}), "small_multi"),
            (
                json!({"サービスの種類": "看護小規模多機能型居宅介護"}),
                "nursing_small_multi",
            ),
            (
                json!({"サービスの種類": "看護小規模多機能型居宅介護（複合型サービス）"}),
                "nursing_small_multi",
            ),
            (json!({"type": "複合型サービス"}), "nursing_small_multi"),
            (json!({"type": "認知症対応型共同生活介護"}), "group_home"),
            (json!({"type": "グループホーム"}), "group_home"),
            (json!({"type": "地域包括支援センター"}), "care_plaza"),
            (json!({"type": "病院"}), "hospital"),
            (json!({"service_type": 730}), "small_multi"),
            (json!({"service_type": "770"}), "nursing_small_multi"),
            (json!({"service_type": "７３０"}), "small_multi"),
        ];
        for (p, expected) in cases {
            let a = facility_attrs(&props(p.clone()));
            assert_eq!(&*a.facility_type, expected, "{p}");
            assert_eq!(a.type_unrecognised, None, "{p}");
        }
    }

    #[test]
    fn facility_unknown_type_is_kept() {
        let a = facility_attrs(&props(json!({"type": " 訪問介護　"})));
        assert_eq!(&*a.facility_type, "訪問介護");
        assert_eq!(a.type_unrecognised, Some(unrec("type", "訪問介護")));
        let a = facility_attrs(&props(json!({"type": 999})));
        assert_eq!(&*a.facility_type, "999");
        assert_eq!(a.type_unrecognised, Some(unrec("type", "999")));
    }

    #[test]
    fn facility_capacities() {
        let cases = [
            (json!({"capacity": 29}), Some(29), None),
            (json!({"capacity": 29.0}), Some(29), None),
            (json!({"capacity": "29"}), Some(29), None),
            (json!({"定員": "２９"}), Some(29), None),
            (json!({"登録定員": "29人"}), Some(29), None),
            (json!({"capacity": "29名"}), Some(29), None),
            (json!({"capacity": " 25 "}), Some(25), None),
            (json!({"capacity": "２５　"}), Some(25), None),
            (json!({"capacity": 0}), None, None),
            (json!({"定員": "0"}), None, None),
            (json!({"capacity": ""}), None, None),
            (json!({}), None, None),
            (json!({"capacity": "不明"}), None, Some(unrec("capacity", "不明"))),
            (json!({"capacity": 2.5}), None, Some(unrec("capacity", "2.5"))),
            (json!({"capacity": -3}), None, Some(unrec("capacity", "-3"))),
        ];
        for (p, capacity, unrecognised) in cases {
            let a = facility_attrs(&props(p.clone()));
            assert_eq!((a.capacity, a.capacity_unrecognised), (capacity, unrecognised), "{p}");
        }
    }

    #[test]
    fn facility_name_and_opened() {
        let a = facility_attrs(&props(json!({
            "事業所名": "小規模多機能 アイリス茅野　",
            "サービスの種類": "小規模多機能型居宅介護",
            "開設日": "2015-04-01",
        })));
        assert_eq!(a.name.as_deref(), Some("小規模多機能 アイリス茅野"));
        assert_eq!(a.opened.as_deref(), Some("2015-04-01"));
        assert_eq!(&*a.facility_type, "small_multi");
        let a = facility_attrs(&props(json!({"Name": "A", "名称": "B", "opened_on": "2020"})));
        assert_eq!(a.name.as_deref(), Some("A"));
        assert_eq!(a.opened.as_deref(), Some("2020"));
        let a = facility_attrs(&props(json!({})));
        assert_eq!((a.name, a.opened), (None, None));
    }

    // --- daily-life areas ------------------------------------------------------

    #[test]
    fn area_attributes() {
        let a = area_attrs(&props(json!({
            "A32_001": "29208", "A32_003": "C129210000461", "A32_004": "葛中学校",
        })));
        assert_eq!(
            a,
            AreaAttrs {
                area_id: Some("C129210000461".into()),
                name: Some("葛中学校".into()),
                population: None,
                population_65plus: None,
            }
        );
        let a = area_attrs(&props(json!({
            "area_id": 3, "id": 9, "name": "光明中学校区", "population": 12345, "population_65plus": "3,210",
        })));
        assert_eq!(a.area_id.as_deref(), Some("3"));
        assert_eq!(a.name.as_deref(), Some("光明中学校区"));
        assert_eq!((a.population, a.population_65plus), (Some(12345.0), Some(3210.0)));
        let a = area_attrs(&props(json!({
            "学校コード": "C1", "名称": "第一中", "人口": "１２，３４５人", "高齢者人口": " 4,000 ",
        })));
        assert_eq!(a.area_id.as_deref(), Some("C1"));
        assert_eq!(a.name.as_deref(), Some("第一中"));
        assert_eq!((a.population, a.population_65plus), (Some(12345.0), Some(4000.0)));
    }

    #[test]
    fn area_field_order_and_bad_numbers() {
        let cases = [
            (json!({"pop_65plus": 10}), Some(10.0)),
            (json!({"65歳以上人口": "１０"}), Some(10.0)),
            (json!({"６５歳以上人口": "10"}), Some(10.0)),
            (json!({"population_65plus": 5, "pop_65plus": 10}), Some(5.0)),
            (json!({"population_65plus": "不明"}), None),
            (json!({"population_65plus": -5}), None),
        ];
        for (p, expected) in cases {
            assert_eq!(area_attrs(&props(p.clone())).population_65plus, expected, "{p}");
        }
        let a = area_attrs(&props(
            json!({"id": "x", "A32_003": "y", "school_name": "s", "A32_004_ja": "t"}),
        ));
        assert_eq!((a.area_id.as_deref(), a.name.as_deref()), (Some("y"), Some("t")));
    }

    // --- serialisation -----------------------------------------------------------

    #[test]
    fn serialised_forms() {
        assert_eq!(
            serde_json::to_value(Division::UrbanizationControl).unwrap(),
            json!("urbanization_control")
        );
        assert_eq!(serde_json::to_value(LandslideZone::Red).unwrap(), json!("red"));
        assert_eq!(
            serde_json::to_value(ErosionType::BankErosion).unwrap(),
            json!("bank_erosion")
        );
        assert_eq!(
            serde_json::to_value(unrec("A29_004", "99")).unwrap(),
            json!({"field": "A29_004", "raw": "99"})
        );
        assert_eq!(
            serde_json::to_value(Depth::range(0.5, 3.0)).unwrap(),
            json!({"lo_m": 0.5, "hi_m": 3.0, "exact": false})
        );
    }
}
