//! Attribute profiles: which publisher's schema a file follows (detected from its field
//! names, or named by the user), and the translations that schema needs before the
//! engine's normaliser (`engine::attrs`) reads it. Most schemas need none — `attrs`
//! already reads KSJ, reinfolib and the 介護サービス情報公表 CSV names — but PLATEAU's
//! `function` codes number use districts differently from KSJ, and an explicit
//! `--field canonical=source` mapping covers any other file.

use crate::engine::attrs::{lookup, normalize_text};
use crate::engine::catalog::LayerKind;
use serde::Serialize;

/// A publisher's attribute schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// 国土数値情報 (A29, A09, A31, A32, A33, A40…).
    Ksj,
    /// 不動産情報ライブラリ (`*_ja` fields).
    Reinfolib,
    /// 国土交通省 3D都市モデル Project PLATEAU (urf `function`, lsld `disasterType`/`areaType`, fld/tnm `rank`).
    Plateau,
    /// 介護サービス情報公表システム open data CSV.
    MhlwKaigo,
    /// その他（SPEC の属性名と `--field` の対応付け） / Anything else: the names in SPEC, plus `--field` mappings.
    Generic,
}

impl Profile {
    pub fn key(self) -> &'static str {
        match self {
            Profile::Ksj => "ksj",
            Profile::Reinfolib => "reinfolib",
            Profile::Plateau => "plateau",
            Profile::MhlwKaigo => "mhlw_kaigo",
            Profile::Generic => "generic",
        }
    }
}

/// Guesses the profile from field names.
pub fn detect(fields: &[String]) -> Profile {
    let has = |n: &str| fields.iter().any(|f| f.eq_ignore_ascii_case(n));
    let ksj = fields.iter().any(|f| {
        let b = f.as_bytes();
        // A29_004, A31a_205, A09_001: `A`, two digits, an optional letter, `_`, three digits.
        b.len() >= 7
            && b[0] == b'A'
            && b[1].is_ascii_digit()
            && b[2].is_ascii_digit()
            && f.contains('_')
            && !f.ends_with("_ja")
    });
    if has("事業所番号") && has("サービスの種類") {
        Profile::MhlwKaigo
    } else if fields.iter().any(|f| f.ends_with("_ja")) {
        Profile::Reinfolib
    } else if ksj {
        Profile::Ksj
    } else if has("function") || has("disasterType") || has("rankOrg") {
        Profile::Plateau
    } else {
        Profile::Generic
    }
}

/// The canonical fields a `--field` mapping may set, per kind (aliases after `=`).
fn targets(kind: LayerKind) -> &'static [(&'static str, &'static str)] {
    match kind {
        LayerKind::Zoning => &[("use_code", "use_code"), ("use_name", "use_name"), ("use", "use_name")],
        LayerKind::AreaDivision => &[("division", "division")],
        LayerKind::Farmland => &[],
        LayerKind::DailyLifeArea => &[
            ("area_id", "area_id"),
            ("name", "name"),
            ("population", "population"),
            ("population_65plus", "population_65plus"),
        ],
        LayerKind::Facility => &[
            ("name", "name"),
            ("type", "type"),
            ("capacity", "capacity"),
            ("opened", "opened"),
        ],
        LayerKind::Flood | LayerKind::Tsunami => &[("depth", "depth_m"), ("depth_m", "depth_m"), ("rank", "rank")],
        LayerKind::RiverErosion => &[("type", "type")],
        LayerKind::Landslide => &[("phenomenon", "phenomenon"), ("zone", "zone")],
    }
}

/// A `--field canonical=source` mapping, checked against the kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldMap {
    pub target: String,
    pub source: String,
}

/// Parses `k=v` mappings for a kind.
pub fn parse_field_maps(kind: LayerKind, specs: &[String]) -> Result<Vec<FieldMap>, String> {
    specs
        .iter()
        .map(|spec| {
            let (k, v) = spec.split_once('=').ok_or_else(|| {
                format!("--field `{spec}`: write canonical=source, e.g. depth=浸水深 / --field は 項目=元の列名 の形で指定してください")
            })?;
            let allowed = targets(kind);
            let target = allowed
                .iter()
                .find(|(alias, _)| alias.eq_ignore_ascii_case(k.trim()))
                .map(|(_, t)| t.to_string())
                .ok_or_else(|| {
                    let list: Vec<&str> = allowed.iter().map(|(a, _)| *a).collect();
                    format!(
                        "レイヤ {kind} に項目「{2}」はありません / --field `{spec}`: layer {kind} has no field `{0}`; it reads: {1}",
                        k.trim(),
                        if list.is_empty() { "(none)".into() } else { list.join(", ") },
                        k.trim()
                    )
                })?;
            Ok(FieldMap {
                target,
                source: v.trim().to_string(),
            })
        })
        .collect()
}

