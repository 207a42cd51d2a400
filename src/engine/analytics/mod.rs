//! Planner analytics (issue 7): where should the next facility go?
//!
//! - [`coverage`] — every daily-life area: facilities, capacity, estimated demand, gap, open/served
//! - [`grid`] — the suitability map over a regular grid or a parcel file, and the best places
//!   in open areas
//! - [`whatif`] — rubric overrides, before/after comparison of candidates, and the nearest
//!   place that would pass
//! - [`impact`] — which sites and areas a new layer version would change
//!
//! Everything here is built on [`crate::engine::assess::Assessor`]: no rule is restated.

pub mod coverage;
pub mod grid;
pub mod impact;
pub mod whatif;

/// Degrees per metre east and north at `lat` (local radii of curvature, GRS80).
pub(crate) fn degrees_per_metre(lat: f64) -> (f64, f64) {
    const A: f64 = 6_378_137.0;
    const E2: f64 = 0.006_694_380_022_900_787;
    let phi = lat.to_radians();
    let w = (1.0 - E2 * phi.sin().powi(2)).sqrt();
    let n = A / w; // prime vertical
    let m = A * (1.0 - E2) / (w * w * w); // meridian
    ((1.0 / (n * phi.cos())).to_degrees(), (1.0 / m).to_degrees())
}
