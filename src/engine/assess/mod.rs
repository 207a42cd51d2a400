//! The assessment of one site: the four questions of SPEC §1–4, each in its own module,
//! assembled into the report of §5.
//!
//! - [`buildability`] — 建築可否 (zoning, 市街化調整区域, 農振農用地)
//! - [`daily_life`] — 日常生活圏域 and 募集圏域
//! - [`facilities`] — 適正配置 (nearest existing facilities, spacing, radius count)
//! - [`hazard`] — the rubric's hazard score

mod buildability;
mod daily_life;
mod facilities;
mod hazard;

pub use daily_life::target_facilities;

use crate::engine::catalog::Catalog;
use crate::engine::report::{HazardStatus, Provenance, Report, RubricRef, SiteEcho, SiteErrorReport, Summary};
use crate::engine::rubric::Rubric;
use crate::engine::site::{Site, SiteError};
use std::cmp::Ordering;
use std::sync::Arc;

/// Shares within one part per million of each other (or of one half) are ties: parts that
/// are equal on paper differ by a few 1e-9 once decimal degrees become binary floats and
/// the intersection is measured geodesically (0.04 m² on a 4 ha parcel).
pub(crate) const SHARE_TIE: f64 = 1e-6;

/// Orders shares largest first, treating shares within [`SHARE_TIE`] as equal.
pub(crate) fn cmp_share_desc(a: Option<f64>, b: Option<f64>) -> Ordering {
    let (a, b) = (a.unwrap_or(0.0), b.unwrap_or(0.0));
    if (a - b).abs() <= SHARE_TIE {
        Ordering::Equal
    } else {
        b.total_cmp(&a)
    }
}

/// Per-request options; `None` takes the rubric's default.
#[derive(Debug, Clone, Default)]
pub struct AssessOptions {
    /// How many nearest facilities to list.
    pub k: Option<usize>,
    /// Facility types listed and counted (default: the rubric's target type).
    pub types: Option<Vec<Arc<str>>>,
}

/// One site to assess, as parsed at the edge (it may already have been rejected).
#[derive(Debug, Clone)]
pub struct SiteInput {
    /// `properties.site_id`, else the feature id, else the 0-based index.
    pub id: serde_json::Value,
    pub name: Option<String>,
    /// Where it came from (e.g. "line 12" of a CSV, "feature 3").
    pub source_ref: Option<String>,
    pub site: Result<Site, SiteErrorReport>,
}

impl From<SiteError> for SiteErrorReport {
    fn from(e: SiteError) -> Self {
        SiteErrorReport {
            code: e.code().to_string(),
            message: e.to_string(),
        }
    }
}

/// Answers SPEC §1–5 against one catalog and rubric. Cheap to create; shareable across threads.
#[derive(Debug, Clone, Copy)]
pub struct Assessor<'a> {
    pub catalog: &'a Catalog,
    pub rubric: &'a Rubric,
}

/// The site's geometry as GeoJSON in lon/lat (a one-part parcel as a Polygon).
pub fn echo_geometry(site: &Site) -> geojson::Geometry {
    match site {
        Site::Point(p) => geojson::Geometry::new(geojson::GeometryValue::from(p)),
        Site::Parcel(parcel) if parcel.geometry.0.len() == 1 => {
            geojson::Geometry::new(geojson::GeometryValue::from(&parcel.geometry.0[0]))
        }
        Site::Parcel(parcel) => geojson::Geometry::new(geojson::GeometryValue::from(&parcel.geometry)),
    }
}

impl Assessor<'_> {
    /// The layer versions this assessor answers from.
    pub fn provenance(&self) -> Provenance {
        self.catalog.provenance()
    }

    fn rubric_ref(&self) -> RubricRef {
        RubricRef {
            id: self.rubric.id.clone(),
            name_ja: self.rubric.name_ja.clone(),
        }
    }

    /// Assesses one site; a rejected input yields a report with `error` set and null sections.
    pub fn assess(&self, input: &SiteInput, options: &AssessOptions) -> Report {
        let mut echo = SiteEcho {
            id: input.id.clone(),
            kind: None,
            area_m2: None,
            name: input.name.clone(),
            anchor: None,
            geometry: None,
            source_ref: input.source_ref.clone(),
        };
        let site = match &input.site {
            Ok(site) => site,
            Err(e) => {
                return Report {
                    site: echo,
                    error: Some(e.clone()),
                    summary: None,
                    buildability: None,
                    daily_life_area: None,
                    facilities: None,
                    hazard: None,
                    provenance: self.provenance(),
                    rubric: self.rubric_ref(),
                }
            }
        };
        let anchor = site.anchor();
        echo.anchor = Some([anchor.x(), anchor.y()]);
        echo.geometry = Some(echo_geometry(site));
        match site {
            Site::Point(_) => echo.kind = Some("point"),
            Site::Parcel(p) => {
                echo.kind = Some("parcel");
                echo.area_m2 = Some(p.area_m2);
            }
        }
        let rubric = self.rubric;
        let sliver = rubric.sliver_tolerance_m2;
        let types = options
            .types
            .clone()
            .unwrap_or_else(|| vec![rubric.target_type.clone()]);
        let k = options.k.unwrap_or(rubric.nearest_k);

        let buildability = buildability::assess(self.catalog, site, sliver);
        let area = daily_life::assess(self.catalog, site, &rubric.target_type, sliver);
        let facilities = facilities::assess(self.catalog, rubric, site, k, types);
        let hazard = hazard::assess(self.catalog, rubric, site);
        let summary = Summary {
            verdict: buildability.verdict,
            verdict_ja: buildability.verdict.label_ja(),
            hazard_total: hazard.total,
            hazard_max: hazard.max,
            hazard_status: hazard.status,
            area_id: area.id.clone(),
            open_area: area.open_for_application,
            too_close: facilities.too_close,
            nearest_distance_m: facilities.nearest_distance_m,
        };
        Report {
            site: echo,
            error: None,
            summary: Some(summary),
            buildability: Some(buildability),
            daily_life_area: Some(area),
            facilities: Some(facilities),
            hazard: Some(hazard),
            provenance: self.provenance(),
            rubric: self.rubric_ref(),
        }
    }
}

/// Ranking order, best candidate first: assessed before rejected; then verdict
/// (buildable, conditional, unknown, not_buildable); complete hazard scores before
/// partial ones; higher hazard total; not too close before too close (unknown last);
/// larger distance to the nearest target facility; then the input order (stable sort).
pub fn rank_order(a: &Report, b: &Report) -> Ordering {
    match (&a.summary, &b.summary) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(x), Some(y)) => summary_order(x, y),
    }
}

/// The ranking of [`rank_order`] between two assessed sites, on their summaries alone
/// (the suitability grid ranks cells with it without keeping whole reports).
pub fn summary_order(x: &Summary, y: &Summary) -> Ordering {
    let spacing = |s: &Summary| match s.too_close {
        Some(false) => 0,
        Some(true) => 1,
        None => 2,
    };
    x.verdict
        .cmp(&y.verdict)
        .then((x.hazard_status == HazardStatus::Partial).cmp(&(y.hazard_status == HazardStatus::Partial)))
        .then(y.hazard_total.cmp(&x.hazard_total))
        .then(spacing(x).cmp(&spacing(y)))
        .then_with(|| {
            let d = |s: &Summary| s.nearest_distance_m.unwrap_or(f64::INFINITY);
            d(y).partial_cmp(&d(x)).unwrap_or(Ordering::Equal)
        })
}

/// Sorts reports best first (see [`rank_order`]).
pub fn rank(reports: &mut [Report]) {
    reports.sort_by(rank_order);
}