/// PLATEAU urf UseDistrict `function` → KSJ use-district code (8 田園住居 → 21, 9–13 → 8–12).
fn plateau_use_code(code: u32) -> Option<u32> {
    match code {
        1..=7 => Some(code),
        8 => Some(21),
        9..=13 => Some(code - 1),
        _ => None,
    }
}

/// PLATEAU urf AreaClassification `function` → division name.
fn plateau_division(code: u32) -> Option<&'static str> {
    match code {
        22 => Some("市街化区域"),
        23 => Some("市街化調整区域"),
        24 => Some("非線引き用途地域"),
        25 => Some("非線引き白地"),
        _ => None,
    }
}

/// Applies the profile's translations and the explicit mappings to one feature's
/// properties. Source fields stay; canonical fields are added in front of them (an
/// explicit mapping replaces a canonical field of the same name).
pub fn apply(
    profile: Profile,
    kind: LayerKind,
    maps: &[FieldMap],
    props: serde_json::Map<String, serde_json::Value>,
) -> serde_json::Map<String, serde_json::Value> {
    let mut added = serde_json::Map::new();
    if profile == Profile::Plateau {
        let code = lookup(&props, &["function"]).and_then(|f| normalize_text(&f.text).parse::<u32>().ok());
        match (kind, code) {
            (LayerKind::Zoning, Some(c)) => {
                if let Some(k) = plateau_use_code(c) {
                    added.insert("use_code".into(), k.into());
                }
            }
            (LayerKind::AreaDivision, Some(c)) => {
                if let Some(d) = plateau_division(c) {
                    added.insert("division".into(), d.into());
                }
            }
            _ => {}
        }
    }
    for m in maps {
        let value = props
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(&m.source))
            .map(|(_, v)| v.clone())
            .unwrap_or(serde_json::Value::Null);
        added.insert(m.target.clone(), value);
    }
    if added.is_empty() {
        return props;
    }
    for (k, v) in props {
        if !added.keys().any(|a| a.eq_ignore_ascii_case(&k)) {
            added.insert(k, v);
        }
    }
    added
}

/// Mappings whose source field the file does not have.
pub fn missing_sources<'a>(maps: &'a [FieldMap], fields: &[String]) -> Vec<&'a str> {
    maps.iter()
        .filter(|m| !fields.iter().any(|f| f.eq_ignore_ascii_case(&m.source)))
        .map(|m| m.source.as_str())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn detects_profiles_from_field_names() {
        assert_eq!(detect(&names(&["A29_004", "A29_005"])), Profile::Ksj);
        assert_eq!(detect(&names(&["A31a_205"])), Profile::Ksj);
        assert_eq!(
            detect(&names(&["use_area_ja", "u_floor_area_ratio_ja"])),
            Profile::Reinfolib
        );
        assert_eq!(detect(&names(&["function", "gml_id"])), Profile::Plateau);
        assert_eq!(
            detect(&names(&["事業所番号", "サービスの種類", "緯度"])),
            Profile::MhlwKaigo
        );
        assert_eq!(detect(&names(&["youto"])), Profile::Generic);
    }

    #[test]
    fn plateau_codes_become_ksj_codes_and_divisions() {
        let p = |v: serde_json::Value| v.as_object().unwrap().clone();
        let z = apply(Profile::Plateau, LayerKind::Zoning, &[], p(json!({"function": "9"})));
        assert_eq!(z["use_code"], json!(8), "PLATEAU 9 近隣商業 is KSJ 8");
        let z = apply(Profile::Plateau, LayerKind::Zoning, &[], p(json!({"function": 8})));
        assert_eq!(z["use_code"], json!(21), "PLATEAU 8 田園住居 is KSJ 21");
        let d = apply(
            Profile::Plateau,
            LayerKind::AreaDivision,
            &[],
            p(json!({"function": 23})),
        );
        assert_eq!(d["division"], json!("市街化調整区域"));
        let untouched = apply(Profile::Ksj, LayerKind::Zoning, &[], p(json!({"function": 9})));
        assert!(!untouched.contains_key("use_code"));
    }

    #[test]
    fn field_maps_are_checked_against_the_kind() {
        let maps = parse_field_maps(LayerKind::Flood, &["depth=浸水深".into()]).unwrap();
        assert_eq!(maps[0].target, "depth_m");
        let out = apply(
            Profile::Generic,
            LayerKind::Flood,
            &maps,
            json!({"浸水深": "0.5m以上3.0m未満"}).as_object().unwrap().clone(),
        );
        assert_eq!(out["depth_m"], json!("0.5m以上3.0m未満"));
        let err = parse_field_maps(LayerKind::Flood, &["colour=x".into()]).unwrap_err();
        assert!(
            err.contains("layer flood has no field `colour`; it reads: depth, depth_m, rank"),
            "{err}"
        );
        let err = parse_field_maps(LayerKind::Flood, &["depth".into()]).unwrap_err();
        assert!(err.contains("write canonical=source"), "{err}");
    }
}
