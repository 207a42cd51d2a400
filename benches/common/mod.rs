//! What the benchmarks share: the datasets to measure, their candidate sites and layers.

use std::path::{Path, PathBuf};
use tekichi::engine::assess::SiteInput;
use tekichi::engine::catalog::{LayerKind, RawLayer};
use tekichi::io::layers::{load_layer, read_manifest};
use tekichi::io::sites::read_sites;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// The datasets to measure: the sample city always, the large city when generated
/// (`TEKICHI_BENCH_LARGE=DIR` picks another generated city; its directory name names the
/// benchmarks, e.g. `point/large-1e6`).
pub fn datasets() -> Vec<(String, PathBuf)> {
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
pub fn sites(dir: &Path, point: bool) -> Vec<SiteInput> {
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

/// Every layer of a dataset, parsed and validated (what `Catalog::build` takes).
pub fn layers(dir: &Path) -> Vec<RawLayer> {
    let manifest = read_manifest(dir).expect("manifest");
    manifest
        .layers
        .iter()
        .map(|(k, e)| {
            load_layer(dir, LayerKind::from_key(k).unwrap(), e)
                .expect("layer loads")
                .0
        })
        .collect()
}
