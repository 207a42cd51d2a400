//! Change impact (更新の影響): what a new layer version would change, before it is
//! activated. The ingest dry-run stages the new version as a second [`Catalog`] and asks
//! which stored candidate sites and which daily-life areas would read differently.

use crate::engine::analytics::coverage::{area_coverage, AreaCoverage};
use crate::engine::analytics::whatif::{compare_assessments, SiteComparison};
use crate::engine::assess::{AssessOptions, Assessor, SiteInput};
use crate::engine::catalog::Catalog;
use crate::engine::rubric::Rubric;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A site whose outcome differs between the old and the new layers
/// (`before` = old catalog, `after` = new catalog).
pub type Change = SiteComparison;

/// The sites (of `sites`, in input order) whose verdict, hazard total, hazard status,
/// spacing, area or area status differs when assessed against `new` instead of `old`,
/// under the same `rubric` and `options`. Unaffected sites are left out; a site rejected
/// by both is never a change. Runs in parallel.
///
/// ```
/// use tekichi::engine::analytics::impact::change_impact;
/// use tekichi::engine::assess::{AssessOptions, SiteInput};
/// use tekichi::engine::catalog::Catalog;
/// use tekichi::engine::rubric::Rubric;
/// use tekichi::engine::site::Site;
///
/// let (old, new) = (Catalog::default(), Catalog::default());
/// let sites = vec![SiteInput {
///     id: "A".into(),
///     name: None,
///     source_ref: None,
///     site: Ok(Site::point(141.03, 38.28).unwrap()),
/// }];
/// let changes = change_impact(&old, &new, &sites, &Rubric::default_rubric(), &AssessOptions::default());
/// assert!(changes.is_empty(), "identical catalogs change nothing");
/// ```
pub fn change_impact(
    old: &Catalog,
    new: &Catalog,
    sites: &[SiteInput],
    rubric: &Rubric,
    options: &AssessOptions,
) -> Vec<Change> {
    let before = Assessor { catalog: old, rubric };
    let after = Assessor { catalog: new, rubric };
    let mut all = compare_assessments(&before, &after, sites, options);
    all.retain(|c| !c.changed.is_empty());
    all
}

/// A coverage figure of a daily-life area that can change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AreaField {
    /// The area exists in only one of the two versions.
    Presence,
    OpenForApplication,
    FacilityCount,
    Capacity,
    CapacityUnknown,
    Population,
    Demand,
}

/// A daily-life area whose coverage differs between two catalogs (matched by area id).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AreaChange {
    pub id: String,
    #[schema(required = true)]
    pub before: Option<AreaCoverage>,
    #[schema(required = true)]
    pub after: Option<AreaCoverage>,
    pub changed: Vec<AreaField>,
}

fn area_fields(a: &AreaCoverage, b: &AreaCoverage) -> Vec<AreaField> {
    let count = |c: &AreaCoverage| {
        c.target_facilities
            .as_ref()
            .map(|t| (t.count, t.capacity, t.capacity_unknown))
    };
    let (ca, cb) = (count(a), count(b));
    [
        (
            a.open_for_application != b.open_for_application,
            AreaField::OpenForApplication,
        ),
        (ca.map(|c| c.0) != cb.map(|c| c.0), AreaField::FacilityCount),
        (ca.map(|c| c.1) != cb.map(|c| c.1), AreaField::Capacity),
        (ca.map(|c| c.2) != cb.map(|c| c.2), AreaField::CapacityUnknown),
        (
            a.population != b.population || a.population_65plus != b.population_65plus,
            AreaField::Population,
        ),
        (
            a.demand.map(|d| d.users) != b.demand.map(|d| d.users),
            AreaField::Demand,
        ),
    ]
    .into_iter()
    .filter_map(|(differs, f)| differs.then_some(f))
    .collect()
}

/// Daily-life areas whose coverage (open/served, facilities, capacity, population, demand)
/// differs between `old` and `new`, matched by area id, in id order.
pub fn area_changes(old: &Catalog, new: &Catalog, rubric: &Rubric) -> Vec<AreaChange> {
    compare_coverage(area_coverage(old, rubric), area_coverage(new, rubric))
}

/// Compares two coverage lists (two catalogs, or one catalog under two rubrics) by area id;
/// only areas that differ are returned, in id order.
pub fn compare_coverage(before: Vec<AreaCoverage>, after: Vec<AreaCoverage>) -> Vec<AreaChange> {
    let mut by_id: BTreeMap<String, (Option<AreaCoverage>, Option<AreaCoverage>)> = BTreeMap::new();
    for a in before {
        let id = a.id.clone();
        by_id.entry(id).or_default().0 = Some(a);
    }
    for a in after {
        let id = a.id.clone();
        by_id.entry(id).or_default().1 = Some(a);
    }
    by_id
        .into_iter()
        .filter_map(|(id, (before, after))| {
            let changed = match (&before, &after) {
                (Some(a), Some(b)) => area_fields(a, b),
                _ => vec![AreaField::Presence],
            };
            (!changed.is_empty()).then_some(AreaChange {
                id,
                before,
                after,
                changed,
            })
        })
        .collect()
}
