//! Per-site latency of one assessment. Criterion (`benches/assess.rs`) reports the mean
//! over a cycle of 1000 sites; this reports how that time is spread across the sites: each
//! site's time is the median of its timings in `PASSES` interleaved passes over all sites
//! (the criterion benchmark's access pattern), and the sites' times give the median, p90,
//! p99 and maximum. The report's drop is timed with it, as criterion does.
//!
//!   cargo bench --bench latency            # every dataset
//!   cargo bench --bench latency -- large   # datasets whose name contains "large"
//!
//! Under `cargo test` (no `--bench` argument) it makes one pass, as a smoke test.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};
use tekichi::engine::assess::{AssessOptions, Assessor};
use tekichi::engine::catalog::Catalog;
use tekichi::engine::rubric::Rubric;

const PASSES: usize = 21;

/// The value at quantile `q` of sorted `values` (nearest rank).
fn quantile(sorted: &[Duration], q: f64) -> Duration {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let filter = args.iter().find(|a| !a.starts_with("--"));
    let passes = if args.iter().any(|a| a == "--bench") { PASSES } else { 1 };
    let rubric = Rubric::default_rubric();
    let options = AssessOptions::default();
    for (name, dir) in common::datasets() {
        if filter.as_ref().is_some_and(|f| !name.contains(f.as_str())) {
            continue;
        }
        let catalog = Catalog::build(common::layers(&dir)).expect("catalog builds");
        let assessor = Assessor {
            catalog: &catalog,
            rubric: &rubric,
        };
        for (kind, point) in [("point", true), ("parcel", false)] {
            let sites = common::sites(&dir, point);
            for site in &sites {
                black_box(assessor.assess(site, &options));
            }
            let mut timings = vec![Vec::with_capacity(passes); sites.len()];
            for _ in 0..passes {
                for (site, times) in sites.iter().zip(&mut timings) {
                    let start = Instant::now();
                    drop(black_box(assessor.assess(site, &options)));
                    times.push(start.elapsed());
                }
            }
            let mut per_site: Vec<Duration> = timings
                .iter_mut()
                .map(|times| {
                    times.sort_unstable();
                    times[passes / 2]
                })
                .collect();
            per_site.sort_unstable();
            let mean = per_site.iter().sum::<Duration>() / per_site.len() as u32;
            println!(
                "{:<22} {} sites × {passes} passes, per-site µs: median {:6.2}  p90 {:6.2}  p99 {:6.2}  max {:7.2}  mean {:6.2}",
                format!("{kind}/{name}"),
                sites.len(),
                micros(quantile(&per_site, 0.5)),
                micros(quantile(&per_site, 0.9)),
                micros(quantile(&per_site, 0.99)),
                micros(per_site[per_site.len() - 1]),
                micros(mean),
            );
        }
    }
}
