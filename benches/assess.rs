//! In-process speed of the engine: one point assessment, one parcel assessment, the
//! geodesic floor of a point (its five nearest facilities' exact inverses) and the index
//! build, on the bundled sample city and on a generated city with ≥ 10⁵ hazard
//! polygons (`scripts/bench.sh` generates it into data/generated/large-1e5 first).
//!
//! Sites are drawn deterministically from the data's own candidate files so every run
//! measures the same work.

/// The same allocator as the `tekichi` binary, so figures are what the binary does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod common;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use std::hint::black_box;
use tekichi::engine::assess::{AssessOptions, Assessor};
use tekichi::engine::catalog::{Catalog, LayerKind};
use tekichi::engine::geom;
use tekichi::engine::rubric::Rubric;

fn bench(c: &mut Criterion) {
    let rubric = Rubric::default_rubric();
    let options = AssessOptions::default();
    for (name, dir) in common::datasets() {
        let raws = common::layers(&dir);
        let catalog = Catalog::build(raws.clone()).expect("catalog builds");
        let assessor = Assessor {
            catalog: &catalog,
            rubric: &rubric,
        };
        let hazard_polygons: usize = [
            LayerKind::Flood,
            LayerKind::RiverErosion,
            LayerKind::Landslide,
            LayerKind::Tsunami,
        ]
        .iter()
        .filter_map(|k| catalog.info(*k))
        .map(|l| l.feature_count)
        .sum();
        eprintln!("{name}: {hazard_polygons} hazard polygons");

        let points = common::sites(&dir, true);
        let mut i = 0;
        c.bench_function(&format!("point/{name}"), |b| {
            b.iter(|| {
                i = (i + 1) % points.len();
                black_box(assessor.assess(&points[i], &options))
            })
        });
        // The part of a point's time no index can save: SPEC's default k = 5 nearest
        // facilities each need one exact geodesic inverse (distance and bearing).
        if let Some(facility) = &catalog.facility {
            let pairs: Vec<_> = points
                .iter()
                .filter_map(|p| p.site.as_ref().ok())
                .map(|site| {
                    let near = facility.index.nearest(site, 5, |_| true);
                    let to: Vec<_> = near.iter().map(|n| facility.index.place(n.place).point).collect();
                    (site.anchor(), to)
                })
                .collect();
            let mut k = 0;
            c.bench_function(&format!("geodesics5/{name}"), |b| {
                b.iter(|| {
                    k = (k + 1) % pairs.len();
                    let (from, to) = &pairs[k];
                    for &p in to {
                        black_box(geom::distance_and_bearing(*from, p));
                    }
                })
            });
        }
        let parcels = common::sites(&dir, false);
        let mut j = 0;
        c.bench_function(&format!("parcel/{name}"), |b| {
            b.iter(|| {
                j = (j + 1) % parcels.len();
                black_box(assessor.assess(&parcels[j], &options))
            })
        });
        let mut group = c.benchmark_group("build");
        group.sample_size(10);
        group.bench_function(&name, |b| {
            b.iter_batched(
                || raws.clone(),
                |r| black_box(Catalog::build(r).unwrap()),
                BatchSize::LargeInput,
            )
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
