//! In-process speed of the engine: one point assessment, one parcel assessment and the
//! index build, on the bundled sample city and on a generated city with ≥ 10⁵ hazard
//! polygons (`scripts/bench.sh` generates it into data/generated/large-1e5 first).
//!
//! Sites are drawn deterministically from the data's own candidate files so every run
//! measures the same work.

/// The same allocator as the `tekichi` binary, so figures are what the binary does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use tekichi::engine::assess::{AssessOptions, Assessor, SiteInput};
use tekichi::engine::catalog::{Catalog, LayerKind};
use tekichi::engine::rubric::Rubric;
use tekichi::io::layers::{load_layer, read_manifest};
use tekichi::io::sites::read_sites;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// The datasets to measure: the sample city always, the large city when generated
/// (`TEKICHI_BENCH_LARGE=DIR` picks another generated city; its directory name names the
/// benchmarks, e.g. `point/large-1e6`).
fn datasets() -> Vec<(String, PathBuf)> {
    let mut out = vec![("sample".to_string(), root().join("data/sample-city"))];
    let large = std::env::var("TEKICHI_BENCH_LARGE")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root().join("data/generated/large-1e5"));
    if large.join("manifest.toml").exists() || large.join("flood.geojson").exists() {
        let name = large
            .file_name()
            .map_or("large".into(), |n| n.to_string_lossy().into_owned());
        out.push((name, large));
    } else {
        eprintln!(
            "{} not found: run scripts/bench.sh to generate the large city",
            large.display()
        );
    }
    out
}

/// Point sites: the dataset's `sites-points.csv`, else its candidates; parcels likewise.
fn sites(dir: &Path, point: bool) -> Vec<SiteInput> {
    let candidates = if point {
        [dir.join("sites-points.csv"), dir.join("candidates.csv")]
    } else {
        [dir.join("sites-parcels.geojson"), dir.join("candidates.geojson")]
    };
    let path = candidates.iter().find(|p| p.exists()).expect("a candidate file");
    let all = read_sites(path, None).expect("candidates read");
    let want = if point { "point" } else { "parcel" };
    let picked: Vec<SiteInput> = all
        .into_iter()
        .filter(|s| match &s.site {
            Ok(tekichi::engine::site::Site::Point(_)) => want == "point",
            Ok(tekichi::engine::site::Site::Parcel(_)) => want == "parcel",
            Err(_) => false,
        })
        .take(1000)
        .collect();
    assert!(!picked.is_empty(), "no {want} sites in {}", path.display());
    picked
}

fn bench(c: &mut Criterion) {
    let rubric = Rubric::default_rubric();
    let options = AssessOptions::default();
    for (name, dir) in datasets() {
        let manifest = read_manifest(&dir).expect("manifest");
        let raws: Vec<_> = manifest
            .layers
            .iter()
            .map(|(k, e)| {
                load_layer(&dir, LayerKind::from_key(k).unwrap(), e)
                    .expect("layer loads")
                    .0
            })
            .collect();
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

        let points = sites(&dir, true);
        let mut i = 0;
        c.bench_function(&format!("point/{name}"), |b| {
            b.iter(|| {
                i = (i + 1) % points.len();
                black_box(assessor.assess(&points[i], &options))
            })
        });
        let parcels = sites(&dir, false);
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
