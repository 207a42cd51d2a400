//! Daily-life-area coverage (日常生活圏域の整備状況): for every area, the existing facilities
//! of the target type, their registration capacity (登録定員), the demand estimated from the
//! area's population, the gap, and whether the area is open for application (募集圏域).
//!
//! "Open" is decided exactly as the site assessment decides it (SPEC §2): an area is open
//! when it holds no facility of the target type — the same [`target_facilities`] count.
//! Demand is the rubric's [`DemandSettings`] reading of 資料5 of the 2011 hearing document:
//! about 50 target users per 10,000 residents (≈ 217 per 10,000 aged 65+).

use crate::engine::assess::target_facilities;
use crate::engine::catalog::{AreaInfo, Catalog};
use crate::engine::geom;
use crate::engine::index::FeatureId;
use crate::engine::report::TargetFacilities;
use crate::engine::rubric::{DemandBasis, DemandSettings, Rubric};
use serde::Serialize;
use utoipa::ToSchema;

/// The estimated number of target users of one area.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct DemandEstimate {
    /// Estimated target users (persons, not rounded).
    pub users: f64,
    /// The population attribute the estimate started from.
    pub basis: DemandBasis,
    /// Target users per 10,000 persons of `basis`.
    pub rate_per_10000: f64,
}

/// Coverage of one daily-life area.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AreaCoverage {
    /// Index into the daily-life-area layer (the order of `/api/areas`).
    #[serde(skip)]
    pub index: usize,
    /// `area_id` / `A32_003`, else the feature id.
    pub id: String,
    #[schema(required = true)]
    pub name: Option<String>,
    pub feature_id: FeatureId,
    #[schema(required = true)]
    pub population: Option<f64>,
    #[schema(required = true)]
    pub population_65plus: Option<f64>,
    /// Geodesic area of the daily-life area (km²).
    pub area_km2: f64,
    /// Existing facilities of the target type inside; null when the facility layer is missing.
    #[schema(required = true)]
    pub target_facilities: Option<TargetFacilities>,
    /// 募集圏域: true when the area has no facility of the target type; null when unknown.
    #[schema(required = true)]
    pub open_for_application: Option<bool>,
    /// Estimated demand; null when the area carries no population attribute.
    #[schema(required = true)]
    pub demand: Option<DemandEstimate>,
    /// Demand minus the known registration capacity (persons); positive = shortfall.
    /// Null without a demand estimate or without the facility layer.
    #[schema(required = true)]
    pub gap: Option<f64>,
    /// Some facilities' capacities are unknown, so the real gap is at most `gap`.
    pub gap_is_upper_bound: bool,
    /// New facilities of `demand.facility_capacity` needed to close a positive gap (0 when none).
    #[schema(required = true)]
    pub facilities_needed: Option<u32>,
}

/// The flat record of one area: the CSV columns and GeoJSON properties of the choropleth.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AreaRow {
    pub id: String,
    #[schema(required = true)]
    pub name: Option<String>,
    #[schema(required = true)]
    pub population: Option<f64>,
    #[schema(required = true)]
    pub population_65plus: Option<f64>,
    pub area_km2: f64,
    /// Facilities of the target type inside.
    #[schema(required = true)]
    pub facilities: Option<usize>,
    /// Sum of their known capacities (登録定員).
    #[schema(required = true)]
    pub capacity: Option<u32>,
    /// Facilities without a known capacity.
    #[schema(required = true)]
    pub capacity_unknown: Option<usize>,
    #[schema(required = true)]
    pub open_for_application: Option<bool>,
    /// Estimated target users.
    #[schema(required = true)]
    pub demand: Option<f64>,
    #[schema(required = true)]
    pub demand_basis: Option<DemandBasis>,
    #[schema(required = true)]
    pub gap: Option<f64>,
    pub gap_is_upper_bound: bool,
    #[schema(required = true)]
    pub facilities_needed: Option<u32>,
}

impl AreaCoverage {
    /// The flat record (demand and gap rounded to 0.01 person, the area to 0.001 km²).
    pub fn row(&self) -> AreaRow {
        let t = self.target_facilities.as_ref();
        let round = |v: f64, unit: f64| (v / unit).round() * unit;
        AreaRow {
            id: self.id.clone(),
            name: self.name.clone(),
            population: self.population,
            population_65plus: self.population_65plus,
            area_km2: round(self.area_km2, 0.001),
            facilities: t.map(|t| t.count),
            capacity: t.map(|t| t.capacity),
            capacity_unknown: t.map(|t| t.capacity_unknown),
            open_for_application: self.open_for_application,
            demand: self.demand.map(|d| round(d.users, 0.01)),
            demand_basis: self.demand.map(|d| d.basis),
            gap: self.gap.map(|g| round(g, 0.01)),
            gap_is_upper_bound: self.gap_is_upper_bound,
            facilities_needed: self.facilities_needed,
        }
    }

    /// The area as a GeoJSON Feature: its polygon from `catalog` (properties: [`AreaRow`]).
    pub fn feature(&self, catalog: &Catalog) -> geojson::Feature {
        let geometry = catalog
            .daily_life_area
            .as_ref()
            .map(|l| &l.index.zone(self.index).geometry)
            .map(|mp| geojson::Geometry::new(geojson::GeometryValue::from(mp)));
        let properties = match serde_json::to_value(self.row()) {
            Ok(serde_json::Value::Object(map)) => Some(map),
            _ => None,
        };
        geojson::Feature {
            bbox: None,
            geometry,
            id: None,
            properties,
            foreign_members: None,
        }
    }
}

/// The city as a whole.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct CoverageTotals {
    pub areas: usize,
    /// Areas open for application (no facility of the target type).
    pub open_areas: usize,
    pub facilities: usize,
    /// Sum of the known capacities.
    pub capacity: u32,
    /// Facilities without a known capacity.
    pub capacity_unknown: usize,
    /// Sum of the areas' demand estimates (areas without population are left out).
    #[schema(required = true)]
    pub demand: Option<f64>,
    /// Areas without a population attribute (no demand estimate).
    pub areas_without_population: usize,
    /// Sum of the positive gaps (shortfalls) only.
    #[schema(required = true)]
    pub shortfall: Option<f64>,
}

/// Estimates an area's demand under the rubric's settings; `None` without any population.
/// The configured basis is used when the area has it, else the other attribute.
pub fn estimate_demand(area: &AreaInfo, settings: &DemandSettings) -> Option<DemandEstimate> {
    let by = |basis: DemandBasis| {
        let (value, rate) = match basis {
            DemandBasis::Population => (area.population, settings.per_10000_population),
            DemandBasis::Population65plus => (area.population_65plus, settings.per_10000_aged_65plus),
        };
        value.filter(|v| v.is_finite() && *v >= 0.0).map(|v| DemandEstimate {
            users: v * rate / 10_000.0,
            basis,
            rate_per_10000: rate,
        })
    };
    let other = match settings.basis {
        DemandBasis::Population => DemandBasis::Population65plus,
        DemandBasis::Population65plus => DemandBasis::Population,
    };
    by(settings.basis).or_else(|| by(other))
}

/// Coverage of every daily-life area, in layer order (empty when the layer is not loaded).
pub fn area_coverage(catalog: &Catalog, rubric: &Rubric) -> Vec<AreaCoverage> {
    let Some(layer) = &catalog.daily_life_area else {
        return Vec::new();
    };
    let settings = &rubric.demand;
    layer
        .index
        .zones()
        .iter()
        .enumerate()
        .map(|(index, zone)| {
            let facilities = target_facilities(catalog, index, &rubric.target_type);
            let demand = estimate_demand(&zone.attrs, settings);
            let gap = match (&demand, &facilities) {
                (Some(d), Some(t)) => Some(d.users - f64::from(t.capacity)),
                _ => None,
            };
            AreaCoverage {
                index,
                id: zone.attrs.area_id.to_string(),
                name: zone.attrs.name.as_deref().map(String::from),
                feature_id: zone.id.clone(),
                population: zone.attrs.population,
                population_65plus: zone.attrs.population_65plus,
                area_km2: geom::multipolygon_area_m2(&zone.geometry) / 1e6,
                open_for_application: facilities.as_ref().map(|t| t.count == 0),
                gap_is_upper_bound: facilities.as_ref().is_some_and(|t| t.capacity_unknown > 0),
                facilities_needed: gap.map(|g| (g.max(0.0) / f64::from(settings.facility_capacity)).ceil() as u32),
                target_facilities: facilities,
                demand,
                gap,
            }
        })
        .collect()
}

/// Sums the coverage of all areas.
pub fn coverage_totals(areas: &[AreaCoverage]) -> CoverageTotals {
    let mut t = CoverageTotals {
        areas: areas.len(),
        ..Default::default()
    };
    for a in areas {
        t.open_areas += usize::from(a.open_for_application == Some(true));
        if let Some(f) = &a.target_facilities {
            t.facilities += f.count;
            t.capacity += f.capacity;
            t.capacity_unknown += f.capacity_unknown;
        }
        match &a.demand {
            Some(d) => *t.demand.get_or_insert(0.0) += d.users,
            None => t.areas_without_population += 1,
        }
        if let Some(g) = a.gap {
            *t.shortfall.get_or_insert(0.0) += g.max(0.0);
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area(population: Option<f64>, population_65plus: Option<f64>) -> AreaInfo {
        AreaInfo {
            area_id: "1".into(),
            name: None,
            population,
            population_65plus,
        }
    }

    #[test]
    fn demand_uses_the_basis_then_falls_back() {
        let s = DemandSettings::default();
        let d = estimate_demand(&area(Some(10_000.0), Some(2300.0)), &s).unwrap();
        assert_eq!((d.users, d.basis), (50.0, DemandBasis::Population));
        let d = estimate_demand(&area(None, Some(2300.0)), &s).unwrap();
        assert_eq!(d.basis, DemandBasis::Population65plus);
        assert!((d.users - 50.0).abs() < 1e-9, "{d:?}");
        assert!(estimate_demand(&area(None, None), &s).is_none());
        let by65 = DemandSettings {
            basis: DemandBasis::Population65plus,
            ..s
        };
        let d = estimate_demand(&area(Some(10_000.0), Some(4600.0)), &by65).unwrap();
        assert!((d.users - 100.0).abs() < 1e-9, "{d:?}");
        assert!(estimate_demand(&area(Some(f64::NAN), None), &s).is_none());
    }
}
